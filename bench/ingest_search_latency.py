"""Search latency while an ingest runs: do ingest and its workers starve readers?

Run: .venv/bin/python bench/ingest_search_latency.py [--docs 3000] [--jobs 0] [--out FILE]

A workspace (lexical only unless --embed names an embedder) gets the sample corpus
(examples/corpus) first, so searches have something to find. Then a real `ebrain ingest`
subprocess ingests --docs generated Markdown reports (unique text, Chinese and English, about
6 KB each) plus --copies copies of the sample corpus (binary formats: parser CPU), while this
process searches the workspace in a loop through Brain.search (a fresh query every --every
seconds) until the ingest ends. The same searches are timed on the idle workspace afterwards.
Prints (and with --out writes) JSON: idle and during-ingest median, p90 and max in
milliseconds, searches done, ingest seconds.

To compare two versions of the code, run this script with PYTHONPATH pointing at each `src`
(the ingest subprocess inherits it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ebrain.brain import Brain

try:  # searches run as the workspace owner (the principal argument came with the hardening)
    from ebrain.auth import Principal

    AS_OWNER: dict[str, Any] = {"principal": Principal.owner()}
except ImportError:  # older checkouts, for before/after runs
    AS_OWNER = {}

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "corpus"
QUERIES = [
    "HT-2000 控制器过热",
    "验收标准",
    "违约责任",
    "散热改进方案",
    "customer complaint",
    "installation clearance",
    "周报 交付",
    "质量问题 根本原因",
    "海外 客户 合同",
    "故障排除 fan filter",
]
WORDS = [
    "交付",
    "验收",
    "控制器",
    "客户",
    "散热",
    "合同",
    "质量",
    "测试",
    "方案",
    "报告",
    "项目",
    "设备",
    "订单",
    "售后",
    "海外",
]


def _report(i: int, rnd: random.Random) -> str:
    """A unique weekly report of about 6 KB."""
    lines = [f"# 第{i}号周报 Weekly report {i}", ""]
    for j in range(40):
        picked = " ".join(rnd.choice(WORDS) for _ in range(12))
        lines.append(
            f"第{j}段：本周 HT-{1000 + i} 项目 {picked}，编号 R{i}-{j}。Item {i}.{j} done."
        )
    return "\n\n".join(lines)


def _corpus(base: Path, docs: int, copies: int) -> Path:
    root = base / "incoming"
    rnd = random.Random(7)
    for i in range(docs):
        folder = root / "reports" / f"{i // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"report-{i:05d}.md").write_text(_report(i, rnd), encoding="utf-8")
    for c in range(copies):
        shutil.copytree(EXAMPLES, root / "copies" / f"c{c:02d}")
    return root


def _timed_searches(brain: Brain, until: Any, every: float) -> list[float]:
    """Latencies (ms) of searches run every `every` seconds while `until()` is False."""
    out: list[float] = []
    n = 0
    while not until():
        started = time.perf_counter()
        brain.search(QUERIES[n % len(QUERIES)], k=10, **AS_OWNER)
        out.append((time.perf_counter() - started) * 1000)
        n += 1
        time.sleep(every)
    return out


def _summary(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"n": 0}
    ordered = sorted(ms)
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 1),
        "max_ms": round(ordered[-1], 1),
    }


def run(docs: int, copies: int, jobs: int, every: float, embed: str) -> dict[str, Any]:
    """One measurement in a temporary workspace."""
    with tempfile.TemporaryDirectory(prefix="ebrain-latency-") as tmp:
        base = Path(tmp)
        ws = base / "ws"
        Brain.init(ws).close()
        (ws / "config.yaml").write_text(f"embed:\n  model: {embed}\n", encoding="utf-8")
        incoming = _corpus(base, docs, copies)
        with Brain.open(ws) as brain:
            brain.ingest([EXAMPLES])
            _timed_searches(brain, iter([False] * 3 + [True]).__next__, 0)  # warm caches
            cli = [sys.executable, "-m", "ebrain.cli", "--workspace", str(ws), "ingest"]
            started = time.perf_counter()
            proc = subprocess.Popen(
                [*cli, str(incoming), "--json", "--jobs", str(jobs)],
                stdout=subprocess.DEVNULL,
                env=os.environ.copy(),
            )
            during = _timed_searches(brain, lambda: proc.poll() is not None, every)
            seconds = time.perf_counter() - started
            idle_left = iter([False] * len(QUERIES) * 3 + [True])
            idle = _timed_searches(brain, idle_left.__next__, 0)
        return {
            "docs": docs,
            "copies": copies,
            "jobs": jobs,
            "embed": embed,
            "ingest_seconds": round(seconds, 2),
            "ingest_rc": proc.returncode,
            "idle": _summary(idle),
            "during_ingest": _summary(during),
        }


def main() -> None:
    """Parse arguments, measure, print JSON."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--every", type=float, default=0.1, help="seconds between searches")
    ap.add_argument("--embed", default="none", help="embedder for the workspace (none: lexical)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    result = run(args.docs, args.copies, args.jobs, args.every, args.embed)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
