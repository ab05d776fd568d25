"""The catalog on a real PostgreSQL (a throwaway cluster started by the tests): the named
migrations from empty, several writers at once (threads and processes: audit chain, embedding
claims, the job worker lock, ingest), and `ebrain migrate` from a SQLite workspace with counts
and content hashes verified, a non-empty target refused and a tampered copy detected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ebrain.brain import Brain
from ebrain.catalog import migrations
from ebrain.catalog import schema as t
from ebrain.catalog.db import is_postgres, make_engine, normalize_url, try_session_lock
from ebrain.catalog.workspace import Workspace
from ebrain.cli.main import build
from ebrain.errors import ConfigError, WorkspaceError
from ebrain.index.embedding import claim_batch
from tests.conftest import SMALL_CORPUS
from tests.fakes.embedder import register as register_fakehash

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _explicit_catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests name their catalogs themselves (on any pass)."""
    monkeypatch.delenv("EBRAIN_CATALOG", raising=False)


@pytest.fixture
def engine(pg_url: str) -> Iterator[sa.Engine]:
    made = make_engine(pg_url)
    yield made
    made.dispose()


def _pg_workspace(path: Path, url: str, extra: str = "") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    text = f"catalog: {url}\nembed:\n  model: none\n{extra}"
    (path / "config.yaml").write_text(text, encoding="utf-8")
    return path


def _corpus(root: Path) -> Path:
    for rel, text in SMALL_CORPUS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


# --- URLs (no server needed) ------------------------------------------------------------------
def test_users_write_postgresql_urls_and_get_psycopg3() -> None:
    assert normalize_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalize_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert normalize_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
    assert is_postgres("postgres://h/db") and not is_postgres("sqlite:///x.db")
    with pytest.raises(ConfigError, match="not a database URL"):
        make_engine("no scheme at all")


