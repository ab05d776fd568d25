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
