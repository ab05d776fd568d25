"""bm25s (default parameters: method lucene, k1 1.5, b 0.75) over ebrain's own jieba terms."""

from __future__ import annotations

import numpy as np


class Bm25sJieba:
    """bm25s fed with `ebrain.text.Analyzer` terms, exactly the tokens ebrain's BM25 sees."""

    def __init__(self, name: str) -> None:
        from ebrain.text import Analyzer

        self.name = name
        self.analyzer = Analyzer()
        self.ids: list[str] = []
        self.vocab: dict[str, int] = {}
        import bm25s  # noqa: F401 - imports and jieba's dictionary load stay out of index time

        self.analyzer.terms("预热 warm-up")

    def index(self, doc_ids: list[str], doc_texts: list[str], doc_vecs: np.ndarray) -> None:
        """Tokenize with the analyzer and build a default bm25s index."""
        import bm25s

        self.ids = list(doc_ids)
        tokens = [self.analyzer.terms(t) for t in doc_texts]
        self.bm25 = bm25s.BM25()
        self.bm25.index(tokens, show_progress=False)
        self.vocab = self.bm25.vocab_dict

    def search(self, query: str, query_vec: np.ndarray, k: int) -> list[str]:
        """Top k by BM25; query terms unknown to the corpus are dropped (they score 0)."""
        terms = [t for t in self.analyzer.query_terms(query) if t in self.vocab]
        if not terms:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.bm25.retrieve([terms], k=k, show_progress=False, n_threads=1)
        return [self.ids[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


def create(name: str, variant: str, lang: str) -> Bm25sJieba:
    """The bm25s+jieba peer (same tokens for zh and en)."""
    return Bm25sJieba(name)
