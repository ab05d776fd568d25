"""Per-format milliseconds per file: parse alone and the whole prepare (parse, classify, chunk,
analyze), warm, in one process, over the first 8 copies of the ingest benchmark corpus.

Run: .venv/bin/python bench/parse_speed.py [.docx,.pptx]   (after bench/ingest.py built the corpus)
The second of two passes is reported, so imports and first-use costs are left out.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

from ebrain.errors import ParseError
from ebrain.ingest.parsers import parse_file
from ebrain.ingest.prepare import PrepareOptions, prepare, warm_up

CORPUS = Path(__file__).resolve().parent / ".cache" / "ingest_corpus"


def corpus_files(exts: set[str] | None, copies: int = 8) -> list[Path]:
    """Benchmark files of the first `copies` copies, optionally of some extensions only."""
    dirs = sorted(CORPUS.glob("c[0-9][0-9][0-9][0-9]"))[:copies]
    files = (p for d in dirs for p in sorted(d.rglob("*")) if p.is_file())
    return [p for p in files if exts is None or p.suffix.lower() in exts]


def timed_pass(paths: list[Path], opt: PrepareOptions) -> dict[str, list[float]]:
    """Per extension: [files, parse seconds, prepare seconds]."""
    out: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for path in paths:
        t0 = time.perf_counter()
        try:
            parse_file(path, max_bytes=opt.max_bytes, libreoffice=opt.libreoffice)
        except ParseError:
            pass
        t1 = time.perf_counter()
        prepare(str(path), opt)
        row = out[path.suffix.lower()]
        row[0] += 1
        row[1] += t1 - t0
        row[2] += time.perf_counter() - t1
    return out


def main() -> None:
    """Print the table."""
    exts = {e.strip().lower() for e in sys.argv[1].split(",")} if len(sys.argv) > 1 else None
    opt = PrepareOptions()
    warm_up(opt)
    paths = corpus_files(exts)
    timed_pass(paths, opt)
    rows = timed_pass(paths, opt)
    files = sum(r[0] for r in rows.values())
    prep = sum(r[2] for r in rows.values())
    print(f"{files} files: prepare {prep:.3f}s = {files / prep:.1f} files/s (one process)")
    for ext, (n, parse, whole) in sorted(rows.items(), key=lambda kv: -kv[1][2]):
        print(f"{ext:7} {int(n):4d} files  parse {1000 * parse / n:6.2f}  prepare "
              f"{1000 * whole / n:6.2f} ms/file")  # fmt: skip


if __name__ == "__main__":
    main()
