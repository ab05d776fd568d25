"""The web UI's table: per-user preferences (the page language)."""

from __future__ import annotations

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
