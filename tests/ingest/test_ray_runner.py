"""`ingest --ray` on a real local Ray cluster (2 CPUs, loopback) started by this module, with
embeddings from a real OpenAI-compatible HTTP stand-in on loopback (tests/fakes).

The Ray run must store exactly what the local pipeline stores; a Ray worker killed mid-run and
a driver killed mid-run (then resumed) must leave every file ingested once and every chunk with
exactly one vector.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from ebrain.brain import Brain
from ebrain.ingest.ray_runner import RayIngestPipeline
from ebrain.ingest.report import Progress
from tests.conftest import EXAMPLES
from tests.fakes.openai_server import EMBEDDINGS, FakeOpenAI, Scripted, start_fake_openai

ray = pytest.importorskip("ray")

BATCH = 4
CLAIM_SECONDS = 5


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A Ray instance of this test process: 2 CPUs, no dashboard, on loopback."""
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
    )
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    fake = start_fake_openai(embedding_dim=16)
    yield fake
    fake.close()


def _workspace(path: Path, url: str, claim_seconds: float = CLAIM_SECONDS) -> Path:
    Brain.init(path).close()
    config = (
        f'embed:\n  model: "openai+{url}?dim=16#fake-embed"\n  batch_size: {BATCH}\n'
        f"  claim_seconds: {claim_seconds}\nguard:\n  learned: false\n"
    )
    (path / "config.yaml").write_text(config, encoding="utf-8")
    return path


def _snapshot(db: Path) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], int, int]:
    """(documents, chunks with their vectors, vector rows, claim rows) of a catalog."""
    con = sqlite3.connect(db)
    docs = con.execute(
        "SELECT p.path, d.content_hash, d.n_chunks, d.doc_type, d.title "
        "FROM document d JOIN document_path p ON p.document_id = d.id"
    ).fetchall()
    chunks = con.execute(
        "SELECT p.path, c.ord, c.text, c.terms, v.vec FROM chunk c "
        "JOIN document_path p ON p.document_id = c.document_id "
        "LEFT JOIN chunk_vector v ON v.chunk_id = c.id"
    ).fetchall()
    vectors = con.execute("SELECT count(*) FROM chunk_vector").fetchone()[0]
    has_claims = con.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'embed_claim'"
    ).fetchone()[0]
    claims = con.execute("SELECT count(*) FROM embed_claim").fetchone()[0] if has_claims else 0
    paths = con.execute("SELECT path, count(*) FROM document_path GROUP BY path").fetchall()
    con.close()
    assert all(n == 1 for _, n in paths), "a path stored twice"
    assert len({r[:2] for r in chunks}) == len(chunks), "a chunk stored twice"
    return set(docs), set(chunks), int(vectors), int(claims)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, server: FakeOpenAI) -> Any:
    """The local pipeline's catalog for the sample corpus."""
    ws = _workspace(tmp_path_factory.mktemp("local") / "ws", server.url)
    with Brain.open(ws) as brain:
        report = brain.ingest([EXAMPLES], jobs=1)
    assert report.embedded > 0
    return _snapshot(ws / "catalog.sqlite")


def _embedded_inputs(server: FakeOpenAI) -> int:
    """Texts sent to /v1/embeddings (`dim=` in the spec: no dimension probe)."""
    return sum(len(r.body.get("input", [])) for r in server.requests if r.path == EMBEDDINGS)


