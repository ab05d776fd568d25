"""BEIR-layout data sets from ../shared/data, and the document text every system indexes."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

# ../shared/data next to the checkout; EBRAIN_BENCH_DATA points elsewhere (a git worktree).
DATA = Path(
    os.environ.get("EBRAIN_BENCH_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
SETS = ("cmrc2018_dev", "drcd_dev", "vcsum", "qmsum_test")
# QMSum's val split over its meetings: the tune split of qmsum (bench/splits.py).
TUNE_ONLY = ("qmsum_tune",)


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
    """Load a set; `split` picks qrels_<split>.tsv where it exists (qmsum).

    `qmsum_test` is QMSum's test split (244 queries) over the 1,471 windows of its 35 meetings
    (every window of every judged meeting, so the hard distractors — other parts of the same
    meeting — are all there): 16 % of the corpus, so that dense embedding on 2 CPU cores stays
    affordable. `qmsum_tune` is built the same way from QMSum's val split (237 queries); it is
    the qmsum tune split (train, 1,095 queries over 162 meetings, was left out: too much to
    embed on 2 CPU cores). The full set is `qmsum`.
    """
    if name in ("qmsum_test", "qmsum_tune"):
        data = load("qmsum", "test" if name == "qmsum_test" else "val", max_queries)
        return _meeting_subset(data, name)
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
    if max_queries and len(queries) > max_queries:
        import random

        keep = sorted(random.Random(0).sample(sorted(queries), max_queries))
        queries = {q: queries[q] for q in keep}
    return BeirSet(name, corpus, queries, qrels)


def _meeting(doc_id: str) -> str:
    return doc_id.split("#")[0]


def _meeting_subset(data: BeirSet, name: str, extra: int = 0, seed: int = 0) -> BeirSet:
    import random

    judged = {_meeting(d) for rel in data.qrels.values() for d in rel}
    others = sorted({_meeting(d) for d in data.corpus} - judged)
    keep = judged | set(random.Random(seed).sample(others, min(extra, len(others))))
    corpus = {d: v for d, v in data.corpus.items() if _meeting(d) in keep}
    return BeirSet(name, corpus, data.queries, data.qrels)
