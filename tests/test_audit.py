"""The hash-chained audit log: verify passes on an untouched log and names the entry when rows
are changed, deleted, reordered or inserted directly in SQLite; concurrent writers (threads
and processes) keep one chain; export; the store_questions setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ebrain.audit import AuditLog, entry_hash
from ebrain.brain import Brain
from ebrain.errors import InvalidInputError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def log(brain: Brain) -> AuditLog:
    for i in range(1, 7):
        brain.audit.record("search", actor=f"user:{i}", target="kb", detail={"n": i, "词": "中文"})
    return brain.audit


class RawSql:
    """Direct SQL on the catalog, behind ebrain's back (as a tamperer would), each statement
    committed; `?` placeholders on SQLite and PostgreSQL alike."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if self.engine.dialect.paramstyle != "qmark":
            sql = sql.replace("%", "%%").replace("?", "%s")
        with self.engine.begin() as conn:
            result = conn.exec_driver_sql(sql, params)
            return result.all() if result.returns_rows else None

    def one(self, sql: str) -> Any:
        return self.execute(sql)[0]


@pytest.fixture
def db(brain: Brain, log: AuditLog) -> Iterator[RawSql]:
    yield RawSql(brain.engine)


def test_untouched_log_verifies(log: AuditLog) -> None:
    result = log.verify()
    assert result.ok and result.checked == 6 and result.first_bad is None
    assert result.head_seq == 6 and len(result.head_hash) == 64
    assert result.to_dict()["head"] == {"seq": 6, "hash": result.head_hash}


def test_changed_entry(log: AuditLog, db: RawSql) -> None:
    db.execute("""UPDATE audit_log SET detail = '{"n":99}' WHERE seq = 3""")
    result = log.verify()
    assert not result.ok and result.first_bad == 3 and "changed" in result.reason
    assert [s for s, _ in result.problems] == [3]


def test_changed_actor_and_time(log: AuditLog, db: RawSql) -> None:
    db.execute("UPDATE audit_log SET actor = 'user:9' WHERE seq = 2")
    db.execute("UPDATE audit_log SET at = '2020-01-01T00:00:00.000000+00:00' WHERE seq = 5")
    result = log.verify()
    assert [s for s, _ in result.problems] == [2, 5]


def test_changed_entry_with_recomputed_hash(log: AuditLog, db: RawSql) -> None:
    row = db.one("SELECT seq, at, actor, action, target, prev_hash FROM audit_log WHERE seq = 4")
    entry = dict(zip(("seq", "at", "actor", "action", "target"), row[:5], strict=True))
    forged = entry_hash(row[5], {**entry, "detail": {"n": 0}})
    db.execute("UPDATE audit_log SET detail = '{\"n\":0}', hash = ? WHERE seq = 4", (forged,))
    result = log.verify()
    assert not result.ok and result.first_bad == 4 and "changed" in result.reason


def test_deleted_entry(log: AuditLog, db: RawSql) -> None:
    db.execute("DELETE FROM audit_log WHERE seq = 3")
    result = log.verify()
    assert not result.ok and result.first_bad == 3 and "deleted" in result.reason


def test_deleted_newest_entries(log: AuditLog, db: RawSql) -> None:
    db.execute("DELETE FROM audit_log WHERE seq >= 5")
    result = log.verify()
    assert not result.ok and result.first_bad == 5 and "deleted" in result.reason


def test_next_entry_after_deletion_keeps_the_evidence(log: AuditLog, db: RawSql) -> None:
    db.execute("DELETE FROM audit_log WHERE seq = 6")
    log.record("login", actor="user:1")
    result = log.verify()
    assert not result.ok and result.first_bad == 6 and "deleted" in result.reason


def test_reordered_entries(log: AuditLog, db: RawSql) -> None:
    db.execute("UPDATE audit_log SET seq = 100 WHERE seq = 2")
    db.execute("UPDATE audit_log SET seq = 2 WHERE seq = 3")
    db.execute("UPDATE audit_log SET seq = 3 WHERE seq = 100")
    result = log.verify()
    assert not result.ok and result.first_bad == 2
    assert "reordered" in result.reason and "written as entry 3" in result.reason


