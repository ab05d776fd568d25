"""Milvus Lite (pymilvus 2.5): BM25 full-text search, dense FLOAT_VECTOR, hybrid with RRFRanker.

One collection per system in a throw-away Milvus Lite file: a VARCHAR field with the analyzer
enabled (zh: `{"type": "chinese"}` = jieba tokenizer + cnalphanumonly filter; en:
`{"type": "english"}` = standard tokenizer, lowercase, English stemmer and stop words) feeding a
BM25 function into a SPARSE_FLOAT_VECTOR (SPARSE_INVERTED_INDEX, metric BM25, default k1 1.2,
b 0.75), and a 384-d FLOAT_VECTOR (AUTOINDEX = FLAT in Lite, metric COSINE). Hybrid search uses
RRFRanker() (k=60) over both requests, each asking for k hits.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ANALYZERS = {"zh": {"type": "chinese"}, "en": {"type": "english"}}
COLLECTION = "docs"
BATCH = 256


class MilvusPeer:
    """One Milvus Lite retrieval mode: bm25, dense or hybrid (RRF)."""

    def __init__(self, name: str, mode: str, lang: str) -> None:
        self.name = name
        self.mode = mode
        self.analyzer = ANALYZERS.get(lang, ANALYZERS["en"])
        self.tmp = tempfile.TemporaryDirectory(prefix="milvus-peer-")
        self.info = {"analyzer_params": self.analyzer}
        import pymilvus  # noqa: F401 - imports stay out of index time (server start does not)

    def index(self, doc_ids: list[str], doc_texts: list[str], doc_vecs: np.ndarray) -> None:
        """Start Milvus Lite, create the collection, insert every document."""
        from pymilvus import MilvusClient

        self.client = MilvusClient(str(Path(self.tmp.name) / "peer.db"))
        self.client.create_collection(
            COLLECTION, schema=self._schema(doc_vecs.shape[1]), index_params=self._indexes()
        )
        for start in range(0, len(doc_ids), BATCH):
            rows = [
                {"id": d, "text": t, "dense": v.tolist()}
                for d, t, v in zip(
                    doc_ids[start : start + BATCH],
                    doc_texts[start : start + BATCH],
                    doc_vecs[start : start + BATCH],
                    strict=True,
                )
            ]
            self.client.insert(COLLECTION, rows)
        self.client.load_collection(COLLECTION)

    def _schema(self, dim: int) -> Any:
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=256)
        schema.add_field(
            "text",
            DataType.VARCHAR,
            max_length=65535,
            enable_analyzer=True,
            analyzer_params=self.analyzer,
        )
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
        bm25 = Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=["text"],
            output_field_names=["sparse"],
        )
        schema.add_function(bm25)
        return schema

    def _indexes(self) -> Any:
        from pymilvus import MilvusClient

        params = MilvusClient.prepare_index_params()
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        params.add_index("dense", index_type="AUTOINDEX", metric_type="COSINE")
        return params

    def search(self, query: str, query_vec: np.ndarray, k: int) -> list[str]:
        """Doc ids from Milvus, best first."""
        if self.mode == "bm25":
            hits = self._search([query], "sparse", k)
        elif self.mode == "dense":
            hits = self._search([query_vec.tolist()], "dense", k)
        else:
            hits = self._hybrid(query, query_vec, k)
        return [h["id"] for h in hits[0]]

    def _search(self, data: list[Any], field: str, k: int) -> Any:
        return self.client.search(COLLECTION, data=data, anns_field=field, limit=k)

    def _hybrid(self, query: str, query_vec: np.ndarray, k: int) -> Any:
        from pymilvus import AnnSearchRequest, RRFRanker

        reqs = [
            AnnSearchRequest(data=[query], anns_field="sparse", param={}, limit=k),
            AnnSearchRequest(data=[query_vec.tolist()], anns_field="dense", param={}, limit=k),
        ]
        return self.client.hybrid_search(COLLECTION, reqs, ranker=RRFRanker(), limit=k)

    def close(self) -> None:
        """Stop Milvus Lite and delete its files."""
        if hasattr(self, "client"):
            self.client.close()
        self.tmp.cleanup()


def create(name: str, variant: str, lang: str) -> MilvusPeer:
    """A Milvus Lite peer; the analyzer follows the corpus language."""
    return MilvusPeer(name, variant, lang)
