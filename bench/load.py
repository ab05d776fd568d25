"""Load test of the API server: N concurrent clients search and ask (extractive) for a while
as an upload of 200 files ingests, after measuring the server's overhead over calling Brain
directly. Results: bench/results/load.json and a Markdown table (docs/bench/load.md).

    PYTHONPATH=src .venv/bin/python bench/load.py                 # 10 then 50 clients, 60 s
    PYTHONPATH=src .venv/bin/python bench/load.py --clients 10 --seconds 20 --base-docs 300

Data: cmrc2018_dev (the knowledge base, and the questions: its *test* split, bench/splits.py;
nothing is tuned here) and drcd_dev (the uploaded files: 200 different documents per phase).
The server runs as `python -m ebrain serve` in its own process; the clients are threads here.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from beir import load
from splits import select

from ebrain.brain import Brain

REPO = Path(__file__).resolve().parents[1]
CONFIG = (
    "embed:\n  model: {embed}\ningest:\n  embed: {ingest_embed}\nserver:\n  rate_per_minute: 0\n"
)


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values` in ms."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(values: list[float]) -> dict[str, float]:
    """Count, p50, p95, p99 (ms)."""
    return {
        "n": len(values),
        "p50": round(pct(values, 50), 1),
        "p95": round(pct(values, 95), 1),
        "p99": round(pct(values, 99), 1),
    }


def write_docs(folder: Path, docs: list[tuple[str, str, str]]) -> list[Path]:
    """One Markdown file per (id, title, text)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc_id, title, text in docs:
        path = folder / f"{doc_id.replace('/', '_')}.md"
        path.write_text(f"# {title or doc_id}\n\n{text}\n", encoding="utf-8")
        paths.append(path)
    return paths


def setup(root: Path, base_docs: int, embed: str) -> tuple[Path, str, str, list[str]]:
    """Workspace with the base corpus, a viewer key and an editor key, and the questions."""
    cmrc = load("cmrc2018_dev")
    ws = root / "ws"
    Brain.init(ws).close()
    ingest_embed = "true" if embed != "none" else "false"
    (ws / "config.yaml").write_text(CONFIG.format(embed=embed, ingest_embed=ingest_embed), "utf-8")
    docs = [(i, t, x) for i, (t, x) in list(cmrc.corpus.items())[:base_docs]]
    with Brain.open(ws) as brain:
        started = time.perf_counter()
        brain.ingest(write_docs(root / "base", docs), kb="base")
        print(f"base corpus: {len(docs)} docs in {time.perf_counter() - started:.1f} s", flush=True)
        brain.identity.create_user("reader", role="viewer")
        brain.identity.create_user("loader", role="editor")
        viewer = brain.identity.create_key("reader")[0]
        editor = brain.identity.create_key("loader")[0]
    questions = [cmrc.queries[q] for q in select("cmrc2018_dev", cmrc.queries, "test")]
    return ws, viewer, editor, questions


def direct(ws: Path, questions: list[str], n: int) -> dict[str, Any]:
    """Latency of Brain.search_ex / Brain.ask called in-process, one at a time."""
    out: dict[str, list[float]] = {"search": [], "ask": []}
    with Brain.open(ws) as brain:
        who = brain.identity.get_user("reader").principal()
        for q in questions[:20]:  # warm-up
            brain.search_ex(q, 10, principal=who)
        for q in questions[:n]:
            t0 = time.perf_counter()
            brain.search_ex(q, 10, principal=who)
            out["search"].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            brain.ask(q, principal=who)
            out["ask"].append((time.perf_counter() - t0) * 1000)
    return {k: summary(v) for k, v in out.items()}


class Server:
    """`python -m ebrain serve` on a free port, in its own process."""

    def __init__(self, ws: Path, port: int, workers: int = 1) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        cmd = [sys.executable, "-m", "ebrain", "-w", str(ws), "serve", "--port", str(port)]
        cmd += ["--workers", str(workers)]
        self.log = open(ws / "server.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start; see server.log")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(60)
        self.log.close()


def call(client: httpx.Client, kind: str, question: str) -> bool:
    """One search or extractive ask; True when it answered 200."""
    if kind == "search":
        r = client.post("/api/search", json={"query": question, "k": 10})
    else:
        r = client.post("/api/ask", json={"question": question})
    return r.status_code == 200


def sequential(url: str, key: str, questions: list[str], n: int) -> dict[str, Any]:
    """The same calls as `direct`, over HTTP, one at a time."""
    out: dict[str, list[float]] = {"search": [], "ask": []}
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as c:
        for q in questions[:20]:
            call(c, "search", q)
        for q in questions[:n]:
            for kind in ("search", "ask"):
                t0 = time.perf_counter()
                assert call(c, kind, q)
                out[kind].append((time.perf_counter() - t0) * 1000)
    return {k: summary(v) for k, v in out.items()}