def test_catalog_setting_and_its_older_spelling(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.sqlite"
    for key in ("catalog", "catalog_url"):
        ws = tmp_path / key
        ws.mkdir()
        (ws / "config.yaml").write_text(f"{key}: sqlite:///{other}\n", encoding="utf-8")
        opened = Workspace.open(ws)
        assert opened.engine.url.database == str(other)
        opened.close()
    assert not (tmp_path / "catalog" / "catalog.sqlite").exists()


def test_migrate_from_a_missing_workspace_is_a_clear_error(tmp_path: Path) -> None:
    code, error = _migrate("--from", str(tmp_path / "nope"), "--to", "postgresql://h/db")
    assert code == 1 and "ebrain init" in json.dumps(error, ensure_ascii=False)


# --- migrations -------------------------------------------------------------------------------
def test_migrations_on_postgresql_from_empty(engine: sa.Engine) -> None:
    done = migrations.migrate(engine)
    assert done == [m.__name__ for m in migrations.MIGRATIONS]
    assert migrations.migrate(engine) == []
    names = set(sa.inspect(engine).get_table_names())
    assert {x.name for x in t.metadata.sorted_tables} <= names
    assert not {n for n in names if n.startswith("chunk_fts")}  # SQLite's FTS5 only
    with engine.connect() as conn:
        gen = conn.execute(sa.select(t.meta.c.value).where(t.meta.c.key == "vectors_gen"))
        assert gen.scalar() == "0"


def test_concurrent_openers_apply_each_migration_once(engine: sa.Engine) -> None:
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            results.append(migrations.migrate(engine))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    applied = sorted(name for done in results for name in done)
    assert applied == sorted(m.__name__ for m in migrations.MIGRATIONS)


def test_failed_migration_rolls_back_on_postgresql(engine: sa.Engine) -> None:
    migrations.migrate(engine)

    def m900_broken(conn: sa.Connection) -> None:
        conn.execute(sa.text("CREATE TABLE half_done (x INTEGER)"))
        raise RuntimeError("boom")

    migrations.MIGRATIONS.append(m900_broken)
    try:
        with pytest.raises(RuntimeError):
            migrations.migrate(engine)
    finally:
        migrations.MIGRATIONS.remove(m900_broken)
    assert "half_done" not in sa.inspect(engine).get_table_names()


def test_newer_catalog_is_refused_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    ws = Workspace.create(_pg_workspace(tmp_path / "w", pg_url))
    with ws.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO _migrations VALUES ('m999_future', 'x')"))
    ws.close()
    with pytest.raises(WorkspaceError, match="newer ebrain"):
        Workspace.open(tmp_path / "w")


def test_unreachable_catalog_is_a_clear_error(tmp_path: Path, pg_cluster: object) -> None:
    url = "postgresql://nobody:secret@127.0.0.1:1/none"
    with pytest.raises(WorkspaceError, match="cannot be opened") as err:
        Workspace.create(_pg_workspace(tmp_path / "w", url))
    assert "secret" not in err.value.message


# --- several writers at once -----------------------------------------------------------------
def test_audit_chain_stays_linear_with_threads_and_processes(tmp_path: Path, pg_url: str) -> None:
    ws = _pg_workspace(tmp_path / "w", pg_url)
    writer = (
        "import sys\nfrom ebrain.brain import Brain\n"
        "with Brain.open(sys.argv[1]) as b:\n"
        "    for i in range(15):\n"
        "        b.audit.record('ask', actor='p' + sys.argv[2], detail={'i': i})\n"
    )
    with Brain.init(ws) as brain:
        env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
        procs = [
            subprocess.Popen([sys.executable, "-c", writer, str(ws), str(n)], env=env)
            for n in range(3)
        ]

        def write(n: int) -> None:
            for i in range(20):
                brain.audit.record("search", actor=f"t{n}", detail={"i": i})

        threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
        result = brain.audit.verify()
        entries = list(brain.audit.export())
    assert result.ok and result.checked == 6 * 20 + 3 * 15 == result.head_seq
    assert [e["seq"] for e in entries] == list(range(1, 166))  # no lost entry, no gap
    assert {e["actor"] for e in entries} == {*(f"t{n}" for n in range(6)), "p0", "p1", "p2"}


def test_embedding_claims_hand_each_chunk_out_once(tmp_path: Path, pg_url: str) -> None:
    ws = _pg_workspace(tmp_path / "w", pg_url)
    with Brain.init(ws) as brain:
        brain.ingest([_corpus(tmp_path / "corpus")], kb="k", jobs=1)
        with brain.engine.connect() as conn:
            every = {int(r[0]) for r in conn.execute(sa.select(t.chunk.c.id))}
        claimed: list[int] = []
        lock = threading.Lock()

        def claim(n: int) -> None:
            while batch := claim_batch(brain.engine, f"owner{n}", 1):
                with lock:
                    claimed.extend(c for c, _ in batch)

        threads = [threading.Thread(target=claim, args=(n,)) for n in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert len(every) >= 3
    assert sorted(claimed) == sorted(every)  # each chunk claimed exactly once


def test_one_job_worker_across_servers(pg_url: str) -> None:
    engines = [make_engine(pg_url) for _ in range(2)]
    try:
        first = try_session_lock(engines[0], "ebrain.server.jobs")
        assert first is not None
        assert try_session_lock(engines[1], "ebrain.server.jobs") is None
        first.close()  # the worker's server stops: another takes over
        second = try_session_lock(engines[1], "ebrain.server.jobs")
        assert second is not None
        second.close()
    finally:
        for e in engines:
            e.dispose()


def test_two_ingest_workers_at_once_store_each_document_once(tmp_path: Path, pg_url: str) -> None:
    corpus = _corpus(tmp_path / "corpus")
    for i in range(12):
        (corpus / f"extra-{i}.md").write_text(f"# note {i}\n\nwidget {i} ships\n", "utf-8")
    ws = _pg_workspace(tmp_path / "w", pg_url)
    Brain.init(ws).close()
    code = (
        "import sys\nfrom ebrain.brain import Brain\n"
        "with Brain.open(sys.argv[1]) as b:\n"
        "    r = b.ingest([sys.argv[2]], kb='shared', jobs=1)\n"
        "    assert not r.failed, r.failed\n"
    )
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(ws), str(corpus)], env=env)
        for _ in range(2)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    with Brain.open(ws) as brain:
        docs = brain.catalog.documents(kb="shared")
        assert len(docs) == 15
        assert len({d["content_hash"] for d in docs}) == 15


