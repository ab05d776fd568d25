"""Sanity figures of a retrieval set: how much of each question reuses its gold passage's words,
and whether a plain BM25 (and, with --dense, the e5 vectors) finds the gold passage.

Lexical overlap = share of the question's rare terms that occur in its gold passage, where a
term is an ebrain Analyzer term (jieba for Chinese, stemmed words for English) and "rare" means
IDF above the median IDF of the corpus vocabulary. For a bench/data set whose queries keep the
original question id (source_query), the same figures are given for those original questions.

    EBRAIN_BENCH_DATA=../shared/data PYTHONPATH=src .venv/bin/python bench/data_stats.py \
        para_cmrc2018 [--dense] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path
from statistics import median

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from beir import LOCAL, BeirSet, load


class Bm25:
    """Okapi BM25 (k1 = 1.2, b = 0.75) over ebrain Analyzer terms: a reference, not ebrain's."""

    def __init__(self, data: BeirSet) -> None:
        from ebrain.text.analyzer import Analyzer

        self.analyzer = Analyzer()
        self.ids = list(data.corpus)
        self.idf_ids = set(self.ids)
        self.docs = [Counter(self.analyzer.terms(data.doc_text(d))) for d in self.ids]
        self.lens = np.array([sum(c.values()) for c in self.docs], dtype=float)
        df: Counter[str] = Counter(t for c in self.docs for t in c)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - k + 0.5) / (k + 0.5)) for t, k in df.items()}
        # median IDF of a running-text token of the corpus (the vocabulary's median is the IDF
        # of a word seen once); unseen query terms count as rare (max IDF) and absent.
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)
        self.median_idf = median(self.idf[t] for c in self.docs for t in c.elements())

    def rank(self, query: str, k: int = 100) -> list[str]:
        """The ids of the top `k` documents for `query`."""
        scores = np.zeros(len(self.docs))
        norm = 1.2 * (0.25 + 0.75 * self.lens / self.lens.mean())
        for term in self.analyzer.query_terms(query):
            if term in self.idf:
                tf = np.array([c.get(term, 0) for c in self.docs], dtype=float)
                scores += self.idf[term] * tf * 2.2 / (tf + norm)
        top = np.argsort(-scores)[:k]
        return [self.ids[i] for i in top if scores[i] > 0]

    def overlap(self, query: str, gold: list[str]) -> tuple[float | None, float]:
        """(share of the query's rare terms found in a gold passage, share of its IDF mass)."""
        terms = self.analyzer.query_terms(query)
        docs = [self.docs[self.ids.index(g)] for g in gold if g in self.idf_ids]
        found = [any(t in d for d in docs) for t in terms]
        idf = [self.idf.get(t, self.max_idf) for t in terms]
        rare = [f for f, w in zip(found, idf, strict=True) if w > self.median_idf]
        mass = sum(w for f, w in zip(found, idf, strict=True) if f) / max(1e-9, sum(idf))
        return (sum(rare) / len(rare) if rare else None), mass


def ndcg10(ranked: list[str], rel: dict[str, int]) -> float:
    """nDCG@10 with binary gains."""
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in rel)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(rel))))
    return dcg / ideal if ideal else 0.0


def figures(bm25: Bm25, data: BeirSet, queries: dict[str, str], dense: bool) -> dict[str, float]:
    """Mean overlap, BM25 nDCG@10 / recall@20 (and dense, when asked) over `queries`."""
    overlaps = [bm25.overlap(t, list(data.qrels[q])) for q, t in queries.items()]
    kept = [o for o, _ in overlaps if o is not None]
    runs = {"bm25": {q: bm25.rank(t) for q, t in queries.items()}}
    if dense:
        runs["dense"] = _dense_runs(data, queries)
    out = {
        "queries": float(len(queries)),
        "rare_term_overlap": sum(kept) / max(1, len(kept)),
        "idf_mass_overlap": _mean(m for _, m in overlaps),
    }
    for side, run in runs.items():
        out[f"{side}_ndcg10"] = _mean(ndcg10(run[q], data.qrels[q]) for q in queries)
        out[f"{side}_recall20"] = _mean(
            float(bool(set(run[q][:20]) & set(data.qrels[q]))) for q in queries
        )
    return {k: round(v, 3) for k, v in out.items()}


def _mean(values: object) -> float:
    vals = list(values)  # type: ignore[call-overload]
    return sum(vals) / max(1, len(vals))


def _dense_runs(data: BeirSet, queries: dict[str, str]) -> dict[str, list[str]]:
    from embcache import EmbeddingCache

    cache = EmbeddingCache()
    ids = list(data.corpus)
    docs = cache.embed([data.doc_text(d) for d in ids], "passage", label=f"{data.name} docs")
    qvecs = cache.embed(list(queries.values()), "query", label=f"{data.name} queries")
    sims = qvecs @ docs.T
    return {q: [ids[i] for i in np.argsort(-sims[n])[:100]] for n, q in enumerate(queries)}


def originals(name: str, data: BeirSet) -> tuple[BeirSet, dict[str, str]] | None:
    """The original questions behind a bench/data set's queries (source_query), if any."""
    path = LOCAL / name / "queries.jsonl"
    if not path.is_file():
        return None
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    sources = {r["source_query"] for r in rows if r.get("source_query")}
    shared = str(json.loads((LOCAL / name / "manifest.json").read_text())["corpus"])
    if shared == "examples":
        return _sample_questions(data)
    if not sources or not shared.startswith("shared:"):
        return None
    orig = load(shared.split(":", 1)[1])
    return orig, {q: orig.queries[q] for q in sorted(sources) if q in orig.queries}


def _sample_questions(data: BeirSet) -> tuple[BeirSet, dict[str, str]]:
    """examples/questions.json's answerable questions, judged by their source files."""
    from sample_corpus import ROOT, doc_id

    rows = json.loads((ROOT.parent / "questions.json").read_text(encoding="utf-8"))
    rows = [r for r in rows if r["answerable"] and r["sources"]]
    qrels = {r["id"]: {doc_id(s): 1 for s in r["sources"]} for r in rows}
    orig = BeirSet("questions.json", data.corpus, {r["id"]: r["question"] for r in rows}, qrels)
    return orig, orig.queries


def main() -> None:
    """Print the figures of each set (and of its original questions) as text or JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="+")
    parser.add_argument("--dense", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {}
    for name in args.sets:
        data = load(name)
        bm25 = Bm25(data)
        report[name] = {"set": figures(bm25, data, data.queries, args.dense)}
        orig = originals(name, data)
        if orig:
            report[name]["original_questions"] = figures(bm25, orig[0], orig[1], args.dense)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else _text(report))


def _text(report: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = []
    for name, parts in report.items():
        for part, vals in parts.items():
            lines.append(f"{name} [{part}]: " + ", ".join(f"{k} {v}" for k, v in vals.items()))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
