"""Typed results of the firewall: findings, guard results, actions and the scanner protocol."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from ebrain.i18n import lang_of

ACTIONS = ("allow", "flag", "mask", "block")
RANK = {name: i for i, name in enumerate(ACTIONS)}
EXCERPT_CHARS = 200


def stronger(a: str, b: str) -> str:
    """The stronger of two actions (allow < flag < mask < block)."""
    return a if RANK[a] >= RANK[b] else b


@dataclass(frozen=True)
class Finding:
    """One match of one scanner rule: where it is, what it is, and what the policy does."""

    scanner: str
    rule: str
    action: str
    start: int
    end: int
    label: str
    score: float = 1.0


@dataclass
class GuardResult:
    """A guard's decision on one text: the action, the safe text to use and the findings."""

    action: str
    text: str
    findings: list[Finding] = field(default_factory=list)
    original: str = ""

    @property
    def blocked(self) -> bool:
        """True when the policy refuses this text."""
        return self.action == "block"

    def events(
        self, stage: str, *, trace_id: str = "", user_name: str = "", assistant: str = ""
    ) -> list[dict[str, Any]]:
        """Rows for the guard_event table: one per finding, excerpts from the masked text."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        lang = lang_of(self.original or self.text)
        return [
            {
                "at": now,
                "stage": stage,
                "scanner": f.scanner,
                "rule": f.rule,
                "action": f.action,
                "lang": lang,
                "excerpt": self._excerpt(f),
                "trace_id": trace_id,
                "user_name": user_name,
                "assistant": assistant,
            }
            for f in self.findings
        ]

    def _excerpt(self, finding: Finding) -> str:
        """A short window of the safe text near the finding (never the raw PII)."""
        from ebrain.guard.pii import mask_all

        safe = mask_all(self.original or self.text)
        start = max(0, min(finding.start, len(safe)) - 60)
        return safe[start : start + EXCERPT_CHARS]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (no original text)."""
        return {
            "action": self.action,
            "text": self.text,
            "findings": [asdict(f) for f in self.findings],
        }


class Scanner(Protocol):
    """A scanner looks at text and reports findings (it does not decide the action)."""

    name: str

    def scan(self, text: str) -> list[Finding]:
        """Findings in `text`, with action left as 'flag' for the policy to override."""
        ...
