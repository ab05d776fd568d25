"""`ebrain config list`: every setting, its value, where the value comes from, and its help."""

from __future__ import annotations

import typer
from rich.table import Table

from ebrain.cli.common import console, emit_json, handled, workspace_path
from ebrain.config import SETTINGS, Config
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
        say("help", "说明"),
    ):
        table.add_column(col)
    for r in rows:
        table.add_row(r["key"], str(r["value"]), r["origin"], r["help"])
    console.print(table)
