"""Analyzer throughput (chars/s, one core) on Chinese (CMRC2018) and English (QMSum) corpus text.

Run: .venv/bin/python bench/bench_analyzer.py [--limit-chars N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from ebrain.text.analyzer import Analyzer, fold

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def chunks(name: str, limit: int, size: int = 500) -> list[str]:
    """Corpus text cut into ~`size`-character chunks, up to `limit` characters."""
    text = ""
    with (DATA / name / "corpus.jsonl").open(encoding="utf-8") as f:
        for line in f:
            text += json.loads(line)["text"] + "\n"
            if len(text) >= limit:
                break
    text = text[:limit]
    return [text[i : i + size] for i in range(0, len(text), size)]


def rate(fn: object, parts: list[str], repeat: int = 3) -> float:
    """Median chars/s of calling fn on every part."""
    total = sum(map(len, parts))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for p in parts:
            fn(p)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return total / statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit-chars", type=int, default=1_000_000)
    args = ap.parse_args()
    for corpus in ("cmrc2018_dev", "qmsum"):
        parts = chunks(corpus, args.limit_chars)
        for hmm in (True, False):
            an = Analyzer(hmm=hmm)
            an.terms("预热 warm up")
            print(f"{corpus:13} hmm={hmm!s:5} terms: {rate(an.terms, parts):12,.0f} chars/s")
        print(f"{corpus:13} fold only:          {rate(fold, parts):12,.0f} chars/s")


if __name__ == "__main__":
    main()
