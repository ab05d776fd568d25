"""BEIR-layout data sets from ../shared/data, and the document text every system indexes."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = ("cmrc2018_dev", "drcd_dev", "vcsum", "qmsum")


@dataclass
class BeirSet:
    """Corpus, queries and relevance judgements of one set."""

    name: str
    corpus: dict[str, tuple[str, str]]  # id -> (title, text)
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)

    def doc_text(self, doc_id: str) -> str:
        """The text every system indexes for a document: title, blank line, text."""
        title, text = self.corpus[doc_id]
        return f"{title}\n\n{text}" if title else text


def load(name: str, split: str | None = None, max_queries: int | None = None) -> BeirSet:
    """Load a set; `split` picks qrels_<split>.tsv where it exists (qmsum)."""
    root = DATA / name
    corpus = {}
    with open(root / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            corpus[row["_id"]] = (row.get("title") or "", row["text"])
    qrels_file = root / (f"qrels_{split}.tsv" if split else "qrels.tsv")
    qrels: dict[str, dict[str, int]] = {}
    with open(qrels_file, encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if int(row["score"]) > 0:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    queries = {}
    with open(root / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["_id"] in qrels:
                queries[row["_id"]] = row["text"]
    if max_queries:
        queries = dict(sorted(queries.items())[:max_queries])
    return BeirSet(name, corpus, queries, qrels)
