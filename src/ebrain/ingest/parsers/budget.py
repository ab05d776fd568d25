"""The unpacked-bytes budget of one top-level file.

Every byte inflated out of a container (OOXML, ODF and EPUB parts, the zip members of an
attachment, ...) is charged to the budget of the file being ingested while it is inflated, so a
compression bomb is stopped after at most `limit` bytes, whatever sizes the archive declares.
Nested containers (a DOCX attached to an e-mail attached to an e-mail) share the budget of the
top-level file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ebrain.errors import ParseError

DEFAULT_MAX_INFLATED = 800 * 2**20
"""Default budget: 4 times the default `ingest.max_file_mb` (200 MB)."""


class InflateBudget:
    """How many unpacked bytes one top-level file may still produce."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.opened: dict[int, tuple[bytes, Any]] = {}  # archives read so far, by id of bytes

    def charge(self, size: int) -> None:
        """Count `size` more unpacked bytes; ParseError('too_large') once over the limit."""
        self.used += size
        if self.used > self.limit:
            raise too_large(self.limit)


_CURRENT: ContextVar[InflateBudget | None] = ContextVar("ebrain_inflate_budget", default=None)


@contextmanager
def budget_scope(limit: int | None = None) -> Iterator[InflateBudget]:
    """The budget in force; a new one of `limit` bytes when none is (nested files share it)."""
    found = _CURRENT.get()
    if found is not None:
        yield found
        return
    budget = InflateBudget(DEFAULT_MAX_INFLATED if limit is None else limit)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def current_budget() -> InflateBudget:
    """The budget in force, or a fresh default one (a parser called outside parse_bytes)."""
    return _CURRENT.get() or InflateBudget(DEFAULT_MAX_INFLATED)


def too_large(limit: int) -> ParseError:
    """The 'too_large' error of a file that unpacks to more than `limit` bytes."""
    mib = limit / 2**20
    return ParseError(
        "too_large",
        f"the file expands to more than {mib:,.0f} MiB when unpacked; a compression bomb or an "
        "unusually large document",
        hint="if the file is legitimate, raise ingest.max_inflated_mb "
        "(EBRAIN_INGEST_MAX_INFLATED_MB) and ingest it again",
    )