def upload(url: str, key: str, paths: list[Path], result: dict[str, Any]) -> None:
    """Upload the files in one multipart request, then wait for the job (in a thread)."""
    t0 = time.perf_counter()
    files = [("files", (p.name, p.read_bytes(), "text/markdown")) for p in paths]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=600) as c:
        r = c.post("/api/uploads", files=files, data={"kb": result["kb"]})
        r.raise_for_status()
        job_id = r.json()["job_id"]
        while (job := c.get(f"/api/jobs/{job_id}").json())["state"] in ("queued", "running"):
            time.sleep(0.5)
    result["seconds"] = round(time.perf_counter() - t0, 1)
    result["state"] = job["state"]
    result["counts"] = job["counts"]
    result["statuses"] = sorted({f["status"] for f in job["files"]})


def phase(
    url: str,
    keys: tuple[str, str],
    questions: list[str],
    clients: int,
    seconds: float,
    paths: list[Path],
    think_ms: float = 0.0,
) -> dict[str, Any]:
    """`clients` threads alternate search and ask for `seconds` while `paths` are uploaded."""
    lat: dict[str, list[float]] = {"search": [], "ask": []}
    errors: list[str] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    ingest: dict[str, Any] = {"kb": f"upload{clients}"}
    uploader = threading.Thread(target=upload, args=(url, keys[1], paths, ingest))

    # Questions in one shuffled order shared by all clients: none repeats before all were asked.
    order = questions[:]
    random.Random(clients).shuffle(order)
    deck = itertools.cycle(order)

    def client(seed: int) -> None:
        rng = random.Random(seed)
        headers = {"Authorization": f"Bearer {keys[0]}"}
        with httpx.Client(base_url=url, headers=headers, timeout=60) as c:
            n = 0
            while time.monotonic() < stop:
                kind = "search" if n % 2 == 0 else "ask"
                n += 1
                with lock:
                    question = next(deck)
                if think_ms:  # a person reading the last answer: 0.5x to 1.5x the mean pause
                    time.sleep(think_ms / 1000 * rng.uniform(0.5, 1.5))
                t0 = time.perf_counter()
                try:
                    ok = call(c, kind, question)
                except httpx.HTTPError as exc:
                    ok = False
                    errors.append(type(exc).__name__)
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    lat[kind].append(ms) if ok else errors.append(kind)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    load_before = os.getloadavg()[0]
    uploader.start()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    uploader.join()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {keys[0]}"}) as c:
        ingest["documents"] = c.get(
            "/api/documents", params={"kb": ingest["kb"], "limit": 1000}
        ).json()["total"]
    total = len(lat["search"]) + len(lat["ask"])
    return {
        "clients": clients,
        "think_ms": think_ms,
        "seconds": round(wall, 1),
        "requests_per_s": round(total / wall, 1),
        "search": summary(lat["search"]),
        "ask": summary(lat["ask"]),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "upload": ingest,
        "loadavg_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[10, 50])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--base-docs", type=int, default=848, help="cmrc2018_dev documents in the kb")
    ap.add_argument("--files", type=int, default=200, help="files uploaded during each phase")
    ap.add_argument("--direct", type=int, default=200, help="questions for the overhead check")
    ap.add_argument("--embed", default="none", help="embed.model of the workspace (none = BM25)")
    ap.add_argument("--port", type=int, default=18765)
    ap.add_argument(
        "--workers", type=int, default=1, help="server processes (ebrain serve --workers)"
    )
    ap.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean pause of a client before each request (0: closed loop, no pause)",
    )
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "load.json"))
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ebrain-load-"))
    ws, viewer, editor, questions = setup(root, args.base_docs, args.embed)
    drcd = list(load("drcd_dev").corpus.items())
    results: dict[str, Any] = {
        "config": vars(args),
        "questions": len(questions),
        "cpus": os.cpu_count(),
    }
    results["loadavg_1min_at_start"] = round(os.getloadavg()[0], 1)
    results["direct"] = direct(ws, questions, args.direct)
    print("direct:", results["direct"], flush=True)
    server = Server(ws, args.port, args.workers)
    try:
        results["http_sequential"] = sequential(server.url, viewer, questions, args.direct)
        print("http sequential:", results["http_sequential"], flush=True)
        results["overhead_p50_ms"] = {
            k: round(results["http_sequential"][k]["p50"] - results["direct"][k]["p50"], 1)
            for k in ("search", "ask")
        }
        results["phases"] = []
        for n, clients in enumerate(args.clients):
            chunk = drcd[n * args.files : (n + 1) * args.files]
            paths = write_docs(root / f"upload{clients}", [(i, t, x) for i, (t, x) in chunk])
            result = phase(
                server.url, (viewer, editor), questions, clients, args.seconds, paths, args.think_ms
            )
            print(json.dumps(result), flush=True)
            results["phases"].append(result)
    finally:
        server.stop()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False), "utf-8")
    print(table(results))


def table(results: dict[str, Any]) -> str:
    """The Markdown table of the phases."""
    lines = [
        "| clients | think ms | req/s | search p50 / p95 / p99 ms | ask p50 / p95 / p99 ms | errors | upload: files done, docs, s |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in results["phases"]:
        s, a, u = p["search"], p["ask"], p["upload"]
        lines.append(
            f"| {p['clients']} | {p.get('think_ms', 0)} | {p['requests_per_s']} | {s['p50']} / {s['p95']} / {s['p99']} | "
            f"{a['p50']} / {a['p95']} / {a['p99']} | {p['errors']} | "
            f"{u['counts'].get('done', 0)}, {u['documents']}, {u['seconds']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
