"""Graph-aware retrieval: hybrid hits fused (reciprocal rank) with the chunks linked to the
entities a question names and to their neighbours; graph-only chunks are loaded through the
index with the same filters (the principal's ACL included)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ebrain.index.base import Filters, SearchIndex
from ebrain.retrieve.hits import Hit
from ebrain.retrieve.searcher import SearchResult

RRF_K = 60
GRAPH_WEIGHT = 1.0


def fuse_graph(
    result: SearchResult,
    graph: Sequence[tuple[int, float]],
    index: SearchIndex,
    filters: Filters,
    k: int,
    weight: float = GRAPH_WEIGHT,
) -> SearchResult:
    """`result` with its hits re-ranked by RRF over (hybrid ranking, graph ranking)."""
    if not graph:
        result.notes.append("graph: no known entity in the question")
        return result
    scores: dict[int, float] = {}
    for rank, hit in enumerate(result.hits):
        scores[hit.chunk_id] = 1.0 / (RRF_K + rank + 1)
    for rank, (cid, _s) in enumerate(graph):
        scores[cid] = scores.get(cid, 0.0) + weight / (RRF_K + rank + 1)
    by_id = {h.chunk_id: h for h in result.hits}
    missing = [
        c for c, _ in sorted(scores.items(), key=lambda kv: -kv[1])[: k * 2] if c not in by_id
    ]
    for cid, row in index.load(missing, filters).items():
        by_id[cid] = _hit(row)
    ranked = sorted((c for c in scores if c in by_id), key=lambda c: (-scores[c], c))[:k]
    result.hits = [_scored(by_id[c], scores[c]) for c in ranked]
    result.notes.append(f"graph: {len(graph)} linked chunks fused")
    return result


def _scored(hit: Hit, score: float) -> Hit:
    hit.score = round(score, 6)
    return hit


def _hit(row: dict[str, object]) -> Hit:
    text = str(row["text"])
    return Hit(
        chunk_id=int(row["id"]),  # type: ignore[call-overload]
        document_id=int(row["document_id"]),  # type: ignore[call-overload]
        title=str(row["title"]),
        doc_type=str(row["doc_type"]),
        kb=str(row["kb"]),
        text=text,
        score=0.0,
        page_start=row["page_start"],  # type: ignore[arg-type]
        page_end=row["page_end"],  # type: ignore[arg-type]
        heading_path=json.loads(str(row["heading_path"])),
        char_start=int(row["char_start"]),  # type: ignore[call-overload]
        char_end=int(row["char_end"]),  # type: ignore[call-overload]
        path=str(row["path"] or ""),
        doc_date=row["doc_date"],  # type: ignore[arg-type]
        snippet=text[:200],
    )
