"""Hybrid retrieval: BM25 and dense in parallel, adaptive fusion, dedup, adjacent merge."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from ebrain.embed.base import EmbeddingModel
from ebrain.errors import EbrainError
from ebrain.index.base import Filters, IndexHit, LexicalStats, SearchIndex
from ebrain.rerank.base import Reranker
from ebrain.retrieve.fusion import HEAD, Fused, FusionConfig, fuse
from ebrain.retrieve.hits import Hit
from ebrain.retrieve.snippet import snippet

Mode = Literal["hybrid", "bm25", "dense"]


@dataclass
class SearchResult:
    """Hits plus what happened: timings, the fusion weight, how many chunks had vectors."""

    hits: list[Hit]
    mode: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    bm25_weight: float | None = None
    signals: dict[str, float] = field(default_factory=dict)
    vectors: int = 0
    notes: list[str] = field(default_factory=list)
    translation: str | None = None


class Searcher:
    """Retrieval over one workspace, through the SearchIndex protocol only. Construction is
    configuration; `search` takes the query and the filters (with their principal), and keeps
    no per-query state on the object, so one Searcher serves many threads."""

    def __init__(
        self,
        index: SearchIndex,
        analyzer: Any,
        embedder: EmbeddingModel | None,
        fusion: FusionConfig | None = None,
        depth: int = 50,
        reranker: Reranker | None = None,
        rerank_depth: int = 30,
        translator: Callable[[str], str] | None = None,
    ) -> None:
        self.index = index
        self.analyzer = analyzer
        self.embedder = embedder if embedder is not None and embedder.dim > 0 else None
        self.fusion = fusion or FusionConfig()
        self.depth = depth
        self.reranker = reranker
        self.rerank_depth = rerank_depth
        self.translator = translator
        self._pool = ThreadPoolExecutor(max_workers=2)

    def search(
        self,
        query: str,
        k: int,
        filters: Filters,
        mode: Mode = "hybrid",
        explain: bool = False,
        merge_adjacent: bool = True,
    ) -> SearchResult:
        """Search; with mode=hybrid, dense joins where vectors exist."""
        timings: dict[str, float] = {}
        notes: list[str] = []
        translation = self._translate(query, mode, timings, notes)
        terms = self.analyzer.query_terms(query)
        if translation:
            terms = list(dict.fromkeys(terms + self.analyzer.query_terms(translation)))
        depth = max(self.depth, k * 3)
        bm25, dense, vec_count, stats = self._both_sides(
            query, terms, depth, filters, mode, timings
        )
        result = self._fused(bm25, dense, mode, stats)
        if self.reranker is not None:
            result.ranking = self._timed(
                timings, "rerank", self._rerank, query, result.ranking, filters
            )
        t0 = time.perf_counter()
        sides = (bm25, dense) if explain else None
        hits = self._hits(result.ranking, terms, k, filters, sides, merge_adjacent)
        timings["hydrate"] = (time.perf_counter() - t0) * 1000
        out = SearchResult(hits, mode, timings, result.bm25_weight, result.signals, vec_count)
        out.notes, out.translation = notes, translation
        if mode != "bm25" and not dense:
            out.notes.append("no vectors yet: lexical results only (run `ebrain index embed`)")
        return out

    def _translate(
        self, query: str, mode: Mode, timings: dict[str, float], notes: list[str]
    ) -> str | None:
        """The query in the other language for the lexical side (search.translate_query), or
        None when off, in dense mode, or when the model failed (noted)."""
        if self.translator is None or mode == "dense":
            return None
        try:
            text: str = self._timed(timings, "translate", self.translator, query)
        except EbrainError as exc:
            notes.append(
                f"query translation failed ({exc.message}): BM25 used the query as written"
            )
            return None
        return text

    def _both_sides(
        self,
        query: str,
        terms: list[str],
        depth: int,
        filters: Filters,
        mode: Mode,
        timings: dict[str, float],
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]], int, LexicalStats | None]:
        with_dense = mode != "bm25" and self.embedder is not None
        if not with_dense:  # nothing to overlap with: no thread hop
            if mode == "dense":
                return [], [], 0, None
            bm25, stats = self._lexical(timings, terms, depth, filters, mode)
            return bm25, [], 0, stats
        lexical = (
            self._pool.submit(self._lexical, timings, terms, depth, filters, mode)
            if mode != "dense"
            else None
        )
        dense: list[IndexHit] = []
        vec_count = 0
        if self.embedder is not None:
            vec_count = self.index.vector_count()
            if vec_count:
                t0 = time.perf_counter()
                qvec = self.embedder.embed_batch([query], kind="query")[0]
                timings["embed_query"] = (time.perf_counter() - t0) * 1000
                dense = self._timed(
                    timings,
                    "dense",
                    self.index.vector,
                    np.asarray(qvec, np.float32),
                    depth,
                    filters,
                )
        bm25, stats = lexical.result() if lexical is not None else ([], None)
        return bm25, [(h.chunk_id, h.score) for h in dense], vec_count, stats

    def _lexical(
        self, timings: dict[str, float], terms: list[str], depth: int, filters: Filters, mode: Mode
    ) -> tuple[list[tuple[int, float]], LexicalStats | None]:
        """The BM25 side and, when the adaptive fusion will weigh it, its evidence (document
        frequencies of the query terms, the terms the top hits contain)."""
        hits = self._timed(timings, "bm25", self.index.lexical, terms, depth, filters)
        ranked = [(h.chunk_id, h.score) for h in hits]
        if mode != "hybrid" or self.fusion.method != "adaptive" or not ranked:
            return ranked, None
        top = [cid for cid, _ in ranked[:HEAD]]
        stats = self._timed(timings, "lexical_stats", self.index.lexical_stats, terms, top)
        return ranked, stats

    @staticmethod
    def _timed(timings: dict[str, float], name: str, fn: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args)
        timings[name] = (time.perf_counter() - t0) * 1000
        return out

    def _fused(
        self,
        bm25: list[tuple[int, float]],
        dense: list[tuple[int, float]],
        mode: Mode,
        stats: LexicalStats | None,
    ) -> Fused:
        if mode == "bm25":
            return Fused(bm25, 1.0)
        if mode == "dense":
            return Fused(dense, 0.0)
        return fuse(bm25, dense, self.fusion, stats)

    def _rerank(
        self, query: str, ranking: list[tuple[int, float]], filters: Filters
    ) -> list[tuple[int, float]]:
        """Re-score the top fused candidates with the reranker; the rest keep their order after them."""
        assert self.reranker is not None
        head = ranking[: self.rerank_depth]
        rows = self.index.load([cid for cid, _ in head], filters)
        kept = [(cid, rows[cid]["text"]) for cid, _ in head if cid in rows]
        scores = self.reranker.rerank_batch(query, [text for _, text in kept])
        reranked = sorted(zip((cid for cid, _ in kept), scores, strict=True), key=lambda kv: -kv[1])
        return reranked + ranking[self.rerank_depth :]

    def _hits(
        self,
        ranking: list[tuple[int, float]],
        terms: list[str],
        k: int,
        filters: Filters,
        sides: tuple[list[tuple[int, float]], list[tuple[int, float]]] | None,
        merge: bool,
    ) -> list[Hit]:
        rows = self.index.load([cid for cid, _ in ranking[: k * 3]], filters)
        hits: list[Hit] = []
        seen: list[frozenset[int]] = []
        want = k + 10 if merge else k  # merging adjacent hits may shrink the list
        for cid, score in ranking[: k * 3]:
            row = rows.get(cid)
            if len(hits) >= want:
                break
            if row is None or _near_duplicate(row["text"], seen):
                continue
            hit = _make_hit(row, score, terms)
            if sides is not None:
                hit.explain = _explain(cid, score, *sides)
            hits.append(hit)
        if merge:
            hits = self._merge_adjacent(hits, terms)
        return hits[:k]

    def _merge_adjacent(self, hits: list[Hit], terms: list[str]) -> list[Hit]:
        """Join a hit with a lower-ranked hit that directly continues it in the same section."""
        merged: list[Hit] = []
        for hit in hits:
            prev = next((m for m in merged if _adjacent(m, hit)), None)
            if prev is None:
                merged.append(hit)
                continue
            self._join(prev, hit, terms)
        return merged

    def _join(self, a: Hit, b: Hit, terms: list[str]) -> None:
        start, end = min(a.char_start, b.char_start), max(a.char_end, b.char_end)
        text = self.index.text_span(a.document_id, start, end)
        if text:
            a.text, a.char_start, a.char_end = text, start, end
            a.snippet, a.highlights = snippet(text, terms)
        both = (a.injection_score, b.injection_score)
        a.injection_score = None if None in both else max(s for s in both if s is not None)
        a.injection_rule = a.injection_rule or b.injection_rule
        a.page_start = (
            min(p for p in (a.page_start, b.page_start) if p is not None)
            if a.page_start or b.page_start
            else None
        )
        a.page_end = (
            max(p for p in (a.page_end, b.page_end) if p is not None)
            if a.page_end or b.page_end
            else None
        )


def _adjacent(a: Hit, b: Hit) -> bool:
    return (
        a.document_id == b.document_id
        and a.heading_path == b.heading_path
        and (b.char_start <= a.char_end + 2 and b.char_end >= a.char_start - 2)
    )


def _make_hit(row: dict[str, Any], score: float, terms: list[str]) -> Hit:
    snip, spans = snippet(row["text"], terms)
    return Hit(
        chunk_id=int(row["id"]),
        document_id=int(row["document_id"]),
        title=row["title"],
        doc_type=row["doc_type"],
        kb=row["kb"],
        text=row["text"],
        score=round(float(score), 6),
        page_start=row["page_start"],
        page_end=row["page_end"],
        heading_path=json.loads(row["heading_path"]),
        char_start=row["char_start"],
        char_end=row["char_end"],
        path=row["path"] or "",
        doc_date=row["doc_date"],
        snippet=snip,
        highlights=spans,
        injection_score=_opt_float(row.get("injection_score")),
        injection_rule=row.get("injection_rule"),
    )


def _opt_float(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


@lru_cache(maxsize=8192)  # the same chunks come back query after query
def _shingles(text: str, n: int = 5, keep: int = 4) -> frozenset[int]:
    """A sketch of the text: rolling hashes of its character n-grams (whitespace removed),
    keeping about 1 in `keep` by content, so near-identical texts keep the same samples."""
    compact = "".join(text.split())
    codes = np.frombuffer(compact.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < n:
        return frozenset({int(codes.sum())})
    width = len(codes) - n + 1
    h = np.zeros(width, dtype=np.uint64)
    for j in range(n):
        h = h * np.uint64(1_000_003) + codes[j : j + width]
    if width < 150 * keep:  # short texts: keep every n-gram, or the sketch gets too coarse
        return frozenset(h.tolist())
    return frozenset(h[h % np.uint64(keep) == 0].tolist())


def _near_duplicate(text: str, seen: list[frozenset[int]], threshold: float = 0.9) -> bool:
    """True when `text` is almost the same as a kept hit (Jaccard of 5-shingles); else remember it."""
    mine = _shingles(text)
    for other in seen:
        small, big = sorted((len(mine), len(other)))
        if small < threshold * big:
            continue
        common = len(mine & other)
        if common / max(1, len(mine) + len(other) - common) >= threshold:
            return True
    seen.append(mine)
    return False


def _explain(
    cid: int, score: float, bm25: list[tuple[int, float]], dense: list[tuple[int, float]]
) -> dict[str, Any]:
    def find(side: list[tuple[int, float]]) -> tuple[int | None, float | None]:
        for rank, (other, s) in enumerate(side, start=1):
            if other == cid:
                return rank, round(s, 6)
        return None, None

    b_rank, b_score = find(bm25)
    d_rank, d_score = find(dense)
    return {
        "bm25": b_score,
        "bm25_rank": b_rank,
        "dense": d_score,
        "dense_rank": d_rank,
        "fused": round(score, 6),
    }
