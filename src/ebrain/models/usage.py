"""Usage accounting: one UsageRecord per model call, written to a UsageSink."""

from __future__ import annotations

import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa

from ebrain.catalog.schema import model_usage
from ebrain.models.types import Usage


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class UsageRecord:
    """One call to one model: tokens, cost, latency and outcome."""

    model: str
    alias: str
    role: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    latency_ms: float = 0.0
    ok: bool = True
    error: str | None = None
    trace_id: str | None = None
    at: datetime = field(default_factory=_now)
    id: str = field(default_factory=_new_id)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (timestamp as ISO 8601)."""
        out = asdict(self)
        out["at"] = self.at.isoformat()
        return out


class UsageSink(Protocol):
    """Where usage records go (memory, the catalog, a metrics system)."""

    def record(self, rec: UsageRecord) -> None:
        """Store one record."""
        ...


class NullUsageSink:
    """Discards records."""

    def record(self, rec: UsageRecord) -> None:
        """Drop the record."""
        del rec


class MemoryUsageSink:
    """Keeps records in memory (thread-safe); useful for tests and one-off runs."""

    def __init__(self) -> None:
        self.records: list[UsageRecord] = []
        self._lock = threading.Lock()

    def record(self, rec: UsageRecord) -> None:
        """Append the record."""
        with self._lock:
            self.records.append(rec)

    def totals(self, alias: str | None = None) -> Usage:
        """Summed tokens and cost, optionally for one alias."""
        with self._lock:
            recs = [r for r in self.records if alias is None or r.alias == alias]
        return Usage(
            prompt_tokens=sum(r.prompt_tokens for r in recs),
            completion_tokens=sum(r.completion_tokens for r in recs),
            cost=sum(r.cost for r in recs),
        )


# The table is defined once, in the catalog schema (migration m007 creates it).
usage_table = model_usage


def create_usage_table(conn: sa.Connection) -> None:
    """Create `model_usage` and its index if missing (any SQLAlchemy dialect)."""
    model_usage.create(conn, checkfirst=True)


def record_usage(conn: sa.Connection, rec: UsageRecord) -> None:
    """Insert one record into `model_usage` (the caller commits)."""
    row = asdict(rec)
    row["at"] = rec.at.astimezone(UTC).replace(tzinfo=None)
    conn.execute(sa.insert(model_usage).values(**row))
