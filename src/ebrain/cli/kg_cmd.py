"""`ebrain kg`: the knowledge graph (entities, neighbours, paths, records, export, extraction)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from ebrain.auth import Principal
from ebrain.cli.common import console, emit_json, handled, open_brain, safe
from ebrain.i18n import say

app = typer.Typer(
    help="Knowledge graph: entities, relations, records. / 知识图谱：实体、关系、结构化记录。",
    no_args_is_help=True,
)

GROUP_HELP = "Read as a member of these groups (default: the workspace owner)."
JSON_HELP = "Print JSON."


def _who(group: list[str] | None) -> Principal:
    return Principal.user("cli", group) if group is not None else Principal.owner()


def _run(ctx: typer.Context, as_json: bool, fn: Any) -> Any:
    with handled(as_json):
        brain = open_brain(ctx)
        try:
            return fn(brain)
        finally:
            brain.close()


@app.command("entity")
def entity(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Entity name or alias. / 实体名称或别名。"),
    group: list[str] | None = typer.Option(None, "--group", help=GROUP_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """An entity: aliases, documents, relations. / 查看实体：别名、文档、关系。"""
    out = _run(ctx, as_json, lambda b: b.kg.entity(name, principal=_who(group)))
    if as_json:
        emit_json(out)
        return
    for e in out["entities"]:
        aliases = ", ".join(a["name"] for a in e["aliases"])
        console.print(
            f"[bold cyan]{safe(e['name'])}[/] [dim]({safe(e['type'])})[/]", highlight=False
        )
        if aliases:
            console.print("  " + say("aliases: ", "别名：") + safe(aliases), highlight=False)
        for d in e["documents"]:
            console.print(
                f"  - {safe(d['title'])} [dim]{safe(d['path'])}[/] ×{len(d['mentions'])}",
                highlight=False,
            )
        for r in e["relations"]:
            at = f" @{r['at']}" if r["at"] else ""
            console.print(
                f"  {safe(r['src'])} —{safe(r['rel'])}→ {safe(r['dst'])}{safe(at)}", highlight=False
            )


@app.command("neighbors")
def neighbors(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Entity name or alias."),
    limit: int = typer.Option(20, "--limit", min=1, max=500, help="Most neighbours shown."),
    group: list[str] | None = typer.Option(None, "--group", help=GROUP_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Entities linked to NAME. / 与实体相连的实体。"""
    out = _run(ctx, as_json, lambda b: b.kg.neighbors(name, limit, principal=_who(group)))
    if as_json:
        emit_json(out)
        return
    console.print(f"[bold cyan]{safe(out['entity']['name'])}[/]", highlight=False)
    for n in out["neighbors"]:
        shared = say(f"{n['shared_documents']} document(s)", f"{n['shared_documents']} 个文档")
        console.print(f"  {safe(n['name'])} [dim]({safe(n['type'])}, {shared})[/]", highlight=False)


