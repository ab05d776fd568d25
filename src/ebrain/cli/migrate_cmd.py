"""`ebrain migrate --from WORKSPACE --to postgresql://…`: move a workspace's catalog to another
database, then verify row counts, row digests and the documents' content hashes."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ebrain.catalog.transfer import TransferReport
from ebrain.cli.common import (
    console,
    emit_json,
    err_console,
    handled,
    require_workspace,
    safe,
)
from ebrain.i18n import say

MISMATCH_EXIT = 2  # the copy does not match its source (1 stays "the command failed")


def migrate(
    ctx: typer.Context,
    to: str = typer.Option(
        ...,
        "--to",
        help="Target catalog URL, e.g. postgresql://user:password@host:5432/ebrain (an empty "
        "database). / 目标目录库 URL（空数据库）。",
    ),
    source: Path | None = typer.Option(
        None, "--from", help="Workspace to move (default: --workspace). / 源工作区。"
    ),
    batch: int = typer.Option(1000, "--batch", min=1, max=100_000, help="Rows per insert batch."),
    verify_only: bool = typer.Option(
        False, "--verify-only", help="Copy nothing; compare an earlier copy with its source."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Copy the catalog to another database (e.g. PostgreSQL) and verify the copy.
    / 把目录库迁移到另一个数据库（如 PostgreSQL）并校验。"""
    from ebrain.catalog.workspace import Workspace

    with handled(as_json):
        ws = Workspace.open(source if source is not None else require_workspace(ctx))
        try:
            report = ws.migrate_catalog(to, verify_only=verify_only, batch=batch)
        finally:
            ws.close()
    if as_json:
        emit_json(report.to_dict())
    else:
        _print(report)
    if not report.ok:
        raise typer.Exit(MISMATCH_EXIT)


def _print(report: TransferReport) -> None:
    table = Table(title=say("Catalog tables", "目录库各表"))
    for name in (say("table", "表"), say("source", "源"), say("target", "目标"), "ok"):
        table.add_column(name)
    for c in report.tables:
        mark = "✓" if c.ok else say("MISMATCH", "不一致")
        table.add_row(safe(c.table), str(c.source_rows), str(c.target_rows), mark)
    console.print(table)
    rows = sum(c.target_rows for c in report.tables)
    if report.ok:
        verb = (
            say("Copied and verified", "已复制并校验")
            if report.copied
            else say("Verified", "已校验")
        )
        console.print(
            say(
                f"{verb}: {rows} rows, {report.documents_checked} documents' content hashes "
                f"match; {safe(report.source)} -> {safe(report.target)} in {report.seconds:.1f} s. "
                f"Next: set `catalog: <URL>` in config.yaml (ebrain config set catalog URL) and "
                "rebuild the search index there (ebrain index rebuild).",
                f"{verb}：{rows} 行，{report.documents_checked} 个文档的内容哈希一致；"
                f"{safe(report.source)} -> {safe(report.target)}，用时 {report.seconds:.1f} 秒。"
                "下一步：在 config.yaml 中设置 `catalog: <URL>`（ebrain config set catalog URL），"
                "并在新目录库上重建搜索索引（ebrain index rebuild）。",
            ),
            highlight=False,
        )
        return
    bad = [c.table for c in report.tables if not c.ok]
    err_console.print(
        say(
            f"[bold red]The copy does not match its source[/]: tables {', '.join(bad) or '-'}; "
            f"documents {report.documents_mismatched[:20] or '-'}",
            f"[bold red]副本与源不一致[/]：表 {', '.join(bad) or '-'}；"
            f"文档 {report.documents_mismatched[:20] or '-'}",
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Attach `ebrain migrate`."""
    app.command()(migrate)
