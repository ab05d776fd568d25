"""Who is asking: every read of document content names a principal; there is no open default.

A principal is the workspace owner (sees everything) or a user with groups (sees public
documents and those whose ACL names one of its groups). The CLI acts as the owner (or as a
user with `--group`); the server passes the authenticated user.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ebrain.errors import PermissionDeniedError


@dataclass(frozen=True)
class Principal:
    """The caller of a read: a name, its groups, and whether it owns the workspace."""

    name: str
    groups: tuple[str, ...] = ()
    is_owner: bool = False

    @classmethod
    def owner(cls) -> Principal:
        """The workspace owner: no ACL restriction."""
        return cls("owner", (), True)

    @classmethod
    def user(cls, name: str, groups: Iterable[str] = ()) -> Principal:
        """A user who reads public documents and those shared with one of `groups`."""
        return cls(name, tuple(dict.fromkeys(g for g in groups if g)), False)

    def can_read(self, acl: Iterable[str]) -> bool:
        """True when a document with this ACL (empty = public) is readable."""
        allowed = set(acl)
        return self.is_owner or not allowed or bool(allowed & set(self.groups))


def require_principal(principal: object) -> Principal:
    """The principal, or PermissionDeniedError when the caller named none."""
    if not isinstance(principal, Principal):
        raise PermissionDeniedError(
            "no principal: this read must say who is asking",
            hint="pass principal=Principal.owner() or Principal.user(name, groups)",
        )
    return principal


def require_read(principal: object, acl: Iterable[str], what: str) -> None:
    """Raise PermissionDeniedError unless the principal may read a document with this ACL."""
    if not require_principal(principal).can_read(acl):
        raise PermissionDeniedError(
            f"{what} is not shared with you",
            hint="ask the workspace owner to add one of your groups to its ACL",
        )


def readable(principal: object, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The documents (dicts with an `acl` list) this principal may read."""
    who = require_principal(principal)
    return [d for d in docs if who.can_read(d.get("acl") or ())]