def test_ray_equals_local(cluster: Any, server: FakeOpenAI, reference: Any, tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", server.url)
    seen: list[Progress] = []
    with Brain.open(ws) as brain:
        report = brain.ingest([EXAMPLES], ray="auto", progress=seen.append)
        again = brain.ingest([EXAMPLES], ray="auto")
    docs, chunks, vectors, claims = _snapshot(ws / "catalog.sqlite")
    assert (docs, chunks) == reference[:2]
    assert vectors == len(chunks) == report.embedded and claims == 0
    assert {p.stage for p in seen} == {"parse", "embed"}
    assert report.counts == {"added": len(docs), "failed": 4}
    assert again.counts == {"unchanged": len(docs), "failed": 4} and again.embedded == 0


def _ray_workers(title: str) -> list[psutil.Process]:
    """This test process's Ray workers whose process title names `title` (a running task)."""
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if title in " ".join(proc.cmdline()):
                found.append(proc)
        except psutil.Error:
            continue
    return found


class _Killer:
    """A progress callback that SIGKILLs one Ray worker running a task of each stage."""

    def __init__(self) -> None:
        self.killed: dict[str, int] = {}

    def __call__(self, event: Progress) -> None:
        title = {"parse": "prepare_task", "embed": "embed_task"}.get(event.stage, "")
        if not title or event.stage in self.killed or event.done == event.total:
            return
        for proc in _ray_workers(title):
            proc.kill()
            self.killed[event.stage] = proc.pid
            return


@pytest.fixture
def slow_server() -> Iterator[FakeOpenAI]:
    """A stand-in whose embedding answers take 0.2 s (embedding tasks stay busy a while)."""
    fake = start_fake_openai(embedding_dim=16)
    fake.script(*[Scripted(path=EMBEDDINGS, delay=0.2) for _ in range(200)])
    yield fake
    fake.close()


def test_killed_worker_loses_and_duplicates_nothing(
    cluster: Any, slow_server: FakeOpenAI, reference: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(RayIngestPipeline, "files_per_task", 1)  # many small tasks in flight
    # claims outlast the retried task (a new Ray worker takes seconds to start on a busy machine)
    ws = _workspace(tmp_path / "ws", slow_server.url, claim_seconds=300)
    killer = _Killer()
    with Brain.open(ws) as brain:
        report = brain.ingest([EXAMPLES], ray="auto", progress=killer)
    assert set(killer.killed) == {"parse", "embed"}, "no worker was killed mid-run"
    docs, chunks, vectors, claims = _snapshot(ws / "catalog.sqlite")
    assert (docs, chunks) == reference[:2]
    assert vectors == len(chunks) and claims == 0
    assert report.counts == {"added": len(docs), "failed": 4}
    # a killed embedding task runs again: at most one batch is embedded twice (none when the
    # kill came after its answer), and each chunk's vector is stored once whatever happens
    assert len(chunks) <= _embedded_inputs(slow_server) <= len(chunks) + BATCH


class _ParseKiller:
    """Kills a Ray worker running a parse task at each of the first `times` parse events."""

    def __init__(self, times: int) -> None:
        self.times, self.killed = times, 0

    def __call__(self, event: Progress) -> None:
        if event.stage != "parse" or event.done == 0 or self.killed >= self.times:
            return
        for proc in _ray_workers("prepare_task")[:1]:
            proc.kill()
            self.killed += 1


def test_lost_worker_without_retries_is_retried_by_the_next_run(
    cluster: Any, server: FakeOpenAI, reference: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from ebrain.ingest import ray_runner

    monkeypatch.setattr(ray_runner, "TASK_RETRIES", 0)  # Ray gives up at the first death
    monkeypatch.setattr(RayIngestPipeline, "files_per_task", 1)
    ws = _workspace(tmp_path / "ws", server.url)
    killer = _ParseKiller(times=3)
    with Brain.open(ws) as brain:
        first = brain.ingest([EXAMPLES], ray="auto", progress=killer)
        lost = [f.path for f in first.files if f.reason == "worker_lost"]
        second = brain.ingest([EXAMPLES], ray="auto")
    assert killer.killed and lost, "no parse task was lost"
    assert sorted(f.path for f in second.files if f.status == "added") == sorted(lost)
    assert (_snapshot(ws / "catalog.sqlite")[:2]) == reference[:2]


def _driver(ws: Path, address: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "ebrain.cli", "--workspace", str(ws), "ingest", str(EXAMPLES)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [*cmd, "--ray", address, "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def _count(db: Path, table: str) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
        try:
            return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return -1


def _kill_when(proc: subprocess.Popen[bytes], db: Path, table: str) -> None:
    """SIGKILL the driver as soon as `table` has a row."""
    deadline = time.monotonic() + 180
    while proc.poll() is None and time.monotonic() < deadline:
        if _count(db, table) > 0:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def test_killed_driver_resumes_exactly_once(
    cluster: Any, slow_server: FakeOpenAI, reference: Any, tmp_path: Path
) -> None:
    ws = _workspace(tmp_path / "ws", slow_server.url)
    db, address = ws / "catalog.sqlite", cluster.get_runtime_context().gcs_address
    _kill_when(_driver(ws, address), db, "document")  # killed while parsing or embedding
    _kill_when(_driver(ws, address), db, "chunk_vector")  # killed while embedding
    assert 0 < _count(db, "chunk_vector") < len(reference[1]), "the kill came too late"
    time.sleep(CLAIM_SECONDS + 0.5)  # the dead driver's claims expire
    last = _driver(ws, address)
    _out, err = last.communicate(timeout=300)
    assert last.returncode == 0, err.decode("utf-8", "replace")[-2000:]
    docs, chunks, vectors, claims = _snapshot(db)
    assert (docs, chunks) == reference[:2]
    assert vectors == len(chunks) and claims == 0


def test_without_ray_installed_the_error_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from ebrain.errors import ConfigError

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    ws = _workspace(tmp_path / "ws", "http://127.0.0.1:9/v1")
    with Brain.open(ws) as brain, pytest.raises(ConfigError) as caught:
        brain.ingest([EXAMPLES], ray="local")
    assert "pip install 'ebrain[ray]'" in (caught.value.hint or "")