# --- ebrain migrate ------------------------------------------------------------------------
@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A SQLite workspace with documents, vectors, users, audit entries and a conversation."""
    register_fakehash()
    ws = tmp_path / "src"
    Brain.init(ws).close()
    (ws / "config.yaml").write_text("embed:\n  model: fakehash\n", encoding="utf-8")
    with Brain.open(ws) as brain:
        brain.ingest([_corpus(tmp_path / "corpus")], kb="docs", acl=["sales"], jobs=1)
        brain.identity.create_user("alice", groups=["sales"])
        brain.catalog.create_conversation("c1", "sales")
        brain.catalog.add_messages("c1", [{"role": "user", "content": "你好"}])
        brain.catalog.remove_document(brain.catalog.documents()[0]["id"])  # ids with a gap
        brain.ingest([_corpus(tmp_path / "corpus2")], kb="docs", jobs=1)
    return ws


def _migrate(*args: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(build(), ["migrate", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_migrate_round_trip_verifies_counts_and_hashes(
    source: Path, pg_url: str, tmp_path: Path
) -> None:
    code, report = _migrate("--from", str(source), "--to", pg_url)
    assert code == 0 and report["ok"] is True and report["copied"] is True
    tables = {x["table"]: x for x in report["tables"]}  # type: ignore[attr-defined]
    assert tables["chunk_vector"]["target_rows"] > 0 and tables["audit_log"]["target_rows"] > 0
    assert all(x["source_rows"] == x["target_rows"] and x["digest_ok"] for x in tables.values())
    assert report["documents"] == {"checked": 3, "mismatched": []}
    with Brain.open(source) as old:
        before = old.stats()
        docs = old.catalog.documents()
        top_chunk = max(c["id"] for d in docs for c in old.catalog.document(d["id"])["chunks"])
    target = _pg_workspace(tmp_path / "moved", pg_url, "ingest:\n  embed: false\n")
    with Brain.open(target) as new:
        assert new.engine.dialect.name == "postgresql"
        assert new.stats() == before
        assert new.catalog.documents() == docs
        assert new.audit.verify().ok
        user = new.identity.get_user("alice")
        assert user is not None and list(user.groups) == ["sales"]
        new.ingest([_corpus(tmp_path / "corpus3")], kb="fresh", jobs=1)  # sequences moved on
        fresh = new.catalog.documents(kb="fresh")
        chunk_ids = [c["id"] for c in new.catalog.document(fresh[0]["id"])["chunks"]]
    assert min(chunk_ids) > top_chunk and fresh[0]["id"] > max(d["id"] for d in docs)


def test_migrate_refuses_a_target_that_is_not_empty(source: Path, pg_url: str) -> None:
    assert _migrate("--from", str(source), "--to", pg_url)[0] == 0
    code, error = _migrate("--from", str(source), "--to", pg_url)
    assert code == 1 and "not empty" in str(error["error"]) and "--verify-only" in str(error)
    code, again = _migrate("--from", str(source), "--to", pg_url, "--verify-only")
    assert code == 0 and again["ok"] is True and again["copied"] is False


def test_tampered_target_is_detected(source: Path, pg_url: str) -> None:
    assert _migrate("--from", str(source), "--to", pg_url)[0] == 0
    target = make_engine(pg_url)
    with target.begin() as conn:
        doc = conn.execute(sa.select(sa.func.min(t.document.c.id))).scalar_one()
        conn.execute(
            sa.update(t.version).where(t.version.c.document_id == doc).values(text="forged")
        )
        conn.execute(sa.delete(t.audit_log).where(t.audit_log.c.seq == 1))
    target.dispose()
    code, report = _migrate("--from", str(source), "--to", pg_url, "--verify-only")
    assert code == 2 and report["ok"] is False
    assert report["documents"]["mismatched"] == [doc]  # type: ignore[index]
    bad = {x["table"] for x in report["tables"] if not x["ok"]}  # type: ignore[attr-defined]
    assert bad == {"version", "audit_log"}


def test_migrate_to_an_unreachable_database_is_a_clear_error(source: Path) -> None:
    code, error = _migrate("--from", str(source), "--to", "postgresql://x:pw@127.0.0.1:1/none")
    assert code == 1 and "cannot" in str(error["error"]) and "pw" not in json.dumps(error)


def test_migrate_help_is_documented() -> None:
    result = runner.invoke(build(), ["migrate", "--help"])
    assert result.exit_code == 0 and "--verify-only" in result.stdout
    assert os.path.exists(REPO / "docs" / "cli" / "migrate.md")
