"""`ebrain config list`: every setting, its value, where the value comes from, and its help."""

from __future__ import annotations

import typer
from rich.table import Table

from ebrain.cli.common import (
    console,
    emit_json,
    handled,
    require_workspace,
    safe,
    workspace_path,
)
from ebrain.config import SETTINGS, Config, write_setting
from ebrain.i18n import say

app = typer.Typer(help="Settings. / 配置。", no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """Show every setting with its value and origin. / 列出全部配置项。"""
    with handled(as_json):
        config = Config.load(workspace_path(ctx) / "config.yaml")
        rows = [
            {
                "key": k,
                "value": "***" if s.secret else config.get(k),
                "origin": config.origin(k),
                "env": s.env,
                "default": s.default,
                "help": s.help,
                "allowed": s.allowed(),
            }
            for k, s in SETTINGS.items()
        ]
    if as_json:
        emit_json(rows)
        return
    table = Table()
    for col in (
        say("setting", "配置项"),
        say("value", "值"),
        say("from", "来源"),
        say("allowed", "允许值"),
        say("help", "说明"),
    ):
        table.add_column(col)
    for r in rows:
        cells = (r["key"], r["value"], r["origin"], r["allowed"], r["help"])
        table.add_row(*map(safe, cells))
    console.print(table)


@app.command("set", context_settings={"ignore_unknown_options": True})
def set_(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Setting, e.g. search.k (see `ebrain config list`)."),
    value: str = typer.Argument(..., help="New value; checked against the setting's range."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Check a value and store it in config.yaml. / 校验并写入配置项。"""
    with handled(as_json):
        path = require_workspace(ctx) / "config.yaml"
        stored = write_setting(path, key, value)
    if as_json:
        emit_json({"key": key, "value": stored, "path": str(path)})
        return
    shown = safe(f"{key} = {stored!r}")
    console.print(say(shown, f"{safe(key)} 已设为 {safe(repr(stored))}"), highlight=False)
