"""ebrain's parse-and-chunk stage alone, for bench/ingest.py: what the peers do, nothing stored.

Run: .venv/bin/python bench/ingest_stage.py FILELIST OUT.json [--jobs N]

The same code `ebrain ingest` runs before it writes the catalog (`ebrain.ingest.pipeline.
prepare_files`: the fork pool, parse, classify, chunk, jieba analysis), over the files listed in
FILELIST, one absolute path a line. The timer starts after imports (as the peers' does) and
includes loading jieba's dictionary and the parser libraries.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ebrain.ingest.pipeline import auto_jobs, prepare_files
from ebrain.ingest.prepare import Prepared, PrepareOptions


def main() -> None:
    """Prepare every listed file; write counts and seconds as JSON."""
    ap = argparse.ArgumentParser()
    ap.add_argument("filelist", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--jobs", type=int, default=0)
    args = ap.parse_args()
    paths = [x for x in args.filelist.read_text("utf-8").splitlines() if x]
    t0 = time.perf_counter()
    ok = chunks = 0
    for result in prepare_files(paths, PrepareOptions(), args.jobs or auto_jobs()):
        if isinstance(result, Prepared):
            ok, chunks = ok + 1, chunks + len(result.chunks)
    seconds = time.perf_counter() - t0
    size = sum(Path(p).stat().st_size for p in paths)
    out = {"files": len(paths), "ok": ok, "failed": len(paths) - ok, "chunks": chunks,
           "bytes": size, "seconds": seconds}  # fmt: skip
    args.out.write_text(json.dumps(out), "utf-8")


if __name__ == "__main__":
    main()
