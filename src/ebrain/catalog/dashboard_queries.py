"""The usage dashboard's and the admin pages' queries: asks from the audit log, feedback, model
usage, firewall events, audit pages, and the titles of cited documents a reader may see.

Reads only, each bounded (a window of days and a row cap). Document titles pass through the
same reader filter as `Catalog.documents` (a DocScope, applied inside the query), so a title a
reader may not see is never read, let alone counted or shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.catalog.db import write_conn
from ebrain.catalog.queries import DocScope, _doc_filters

MAX_ROWS = 50_000  # rows of one kind read for one dashboard
MAX_IDS = 5_000  # document ids looked up at once


@dataclass(frozen=True)
class AskRow:
    """One audited question: when (ISO UTC), who, and its detail (refused, cited documents,
    latency, and the question text when `audit.store_questions` is on)."""

    at: str
    actor: str | None
    detail: dict[str, Any]


class DashboardQueries:
    """Named read queries over audit_log, answer_feedback, model_usage, guard_event, document."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def asks(self, since: str, actor: str | None = None, limit: int = MAX_ROWS) -> list[AskRow]:
        """Audited asks written at or after `since` (of `actor` when given), oldest first."""
        a = t.audit_log.c
        q = sa.select(a.at, a.actor, a.detail).where(a.action == "ask", a.at >= since)
        if actor is not None:
            q = q.where(a.actor == actor)
        q = q.order_by(a.seq.desc()).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [AskRow(str(r[0]), r[1], _json_object(r[2])) for r in reversed(rows)]

    def feedback_counts(self, since: str, user: str | None = None) -> tuple[int, int]:
        """(thumbs up, thumbs down) given at or after `since` (by `user` when given)."""
        f = t.answer_feedback.c
        up = sa.func.count().filter(f.rating > 0)
        down = sa.func.count().filter(f.rating < 0)
        q = sa.select(up, down).where(f.created_at >= since)
        if user is not None:
            q = q.where(f.user_name == user)
        with self.engine.connect() as conn:
            row = conn.execute(q).one()
        return int(row[0] or 0), int(row[1] or 0)

    def model_totals(self, since: datetime) -> list[dict[str, Any]]:
        """Calls, failed calls, tokens and cost per model since `since`, costliest first."""
        u = t.model_usage.c
        q = (
            sa.select(
                u.model,
                sa.func.count().label("calls"),
                sa.func.count().filter(u.ok.is_(False)).label("errors"),
                sa.func.coalesce(sa.func.sum(u.prompt_tokens), 0).label("prompt_tokens"),
                sa.func.coalesce(sa.func.sum(u.completion_tokens), 0).label("completion_tokens"),
                sa.func.coalesce(sa.func.sum(u.cost), 0.0).label("cost"),
            )
            .where(u.at >= since)
            .group_by(u.model)
            .order_by(sa.desc("cost"), u.model)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def model_latencies(self, since: datetime, limit: int = MAX_ROWS) -> list[tuple[str, float]]:
        """(model, latency in ms) of the newest successful calls since `since`."""
        u = t.model_usage.c
        q = (
            sa.select(u.model, u.latency_ms)
            .where(u.at >= since, u.ok.is_(True))
            .order_by(u.at.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(str(r[0]), float(r[1])) for r in conn.execute(q)]

    def visible_documents(self, ids: Iterable[int], scope: DocScope) -> dict[int, dict[str, Any]]:
        """id -> {title, kb, doc_type} of those of `ids` that exist and `scope` lets through."""
        wanted = sorted({int(i) for i in ids if isinstance(i, int) and 0 < i < 2**62})[:MAX_IDS]
        if not wanted:
            return {}
        d = t.document.c
        q = sa.select(d.id, d.title, d.doc_type, t.kb.c.name).join(t.kb, t.kb.c.id == d.kb_id)
        q = _doc_filters(q.where(d.id.in_(wanted)), None, None, scope)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return {int(r[0]): {"title": r[1], "doc_type": r[2], "kb": r[3]} for r in rows}

    def chunk_total(self, scope: DocScope) -> int:
        """Chunks of the documents `scope` lets through."""
        d = t.document.c
        q = sa.select(sa.func.coalesce(sa.func.sum(d.n_chunks), 0)).join(t.kb, t.kb.c.id == d.kb_id)
        with self.engine.connect() as conn:
            return int(conn.execute(_doc_filters(q, None, None, scope)).scalar_one())

    def guard_events(
        self, limit: int = 100, offset: int = 0, stage: str | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """(how many events, a page of them newest first), of one stage when given."""
        g = t.guard_event.c
        where = [] if not stage else [g.stage == stage]
        page = sa.select(t.guard_event).where(*where).order_by(g.id.desc())
        total = sa.select(sa.func.count()).select_from(t.guard_event).where(*where)
        with self.engine.connect() as conn:
            rows = conn.execute(page.limit(limit).offset(offset)).all()
            return int(conn.execute(total).scalar_one()), [dict(r._mapping) for r in rows]

    def audit_entries(
        self, before: int | None = None, limit: int = 100, action: str | None = None
    ) -> list[dict[str, Any]]:
        """A page of audit entries, newest first (seq below `before` when given)."""
        a = t.audit_log.c
        q = sa.select(a.seq, a.at, a.actor, a.action, a.target, a.detail)
        if before is not None:
            q = q.where(a.seq < before)
        if action:
            q = q.where(a.action == action)
        with self.engine.connect() as conn:
            rows = conn.execute(q.order_by(a.seq.desc()).limit(limit)).all()
        return [{**r._mapping, "detail": _json_object(r[5])} for r in rows]


def set_document_groups(engine: sa.Engine, document_id: int, groups: Iterable[str]) -> bool:
    """Replace a document's ACL groups (none: public); False when there is no such document."""
    names = list(dict.fromkeys(groups))
    acl = t.document_acl
    with write_conn(engine) as conn, conn.begin():
        found = conn.execute(sa.select(t.document.c.id).where(t.document.c.id == document_id))
        if found.first() is None:
            return False
        conn.execute(sa.delete(acl).where(acl.c.document_id == document_id))
        if names:
            conn.execute(sa.insert(acl), [{"document_id": document_id, "grp": g} for g in names])
    return True


def _json_object(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}
