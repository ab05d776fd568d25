"""`ebrain guard`: scan text, test a labelled set, list recent decisions, probe for bias."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from ebrain.cli.common import console, emit_json, err_console, handled, open_brain, plain, safe
from ebrain.errors import InvalidInputError
from ebrain.i18n import say

app = typer.Typer(
    help="AI firewall: scans, tests, events, bias probe. / AI 防火墙。", no_args_is_help=True
)


def _text_of(source: str) -> str:
    """The text itself, or a file's contents when `source` names an existing file."""
    path = Path(source)
    try:
        if len(source) < 4096 and path.is_file():
            return path.read_text(encoding="utf-8")
    except OSError:
        pass
    return source


def _scan(text: str, stage: str) -> dict[str, Any]:
    """One guard scan at a stage, as a dict."""
    from ebrain.guard import Guard

    guard = Guard()
    if stage == "input":
        return guard.scan_input(text).to_dict()
    if stage == "context":
        return guard.scan_context([text])[0].to_dict()
    if stage == "output":
        return guard.scan_output(text).to_dict()
    raise InvalidInputError(f"unknown stage {stage!r}", hint="use input, context or output")


@app.command()
def scan(
    source: str = typer.Argument(..., help="Text to scan, or a file holding it."),
    stage: str = typer.Option("input", "--stage", help="input, context or output."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Scan one text at a stage and show the decision."""
    with handled(as_json):
        result = _scan(_text_of(source), stage)
        if as_json:
            emit_json(result)
            return
        console.print(f"[bold]{say('action', '动作')}:[/] {safe(result['action'])}")
        for f in result["findings"]:
            line = f"  {f['scanner']}/{f['rule']} → {f['action']} [{f['start']}:{f['end']}]"
            console.print(plain(line), highlight=False, markup=False)
        console.print(plain(result["text"]), highlight=False, markup=False)


@app.command("test")
def test_set(
    dataset: Path = typer.Argument(
        ..., help="JSONL rows with text, label (1 attack, 0 benign), lang."
    ),
    stage: str = typer.Option("input", "--stage", help="Stage whose injection scan is tested."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Precision, recall, F1 and false-positive rate per label and language, with the misses."""
    from ebrain.guard.evaluate import evaluate_rows, read_rows

    with handled(as_json):
        report = evaluate_rows(read_rows(dataset), stage=stage)
        if as_json:
            emit_json(report)
            return
        for key, m in report["metrics"].items():
            console.print(
                plain(
                    f"{key:>10}  n={m['n']:<5} P={m['precision']:.3f} R={m['recall']:.3f} "
                    f"F1={m['f1']:.3f} FPR={m['fpr']:.3f}"
                ),
                markup=False,
            )
        for row in report["errors"][:20]:
            line = plain(f"  [{row['kind']}] {row['text'][:100]}")
            console.print(line, highlight=False, markup=False)


@app.command()
def events(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, max=100_000, help="How many recent decisions."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Recent firewall decisions from the catalog's guard_event table."""
    from ebrain.guard.events import recent_events

    with handled(as_json):
        brain = open_brain(ctx)
        with brain.engine.connect() as conn:
            rows = recent_events(conn, limit)
        if as_json:
            emit_json(rows)
            return
        for r in rows:
            line = f"{r['at']} {r['stage']:<7} {r['scanner']}/{r['rule']} → {r['action']}  "
            console.print(plain(line + r["excerpt"][:60]), highlight=False, markup=False)


def _probe_target(ctx: typer.Context) -> tuple[Any, list[str]]:
    """The Brain to probe, or None with a note (also warned on stderr) when none opens."""
    from ebrain.errors import EbrainError
    from ebrain.guard.bias import guard_only_note

    try:
        return open_brain(ctx), []
    except (EbrainError, OSError) as exc:
        from rich.markup import escape

        note = guard_only_note(getattr(exc, "message", None) or str(exc))
        err_console.print(f"[bold yellow]warning:[/] {escape(note)}", highlight=False)
        return None, [note]


@app.command()
def bias(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help="Write the report here (.md or .json)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Counterfactual probe: refusal rates and answer similarity with swapped terms."""
    from ebrain.guard import Guard
    from ebrain.guard.bias import answer_fn_for, run_probe

    with handled(as_json):
        brain, notes = _probe_target(ctx)
        scope = "answers" if brain is not None else "guard"
        report = run_probe(answer_fn_for(Guard(), brain), scope=scope, notes=notes)
        if brain is not None:
            brain.close()
        if out is not None:
            out.write_text(
                report.to_json() if out.suffix == ".json" else report.to_markdown(), "utf-8"
            )
        if as_json:
            emit_json({k: v for k, v in json.loads(report.to_json()).items() if k != "pairs"})
            return
        console.print(plain(report.to_markdown()), highlight=False, markup=False)
