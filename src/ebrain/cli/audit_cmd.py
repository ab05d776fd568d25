"""`ebrain audit verify|export`: check the hash chain of the audit log; write it as JSONL."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import typer

from ebrain.cli.common import console, emit_json, err_console, handled, open_brain, safe
from ebrain.cli.user_cmd import JSON_OPT
from ebrain.i18n import say

app = typer.Typer(help="Tamper-evident audit log. / 防篡改审计日志。", no_args_is_help=True)

TAMPERED_EXIT = 2  # verify found a problem (1 stays "the command failed")


@app.command()
def verify(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Check every entry of the chain; exit 2 and name the entry when one was tampered with.
    / 校验审计日志链。"""
    with handled(as_json), open_brain(ctx) as brain:
        result = brain.audit.verify()
    if as_json:
        emit_json(result.to_dict())
    elif result.ok:
        console.print(
            say(
                f"Audit log intact: {result.checked} entries; head {result.head_seq} "
                f"{result.head_hash}",
                f"审计日志完好：{result.checked} 条；末条 {result.head_seq} {result.head_hash}",
            )
        )
    else:
        err_console.print(
            say(
                f"[bold red]Audit log tampered with[/] at entry {result.first_bad}: ",
                f"[bold red]审计日志被篡改[/]，位置：第 {result.first_bad} 条：",
            )
            + safe(result.reason),
            highlight=False,
        )
        for seq, reason in result.problems[1:]:
            err_console.print(f"  {seq}: {safe(reason)}", highlight=False)
    if not result.ok:
        raise typer.Exit(TAMPERED_EXIT)


@app.command()
def export(
    ctx: typer.Context,
    since: str | None = typer.Option(
        None, "--since", help="Entries written on or after this ISO date (or date-time)."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file (else stdout)."),
    as_json: bool = typer.Option(False, "--json", help="With --out: print a JSON summary."),
) -> None:
    """Write audit entries as JSON Lines (one entry a line, with its hashes) for a SIEM.
    / 导出审计日志（JSONL）。"""
    with handled(as_json), open_brain(ctx) as brain:
        entries = brain.audit.export(since)
        if out is None:
            count = _write(entries, sys.stdout)
        else:
            with out.open("w", encoding="utf-8") as handle:
                count = _write(entries, handle)
    if out is None:
        return
    if as_json:
        emit_json({"path": str(out), "entries": count, "since": since})
    else:
        console.print(
            say(f"Wrote {count} entries to {safe(out)}", f"已写入 {count} 条到 {safe(out)}")
        )


def _write(entries: Iterable[dict[str, Any]], handle: TextIO) -> int:
    count = 0
    for entry in entries:
        handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count
