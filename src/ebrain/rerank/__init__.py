"""Rerankers: re-score the fused candidates of a search against the query."""

from ebrain.rerank.base import Reranker, registry, reranker_for

__all__ = ["Reranker", "registry", "reranker_for"]
