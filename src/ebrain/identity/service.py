"""Identity: users, groups, roles, passwords, API keys, web sessions and the first admin.

Every change (user created or disabled, role, group, password, key created or revoked, first
admin claimed) is written to the audit log in the same transaction as the change itself, with
the `actor` the caller names ("cli:alice", "user:bob"). Logins, failed logins and key use are
recorded by the caller (the server knows the route and the client); this module only answers
who someone is.

No default password exists. The first admin is created by `ebrain user create NAME --role
admin`, or claimed with the one-time token of `first_admin_token()`, which the server prints
at start while no admin exists: each call replaces the previous token (only its SHA-256 is
stored), and a claim succeeds once, only while there is still no admin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ebrain.audit import AuditLog
from ebrain.catalog import identity_queries as q
from ebrain.catalog.db import write_conn
from ebrain.catalog.queries import Catalog
from ebrain.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from ebrain.identity import tokens
from ebrain.identity.model import (
    ApiKey,
    User,
    check_name,
    check_role,
    key_of,
    user_of,
)

Clock = Callable[[], datetime]
KEY_TOUCH_S = 60  # last_used is written at most once a minute per key (one write, not one per call)
MAX_SESSION_S = 366 * 86_400
MAX_GROUPS = 200


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Identity:
    """Users, groups, keys and sessions of one workspace catalog."""

    def __init__(
        self, engine: sa.Engine, audit: AuditLog | None = None, clock: Clock = _utc_now
    ) -> None:
        self.engine = engine
        self.audit = audit
        self.clock = clock

    # --- helpers --------------------------------------------------------------------------
    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds")

    def _log(
        self, conn: sa.Connection, action: str, actor: str | None, target: str, **detail: Any
    ) -> None:
        if self.audit is not None:
            self.audit.record(action, actor=actor, target=target, detail=detail, conn=conn)

    def _row(self, conn: sa.Connection, name: str) -> dict[str, Any]:
        row = q.user(conn, name)
        if row is None:
            raise NotFoundError(f"no user named {str(name)[:80]!r}", hint="see `ebrain user list`")
        return row

    # --- users ----------------------------------------------------------------------------
    def create_user(
        self,
        name: str,
        *,
        groups: Sequence[str] = (),
        role: str = "viewer",
        password: str | None = None,
        actor: str | None = None,
    ) -> User:
        """Create a user (a password is optional: without one it can only use API keys)."""
        check_name(name)
        groups = _groups(groups)
        values = {"name": name, "role": check_role(role), "created_at": self._now()}
        values["updated_at"] = values["created_at"]
        if password is not None:
            values["password_hash"] = tokens.hash_password(password)
        with write_conn(self.engine) as conn, conn.begin():
            if q.user(conn, name) is not None:
                raise InvalidInputError(f"user {name!r} already exists", hint="pick another name")
            q.insert_user(conn, values, groups)
            self._log(conn, "user_created", actor, name, role=role, groups=list(groups))
            return user_of(self._row(conn, name))

    def get_user(self, name: str) -> User | None:
        """The user called `name`, or None."""
        with self.engine.connect() as conn:
            row = q.user(conn, name)
        return None if row is None else user_of(row)

    def list_users(self) -> list[User]:
        """Every user, by name."""
        with self.engine.connect() as conn:
            return [user_of(r) for r in q.users(conn)]

    def disable_user(self, name: str, *, actor: str | None = None) -> None:
        """Disable a user: no login, no key, and its sessions end now."""
        self._set_disabled(name, True, actor)

    def enable_user(self, name: str, *, actor: str | None = None) -> None:
        """Enable a disabled user again."""
        self._set_disabled(name, False, actor)

    def _set_disabled(self, name: str, disabled: bool, actor: str | None) -> None:
        with write_conn(self.engine) as conn, conn.begin():
            row = self._row(conn, name)
            q.update_user(conn, row["id"], disabled=disabled, updated_at=self._now())
            if disabled:
                q.delete_sessions_of(conn, row["id"])
            self._log(conn, "user_disabled" if disabled else "user_enabled", actor, name)

    def set_role(self, name: str, role: str, *, actor: str | None = None) -> None:
        """Change a user's role (admin, editor or viewer)."""
        check_role(role)
        with write_conn(self.engine) as conn, conn.begin():
            row = self._row(conn, name)
            q.update_user(conn, row["id"], role=role, updated_at=self._now())
            self._log(conn, "role_changed", actor, name, before=row["role"], after=role)

    def set_password(self, name: str, password: str, *, actor: str | None = None) -> None:
        """Set a user's password (its other sessions end)."""
        digest = tokens.hash_password(password)
        with write_conn(self.engine) as conn, conn.begin():
            row = self._row(conn, name)
            q.update_user(conn, row["id"], password_hash=digest, updated_at=self._now())
            q.delete_sessions_of(conn, row["id"])
            self._log(conn, "password_changed", actor, name)

    def check_password(self, name: str, password: str) -> User | None:
        """The user when the password is right and the user enabled; None otherwise (unknown
        users take one argon2 verification too, like known ones)."""
        with self.engine.connect() as conn:
            row = q.user(conn, name) if isinstance(name, str) and len(name) <= 64 else None
        stored = None if row is None else row["password_hash"]
        if not tokens.verify_password(stored, password) or row is None or row["disabled"]:
            return None
        if tokens.needs_rehash(str(stored)):
            self._rehash(int(row["id"]), password)
        return user_of(row)

    def _rehash(self, user_id: int, password: str) -> None:
        with write_conn(self.engine) as conn, conn.begin():
            q.update_user(conn, user_id, password_hash=tokens.hash_password(password))

    # --- groups ---------------------------------------------------------------------------
    def add_to_group(self, name: str, group: str, *, actor: str | None = None) -> None:
        """Put a user in a group (no change when it already is)."""
        self._change_group(name, check_name(group, "group"), True, actor)

    def remove_from_group(self, name: str, group: str, *, actor: str | None = None) -> None:
        """Take a user out of a group (no change when it is not in it)."""
        self._change_group(name, group, False, actor)

    def _change_group(self, name: str, group: str, add: bool, actor: str | None) -> None:
        with write_conn(self.engine) as conn, conn.begin():
            row = self._row(conn, name)
            change = q.add_group if add else q.remove_group
            if change(conn, row["id"], group):
                verb = "added" if add else "removed"
                self._log(conn, "group_changed", actor, name, group=group, change=verb)

    def list_groups(self) -> dict[str, list[str]]:
        """Every group that has members, with their names."""
        with self.engine.connect() as conn:
            return q.group_members(conn)

    # --- API keys -------------------------------------------------------------------------
    def create_key(
        self, user: str, *, kbs: Sequence[str] = (), actor: str | None = None
    ) -> tuple[str, ApiKey]:
        """A new key for `user`, limited to `kbs` when given: (the raw key, shown once; its
        public record). Only the key's SHA-256 is stored."""
        kbs = tuple(dict.fromkeys(kbs))
        key_id, raw = tokens.new_api_key()
        with write_conn(self.engine) as conn, conn.begin():
            row = self._row(conn, user)
            for kb in kbs:
                Catalog(self.engine).kb_id(conn, kb)  # NotFoundError names the known kbs
            values = {"id": key_id, "user_id": row["id"], "kbs": kbs, "created_at": self._now()}
            q.insert_key(conn, {**values, "key_hash": tokens.digest(raw)})
            self._log(conn, "key_created", actor, user, key_id=key_id, kbs=list(kbs))
            found = q.key(conn, key_id)
        assert found is not None
        return raw, key_of(found)

    def revoke_key(self, key_id: str, *, actor: str | None = None) -> None:
        """Revoke a key (it stops working at once); NotFoundError for an unknown id."""
        with write_conn(self.engine) as conn, conn.begin():
            row = q.key(conn, key_id)
            if row is None:
                raise NotFoundError(
                    f"no API key {str(key_id)[:40]!r}", hint="see `ebrain key list`"
                )
            if q.revoke_key(conn, key_id, self._now()):
                self._log(conn, "key_revoked", actor, str(row["user_name"]), key_id=key_id)

    def list_keys(self, user: str | None = None) -> list[ApiKey]:
        """Every key (of one user when given), oldest first; never the keys themselves."""
        with self.engine.connect() as conn:
            user_id = None if user is None else self._row(conn, user)["id"]
            return [key_of(r) for r in q.keys(conn, user_id)]

    def authenticate_key(self, raw: str) -> tuple[User, ApiKey] | None:
        """The user and key a presented API key belongs to; None when it is unknown, revoked
        or its user disabled."""
        key_id = tokens.key_id_of(raw)
        if key_id is None:
            return None
        with self.engine.connect() as conn:
            row = q.key(conn, key_id)
            owner = None if row is None else q.user_by_id(conn, int(row["user_id"]))
        if row is None or owner is None or not tokens.same(row["key_hash"], tokens.digest(raw)):
            return None
        if row["revoked_at"] is not None or owner["disabled"]:
            return None
        self._touch(row)
        return user_of(owner), key_of(row)

    def _touch(self, row: Mapping[str, Any]) -> None:
        now = self.clock().astimezone(UTC)
        last = row["last_used"]
        if last and now - datetime.fromisoformat(last) < timedelta(seconds=KEY_TOUCH_S):
            return
        with write_conn(self.engine) as conn, conn.begin():
            q.touch_key(conn, str(row["id"]), now.isoformat(timespec="seconds"))

    # --- web sessions ---------------------------------------------------------------------
    def create_session(self, user: str, ttl_s: int) -> str:
        """A new session token for an enabled user, valid `ttl_s` seconds (the cookie's value;
        only its SHA-256 is stored). Expired sessions are purged on the way."""
        if not 1 <= int(ttl_s) <= MAX_SESSION_S:
            raise InvalidInputError(f"session lifetime {ttl_s} s is out of range")
        token, now = tokens.new_token(32), self.clock().astimezone(UTC)
        expires = (now + timedelta(seconds=int(ttl_s))).isoformat(timespec="seconds")
        with write_conn(self.engine) as conn, conn.begin():
            row = self._row(conn, user)
            if row["disabled"]:
                raise PermissionDeniedError(f"user {user!r} is disabled")
            q.purge_sessions(conn, self._now())
            values = {"token_hash": tokens.digest(token), "user_id": row["id"]}
            q.insert_session(conn, {**values, "created_at": self._now(), "expires_at": expires})
        return token

    def session_user(self, token: str) -> User | None:
        """The enabled user of a live session, or None (unknown, expired, ended or disabled)."""
        if not isinstance(token, str) or not token or len(token) > tokens.MAX_TOKEN:
            return None
        with self.engine.connect() as conn:
            row = q.session(conn, tokens.digest(token))
            if row is None or row["expires_at"] <= self._now():
                return None
            owner = q.user_by_id(conn, int(row["user_id"]))
        return None if owner is None or owner["disabled"] else user_of(owner)

    def end_session(self, token: str) -> None:
        """End a session (logout); nothing happens for an unknown token."""
        if isinstance(token, str) and token and len(token) <= tokens.MAX_TOKEN:
            with write_conn(self.engine) as conn, conn.begin():
                q.delete_session(conn, tokens.digest(token))

    # --- the first admin ------------------------------------------------------------------
    def first_admin_token(self) -> str | None:
        """While no enabled admin exists: a new one-time token (replacing any earlier one) to
        claim the first admin account with; None once an admin exists. Call it once per
        server start, in one process."""
        token = tokens.new_token(24)
        with write_conn(self.engine) as conn, conn.begin():
            if q.admin_exists(conn):
                return None
            q.meta_set(conn, q.FIRST_ADMIN_KEY, tokens.digest(token))
        return token

    def claim_first_admin(self, token: str, name: str, password: str) -> User:
        """Create the first admin with the one-time token; the token is used up. Raises
        PermissionDeniedError for a wrong or used token, or when an admin already exists."""
        check_name(name)
        digest = tokens.hash_password(password)
        denied = PermissionDeniedError(
            "this first-admin token is not valid", hint="restart the server for a new one"
        )
        if not isinstance(token, str) or not token or len(token) > tokens.MAX_TOKEN:
            raise denied
        with write_conn(self.engine) as conn, conn.begin():
            if not q.meta_take(conn, q.FIRST_ADMIN_KEY, tokens.digest(token)):
                raise denied
            if q.admin_exists(conn) or q.user(conn, name) is not None:
                raise PermissionDeniedError("an admin exists already or the name is taken")
            now = self._now()
            values = {"name": name, "role": "admin", "password_hash": digest}
            q.insert_user(conn, {**values, "created_at": now, "updated_at": now}, ())
            self._log(conn, "first_admin_claimed", name, name, role="admin")
            return user_of(self._row(conn, name))

    # --- OIDC -----------------------------------------------------------------------------
    def user_from_oidc(
        self,
        claims: Mapping[str, Any],
        *,
        default_role: str = "viewer",
        group_claim: str = "groups",
    ) -> User:
        """The user for verified OIDC ID-token claims (the caller checks the token).

        Found by `sub` (the stable subject), never by name or email: an identity provider
        account called "admin" does not take over a local user "admin". A new subject gets
        a new user named from `preferred_username`, the email's local part or `sub` (made
        unique with a suffix), with `default_role`. The groups in `group_claim` replace the
        user's groups at each login; the role stays as an admin set it. A disabled user is
        refused (PermissionDeniedError)."""
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub or len(sub) > 255:
            raise InvalidInputError("the OIDC claims have no usable `sub`")
        check_role(default_role)
        groups = _oidc_groups(claims.get(group_claim))
        email = str(claims.get("email") or "")[:320]
        with write_conn(self.engine) as conn, conn.begin():
            row = q.user_by_oidc(conn, sub)
            if row is None:
                row = self._oidc_create(conn, sub, claims, default_role, email)
            if row["disabled"]:
                raise PermissionDeniedError(f"user {row['name']!r} is disabled")
            self._sync_groups(conn, row, groups)
            q.update_user(conn, row["id"], email=email, updated_at=self._now())
            return user_of(self._row(conn, str(row["name"])))

    def _oidc_create(
        self, conn: sa.Connection, sub: str, claims: Mapping[str, Any], role: str, email: str
    ) -> dict[str, Any]:
        name = _unique_name(conn, _oidc_name(claims, sub), sub)
        now = self._now()
        values = {"name": name, "role": role, "oidc_sub": sub, "email": email}
        q.insert_user(conn, {**values, "created_at": now, "updated_at": now}, ())
        self._log(conn, "user_created", f"oidc:{sub[:80]}", name, role=role, via="oidc")
        return self._row(conn, name)

    def _sync_groups(self, conn: sa.Connection, row: Mapping[str, Any], groups: list[str]) -> None:
        have, want = set(row["groups"]), set(groups)
        for grp in sorted(want - have):
            q.add_group(conn, row["id"], grp)
        for grp in sorted(have - want):
            q.remove_group(conn, row["id"], grp)
        if have != want:
            detail = {"added": sorted(want - have), "removed": sorted(have - want), "via": "oidc"}
            self._log(conn, "group_changed", f"oidc:{row['oidc_sub']}", row["name"], **detail)


