"""`ebrain insights support`: issue categories, sentiment, unresolved cases and emerging
complaints from the transcript records, as an HTML report and/or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ebrain.auth import Principal
from ebrain.cli.common import check_date, console, emit_json, handled, open_brain, safe
from ebrain.i18n import say

app = typer.Typer(
    help="Insights from the knowledge graph's records. / 基于知识图谱记录的洞察报告。",
    no_args_is_help=True,
)


@app.command("support")
def support(
    ctx: typer.Context,
    kb: str | None = typer.Option(None, "--kb", help="Only this knowledge base."),
    since: str | None = typer.Option(
        None, "--since", callback=check_date, help="Transcripts dated on/after YYYY-MM-DD."
    ),
    min_count: int = typer.Option(
        2, "--min-count", min=1, max=1000, help="Emerging: at least this many in the last month."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the HTML report here. / HTML 报告输出路径。"
    ),
    charts: str = typer.Option("auto", "--charts", help="auto (PNG with matplotlib), png, svg."),
    group: list[str] | None = typer.Option(
        None, "--group", help="Read as a member of these groups (default: the workspace owner)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Customer-service and sales transcripts: top issues per product and month, negative
    share, unresolved cases, emerging complaints. / 客服与销售会话洞察。"""
    who = Principal.user("cli", group) if group is not None else Principal.owner()
    with handled(as_json):
        if charts not in ("auto", "png", "svg"):
            from ebrain.errors import InvalidInputError

            raise InvalidInputError(f"unknown --charts {charts!r}", hint="use auto, png or svg")
        brain = open_brain(ctx)
        try:
            report = brain.insights(
                "support", principal=who, kb=kb, since=since, min_count=min_count
            )
        finally:
            brain.close()
        if out is not None:
            from ebrain.kg.insights import render_html

            out.write_text(render_html(report, charts=charts), encoding="utf-8")
    if as_json:
        emit_json(report)
        return
    _print(report, out)


def _print(report: dict[str, Any], out: Path | None) -> None:
    from ebrain.kg.insights import category_label

    console.print(
        say(
            f"{report['transcripts']} transcripts, {report['negative_share']:.0%} negative, "
            f"{report['unresolved']} unresolved",
            f"{report['transcripts']} 个会话，负面 {report['negative_share']:.0%}，"
            f"未解决 {report['unresolved']} 个",
        ),
        highlight=False,
    )
    for p in report["by_product"]:
        top = ", ".join(
            f"{category_label(c['category'])} {c['count']}" for c in p["categories"][:3]
        )
        console.print(f"  [bold cyan]{safe(p['product'])}[/] {safe(top)}", highlight=False)
    for e in report["emerging"]:
        line = say(
            f"emerging in {e['month']}: {category_label(e['category'])} "
            f"{e['previous']} → {e['count']}",
            f"{e['month']} 新增投诉：{category_label(e['category'])} {e['previous']} → {e['count']}",
        )
        console.print(f"[yellow]{safe(line)}[/]", highlight=False)
    if out is not None:
        console.print(say(f"Wrote {out}.", f"已写入 {out}。"), highlight=False)