@app.command("path")
def path(
    ctx: typer.Context,
    a: str = typer.Argument(..., help="From entity."),
    b: str = typer.Argument(..., help="To entity."),
    group: list[str] | None = typer.Option(None, "--group", help=GROUP_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """The shortest chain of entities from A to B. / 两个实体之间的最短路径。"""
    out = _run(ctx, as_json, lambda br: br.kg.path(a, b, principal=_who(group)))
    if as_json:
        emit_json(out)
        return
    if not out["found"]:
        console.print(say("No path within 4 hops.", "4 跳之内没有路径。"))
        return
    console.print(" → ".join(safe(e["name"]) for e in out["path"]), highlight=False)


@app.command("records")
def records(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help="contract, meeting_minutes, fault_analysis, transcript"),
    where: str = typer.Option("", "--where", help='Filter, e.g. "amount > 1000000". / 过滤条件。'),
    limit: int = typer.Option(1000, "--limit", min=1, max=10000, help="Most records shown."),
    group: list[str] | None = typer.Option(None, "--group", help=GROUP_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Structured records of a type. / 某类结构化记录。"""
    rows = _run(ctx, as_json, lambda b: b.kg.records(kind, where, limit, principal=_who(group)))
    if as_json:
        emit_json({"type": kind, "where": where, "count": len(rows), "records": rows})
        return
    if not rows:
        console.print(say("No records.", "没有记录。"))
    for r in rows:
        console.print(
            f"[bold cyan]{safe(r['title'])}[/] [dim]{safe(r['path'])}[/]", highlight=False
        )
        for key, value in r["fields"].items():
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            console.print(f"  {safe(key)}: {safe(text[:200])}", highlight=False)


@app.command("export")
def export(
    ctx: typer.Context,
    fmt: str = typer.Option("graphml", "--format", help="graphml or jsonld."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write to this file (default stdout)."
    ),
    group: list[str] | None = typer.Option(None, "--group", help=GROUP_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary (with --out)."),
) -> None:
    """Export the graph as GraphML or JSON-LD. / 导出图谱（GraphML 或 JSON-LD）。"""
    text = _run(ctx, as_json, lambda b: b.kg.export(fmt, principal=_who(group)))
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    if as_json:
        emit_json({"format": fmt, "path": str(out), "bytes": len(text.encode("utf-8"))})
    else:
        console.print(say(f"Wrote {out}.", f"已写入 {out}。"), highlight=False)


@app.command("extract")
def extract(
    ctx: typer.Context,
    estimate: bool = typer.Option(False, "--estimate", help="Only show what would run. / 仅估算。"),
    model: str | None = typer.Option(
        None, "--model", help="Also extract with this declared model (costs tokens)."
    ),
    budget: int = typer.Option(
        100_000, "--budget", min=1, help="Token budget of a model run (prompt + completion)."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Re-run extraction over existing documents. / 对已有文档重新抽取。"""
    out = _run(ctx, as_json, lambda b: _extract(b, estimate, model, budget))
    if as_json:
        emit_json(out)
        return
    if model is not None:
        console.print(_model_line(out), highlight=False)
        return
    console.print(
        say(
            f"{out['documents']} documents, {out['chunks']} chunks, {out['characters']} characters; "
            f"extractor {out['extractor']}: {out['model_tokens']} model tokens, cost {out['cost']:.2f}",
            f"{out['documents']} 个文档，{out['chunks']} 个片段，{out['characters']} 个字符；"
            f"抽取器 {out['extractor']}：模型 token {out['model_tokens']}，费用 {out['cost']:.2f}",
        ),
        highlight=False,
    )
    for f in out.get("failures", []):
        console.print(f"[yellow]{safe(f)}[/]", highlight=False)


def _extract(brain: Any, estimate: bool, model: str | None, budget: int) -> Any:
    if model is None:
        return brain.kg.estimate() if estimate else brain.kg.extract()
    from ebrain.kg.graph import ModelExtraction

    run = ModelExtraction(brain.kg, model)
    return run.estimate() if estimate else run.run(budget)


def _model_line(out: dict[str, Any]) -> str:
    stop = say(" (stopped at the budget)", "（已达预算上限）") if out["stopped_at_budget"] else ""
    return safe(
        say(
            f"model {out['model']}: {out['chunks']} chunks, {out['cached']} cached, "
            f"{out['prompt_tokens']}+{out['completion_tokens']} tokens, cost {out['cost']:.4f}"
            f"{stop}",
            f"模型 {out['model']}：{out['chunks']} 个片段，{out['cached']} 个已缓存，"
            f"token {out['prompt_tokens']}+{out['completion_tokens']}，费用 {out['cost']:.4f}{stop}",
        )
    )


@app.command("alias")
def alias(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Entity."),
    other: str = typer.Argument(..., help="Another name of it. / 它的另一个名字。"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Add another name of an entity. / 为实体添加别名。"""
    out = _run(ctx, as_json, lambda b: b.kg.alias(name, other))
    _entity_done(out, as_json)


@app.command("merge")
def merge(
    ctx: typer.Context,
    keep: str = typer.Argument(..., help="Entity to keep."),
    gone: str = typer.Argument(..., help="Entity merged into it."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Merge entity B into A. / 将实体 B 合并到 A。"""
    out = _run(ctx, as_json, lambda b: b.kg.merge(keep, gone))
    _entity_done(out, as_json)


def _entity_done(out: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(out)
        return
    aliases = ", ".join(a["name"] for a in out["aliases"])
    console.print(f"{safe(out['name'])}: {safe(aliases)}", highlight=False)


@app.command("search")
def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="Question or keywords."),
    k: int = typer.Option(10, "-k", "--top", min=1, max=1000, help="Number of results."),
    hops: int = typer.Option(1, "--hops", min=0, max=2, help="Neighbour hops to expand."),
    group: list[str] | None = typer.Option(None, "--group", help=GROUP_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Graph-aware search: hybrid fused with linked chunks. / 图谱增强检索。"""
    from ebrain.cli.search_cmd import result_dict

    result = _run(
        ctx, as_json, lambda b: b.search_graph(query, k, principal=_who(group), hops=hops)
    )
    if as_json:
        emit_json(result_dict(query, result))
        return
    for n, hit in enumerate(result.hits, start=1):
        console.print(
            f"[bold cyan]{n}. {safe(hit.title)}[/] [dim]{safe(hit.path)}[/]", highlight=False
        )
        console.print("   " + safe(hit.snippet.replace("\n", " ")[:200]), highlight=False)
    for note in result.notes:
        console.print(f"[yellow]{safe(note)}[/]", highlight=False)


@app.command("ask")
def ask(
    ctx: typer.Context,
    question: str = typer.Argument(..., help="e.g. 2023年和恒达签的合同总金额是多少？"),
    group: list[str] | None = typer.Option(None, "--group", help=GROUP_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Answer a structured question from the records. / 用结构化记录回答统计类问题。"""
    out = _run(ctx, as_json, lambda b: b.kg.ask(question, principal=_who(group)))
    if as_json:
        emit_json(out if out is not None else {"question": question, "answer": None})
        return
    if out is None:
        console.print(
            say(
                "Not a question the records answer; try `ebrain ask`.",
                "记录无法回答这个问题；请使用 `ebrain ask`。",
            )
        )
        return
    console.print(safe(out["answer"]), highlight=False)
    for c in out["citations"]:
        amount = json.dumps(c["amount"], ensure_ascii=False) if c["amount"] else "-"
        line = f"  [{c['number'] or '-'}] {c['title']} {c['signed'] or ''} {amount}"
        console.print(safe(line), highlight=False)
