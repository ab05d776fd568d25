"""Helpers shared by the peers: a text -> vector book and node -> document ranking."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np


class VectorBook:
    """Vectors for known texts; unknown texts go through the shared embedding cache."""

    def __init__(self) -> None:
        self.vecs: dict[tuple[str, str], np.ndarray] = {}
        self.misses = 0
        self.embed_seconds = 0.0
        self._cache: object | None = None

    def add(self, texts: Sequence[str], vecs: np.ndarray, kind: str) -> None:
        """Remember `vecs` as the vectors of `texts`."""
        for text, vec in zip(texts, vecs, strict=True):
            self.vecs[(kind, text)] = np.asarray(vec, dtype=np.float32)

    def get(self, texts: Sequence[str], kind: str) -> np.ndarray:
        """Vectors for `texts` (n, dim); misses are embedded through bench/embcache.py."""
        missing = [t for t in dict.fromkeys(texts) if (kind, t) not in self.vecs]
        if missing:
            self._embed(missing, kind)
        return np.stack([self.vecs[(kind, t)] for t in texts])

    def _embed(self, texts: list[str], kind: str) -> None:
        from embcache import EmbeddingCache

        if self._cache is None:
            self._cache = EmbeddingCache()
        t0 = time.perf_counter()
        vecs = self._cache.embed(texts, kind=kind)  # type: ignore[attr-defined]
        self.embed_seconds += time.perf_counter() - t0
        self.misses += len(texts)
        self.add(texts, vecs, kind)


def unique_docs(doc_ids: Iterable[str], k: int) -> list[str]:
    """First k distinct doc ids (node lists sorted best first: max score per doc)."""
    out: dict[str, None] = {}
    for doc_id in doc_ids:
        out.setdefault(doc_id, None)
        if len(out) >= k:
            break
    return list(out)
