"""Writes to the embedded full-text index (SQLite FTS5 over chunk.terms), inside the caller's
transaction, so the index never drifts from the catalog."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

_INSERT = sa.text("INSERT INTO chunk_fts(rowid, terms) VALUES (:id, :terms)")
_DELETE = sa.text("INSERT INTO chunk_fts(chunk_fts, rowid, terms) VALUES ('delete', :id, :terms)")


def has_fts(conn: sa.Connection) -> bool:
    """True when this catalog carries the embedded FTS5 index."""
    return conn.dialect.name == "sqlite"


def fts_add(conn: sa.Connection, rows: Sequence[tuple[int, str]]) -> None:
    """Index chunks given as (chunk id, analyzed terms)."""
    if rows and has_fts(conn):
        conn.execute(_INSERT, [{"id": i, "terms": t} for i, t in rows])


def fts_remove_documents(conn: sa.Connection, document_ids: Iterable[int]) -> None:
    """Remove every chunk of these documents from the full-text index (before deleting them)."""
    _remove_where(conn, "document_id", list(document_ids))


def fts_remove_chunks(conn: sa.Connection, chunk_ids: Iterable[int]) -> None:
    """Remove these chunks from the full-text index (their terms must still be in chunk.terms)."""
    _remove_where(conn, "id", list(chunk_ids))


def _remove_where(conn: sa.Connection, column: str, ids: list[int]) -> None:
    if not ids or not has_fts(conn):
        return
    rows = conn.execute(
        sa.text(f"SELECT id, terms FROM chunk WHERE {column} IN :ids AND terms != ''").bindparams(
            sa.bindparam("ids", expanding=True)
        ),
        {"ids": ids},
    ).all()
    if rows:
        conn.execute(_DELETE, [{"id": r[0], "terms": r[1]} for r in rows])


def fts_rebuild(conn: sa.Connection) -> None:
    """Rebuild the whole full-text index from chunk.terms."""
    if has_fts(conn):
        conn.execute(sa.text("INSERT INTO chunk_fts(chunk_fts) VALUES ('rebuild')"))
