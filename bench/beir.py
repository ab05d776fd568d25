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
ORIGINAL_SETS = ("cmrc2018_dev", "drcd_dev", "vcsum", "qmsum_test")
# The project's own sets in bench/data (bench/data/README.md): questions that do not reuse the
# passage's wording (paraphrased, cross-lingual, describe-the-concept), over the shared corpora
# or the sample corpus. Listed in creation order; only those present in the checkout count.
LOCAL = Path(__file__).resolve().parent / "data"
_LOCAL_ORDER = (
    "para_cmrc2018",
    "xling_en_zh",
    "para_sample",
    "xling_zh_en",
    "para_drcd",
    "para_gen_cmrc2018",
    "desc_cmrc2018",
    "xling_en_zht",
)
LOCAL_SETS = tuple(n for n in _LOCAL_ORDER if (LOCAL / n / "manifest.json").is_file())
SETS = ORIGINAL_SETS + LOCAL_SETS
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
    if (LOCAL / name / "manifest.json").is_file():
        return load_local(name, max_queries)
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
    return BeirSet(name, corpus, _sample(queries, max_queries), qrels)


def _sample(queries: dict[str, str], max_queries: int | None) -> dict[str, str]:
    if max_queries and len(queries) > max_queries:
        import random

        keep = sorted(random.Random(0).sample(sorted(queries), max_queries))
        return {q: queries[q] for q in keep}
    return queries


def manifest(name: str) -> dict[str, object]:
    """bench/data/<name>/manifest.json: provenance, licence, languages, corpus pointer."""
    with open(LOCAL / name / "manifest.json", encoding="utf-8") as f:
        data: dict[str, object] = json.load(f)
    return data


def load_local(name: str, max_queries: int | None = None) -> BeirSet:
    """A set of bench/data: its queries and qrels, the corpus resolved from the manifest.

    The pointer is `shared:<set>` (that shared set's corpus, never copied; `shared:qmsum_test`
    is the 35-meeting subset of `load("qmsum_test")`), `examples` (the sample corpus,
    examples/corpus converted by bench/sample_corpus.py) or `local:<file>` (a corpus.jsonl
    next to the manifest).
    """
    root = LOCAL / name
    corpus = _local_corpus(root, str(manifest(name)["corpus"]))
    qrels: dict[str, dict[str, int]] = {}
    with open(root / "qrels" / "test.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if int(row["score"]) > 0:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    queries = {}
    with open(root / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["_id"] in qrels:
                queries[row["_id"]] = row["text"]
    return BeirSet(name, corpus, _sample(queries, max_queries), qrels)


def _local_corpus(root: Path, pointer: str) -> dict[str, tuple[str, str]]:
    kind, _, target = pointer.partition(":")
    if kind == "shared":
        return load(target).corpus
    if kind == "examples":
        from sample_corpus import sample_corpus

        return sample_corpus()
    if kind == "local":
        corpus = {}
        with open(root / target, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                corpus[row["_id"]] = (row.get("title") or "", row["text"])
        return corpus
    raise ValueError(f"{root.name}: unknown corpus pointer {pointer!r}")


def _meeting(doc_id: str) -> str:
    return doc_id.split("#")[0]


def _meeting_subset(data: BeirSet, name: str, extra: int = 0, seed: int = 0) -> BeirSet:
    import random

    judged = {_meeting(d) for rel in data.qrels.values() for d in rel}
    others = sorted({_meeting(d) for d in data.corpus} - judged)
    keep = judged | set(random.Random(seed).sample(others, min(extra, len(others))))
    corpus = {d: v for d, v in data.corpus.items() if _meeting(d) in keep}
    return BeirSet(name, corpus, data.queries, data.qrels)
