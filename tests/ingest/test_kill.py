"""Kill test: a real `ebrain ingest` subprocess killed with SIGKILL at several points."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

N_FILES = 40
KILL_AFTER = [0, 1, 5, 12, 23, 35]  # documents committed before the kill


def _corpus(root: Path) -> Path:
    root.mkdir()
    for i in range(N_FILES):
        body = "\n".join(
            f"第{i}号报告第{j}段：本周 HT-{2000 + i} 控制器交付 {j} 台，客户验收通过。" * 4
            for j in range(40)
        )
        (root / f"report-{i:02d}.md").write_text(f"# 周报 {i}\n\n{body}\n", encoding="utf-8")
    return root


def _ebrain(ws: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ebrain.cli", "--workspace", str(ws), *args]


def _doc_count(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
        try:
            return int(con.execute("SELECT count(*) FROM document").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return -1


def _init(ws: Path) -> None:
    subprocess.run(_ebrain(ws, "init"), check=True, capture_output=True)
    (ws / "config.yaml").write_text("embed:\n  model: none\n", encoding="utf-8")


def _run_and_kill(ws: Path, corpus: Path, after: int) -> None:
    proc = subprocess.Popen(
        _ebrain(ws, "ingest", str(corpus), "--jobs", "1", "--json"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = ws / "catalog.sqlite"
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if _doc_count(db) >= after:
            break
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def _snapshot(db: Path) -> set[tuple[str, str, int, int]]:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT p.path, d.content_hash, d.n_chunks, "
        "(SELECT count(*) FROM chunk c WHERE c.document_id = d.id) "
        "FROM document d JOIN document_path p ON p.document_id = d.id"
    ).fetchall()
    con.close()
    return {(Path(r[0]).name, r[1], r[2], r[3]) for r in rows}


def _check_consistent(db: Path) -> None:
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    partial = con.execute(
        "SELECT d.id FROM document d WHERE d.n_chunks != "
        "(SELECT count(*) FROM chunk c WHERE c.document_id = d.id) OR d.n_chunks = 0"
    ).fetchall()
    assert partial == []
    con.execute("INSERT INTO chunk_fts(chunk_fts) VALUES('integrity-check')")
    con.close()


@pytest.fixture(scope="module")
def reference(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, set[tuple[str, str, int, int]]]:
    base = tmp_path_factory.mktemp("kill")
    corpus = _corpus(base / "corpus")
    ws = base / "ref"
    _init(ws)
    subprocess.run(
        _ebrain(ws, "ingest", str(corpus), "--jobs", "1"), check=True, capture_output=True
    )
    return corpus, _snapshot(ws / "catalog.sqlite")


@pytest.mark.parametrize("after", KILL_AFTER)
def test_sigkill_leaves_catalog_consistent_and_rerun_completes(
    tmp_path: Path, reference: tuple[Path, set[tuple[str, str, int, int]]], after: int
) -> None:
    corpus, expected = reference
    ws = tmp_path / "ws"
    _init(ws)
    _run_and_kill(ws, corpus, after)
    _check_consistent(ws / "catalog.sqlite")
    assert len(_snapshot(ws / "catalog.sqlite")) < N_FILES  # the kill landed mid-run
    subprocess.run(
        _ebrain(ws, "ingest", str(corpus), "--jobs", "1"), check=True, capture_output=True
    )
    _check_consistent(ws / "catalog.sqlite")
    assert _snapshot(ws / "catalog.sqlite") == expected


# A parent that parses three slow files in a pool of two workers, then is killed with SIGKILL.
_SLOW_PARENT = """
import sys, time
from dataclasses import dataclass
from pathlib import Path
from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers import REGISTRY
from ebrain.ingest.pipeline import prepare_files
from ebrain.ingest.prepare import PrepareOptions

@dataclass
class Slow:
    name: str = "slow"
    extensions: tuple[str, ...] = (".slow",)
    def parse(self, path: Path, data: bytes) -> Document:
        Path(str(path) + ".started").touch()
        time.sleep(120)
        return Document(title="slow", blocks=[Block("slow")])

REGISTRY.register(Slow())
list(prepare_files(sys.argv[1:], PrepareOptions(), jobs=2))
"""


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    """The processes still running (a zombie waiting for its reaper counts as gone)."""
    alive = []
    for p in procs:
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except psutil.NoSuchProcess:
            pass
    return alive


def test_sigkill_of_an_ingest_takes_its_parser_workers_with_it(tmp_path: Path) -> None:
    files = [tmp_path / f"f{i}.slow" for i in range(3)]
    for f in files:
        f.write_text("x", encoding="utf-8")
    parent = subprocess.Popen([sys.executable, "-c", _SLOW_PARENT, *map(str, files)])
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob("*.started")) and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = psutil.Process(parent.pid).children(recursive=True)
        assert len(workers) >= 2 and list(tmp_path.glob("*.started"))  # workers are parsing
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 15
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _alive(workers)
    for p in left:  # do not leave them behind when the test fails
        p.kill()
    assert left == []
