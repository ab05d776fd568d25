"""`ebrain models`: the declared models (list) and a health check with latency (test)."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from ebrain.cli.common import console, emit_json, handled, safe, workspace_path
from ebrain.config import Config
from ebrain.i18n import say

app = typer.Typer(
    help="Models: list the declared models and health-check them. / 模型：列出并检测已声明的模型。",
    no_args_is_help=True,
)


def _models_section(ctx: typer.Context) -> tuple[Any, Any]:
    """The `models:` and `routing:` sections of the workspace's config.yaml."""
    config = Config.load(workspace_path(ctx) / "config.yaml")
    return config.section("models"), config.section("routing")


def _catalog(ctx: typer.Context) -> Any:
    from ebrain.models import ModelCatalog

    models, _ = _models_section(ctx)
    return ModelCatalog.from_config(models)


def _no_models() -> None:
    console.print(
        say(
            "No models declared: answers are extractive. Add a `models:` section to config.yaml.",
            "未声明模型：回答为抽取式。请在 config.yaml 中添加 `models:` 配置。",
        )
    )


@app.command("list")
def list_models(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON. / 输出 JSON。"),
) -> None:
    """List declared models with roles, context windows and prices. / 列出已声明的模型。"""
    with handled(as_json):
        catalog = _catalog(ctx)
        rows = [spec.to_dict() for spec in catalog]
        if as_json:
            emit_json({"models": rows, "generation": catalog.has_models})
            return
        if not rows:
            _no_models()
            return
        console.print(_list_table(rows))


def _list_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=say("Models", "模型"))
    for col in (
        say("alias", "别名"),
        "url",
        say("roles", "角色"),
        say("context", "上下文"),
        say("price in/out per 1M", "单价 输入/输出 每百万"),
        say("key", "密钥"),
    ):
        table.add_column(col)
    for r in rows:
        key = r["api_key_env"] or "-"
        if r["api_key_env"]:
            key += " ✓" if r["api_key_set"] else say(" (unset)", "（未设置）")
        price = f"{r['price']['input']:g} / {r['price']['output']:g}"
        cells = (r["alias"], r["url"], ", ".join(r["roles"]), r["context_window"], price, key)
        table.add_row(*map(safe, cells))
    return table


@app.command("test")
def test_models(
    ctx: typer.Context,
    alias: str | None = typer.Argument(None, help="Model alias (default: all). / 模型别名。"),
    timeout: float | None = typer.Option(
        None,
        "--timeout",
        min=0.1,
        max=3600,
        help="Seconds per check (default: the model's). / 超时秒数。",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON. / 输出 JSON。"),
) -> None:
    """Send a tiny completion to each model and report latency. / 发送极短请求检测模型与延迟。"""
    from ebrain.models import Gateway

    with handled(as_json):
        catalog = _catalog(ctx)
        aliases = [alias] if alias else [s.alias for s in catalog if s.provider != "none"]
        if alias:
            catalog.get(alias)
        gateway = Gateway(catalog)
        results = [gateway.health(a, timeout) for a in aliases]
        ok = all(r.ok for r in results)
        if as_json:
            emit_json({"ok": ok, "results": [r.to_dict() for r in results]})
        elif not results:
            _no_models()
        else:
            _print_results(results)
        if not ok:
            raise typer.Exit(1)


def _print_results(results: list[Any]) -> None:
    for r in results:
        if r.ok:
            line = safe(f"{r.alias}  {r.model}  {r.latency_ms:.0f} ms")
            console.print(f"[green]✓[/] {line}", highlight=False)
        else:
            reason = say(f"failed ({r.reason})", f"失败（{r.reason}）")
            console.print(f"[red]✗[/] {safe(f'{r.alias}  {reason}: {r.message}')}", highlight=False)
