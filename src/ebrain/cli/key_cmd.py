"""`ebrain key create|list|revoke`: API keys of the server's users (audited as `cli:<user>`).

A key is printed once, at creation; the catalog keeps only its SHA-256."""

from __future__ import annotations

import typer
from rich.table import Table

from ebrain.cli.common import console, emit_json, err_console, handled, open_brain, safe
from ebrain.cli.user_cmd import JSON_OPT, cli_actor
from ebrain.i18n import say

app = typer.Typer(help="API keys. / API 密钥。", no_args_is_help=True)


@app.command()
def create(
    ctx: typer.Context,
    user: str = typer.Option(..., "--user", "-u", help="Owner of the key. / 密钥所属用户。"),
    kbs: list[str] = typer.Option(
        [], "--kb", help="Limit the key to this knowledge base (repeatable). / 限定知识库。"
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Create an API key and print it once. / 创建 API 密钥（仅显示一次）。"""
    with handled(as_json), open_brain(ctx) as brain:
        raw, key = brain.identity.create_key(user, kbs=kbs, actor=cli_actor())
    if as_json:
        emit_json({"key": raw, **key.to_dict()})
        return
    console.print(raw, markup=False, highlight=False)
    err_console.print(
        say(
            f"Key {key.id} for {safe(user)}: store it now, it is not shown again.",
            f"用户 {safe(user)} 的密钥 {key.id}：请立即保存，之后不再显示。",
        )
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    user: str | None = typer.Option(None, "--user", "-u", help="Only this user's keys."),
    as_json: bool = JSON_OPT,
) -> None:
    """List API keys (never the keys themselves). / 列出 API 密钥。"""
    with handled(as_json), open_brain(ctx) as brain:
        keys = brain.identity.list_keys(user)
    if as_json:
        emit_json([k.to_dict() for k in keys])
        return
    table = Table()
    for col in (
        "id",
        say("user", "用户"),
        say("kbs", "知识库"),
        say("created", "创建时间"),
        say("last used", "最近使用"),
        say("state", "状态"),
    ):
        table.add_column(col)
    for k in keys:
        state = say("revoked", "已吊销") if k.revoked else say("active", "有效")
        kbs = ", ".join(k.kbs) or say("all", "全部")
        table.add_row(k.id, safe(k.user), safe(kbs), k.created, k.last_used or "-", state)
    console.print(table)


@app.command()
def revoke(
    ctx: typer.Context, key_id: str = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPT
) -> None:
    """Revoke an API key (it stops working at once). / 吊销 API 密钥。"""
    with handled(as_json), open_brain(ctx) as brain:
        brain.identity.revoke_key(key_id, actor=cli_actor())
    if as_json:
        emit_json({"id": key_id, "revoked": True})
    else:
        console.print(say(f"Revoked key {safe(key_id)}", f"已吊销密钥 {safe(key_id)}"))
