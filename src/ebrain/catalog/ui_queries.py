"""The web UI's queries: per-user preferences (the page language), stored answers."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.catalog.db import write_conn
from ebrain.catalog.workspace import now_iso


class UiPrefs:
    """Named queries over ui_pref."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def locale(self, user: str) -> str | None:
        """The language the user chose last (None when never chosen)."""
        p = t.ui_pref.c
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(p.locale).where(p.user_name == user)).first()
        return None if row is None else str(row[0])

    def set_locale(self, user: str, locale: str) -> None:
        """Remember the user's page language."""
        p = t.ui_pref.c
        with write_conn(self.engine) as conn, conn.begin():
            conn.execute(sa.delete(t.ui_pref).where(p.user_name == user))
            values = {"user_name": user, "locale": locale, "updated_at": now_iso()}
            conn.execute(sa.insert(t.ui_pref).values(**values))


def stored_answers(
    engine: sa.Engine, conversation_id: str, limit: int = 500
) -> list[dict[str, Any]]:
    """Each message of a conversation, oldest first: role, content and the stored answer
    (its citations and notices; {} for questions)."""
    m = t.message.c
    q = (
        sa.select(m.role, m.content, m.trace_id, m.answer)
        .where(m.conversation_id == conversation_id)
        .order_by(m.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    return [{"role": r[0], "content": r[1], "trace_id": r[2], "answer": _json(r[3])} for r in rows]


def _json(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def first_questions(engine: sa.Engine, conversation_ids: list[str]) -> dict[str, str]:
    """The first question of each conversation (the history sidebar's labels)."""
    if not conversation_ids:
        return {}
    m = t.message.c
    first = (
        sa.select(sa.func.min(m.id))
        .where(m.conversation_id.in_(conversation_ids), m.role == "user")
        .group_by(m.conversation_id)
    )
    q = sa.select(m.conversation_id, m.content).where(m.id.in_(first))
    with engine.connect() as conn:
        return {str(r[0]): str(r[1])[:200] for r in conn.execute(q)}
