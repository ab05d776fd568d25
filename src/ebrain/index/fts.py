"""Writes to the embedded full-text index (SQLite FTS5 over chunk.terms), inside the caller's
transaction, so the index never drifts from the catalog.

New chunks are first listed in `chunk_fts_pending` (in the transaction that stores them) and
moved into FTS5 in batches by `fts_flush`: one FTS5 segment per batch instead of one per
document, about a quarter of the cost of storing a document. Ingest flushes as it goes and at
the end; a search indexes what a killed run left (see `fts_catch_up`)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ebrain.catalog import hot
from ebrain.catalog.db import write_conn

_QUEUE_DOCUMENT = sa.text(
    "INSERT INTO chunk_fts_pending(chunk_id) SELECT id FROM chunk "
    "WHERE document_id = :d AND terms != ''"
)
_FLUSH = sa.text(
    "INSERT INTO chunk_fts(rowid, terms) SELECT c.id, c.terms FROM chunk_fts_pending p "
    "JOIN chunk c ON c.id = p.chunk_id WHERE c.terms != '' ORDER BY c.id"
)
_DELETE = sa.text("INSERT INTO chunk_fts(chunk_fts, rowid, terms) VALUES ('delete', :id, :terms)")


def has_fts(conn: sa.Connection) -> bool:
    """True when this catalog carries the embedded FTS5 index."""
    return conn.dialect.name == "sqlite"


def fts_add_documents(conn: sa.Connection, document_ids: Iterable[int]) -> None:
    """Queue every chunk of these (just stored) documents for the index (see `fts_flush`)."""
    ids = [{"d": d} for d in document_ids]
    if ids and has_fts(conn):
        hot.run_many(conn, _QUEUE_DOCUMENT, ids)


def fts_queue_chunks(conn: sa.Connection, chunk_ids: Iterable[int]) -> None:
    """Queue these chunks (not in the index nor the queue) for the index: an index backend
    other than FTS5 keeps a SQLite catalog's full-text index consistent this way, so that
    removing the chunks later, or switching back to `sqlite:`, stays sound."""
    ids = [{"id": i} for i in chunk_ids]
    if ids and has_fts(conn):
        conn.execute(sa.text("INSERT INTO chunk_fts_pending(chunk_id) VALUES (:id)"), ids)


def fts_pending(conn: sa.Connection) -> bool:
    """True when some stored chunks are not in the full-text index yet."""
    if not has_fts(conn):
        return False
    return conn.execute(sa.text("SELECT 1 FROM chunk_fts_pending LIMIT 1")).first() is not None


def fts_catch_up(engine: sa.Engine) -> int:
    """Index whatever is queued; the write lock is taken only when something is (a cheap read
    first, so searches and no-op ingests never wait on a writer)."""
    with engine.connect() as conn:
        if not fts_pending(conn):
            return 0
    with write_conn(engine) as conn, conn.begin():
        return fts_flush(conn)


def fts_flush(conn: sa.Connection) -> int:
    """Move every queued chunk into the full-text index; return how many were queued."""
    if not has_fts(conn):
        return 0
    conn.execute(_FLUSH)
    return int(conn.execute(sa.text("DELETE FROM chunk_fts_pending")).rowcount or 0)


def fts_remove_documents(conn: sa.Connection, document_ids: Iterable[int]) -> None:
    """Remove every chunk of these documents from the full-text index (before deleting them)."""
    _remove_where(conn, "document_id", list(document_ids))


def fts_remove_chunks(conn: sa.Connection, chunk_ids: Iterable[int]) -> None:
    """Remove these chunks from the full-text index (their terms must still be in chunk.terms)."""
    _remove_where(conn, "id", list(chunk_ids))


def _remove_where(conn: sa.Connection, column: str, ids: list[int]) -> None:
    """Take chunks out of the index, or out of the queue when they never reached it."""
    if not ids or not has_fts(conn):
        return
    rows = conn.execute(
        sa.text(
            f"SELECT c.id, c.terms, p.chunk_id IS NOT NULL FROM chunk c LEFT JOIN "
            f"chunk_fts_pending p ON p.chunk_id = c.id WHERE c.{column} IN :ids AND c.terms != ''"
        ).bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": ids},
    ).all()
    indexed = [{"id": r[0], "terms": r[1]} for r in rows if not r[2]]
    queued = [{"id": r[0]} for r in rows if r[2]]
    if indexed:
        conn.execute(_DELETE, indexed)
    if queued:
        conn.execute(sa.text("DELETE FROM chunk_fts_pending WHERE chunk_id = :id"), queued)
