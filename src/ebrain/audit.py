"""The audit log: append-only and hash-chained, so that a changed, deleted, reordered or
inserted entry is detected by `verify()` (and `ebrain audit verify`), which names the entry.

Each entry is (seq, at, actor, action, target, detail). Its hash is
`sha256(prev_hash + canonical_json(entry))`, where canonical JSON has sorted keys, no spaces
and UTF-8 text, and `prev_hash` is the previous entry's hash (64 zeros before the first). The
last (seq, hash) is also kept in `meta` (`audit_head`), so deleting the newest entries is seen.

Writers are serialized: reading the head and inserting the next entry happen in one write
transaction (SQLite: BEGIN IMMEDIATE, across threads and processes; other databases: the head
row is locked FOR UPDATE), so the chain never forks.

What the chain does not do: someone who can rewrite the whole database file can recompute
every hash. Keep the head hash that `verify` prints (or the JSONL export, which carries every
hash) outside the workspace, e.g. in a SIEM; an older head must remain a prefix of the chain.

Stable action names: login, login_failed, key_used, key_created, key_revoked, upload, delete,
reingest, user_created, user_disabled, user_enabled, role_changed, group_changed,
password_changed, first_admin_claimed, ask, search, document_type_changed,
document_groups_changed. The text of a question is stored only
when the setting `audit.store_questions` is true (default false: a company may not be allowed
to keep it); the cited document ids always are (`record_ask`).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from ebrain.catalog import audit_queries as q
from ebrain.catalog.db import write_conn
from ebrain.errors import InvalidInputError

ACTIONS = (
    "login",
    "login_failed",
    "key_used",
    "key_created",
    "key_revoked",
    "upload",
    "delete",
    "reingest",
    "user_created",
    "user_disabled",
    "user_enabled",
    "role_changed",
    "group_changed",
    "password_changed",
    "first_admin_claimed",
    "ask",
    "search",
    "document_type_changed",
    "document_groups_changed",
)
MAX_TEXT = 2000  # characters kept of one string in `detail` (the rest is cut, marked "…")
MAX_ITEMS = 200  # items kept of one list or mapping in `detail`
PAGE = 1000  # entries read at a time by verify and export
MAX_PROBLEMS = 100  # problems listed by verify


@dataclass
class VerifyResult:
    """The outcome of checking the chain: `first_bad` is the seq of the first bad entry (None
    when ok); `problems` lists (seq, reason) pairs, at most MAX_PROBLEMS."""

    ok: bool
    checked: int
    first_bad: int | None = None
    reason: str = ""
    head_seq: int = 0
    head_hash: str = q.GENESIS
    problems: list[tuple[int, str]] = field(default_factory=list)

    def add(self, seq: int, reason: str) -> None:
        """Note a problem (the first one becomes first_bad / reason)."""
        if self.ok:
            self.ok, self.first_bad, self.reason = False, seq, reason
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((seq, reason))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `ebrain audit verify --json`."""
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_bad": self.first_bad,
            "reason": self.reason,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "problems": [{"seq": s, "reason": r} for s, r in self.problems],
        }


