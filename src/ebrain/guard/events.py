"""The append-only guard-events table: every firewall decision with the rule that matched."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ebrain.catalog.schema import guard_event
from ebrain.guard.pii import mask_all
from ebrain.guard.types import EXCERPT_CHARS

# The table is defined once, in the catalog schema (migration m006 creates it).
COLUMNS = tuple(c.name for c in guard_event.columns if c.name != "id")


def create_table(conn: sa.Connection) -> None:
    """Create guard_event if missing (for a bare database; a workspace's catalog has it)."""
    guard_event.create(conn, checkfirst=True)


def _clean(event: dict[str, Any]) -> dict[str, Any]:
    """One row: known columns only, excerpt masked again and cut to 200 characters."""
    row = {c: event.get(c) for c in COLUMNS}
    row["excerpt"] = mask_all(str(row.get("excerpt") or ""))[:EXCERPT_CHARS]
    return row


def record_events(conn: sa.Connection, events: Iterable[dict[str, Any]]) -> int:
    """Append events (never updates or deletes); returns how many were written."""
    rows = [_clean(e) for e in events]
    if rows:
        conn.execute(guard_event.insert(), rows)
    return len(rows)


def recent_events(conn: sa.Connection, limit: int = 50) -> list[dict[str, Any]]:
    """The newest events first (none while the catalog has no guard_event table yet)."""
    if not sa.inspect(conn).has_table("guard_event"):
        return []
    query = sa.select(guard_event).order_by(guard_event.c.id.desc()).limit(limit)
    return [dict(row._mapping) for row in conn.execute(query)]
