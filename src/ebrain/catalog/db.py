"""Engine creation: SQLite in WAL mode with foreign keys, or PostgreSQL (psycopg 3) with a pool.

Writers, on both databases, get one-writer-at-a-time transactions from `write_conn`:
SQLite takes its write lock at BEGIN (BEGIN IMMEDIATE); PostgreSQL takes one transaction-scoped
advisory lock at the first statement (`pg_advisory_xact_lock`), released at COMMIT or ROLLBACK.
So every read-then-write section of the catalog (the audit chain's head, embedding claims, job
claims, next prompt version, entity upserts) stays linear with several API servers and ingest
workers at once, while readers never wait. The heavy work (parsing, embedding, model calls)
runs outside write transactions.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from ebrain.errors import ConfigError

POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
WRITER_LOCK = "ebrain.catalog.writer"


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def normalize_url(url: str) -> str:
    """The SQLAlchemy URL for a catalog URL as users write it: `postgresql://` and
    `postgres://` mean psycopg 3 (`postgresql+psycopg://`); others are left as they are."""
    scheme, sep, rest = url.strip().partition("://")
    if sep and scheme.lower() in POSTGRES_SCHEMES:
        return f"postgresql+psycopg://{rest}"
    return url.strip()


def is_postgres(url_or_engine: str | sa.Engine | sa.Connection) -> bool:
    """True for a PostgreSQL URL, engine or connection."""
    if isinstance(url_or_engine, str):
        return normalize_url(url_or_engine).startswith("postgresql")
    return url_or_engine.dialect.name == "postgresql"


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a lock name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


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


def _postgres_begin(conn: sa.Connection) -> None:
    # psycopg opens the transaction at its first statement: this lock is that statement.
    if conn.get_execution_options().get("immediate", False):
        conn.connection.driver_connection.execute(  # type: ignore[union-attr]
            "SELECT pg_advisory_xact_lock(%s)", (lock_key(WRITER_LOCK),)
        )


def make_engine(url: str) -> sa.Engine:
    """Create an engine; SQLite gets WAL, foreign keys and explicit transaction control,
    PostgreSQL a checked pool and the writer lock."""
    url = normalize_url(url)
    try:
        sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(
            "the catalog URL is not a database URL",
            hint="use postgresql://user:password@host:5432/dbname (or leave `catalog` empty "
            "for the workspace's catalog.sqlite)",
        ) from exc
    if is_postgres(url):
        return _postgres_engine(url)
    if not url.startswith("sqlite"):
        return sa.create_engine(url, future=True)
    engine = sa.create_engine(url, future=True, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "connect")
    def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below be the only one

    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _postgres_engine(url: str) -> sa.Engine:
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            "a PostgreSQL catalog needs the psycopg driver",
            hint="pip install 'ebrain[postgres]'",
        ) from exc
    engine = sa.create_engine(
        url,
        future=True,
        pool_size=8,  # per process: an API server's threads, an ingest worker's writer
        max_overflow=8,
        pool_pre_ping=True,  # a restarted server or a dropped connection is replaced
        pool_recycle=1800,
        connect_args={"connect_timeout": 10, "application_name": "ebrain"},
    )
    event.listen(engine, "begin", _postgres_begin)
    return engine


def write_conn(engine: sa.Engine) -> sa.Connection:
    """A connection whose transactions take the writer lock at BEGIN (use with `.begin()`)."""
    return engine.connect().execution_options(immediate=True)


class SessionLock:
    """A PostgreSQL session advisory lock held on its own connection; `close` releases it."""

    def __init__(self, conn: sa.Connection, key: int) -> None:
        self.conn = conn
        self.key = key

    def close(self) -> None:
        """Release the lock and give the connection back (a broken one is thrown away)."""
        try:
            self.conn.execute(sa.select(sa.func.pg_advisory_unlock(self.key)))
            self.conn.commit()
        except sa.exc.DBAPIError:
            self.conn.invalidate()  # the server ends the session, and the lock with it
        finally:
            self.conn.close()


def try_session_lock(engine: sa.Engine, name: str) -> SessionLock | None:
    """On PostgreSQL, the session advisory lock `name` held on a connection of its own (None
    when another process holds it). Not for SQLite (use a file lock)."""
    key = lock_key(name)
    conn = engine.connect()
    try:
        got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar()
        conn.commit()
    except BaseException:
        conn.close()
        raise
    if not got:
        conn.close()
        return None
    return SessionLock(conn, key)


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """The primary key of the row an INSERT created."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the insert returned no primary key")
    return int(key[0])
