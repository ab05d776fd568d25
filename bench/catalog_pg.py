"""The catalog on PostgreSQL against the SQLite default, on this machine.

    PYTHONPATH=src .venv/bin/python bench/catalog_pg.py [--repeat 3] [--appends 400] [--docs 1000]

Starts a throwaway PostgreSQL cluster (as tests/pgcluster.py does: initdb + pg_ctl in a temporary
folder, loopback, fsync off — a throwaway cluster, not a tuned server) and measures, median of
`--repeat` runs each:

- ingest of examples/corpus (lexical only: no embedder, so the catalog's share shows) into a
  SQLite catalog and into a PostgreSQL catalog (the `sqlite:` index keeps no FTS5 on PostgreSQL,
  so the SQLite figure includes FTS5 work the PostgreSQL one leaves to Milvus);
- audit appends per second (each one write transaction: the chain's read-then-append under
  the writer lock) from 1 and 4 threads;
- `ebrain migrate` of a SQLite workspace of `--docs` generated bilingual notes into an empty
  PostgreSQL database: rows per second, schema creation, copy and verification included.

No tuning split is involved (nothing is fitted). Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.pgcluster import Cluster, start_cluster  # noqa: E402

from ebrain.brain import Brain  # noqa: E402

CORPUS = REPO / "examples" / "corpus"


def _workspace(root: Path, catalog: str) -> Path:
    ws = Path(tempfile.mkdtemp(dir=root))
    Brain.init(ws).close()
    extra = f"catalog: '{catalog}'\n" if catalog else ""
    (ws / "config.yaml").write_text(extra + "embed:\n  model: none\n", encoding="utf-8")
    return ws


def _ingest(root: Path, catalog: str) -> tuple[float, Path]:
    ws = _workspace(root, catalog)
    with Brain.open(ws) as brain:
        started = time.perf_counter()
        report = brain.ingest([CORPUS], kb="sample", jobs=1)
        seconds = time.perf_counter() - started
        assert report.ok, report.failed
    return seconds, ws


def _appends(root: Path, catalog: str, total: int, threads: int) -> float:
    with Brain.open(_workspace(root, catalog)) as brain:

        def work() -> None:
            for i in range(total // threads):
                brain.audit.record("search", actor="bench", detail={"i": i})

        started = time.perf_counter()
        pool = [threading.Thread(target=work) for _ in range(threads)]
        for th in pool:
            th.start()
        for th in pool:
            th.join()
        rate = total / (time.perf_counter() - started)
        assert brain.audit.verify().ok
    return rate


def _median(runs: int, fn: Callable[[], float]) -> float:
    return round(statistics.median(fn() for _ in range(runs)), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--appends", type=int, default=400)
    parser.add_argument("--docs", type=int, default=1000, help="documents of the migrate test")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ebrain-catalog-bench-"))
    os.chmod(root, 0o755)
    cluster: Cluster = start_cluster()
    try:
        out = _run(root, cluster, args.repeat, args.appends, args.docs)
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(out, indent=2))


def _synthetic(root: Path, docs: int) -> Path:
    """A SQLite workspace of `docs` generated bilingual notes (about 3 chunks each)."""
    folder = Path(tempfile.mkdtemp(dir=root))
    for i in range(docs):
        body = "\n\n".join(
            f"## 第{j}节\n\nHT-{i:04d} 控制器第{j}次检修记录：风扇转速正常，滤网已更换。"
            f" Unit {i} section {j}: fan speed nominal, filter replaced. " * 12
            for j in range(3)
        )
        (folder / f"note-{i:05d}.md").write_text(f"# 检修 {i}\n\n{body}\n", encoding="utf-8")
    ws = _workspace(root, "")
    with Brain.open(ws) as brain:
        assert brain.ingest([folder], kb="synthetic", jobs=1).ok
    return ws


def _run(root: Path, cluster: Cluster, repeat: int, appends: int, docs: int) -> dict[str, object]:
    out: dict[str, object] = {
        "machine": f"{os.cpu_count()} CPUs, {platform.python_version()}",
        "load_before": os.getloadavg()[0],
    }
    for name, url in (("sqlite", lambda: ""), ("postgresql", cluster.database)):
        out[f"ingest_s_{name}"] = _median(repeat, lambda u=url: _ingest(root, u())[0])
        for n in (1, 4):
            rate = _median(repeat, lambda u=url, n=n: _appends(root, u(), appends, n))
            out[f"audit_appends_per_s_{name}_{n}_threads"] = rate
    source = _synthetic(root, docs)
    rates = []
    for _ in range(repeat):
        with Brain.open(source) as brain:
            report = brain.migrate_catalog(cluster.database())
        assert report.ok
        rows = report.to_dict()["rows"]
        rates.append(rows / report.seconds)
    out["migrate_rows"] = rows
    out["migrate_rows_per_s"] = round(statistics.median(rates), 1)
    out["load_after"] = os.getloadavg()[0]
    return out


if __name__ == "__main__":
    main()
