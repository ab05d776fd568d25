"""Each table is defined once (catalog/schema.py) and workspaces made before that still open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from ebrain.answer.prompts import PromptStore
from ebrain.catalog import schema as t
from ebrain.catalog.workspace import Workspace
from ebrain.guard.events import recent_events, record_events
from ebrain.models.usage import UsageRecord, record_usage

# The DDL that migrations m005-m007 ran before the tables moved to schema.py (fixture data:
# the exact shape of workspaces made by earlier releases).
OLD_DDL = [
    """CREATE TABLE prompt_version (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL,
        template TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT 'user', created_at TEXT NOT NULL,
        UNIQUE (name, version))""",
    """CREATE TABLE conversation (
        id TEXT PRIMARY KEY, assistant TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)""",
    """CREATE TABLE message (
        id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
        role TEXT NOT NULL, content TEXT NOT NULL, query TEXT NOT NULL DEFAULT '',
        trace_id TEXT NOT NULL DEFAULT '', answer TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL)""",
    "CREATE INDEX message_conversation ON message(conversation_id, id)",
    """CREATE TABLE guard_event (id INTEGER PRIMARY KEY, at TEXT NOT NULL, stage TEXT NOT NULL,
        scanner TEXT NOT NULL, rule TEXT NOT NULL, action TEXT NOT NULL, lang TEXT,
        excerpt TEXT, trace_id TEXT, user_name TEXT, assistant TEXT)""",
    "CREATE INDEX guard_event_trace ON guard_event(trace_id)",
    """CREATE TABLE model_usage (id VARCHAR(32) PRIMARY KEY, at TIMESTAMP NOT NULL,
        model VARCHAR(255) NOT NULL, alias VARCHAR(255) NOT NULL,
        role VARCHAR(32) NOT NULL DEFAULT '', prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0, cost DOUBLE PRECISION NOT NULL DEFAULT 0,
        latency_ms DOUBLE PRECISION NOT NULL DEFAULT 0, ok BOOLEAN NOT NULL, error TEXT,
        trace_id VARCHAR(64))""",
    "CREATE INDEX ix_model_usage_at ON model_usage (at)",
]
# The DDL of m001 and m002 as written before the tables moved to schema.py (fixture data).
OLD_CATALOG_DDL = [
    """CREATE TABLE kb (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)""",
    """CREATE TABLE document (
        id INTEGER PRIMARY KEY,
        kb_id INTEGER NOT NULL REFERENCES kb(id) ON DELETE CASCADE,
        content_hash TEXT NOT NULL, title TEXT NOT NULL,
        doc_type TEXT NOT NULL, type_source TEXT NOT NULL DEFAULT 'auto',
        type_score REAL NOT NULL DEFAULT 0,
        lang TEXT NOT NULL DEFAULT '', format TEXT NOT NULL, size INTEGER NOT NULL,
        pages INTEGER, version INTEGER NOT NULL DEFAULT 1,
        n_chunks INTEGER NOT NULL DEFAULT 0,
        meta TEXT NOT NULL DEFAULT '{}', warnings TEXT NOT NULL DEFAULT '[]',
        doc_date TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        UNIQUE (kb_id, content_hash))""",
    """CREATE TABLE document_path (
        id INTEGER PRIMARY KEY,
        kb_id INTEGER NOT NULL REFERENCES kb(id) ON DELETE CASCADE,
        document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
        path TEXT NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL,
        content_hash TEXT NOT NULL, seen_at TEXT NOT NULL,
        UNIQUE (kb_id, path))""",
    "CREATE INDEX document_path_doc ON document_path(document_id)",
    """CREATE TABLE version (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
        number INTEGER NOT NULL, content_hash TEXT NOT NULL, text TEXT NOT NULL,
        created_at TEXT NOT NULL, retired_at TEXT,
        UNIQUE (document_id, number))""",
    """CREATE TABLE chunk (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
        version_id INTEGER NOT NULL REFERENCES version(id) ON DELETE CASCADE,
        kb_id INTEGER NOT NULL, ord INTEGER NOT NULL, kind TEXT NOT NULL DEFAULT 'text',
        text TEXT NOT NULL, terms TEXT NOT NULL DEFAULT '',
        heading_path TEXT NOT NULL DEFAULT '[]',
        page_start INTEGER, page_end INTEGER,
        char_start INTEGER NOT NULL, char_end INTEGER NOT NULL,
        n_tokens INTEGER NOT NULL, doc_type TEXT NOT NULL,
        UNIQUE (document_id, ord))""",
    "CREATE INDEX chunk_kb ON chunk(kb_id)",
    """CREATE TABLE document_tag (
        document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
        tag TEXT NOT NULL, PRIMARY KEY (document_id, tag))""",
    """CREATE TABLE document_acl (
        document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
        grp TEXT NOT NULL, PRIMARY KEY (document_id, grp))""",
    """CREATE TABLE ingest_error (
        id INTEGER PRIMARY KEY,
        kb_id INTEGER NOT NULL REFERENCES kb(id) ON DELETE CASCADE,
        path TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL,
        size INTEGER, mtime REAL, at TEXT NOT NULL, UNIQUE (kb_id, path))""",
    """CREATE TABLE type_rule (
        id INTEGER PRIMARY KEY, kb_id INTEGER REFERENCES kb(id) ON DELETE CASCADE,
        pattern TEXT NOT NULL, doc_type TEXT NOT NULL, created_at TEXT NOT NULL)""",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE chunk_vector (
        chunk_id INTEGER PRIMARY KEY REFERENCES chunk(id) ON DELETE CASCADE,
        vec BLOB NOT NULL)""",
]
OLD_TABLES = ("message", "conversation", "prompt_version", "guard_event", "model_usage")
MOVED = ("m005_answers", "m006_guard_events", "m007_model_usage")


