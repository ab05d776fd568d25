"""Firewall wiring for the ask path: policy per assistant and group, events to guard_event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ebrain.catalog.db import write_conn
from ebrain.guard import Guard, GuardResult, Policy
from ebrain.guard.chunks import StoredScore
from ebrain.guard.events import record_events
from ebrain.guard.policy import select_policy
from ebrain.models.usage import UsageRecord, record_usage

# Without a `policies: default:` in config.yaml, asks use this base policy: injected questions
# are blocked, injected chunks neutralized, and ID and card numbers never reach a model or an answer.
_MASK_IDS = {"scanner": "pii", "action": "mask", "labels": ["ID", "CARD"]}
ASK_DEFAULT_POLICY: dict[str, Any] = {
    "input": [{"scanner": "injection", "action": "block"}, _MASK_IDS],
    "context": [{"scanner": "injection", "action": "flag"}, _MASK_IDS],
    "output": [{"scanner": "leakage", "action": "block"}, _MASK_IDS],
}


def ask_policy(section: Mapping[str, Any] | None, assistant: str) -> Policy:
    """The policy of an assistant; the ask default policy is the base when none is declared."""
    merged = dict(section or {})
    merged.setdefault("default", ASK_DEFAULT_POLICY)
    return select_policy(merged, assistant)


@dataclass
class GuardedAsk:
    """One ask's firewall: its guard, the user's groups, and every decision's event rows."""

    guard: Guard
    groups: tuple[str, ...] = ()
    trace_id: str = ""
    user: str = ""
    assistant: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    system_prompt: str = ""

    def _keep(self, result: GuardResult, stage: str) -> GuardResult:
        self.events += result.events(
            stage, trace_id=self.trace_id, user_name=self.user, assistant=self.assistant
        )
        return result

    def question(self, text: str) -> GuardResult:
        """guard(input) on the question."""
        return self._keep(self.guard.scan_input(text, user_groups=self.groups), "input")

    def context(
        self, chunks: list[str], stored: Sequence[StoredScore | None] = ()
    ) -> list[GuardResult]:
        """guard(context) on each chunk before it enters a prompt (stored scores are used,
        their chunks are not scanned for injection again)."""
        results = self.guard.scan_context(chunks, user_groups=self.groups, stored=stored)
        return [self._keep(r, "context") for r in results]

    def answer(self, text: str, system_prompt: str = "") -> GuardResult:
        """guard(output) on the answer."""
        result = self.guard.scan_output(text, system_prompt=system_prompt, user_groups=self.groups)
        return self._keep(result, "output")

    def quote(self, text: str) -> str:
        """A citation quote made safe like an answer (no event: the answer's scan covers it)."""
        return self.guard.scan_output(text, user_groups=self.groups).text or ""


def save_events(engine: sa.Engine, events: list[dict[str, Any]]) -> int:
    """Append guard events to the catalog's guard_event table."""
    if not events:
        return 0
    with write_conn(engine) as conn, conn.begin():
        return record_events(conn, events)


class CatalogUsageSink:
    """A UsageSink that writes every model call to the catalog's model_usage table."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def record(self, rec: UsageRecord) -> None:
        """Insert one usage record."""
        with write_conn(self.engine) as conn, conn.begin():
            record_usage(conn, rec)


def stored_scores(hits: Sequence[Any]) -> list[StoredScore | None]:
    """The stored injection verdict of each hit (None where its chunk was not scored)."""
    return [
        None if h.injection_score is None else StoredScore(h.injection_score, h.injection_rule)
        for h in hits
    ]


def flagged(results: Sequence[GuardResult]) -> list[int]:
    """Positions of the chunks whose context scan found an injection."""
    return [i for i, r in enumerate(results) if any(f.scanner == "injection" for f in r.findings)]
