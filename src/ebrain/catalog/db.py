"""Engine creation: SQLite in WAL mode with foreign keys, or any SQLAlchemy URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA mmap_size=67108864")  # 64 MB: mapped pages count in RSS, per connection
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    # Writers BEGIN IMMEDIATE: one writer at a time, no lock-upgrade deadlocks; readers don't block.
    # Straight to the driver: this runs once per stored document, and the SQL has no parameters.
    immediate = conn.get_execution_options().get("immediate", False)
    conn.connection.driver_connection.execute(  # type: ignore[union-attr]
        "BEGIN IMMEDIATE" if immediate else "BEGIN"
    )


def make_engine(url: str) -> sa.Engine:
    """Create an engine; SQLite gets WAL, foreign keys and explicit transaction control."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url, future=True)
    engine = sa.create_engine(url, future=True, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "connect")
    def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below be the only one

    event.listen(engine, "begin", _sqlite_begin)
    return engine


def write_conn(engine: sa.Engine) -> sa.Connection:
    """A connection whose transactions take the write lock at BEGIN (use with `.begin()`)."""
    return engine.connect().execution_options(immediate=True)


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """The primary key of the row an INSERT created."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the insert returned no primary key")
    return int(key[0])