def test_inserted_entry(log: AuditLog, db: RawSql) -> None:
    """A forged entry with a valid hash, slipped in at seq 3 (later entries renumbered)."""
    db.execute("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3")
    db.execute("UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000")
    prev = db.one("SELECT hash FROM audit_log WHERE seq = 2")[0]
    entry = {
        "seq": 3,
        "at": "2026-01-01T00:00:00.000000+00:00",
        "actor": "user:x",
        "action": "login",
        "target": None,
        "detail": {},
    }
    digest = entry_hash(prev, entry)
    db.execute(
        "INSERT INTO audit_log VALUES (3, ?, 'user:x', 'login', NULL, '{}', ?, ?)",
        (entry["at"], prev, digest),
    )
    result = log.verify()
    assert not result.ok and result.first_bad == 3 and "inserted" in result.reason


def test_entry_added_after_the_head(log: AuditLog, db: RawSql) -> None:
    prev = db.one("SELECT hash FROM audit_log WHERE seq = 6")[0]
    entry = {
        "seq": 7,
        "at": "2026-01-01T00:00:00.000000+00:00",
        "actor": None,
        "action": "delete",
        "target": None,
        "detail": {},
    }
    db.execute(
        "INSERT INTO audit_log VALUES (7, ?, NULL, 'delete', NULL, '{}', ?, ?)",
        (entry["at"], prev, entry_hash(prev, entry)),
    )
    result = log.verify()
    assert not result.ok and result.first_bad == 7 and "added after the head" in result.reason


def test_concurrent_threads_keep_one_chain(brain: Brain) -> None:
    def write(n: int) -> None:
        for i in range(25):
            brain.audit.record("search", actor=f"t{n}", detail={"i": i})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = brain.audit.verify()
    assert result.ok and result.checked == 200 and result.head_seq == 200


WRITER = """
import sys
from ebrain.brain import Brain
with Brain.open(sys.argv[1]) as b:
    for i in range(20):
        b.audit.record("ask", actor="p" + sys.argv[2], detail={"i": i})
"""


def test_concurrent_processes_keep_one_chain(workspace: Path) -> None:
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    env |= {k: v for k, v in os.environ.items() if k == "EBRAIN_CATALOG"}  # a PostgreSQL pass
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(workspace), str(n)], env=env)
        for n in range(3)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
    with Brain.open(workspace) as b:
        result = b.audit.verify()
        assert result.ok and result.checked == 60
        assert {e["actor"] for e in b.audit.export()} == {"p0", "p1", "p2"}


def test_export_since(log: AuditLog, db: RawSql) -> None:
    db.execute("UPDATE audit_log SET at = '2020-01-01T00:00:00.000000+00:00' WHERE seq <= 2")
    entries = list(log.export(since="2021-01-01"))
    assert [e["seq"] for e in entries] == [3, 4, 5, 6]
    assert entries[0]["detail"] == {"n": 3, "词": "中文"} and len(entries[0]["hash"]) == 64
    assert len(list(log.export())) == 6
    with pytest.raises(InvalidInputError):
        list(log.export(since="yesterday"))


def test_store_questions_setting(brain: Brain) -> None:
    off = AuditLog(brain.engine)
    off.record_ask(actor="user:a", question="合同金额是多少？", documents=[3, 5])
    on = AuditLog(brain.engine, store_questions=True)
    on.record_ask(actor="user:a", question="合同金额是多少？", documents=[3])
    first, second = (e["detail"] for e in brain.audit.export())
    assert first == {"documents": [3, 5]}
    assert second == {"documents": [3], "question": "合同金额是多少？"}
    assert brain.config.get("audit.store_questions") is False


def test_hostile_detail_is_bounded(brain: Brain) -> None:
    brain.audit.record(
        "upload",
        actor="x" * 10_000,
        detail={"name": "a" * 100_000, "l": list(range(10_000)), "f": float("nan")},
    )
    entry = next(brain.audit.export())
    assert len(entry["detail"]["name"]) <= 2001 and len(entry["detail"]["l"]) == 200
    assert entry["detail"]["f"] is None and len(entry["actor"]) <= 2001
    brain.audit.record("upload", actor="a", target="bad\udcffname", detail={"\ud800": float("inf")})
    assert list(brain.audit.export())[-1]["detail"] == {"?": None}
    assert brain.audit.verify().ok
    assert json.dumps(entry)


def test_store_questions_from_config(workspace: Path) -> None:
    (workspace / "config.yaml").write_text(
        "embed:\n  model: none\naudit:\n  store_questions: true\n", encoding="utf-8"
    )
    with Brain.open(workspace) as b:
        b.audit.record_ask(actor="user:a", question="q?", documents=[])
        assert next(b.audit.export())["detail"] == {"documents": [], "question": "q?"}
