"""The audit log's queries: the chain head (in `meta`), appending an entry, and reading entries
in pages by sequence number (ebrain.audit computes and checks the hashes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from ebrain.catalog import schema as t

HEAD_KEY = "audit_head"
GENESIS = "0" * 64


# Built once: the writer runs them on every audited request, and building a statement costs
# more than running it.
_HEAD = sa.select(t.meta.c.value).where(t.meta.c.key == sa.bindparam("k")).with_for_update()
_LAST = sa.select(t.audit_log.c.seq, t.audit_log.c.hash).order_by(t.audit_log.c.seq.desc()).limit(1)
_INSERT = sa.insert(t.audit_log)
_MOVE = sa.update(t.meta).where(t.meta.c.key == sa.bindparam("k")).values(value=sa.bindparam("v"))
_ADD_HEAD = sa.insert(t.meta).values(key=sa.bindparam("k"), value=sa.bindparam("v"))


def head(conn: sa.Connection) -> tuple[int, str]:
    """The last entry's (seq, hash) as recorded in meta (else the last stored entry), locked
    for update where the database can (SQLite: the caller's BEGIN IMMEDIATE already
    serializes writers)."""
    row = conn.execute(_HEAD, {"k": HEAD_KEY}).first()
    if row is not None:
        seq, _, digest = str(row[0]).partition(":")
        return int(seq), digest
    found = conn.execute(_LAST).first()
    return (0, GENESIS) if found is None else (int(found[0]), str(found[1]))


def last_seq(conn: sa.Connection) -> int:
    """The highest seq stored (0 when the log is empty)."""
    found = conn.execute(_LAST).first()
    return 0 if found is None else int(found[0])


def append(conn: sa.Connection, entry: Mapping[str, Any]) -> None:
    """Insert one entry (seq, at, actor, action, target, detail, prev_hash, hash) and move the
    head to it."""
    conn.execute(_INSERT, dict(entry))
    value = {"k": HEAD_KEY, "v": f"{entry['seq']}:{entry['hash']}"}
    if conn.execute(_MOVE, value).rowcount == 0:
        conn.execute(_ADD_HEAD, value)


def page(
    conn: sa.Connection, after_seq: int, limit: int, since: str | None = None
) -> list[dict[str, Any]]:
    """Up to `limit` entries with seq > after_seq (and at >= since), by seq."""
    q = sa.select(t.audit_log).where(t.audit_log.c.seq > after_seq)
    if since is not None:
        q = q.where(t.audit_log.c.at >= since)
    q = q.order_by(t.audit_log.c.seq).limit(limit)
    return [dict(r) for r in conn.execute(q).mappings()]


def first_seq_since(conn: sa.Connection, since: str) -> int | None:
    """The seq of the first entry written at or after `since`, or None."""
    q = sa.select(sa.func.min(t.audit_log.c.seq)).where(t.audit_log.c.at >= since)
    value = conn.execute(q).scalar()
    return None if value is None else int(value)