def canonical(entry: Mapping[str, Any]) -> str:
    """The canonical JSON of an entry's hashed fields."""
    fields = {k: entry[k] for k in ("seq", "at", "actor", "action", "target", "detail")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """sha256(prev_hash + canonical JSON of the entry), hex."""
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def bounded(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy of `value`: long strings, long lists and deep nesting cut, non-finite
    numbers as null, text that is not valid Unicode (lone surrogates) repaired."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth >= 6:
        return "…"
    if isinstance(value, Mapping):
        items = list(value.items())[:MAX_ITEMS]
        return {_text(k): bounded(v, depth + 1) for k, v in items}
    if isinstance(value, list | tuple | set | frozenset):
        return [bounded(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
    return _text(value)


def _text(value: Any) -> str:
    text = str(value)[: MAX_TEXT + 1].encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def now_precise() -> str:
    """The current UTC time, ISO 8601 with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def parse_since(since: str) -> str:
    """An ISO date or date-time as the UTC text it compares against (InvalidInputError else)."""
    try:
        if len(since.strip()) == 10:
            return date.fromisoformat(since.strip()).isoformat()
        moment = datetime.fromisoformat(since.strip())
    except ValueError:
        raise InvalidInputError(
            f"{since!r} is not a date", hint="use YYYY-MM-DD or an ISO date-time"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class AuditLog:
    """Append entries to the chain, check it, export it."""

    def __init__(self, engine: sa.Engine, *, store_questions: bool = False) -> None:
        self.engine = engine
        self.store_questions = store_questions

    def record(
        self,
        action: str,
        *,
        actor: str | None,
        target: str | None = None,
        detail: Mapping[str, Any] | None = None,
        conn: sa.Connection | None = None,
    ) -> int:
        """Append one entry and return its seq. With `conn` (a write transaction already
        open, e.g. the change being audited), the entry commits or rolls back with it."""
        if conn is not None:
            return self._append(conn, action, actor, target, detail)
        with write_conn(self.engine) as own, own.begin():
            return self._append(own, action, actor, target, detail)

    def _append(
        self,
        conn: sa.Connection,
        action: str,
        actor: str | None,
        target: str | None,
        detail: Mapping[str, Any] | None,
    ) -> int:
        head_seq, prev = q.head(conn)
        entry: dict[str, Any] = {
            "seq": max(head_seq, q.last_seq(conn)) + 1,
            "at": now_precise(),
            "actor": None if actor is None else bounded(actor),
            "action": str(action)[:100],
            "target": None if target is None else bounded(target),
            "detail": bounded(dict(detail or {})),
        }
        digest = entry_hash(prev, entry)
        q.append(
            conn,
            {**entry, "detail": _detail_text(entry["detail"]), "prev_hash": prev, "hash": digest},
        )
        return int(entry["seq"])

    def record_ask(
        self,
        *,
        actor: str | None,
        question: str,
        documents: Sequence[int | str],
        detail: Mapping[str, Any] | None = None,
        action: str = "ask",
    ) -> int:
        """Audit a question (or a search): the cited document ids always, the text only when
        `audit.store_questions` is on."""
        extra: dict[str, Any] = {**(detail or {}), "documents": list(documents)}
        if self.store_questions:
            extra["question"] = question
        return self.record(action, actor=actor, detail=extra)

    def verify(self) -> VerifyResult:
        """Walk the chain and report the first (and up to MAX_PROBLEMS) bad entries."""
        with self.engine.connect() as conn:
            head_seq, head_hash = q.head(conn)
            result = VerifyResult(ok=True, checked=0, head_seq=head_seq, head_hash=head_hash)
            walker = _Walker(result)
            after = 0
            while rows := q.page(conn, after, PAGE):
                for row in rows:
                    walker.check(row)
                after = int(rows[-1]["seq"])
            walker.finish(head_seq, head_hash)
        return result

    def export(self, since: str | None = None) -> Iterator[dict[str, Any]]:
        """Entries written at or after `since` (ISO date or date-time; all when None), by seq,
        each with its prev_hash and hash so a SIEM can re-check the chain."""
        start = None if since is None else parse_since(since)
        after = 0
        while True:
            with self.engine.connect() as conn:
                rows = q.page(conn, after, PAGE, since=start)
            for row in rows:
                yield {**row, "detail": _detail_value(row["detail"])}
            if len(rows) < PAGE:
                return
            after = int(rows[-1]["seq"])


def _detail_text(detail: Any) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _detail_value(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


class _Walker:
    """Checks entries in seq order: numbering, the link to the previous entry, the own hash.
    After a problem it goes on from the stored values, so later problems are found too."""

    def __init__(self, result: VerifyResult) -> None:
        self.result = result
        self.expected_seq = 1
        self.prev_hash = q.GENESIS  # the stored hash of the previous entry
        self.prev_prev_hash = ""
        self.prev_ok = True
        self.flagged = False

    def add(self, seq: int, reason: str) -> None:
        """Report a problem found while checking the current entry."""
        self.flagged = True
        self.result.add(seq, reason)

    def check(self, row: Mapping[str, Any]) -> None:
        """Check one entry, then remember it as the previous one."""
        self.result.checked += 1
        seq, self.flagged = int(row["seq"]), False
        if seq != self.expected_seq:
            self._gap(seq)
        elif row["prev_hash"] != self.prev_hash:
            self._broken_link(seq, row)
        else:
            self._own_hash(seq, row)
        self.prev_ok = not self.flagged
        self.expected_seq = seq + 1
        self.prev_prev_hash, self.prev_hash = self.prev_hash, str(row["hash"])

    def _own_hash(self, seq: int, row: Mapping[str, Any]) -> None:
        written = _written_seq(row, seq)
        if written is None:
            self.add(seq, f"entry {seq} was changed (its hash does not match its content)")
        elif written != seq:
            self.add(seq, f"entry {seq} was renumbered (it was written as entry {written})")

    def _gap(self, seq: int) -> None:
        gone = _span(self.expected_seq, seq - 1)
        self.add(self.expected_seq, f"{gone} deleted (seq jumps to {seq})")

    def _broken_link(self, seq: int, row: Mapping[str, Any]) -> None:
        written = _written_seq(row, seq)
        if self.prev_ok and seq > 1 and row["prev_hash"] == self.prev_prev_hash:
            self.add(
                seq - 1,
                f"entry {seq - 1} was inserted (entry {seq} was written "
                f"right after entry {seq - 2})",
            )
        elif written == seq and not self.prev_ok:
            return  # the previous entry's problem, already reported, explains this link
        elif written == seq:
            self.add(
                seq - 1,
                f"entry {seq - 1} was changed or replaced (entry {seq} was "
                "written after another one)",
            )
        elif written is not None:
            self.add(
                seq,
                f"entry {seq} was written as entry {written}: entries were "
                "reordered or one before it was deleted",
            )
        else:
            self.add(seq, f"entry {seq} was changed (its hash does not match its content)")

    def finish(self, head_seq: int, head_hash: str) -> None:
        """Compare the last entry with the head kept in meta."""
        last = self.expected_seq - 1
        if last < head_seq:
            self.add(last + 1, f"{_span(last + 1, head_seq)} deleted (the head is {head_seq})")
        elif last > head_seq:
            self.add(head_seq + 1, f"{_span(head_seq + 1, last)} added after the head")
        elif last and self.prev_hash != head_hash:
            self.add(last, f"entry {last} was replaced (its hash differs from the head's)")


def _span(first: int, last: int) -> str:
    return f"entry {first} was" if first == last else f"entries {first}..{last} were"


def _written_seq(row: Mapping[str, Any], seq: int, around: int = 10) -> int | None:
    """The seq this entry's hash was computed with (its own first, then nearby ones), or None
    when its content no longer matches its hash."""
    entry = _hashed(row)
    candidates: list[int] = [seq, *range(max(1, seq - around), seq + around + 1)]
    for candidate in candidates:
        if entry_hash(str(row["prev_hash"]), {**entry, "seq": candidate}) == row["hash"]:
            return candidate
    return None


def _hashed(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**row, "detail": _detail_value(row["detail"])}