def _old_workspace(path: Path, forget_migrations: bool) -> None:
    """A workspace whose answer, guard and usage tables have the earlier releases' DDL."""
    Workspace.create(path).close()
    db = sqlite3.connect(path / "catalog.sqlite")
    for name in OLD_TABLES:
        db.execute(f"DROP TABLE {name}")
    for statement in OLD_DDL:
        db.execute(statement)
    db.execute("INSERT INTO prompt_version VALUES (1, 'mine.en', 1, 'hi', '', 'user', 'x')")
    if forget_migrations:
        db.executemany("DELETE FROM _migrations WHERE name = ?", [(m,) for m in MOVED])
    db.commit()
    db.close()


def _use_moved_tables(ws: Workspace) -> None:
    store = PromptStore(ws.engine)
    assert store.get("mine.en").template == "hi"
    assert store.save("mine.en", "hello").version == 2
    with ws.engine.begin() as conn:
        record_usage(conn, UsageRecord("m", "a", prompt_tokens=3))
        record_events(conn, [{"at": "x", "stage": "input", "scanner": "s", "rule": "r",
                              "action": "block", "excerpt": "e", "trace_id": "t"}])  # fmt: skip
        assert recent_events(conn, 5)[0]["rule"] == "r"
        tokens = conn.execute(sa.select(t.model_usage.c.prompt_tokens)).scalar_one()
    assert tokens == 3


@pytest.mark.sqlite_only  # earlier releases' SQLite DDL, read with sqlite3
@pytest.mark.parametrize("forget_migrations", [False, True])
def test_a_workspace_made_before_the_move_still_opens(
    tmp_path: Path, forget_migrations: bool
) -> None:
    # forget_migrations: the tables exist but m005-m007 are not recorded; they then run as no-ops.
    _old_workspace(tmp_path / "w", forget_migrations)
    ws = Workspace.open(tmp_path / "w")
    assert ws.migrated == (list(MOVED) if forget_migrations else [])
    _use_moved_tables(ws)
    ws.close()


def test_new_workspace_tables_have_the_schema_columns(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "w")
    inspector = sa.inspect(ws.engine)
    for table in t.metadata.sorted_tables:
        found = [c["name"] for c in inspector.get_columns(table.name)]
        assert found == [c.name for c in table.columns], table.name
    indexes = {i["name"] for i in inspector.get_indexes("guard_event")}
    assert "guard_event_trace" in indexes
    ws.close()


def test_moved_tables_are_defined_only_in_the_schema() -> None:
    from ebrain.answer import prompts
    from ebrain.guard import events
    from ebrain.models import usage

    assert events.guard_event is t.guard_event
    assert usage.usage_table is t.model_usage
    for module in (prompts, events, usage):
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        assert "CREATE TABLE" not in source and "sa.Table(" not in source, module.__name__


def _affinity(declared: str) -> str:
    """SQLite's type affinity of a declared column type."""
    up = declared.upper()
    if "INT" in up:
        return "INTEGER"
    if any(k in up for k in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if not up or "BLOB" in up:
        return "BLOB"
    return "REAL" if any(k in up for k in ("REAL", "FLOA", "DOUB")) else "NUMERIC"


def _shape(db: sqlite3.Connection, table: str) -> dict[str, object]:
    """Columns, keys, defaults, foreign keys, indexes and AUTOINCREMENT of one table."""
    # (SQLAlchemy writes NOT NULL on primary keys, which SQLite implies for INTEGER ones.)
    cols = [(r[1], _affinity(r[2]), bool(r[3] or r[5]), r[4], r[5])
            for r in db.execute(f"PRAGMA table_info({table})")]  # fmt: skip
    fks = sorted((r[2], r[3], r[4], r[6]) for r in db.execute(f"PRAGMA foreign_key_list({table})"))
    indexes = set()
    for r in db.execute(f"PRAGMA index_list({table})"):
        names = tuple(c[2] for c in db.execute(f"PRAGMA index_info('{r[1]}')"))
        indexes.add((r[1] if r[3] == "c" else "", r[2], names))
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    return {"cols": cols, "fks": fks, "indexes": indexes, "autoinc": "AUTOINCREMENT" in sql}


@pytest.mark.sqlite_only  # earlier releases' SQLite DDL, read with sqlite3
def test_new_catalog_tables_have_the_shape_of_the_original_ddl(tmp_path: Path) -> None:
    old = sqlite3.connect(":memory:")
    for statement in OLD_CATALOG_DDL + OLD_DDL:
        old.execute(statement)
    Workspace.create(tmp_path / "w").close()
    new = sqlite3.connect(tmp_path / "w" / "catalog.sqlite")
    query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    names = [r[0] for r in old.execute(query)]
    assert len(names) == 16
    for name in names:
        assert _shape(new, name) == _shape(old, name), name
    new.close()
