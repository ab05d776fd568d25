"""`ebrain search "query"`."""

from __future__ import annotations

import functools

import typer

from ebrain.auth import Principal
from ebrain.cli.common import check_date, console, emit_json, handled, open_brain, safe
from ebrain.i18n import lang_of, say
from ebrain.retrieve.hits import Hit
from ebrain.retrieve.searcher import SearchResult


def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="What to look for, in Chinese or English."),
    k: int = typer.Option(10, "-k", "--top", min=1, max=1000, help="Number of results."),
    kb: list[str] = typer.Option([], "--kb", help="Knowledge base (repeatable)."),
    doc_type: list[str] = typer.Option([], "--type", help="Document type (repeatable)."),
    tag: list[str] = typer.Option([], "--tag", help="Required tag (repeatable)."),
    since: str | None = typer.Option(
        None, "--since", callback=check_date, help="Documents dated on/after YYYY-MM-DD."
    ),
    until: str | None = typer.Option(
        None, "--until", callback=check_date, help="Documents dated on/before YYYY-MM-DD."
    ),
    path: str | None = typer.Option(None, "--path", help="Glob on the source path."),
    group: list[str] | None = typer.Option(
        None, "--group", help="Search as a member of these groups."
    ),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, bm25 or dense."),
    explain: bool = typer.Option(
        False,
        "--explain",
        help="Show BM25, dense and fused scores, the fusion's evidence and weight.",
    ),
    graph: bool = typer.Option(
        False,
        "--graph",
        help="Graph-aware: fuse in the chunks linked to the entities the query names and their "
        "neighbours (needs `ingest.enrichers: kg`). / 图谱增强检索。",
    ),
    hops: int = typer.Option(1, "--hops", min=0, max=2, help="With --graph: neighbour hops."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Search the knowledge base. / 搜索知识库。"""
    with handled(as_json):
        brain = open_brain(ctx)
        run = brain.search_ex
        if graph:
            run = functools.partial(brain.search_graph, hops=hops)
        result = run(
            query,
            k,
            kb=kb or None,
            doc_type=doc_type or None,
            tags=tag,
            since=since,
            until=until,
            path_glob=path,
            principal=Principal.user("cli", group) if group is not None else Principal.owner(),
            mode=mode,
            explain=explain,  # type: ignore[arg-type]
        )
        brain.close()
    if as_json:
        emit_json(result_dict(query, result))
    else:
        _print(query, result, explain)


def result_dict(query: str, result: SearchResult) -> dict[str, object]:
    """The --json shape of a search (documented in docs/cli.md)."""
    return {
        "query": query,
        "mode": result.mode,
        "bm25_weight": result.bm25_weight,
        "evidence": {k: round(v, 4) for k, v in result.signals.items()},
        "translation": result.translation,
        "vectors": result.vectors,
        "timings_ms": {k: round(v, 2) for k, v in result.timings_ms.items()},
        "notes": result.notes,
        "hits": [h.to_dict() for h in result.hits],
    }


def _print(query: str, result: SearchResult, explain: bool) -> None:
    lang = lang_of(query)
    if not result.hits:
        console.print(say("No results.", "没有找到结果。", lang))
    for n, hit in enumerate(result.hits, start=1):
        page = f" p.{hit.page_start}" if hit.page_start else ""
        where = safe(f"({hit.doc_type}{page}, {hit.kb})")
        console.print(f"[bold cyan]{n}. {safe(hit.title)}[/] [dim]{where}[/]", highlight=False)
        console.print(
            "   " + _highlight(hit.snippet, hit.highlights).replace("\n", " "), highlight=False
        )
        if explain and hit.explain:
            e = hit.explain
            console.print(
                "   [dim]"
                + safe(
                    f"bm25={e['bm25']} (#{e['bm25_rank']}) dense={e['dense']} "
                    f"(#{e['dense_rank']}) fused={e['fused']}"
                )
                + "[/]"
            )
        if explain:
            console.print("   [dim]" + safe(_injection(hit)) + "[/]", highlight=False)
    if explain:
        weight = "-" if result.bm25_weight is None else f"{result.bm25_weight:.2f}"
        times = ", ".join(f"{k} {v:.1f} ms" for k, v in result.timings_ms.items())
        summary = f"{result.mode}; bm25 weight {weight}; {result.vectors} vectors; {times}"
        console.print(f"[dim]{safe(summary)}[/]")
        if result.signals:
            evidence = ", ".join(f"{k} {v:.2f}" for k, v in result.signals.items())
            label = say("evidence", "证据", lang)
            console.print(f"[dim]{safe(f'{label}: {evidence} -> bm25 weight {weight}')}[/]")
        if result.translation:
            label = say("lexical side also searched", "BM25 另外检索了译文", lang)
            console.print(f"[dim]{safe(f'{label}: {result.translation}')}[/]")
    for note in result.notes:
        console.print(f"[yellow]{safe(note)}[/]", highlight=False)


def _injection(hit: Hit) -> str:
    """The chunk's stored firewall score, in words."""
    if hit.injection_score is None:
        return say("injection: not scored", "注入评分：无")
    rule = f", rule {hit.injection_rule}" if hit.injection_rule else ""
    return say(
        f"injection={hit.injection_score:.3f}{rule}", f"注入评分={hit.injection_score:.3f}{rule}"
    )


def _highlight(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for a, b in spans:
        out += [safe(text[pos:a]), "[bold yellow]", safe(text[a:b]), "[/]"]
        pos = b
    out.append(safe(text[pos:]))
    return "".join(out)


def register(app: typer.Typer) -> None:
    """Attach `search`."""
    app.command()(search)
