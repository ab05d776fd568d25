"""The store half of ingest alone: how fast prepared documents are written to the catalog.

Run: PYTHONPATH=src python bench/store.py [--copies 20] [--runs 5]

Prepares examples/corpus once (parse, chunk, analyze; not timed), then stores `--copies` copies
of every prepared file (each copy a new document: its own path and content hash) into a fresh
workspace, the way `IngestPipeline` does (one transaction per document, then the full-text
catch-up). Prints the median, best and worst wall and CPU seconds (CPU time is the steadier
figure on a shared machine) and documents per second. This is the path
`ebrain.catalog.hot` serves, without the parser noise of bench/ingest.py.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from ebrain.catalog.db import write_conn
from ebrain.catalog.schema import kb
from ebrain.catalog.workspace import Workspace
from ebrain.index.fts import fts_catch_up
from ebrain.ingest import store
from ebrain.ingest.pipeline import discover, prepare_files
from ebrain.ingest.prepare import Prepared, PrepareOptions

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"


def prepared_corpus() -> list[Prepared]:
    """Every file of the example corpus, prepared in this process."""
    cands, _ = discover([CORPUS])
    found = prepare_files([c.path for c in cands], PrepareOptions(), 1)
    return [p for p in found if isinstance(p, Prepared)]


def store_copies(preps: list[Prepared], copies: int) -> tuple[float, float]:
    """(wall, CPU) seconds to store `copies` copies of `preps` into a fresh workspace."""
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.create(Path(tmp) / "ws")
        try:
            with write_conn(ws.engine) as conn:
                with conn.begin():
                    conn.execute(sa.insert(kb).values(id=1, name="bench", created_at="now"))
                t0, c0 = time.perf_counter(), time.process_time()
                for i in range(copies):
                    for prep in preps:
                        _store(conn, _copy(prep, i))
            fts_catch_up(ws.engine)
            return time.perf_counter() - t0, time.process_time() - c0
        finally:
            ws.close()


def _copy(prep: Prepared, i: int) -> Prepared:
    return dataclasses.replace(
        prep, path=f"{prep.path}#{i}", content_hash=f"{prep.content_hash}{i}"
    )


def _store(conn: sa.Connection, prep: Prepared) -> None:
    with conn.begin():
        store.store_prepared(conn, 1, prep, None)


def main() -> None:
    """Time the store step and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    preps = prepared_corpus()
    store_copies(preps, 1)  # warm-up: imports, statement caches
    runs = [store_copies(preps, args.copies) for _ in range(args.runs)]
    docs = len(preps) * args.copies
    for label, times in (("wall", sorted(r[0] for r in runs)), ("cpu", sorted(r[1] for r in runs))):
        median = statistics.median(times)
        print(
            f"{label}: {docs} documents ({len(preps)} files x {args.copies}), {args.runs} runs: "
            f"median {median:.3f}s ({docs / median:.0f} docs/s), best {times[0]:.3f}s, "
            f"worst {times[-1]:.3f}s"
        )


if __name__ == "__main__":
    main()
