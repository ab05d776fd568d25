"""The reranker interface and its registry (`st:MODEL`, `openai+http(s)://host/v1#model`)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ebrain.registry import Registry


@runtime_checkable
class Reranker(Protocol):
    """Scores (query, passage) pairs; higher is more relevant."""

    name: str

    def rerank_batch(self, query: str, texts: Sequence[str]) -> list[float]:
        """One relevance score per text, in input order."""
        ...


registry: Registry[Reranker] = Registry("reranker", "ebrain.rerankers")
_cache: dict[str, Reranker] = {}
_lock = threading.Lock()


def reranker_for(spec: str) -> Reranker:
    """The reranker for a spec, cached per process."""
    with _lock:
        model = _cache.get(spec)
        if model is None:
            model = _cache[spec] = registry.create(spec)
    return model