def _groups(groups: Sequence[str]) -> tuple[str, ...]:
    if isinstance(groups, str):
        groups = (groups,)
    if len(groups) > MAX_GROUPS:
        raise InvalidInputError(f"at most {MAX_GROUPS} groups per user")
    return tuple(dict.fromkeys(check_name(g, "group") for g in groups))


def _oidc_groups(value: Any) -> list[str]:
    """The groups of an OIDC claim (a list or a comma-separated string); invalid names are
    dropped, at most MAX_GROUPS kept."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        return []
    names = (str(g).strip() for g in items if isinstance(g, str | int))
    return list(dict.fromkeys(g for g in names if _valid(g)))[:MAX_GROUPS]


def _valid(name: str) -> bool:
    try:
        check_name(name, "group")
    except InvalidInputError:
        return False
    return True


def _oidc_name(claims: Mapping[str, Any], sub: str) -> str:
    for candidate in (claims.get("preferred_username"), str(claims.get("email") or "")):
        text = str(candidate or "").split("@")[0].strip()[:48]
        if text and _valid(text):
            return text
    return "oidc-" + tokens.digest(sub)[:12]


def _unique_name(conn: sa.Connection, name: str, sub: str) -> str:
    if q.user(conn, name) is None:
        return name
    return f"{name}-{tokens.digest(sub)[:8]}"
