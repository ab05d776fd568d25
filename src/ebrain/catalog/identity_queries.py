"""The identity tables' queries: users, their groups, API keys, web sessions and the one-time
first-admin token (kept in `meta`). Every function takes the caller's connection, so a change
and its audit entry commit in one transaction (ebrain.identity opens it)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.catalog.db import inserted_id

Row = Mapping[str, Any]

FIRST_ADMIN_KEY = "first_admin_token_sha256"


# --- users and groups --------------------------------------------------------------------
# Built once: the statements that run on every authenticated request (building a statement
# costs more than running it).
_GROUPS_OF = (
    sa.select(t.user_group.c.grp)
    .where(t.user_group.c.user_id == sa.bindparam("uid"))
    .order_by(t.user_group.c.grp)
)
_USER_BY_ID = sa.select(t.app_user).where(t.app_user.c.id == sa.bindparam("uid"))
_KEY = sa.select(t.api_key, t.app_user.c.name.label("user_name")).join(
    t.app_user, t.app_user.c.id == t.api_key.c.user_id
)
_KEY_BY_ID = _KEY.where(t.api_key.c.id == sa.bindparam("kid"))
_SESSION = sa.select(t.web_session).where(t.web_session.c.token_hash == sa.bindparam("th"))


def _with_groups(conn: sa.Connection, rows: Sequence[Row]) -> list[dict[str, Any]]:
    if len(rows) == 1:
        found = [str(g) for g in conn.execute(_GROUPS_OF, {"uid": rows[0]["id"]}).scalars()]
        return [{**rows[0], "groups": found}]
    ids = [int(r["id"]) for r in rows]
    groups: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        q = sa.select(t.user_group).where(t.user_group.c.user_id.in_(ids))
        for g in conn.execute(q.order_by(t.user_group.c.grp)).mappings():
            groups[int(g["user_id"])].append(str(g["grp"]))
    return [{**r, "groups": groups[int(r["id"])]} for r in rows]


def user(conn: sa.Connection, name: str) -> dict[str, Any] | None:
    """The user called `name` (with its `groups`), or None."""
    row = conn.execute(sa.select(t.app_user).where(t.app_user.c.name == name)).mappings().first()
    return _with_groups(conn, [dict(row)])[0] if row is not None else None


def user_by_id(conn: sa.Connection, user_id: int) -> dict[str, Any] | None:
    """The user with this id (with its `groups`), or None."""
    row = conn.execute(_USER_BY_ID, {"uid": user_id}).mappings().first()
    return _with_groups(conn, [dict(row)])[0] if row is not None else None


def user_by_oidc(conn: sa.Connection, sub: str) -> dict[str, Any] | None:
    """The user linked to this OIDC subject, or None."""
    q = sa.select(t.app_user).where(t.app_user.c.oidc_sub == sub)
    row = conn.execute(q).mappings().first()
    return _with_groups(conn, [dict(row)])[0] if row is not None else None


def users(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every user with its groups, by name."""
    rows = [
        dict(r) for r in conn.execute(sa.select(t.app_user).order_by(t.app_user.c.name)).mappings()
    ]
    return _with_groups(conn, rows)


def insert_user(conn: sa.Connection, values: Mapping[str, Any], groups: Iterable[str]) -> int:
    """Add a user row (name, role, password_hash, created_at, ...) and its groups."""
    user_id = inserted_id(conn.execute(sa.insert(t.app_user).values(**values)))
    for grp in dict.fromkeys(groups):
        add_group(conn, user_id, grp)
    return user_id


def update_user(conn: sa.Connection, user_id: int, **values: Any) -> None:
    """Change columns of one user."""
    conn.execute(sa.update(t.app_user).where(t.app_user.c.id == user_id).values(**values))


def add_group(conn: sa.Connection, user_id: int, grp: str) -> bool:
    """Put a user in a group; False when it already was."""
    q = sa.select(t.user_group).where(t.user_group.c.user_id == user_id, t.user_group.c.grp == grp)
    if conn.execute(q).first() is not None:
        return False
    conn.execute(sa.insert(t.user_group).values(user_id=user_id, grp=grp))
    return True


def remove_group(conn: sa.Connection, user_id: int, grp: str) -> bool:
    """Take a user out of a group; False when it was not in it."""
    q = sa.delete(t.user_group).where(t.user_group.c.user_id == user_id, t.user_group.c.grp == grp)
    return conn.execute(q).rowcount > 0


