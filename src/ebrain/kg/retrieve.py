"""Graph-aware retrieval: hybrid hits fused (reciprocal rank) with the chunks linked to the
entities a question names and to their neighbours; graph-only chunks are loaded through the
index with the same filters (the principal's ACL included)."""

from __future__ import annotations

import json

from ebrain.index.base import Filters, SearchIndex
from ebrain.retrieve.hits import Hit
from ebrain.retrieve.searcher import SearchResult

RRF_K = 60
GRAPH_WEIGHT = 2.0  # the graph ranking against the hybrid one; fit on the tune split (bench/kg.py)


def fuse_graph(
    result: SearchResult,
    linked: dict[int, tuple[float, int]],
    index: SearchIndex,
    filters: Filters,
    k: int,
    weight: float = GRAPH_WEIGHT,
) -> SearchResult:
    """`result` re-ranked by reciprocal-rank fusion of the hybrid ranking (chunks) and the
    graph's ranking of documents (by link weight, ties by their best hybrid rank); a chunk
    scores its own hybrid term plus its document's graph term, and linked documents the hybrid
    search missed join with their best chunk."""
    if not linked:
        result.notes.append("graph: no known entity in the question")
        return result
    by_id = {h.chunk_id: h for h in result.hits}
    first: dict[int, int] = {}
    for rank, hit in enumerate(result.hits):
        first.setdefault(hit.document_id, rank)
    order = sorted(linked, key=lambda d: (-linked[d][0], first.get(d, 10**6), d))
    graph_term = {d: weight / (RRF_K + r + 1) for r, d in enumerate(order)}
    scores = {
        h.chunk_id: 1.0 / (RRF_K + rank + 1) + graph_term.get(h.document_id, 0.0)
        for rank, h in enumerate(result.hits)
    }
    missing = [linked[d][1] for d in order[: k * 2] if d not in first]
    for cid, row in index.load(missing, filters).items():
        by_id[cid] = _hit(row)
        scores[cid] = graph_term[by_id[cid].document_id]
    ranked = _diverse(
        sorted((c for c in scores if c in by_id), key=lambda c: (-scores[c], c)), by_id, scores
    )
    result.hits = [_scored(by_id[c], scores[c]) for c in ranked[:k]]
    result.notes.append(f"graph: {len(linked)} linked documents")
    return result


def _diverse(ranked: list[int], by_id: dict[int, Hit], scores: dict[int, float]) -> list[int]:
    """Halve the score of each further chunk of a document already ranked, and re-sort: the
    graph links documents, so the first page shows more of them."""
    seen: dict[int, int] = {}
    for cid in ranked:
        doc = by_id[cid].document_id
        scores[cid] *= 0.5 ** seen.get(doc, 0)
        seen[doc] = seen.get(doc, 0) + 1
    return sorted(ranked, key=lambda c: (-scores[c], c))


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
