"""`ebrain kb list|create|rm`."""

from __future__ import annotations

from dataclasses import asdict

import typer
from rich.table import Table

from ebrain.cli.common import console, emit_json, handled, open_brain, plain, safe
from ebrain.i18n import say

app = typer.Typer(help="Knowledge bases. / 知识库。", no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """List knowledge bases. / 列出知识库。"""
    with handled(as_json):
        brain = open_brain(ctx)
        kbs = brain.kbs()
        brain.close()
    if as_json:
        emit_json([asdict(k) for k in kbs])
        return
    table = Table()
    for col in (say("name", "名称"), say("documents", "文档数"), say("created", "创建时间")):
        table.add_column(col)
    for k in kbs:
        table.add_row(safe(k.name), safe(k.documents), safe(k.created_at))
    console.print(table)


@app.command()
def create(
    ctx: typer.Context,
    name: str,
    description: str = typer.Option("", "--description", "-d"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create a knowledge base. / 创建知识库。"""
    with handled(as_json):
        brain = open_brain(ctx)
        kb = brain.create_kb(name, description)
        brain.close()
    if as_json:
        emit_json(asdict(kb))
    else:
        name = safe(repr(kb.name))
        console.print(say(f"Knowledge base {name} ready", f"知识库 {name} 已就绪"))


@app.command()
def rm(
    ctx: typer.Context,
    name: str,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Delete a knowledge base and its documents. / 删除知识库。"""
    if not yes and not as_json:
        typer.confirm(
            say(
                f"Delete {plain(repr(name))} and all its documents?",
                f"删除 {plain(repr(name))} 及其全部文档？",
            ),
            abort=True,
        )
    with handled(as_json):
        brain = open_brain(ctx)
        n = brain.remove_kb(name)
        brain.close()
    if as_json:
        emit_json({"removed": name, "documents": n})
    else:
        shown = safe(repr(name))
        console.print(say(f"Removed {shown} ({n} documents)", f"已删除 {shown}（{n} 个文档）"))