def group_members(conn: sa.Connection) -> dict[str, list[str]]:
    """Every group with its members' names, both sorted."""
    q = (
        sa.select(t.user_group.c.grp, t.app_user.c.name)
        .join(t.app_user, t.app_user.c.id == t.user_group.c.user_id)
        .order_by(t.user_group.c.grp, t.app_user.c.name)
    )
    out: dict[str, list[str]] = {}
    for grp, name in conn.execute(q):
        out.setdefault(str(grp), []).append(str(name))
    return out


def admin_exists(conn: sa.Connection) -> bool:
    """True when some enabled user has the admin role."""
    q = sa.select(t.app_user.c.id).where(
        t.app_user.c.role == "admin", t.app_user.c.disabled == sa.false()
    )
    return conn.execute(q.limit(1)).first() is not None


# --- API keys ----------------------------------------------------------------------------
def insert_key(conn: sa.Connection, values: Mapping[str, Any]) -> None:
    """Store a key row (id, user_id, key_hash, kbs as a list, created_at)."""
    row = {**values, "kbs": json.dumps(list(values.get("kbs", ())), ensure_ascii=False)}
    conn.execute(sa.insert(t.api_key).values(**row))


def key(conn: sa.Connection, key_id: str) -> dict[str, Any] | None:
    """One key row with its user's name (`user_name`), or None."""
    row = conn.execute(_KEY_BY_ID, {"kid": key_id}).mappings().first()
    return _key_dict(dict(row)) if row is not None else None


def keys(conn: sa.Connection, user_id: int | None = None) -> list[dict[str, Any]]:
    """Every key (of one user when given), oldest first."""
    q = _KEY.order_by(t.api_key.c.created_at, t.api_key.c.id)
    if user_id is not None:
        q = q.where(t.api_key.c.user_id == user_id)
    return [_key_dict(dict(r)) for r in conn.execute(q).mappings()]


def _key_dict(row: Row) -> dict[str, Any]:
    return {**row, "kbs": list(json.loads(row["kbs"] or "[]"))}


def revoke_key(conn: sa.Connection, key_id: str, at: str) -> bool:
    """Mark a key revoked; False when it was unknown or already revoked."""
    q = sa.update(t.api_key).where(t.api_key.c.id == key_id, t.api_key.c.revoked_at.is_(None))
    return conn.execute(q.values(revoked_at=at)).rowcount > 0


def touch_key(conn: sa.Connection, key_id: str, at: str) -> None:
    """Record when a key was last used."""
    conn.execute(sa.update(t.api_key).where(t.api_key.c.id == key_id).values(last_used=at))


# --- web sessions ------------------------------------------------------------------------
def insert_session(conn: sa.Connection, values: Mapping[str, Any]) -> None:
    """Store a session row (token_hash, user_id, created_at, expires_at)."""
    conn.execute(sa.insert(t.web_session).values(**values))


def session(conn: sa.Connection, token_hash: str) -> Row | None:
    """The session with this token hash, or None."""
    row = conn.execute(_SESSION, {"th": token_hash}).mappings().first()
    return None if row is None else dict(row)


def delete_session(conn: sa.Connection, token_hash: str) -> bool:
    """End one session; False when there was none."""
    q = sa.delete(t.web_session).where(t.web_session.c.token_hash == token_hash)
    return conn.execute(q).rowcount > 0


def delete_sessions_of(conn: sa.Connection, user_id: int) -> int:
    """End every session of a user; how many there were."""
    q = sa.delete(t.web_session).where(t.web_session.c.user_id == user_id)
    return int(conn.execute(q).rowcount)


def purge_sessions(conn: sa.Connection, now: str) -> int:
    """Delete the sessions that expired before `now`."""
    q = sa.delete(t.web_session).where(t.web_session.c.expires_at <= now)
    return int(conn.execute(q).rowcount)


# --- key/value rows in meta (the first-admin token's hash) --------------------------------
def meta_get(conn: sa.Connection, key_name: str) -> str | None:
    """A value of the meta table, or None."""
    row = conn.execute(sa.select(t.meta.c.value).where(t.meta.c.key == key_name)).first()
    return str(row[0]) if row is not None else None


def meta_set(conn: sa.Connection, key_name: str, value: str) -> None:
    """Insert or replace a value of the meta table."""
    conn.execute(sa.delete(t.meta).where(t.meta.c.key == key_name))
    conn.execute(sa.insert(t.meta).values(key=key_name, value=value))


def meta_take(conn: sa.Connection, key_name: str, value: str) -> bool:
    """Delete a meta row only if it holds `value`: True for the one caller that did."""
    q = sa.delete(t.meta).where(t.meta.c.key == key_name, t.meta.c.value == value)
    return conn.execute(q).rowcount > 0
