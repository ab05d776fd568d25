"""What identity hands out: users (with role and groups) and API keys, plus name rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ebrain.auth import Principal
from ebrain.errors import InvalidInputError

ROLES = ("admin", "editor", "viewer")
ROLE_RANK = {"viewer": 0, "editor": 1, "admin": 2}
_NAME = re.compile(r"^\w[\w.@+-]{0,63}$")  # letters of any script, digits, _ . @ + -


@dataclass(frozen=True)
class User:
    """A person or system that logs in. Admins manage users, groups and keys; editors also
    upload, delete and re-ingest; viewers search and ask. The role does not widen what a user
    may read: an admin's principal is filtered by its groups like anyone else's (only the
    workspace owner at the CLI reads everything)."""

    name: str
    role: str
    groups: tuple[str, ...]
    disabled: bool
    email: str = ""
    created_at: str = ""

    def principal(self) -> Principal:
        """The principal reads run as: this user with its groups."""
        return Principal.user(self.name, self.groups)

    def has_role(self, least: str) -> bool:
        """True when this user's role is `least` or above (viewer < editor < admin)."""
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[check_role(least)]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a user (`ebrain user list --json`, the API)."""
        return {
            "name": self.name,
            "role": self.role,
            "groups": list(self.groups),
            "disabled": self.disabled,
            "email": self.email,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class ApiKey:
    """An API key's public side: its id (the prefix shown in listings), owner and limits. The
    key itself is shown once at creation and stored only as a hash."""

    id: str
    user: str
    kbs: tuple[str, ...]
    created: str
    revoked: bool
    last_used: str | None

    def allows_kb(self, kb: str) -> bool:
        """True when this key may reach knowledge base `kb` (no limit = every kb)."""
        return not self.kbs or kb in self.kbs

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a key (never the key itself)."""
        return {
            "id": self.id,
            "user": self.user,
            "kbs": list(self.kbs),
            "created": self.created,
            "revoked": self.revoked,
            "last_used": self.last_used,
        }


def user_of(row: Mapping[str, Any]) -> User:
    """A User from a row of identity_queries (with `groups`)."""
    return User(
        name=str(row["name"]),
        role=str(row["role"]),
        groups=tuple(row["groups"]),
        disabled=bool(row["disabled"]),
        email=str(row.get("email") or ""),
        created_at=str(row.get("created_at") or ""),
    )


def key_of(row: Mapping[str, Any]) -> ApiKey:
    """An ApiKey from a row of identity_queries."""
    return ApiKey(
        id=str(row["id"]),
        user=str(row["user_name"]),
        kbs=tuple(row["kbs"]),
        created=str(row["created_at"]),
        revoked=row["revoked_at"] is not None,
        last_used=row["last_used"],
    )


def check_name(name: str, what: str = "user") -> str:
    """`name` when it is a valid user or group name, else InvalidInputError."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInputError(
            f"{what} name {str(name)[:80]!r} is not allowed",
            hint="use 1-64 letters, digits, or _ . @ + - (no spaces), starting with a letter "
            "or digit",
        )
    return name


def check_role(role: str) -> str:
    """`role` when it is one of ROLES, else InvalidInputError."""
    if role not in ROLES:
        raise InvalidInputError(
            f"unknown role {str(role)[:40]!r}", hint="use one of: " + ", ".join(ROLES)
        )
    return role
