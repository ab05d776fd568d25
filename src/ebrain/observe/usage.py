"""The usage dashboard's figures over a window of days: questions per day, answer latency p50/p95,
tokens and cost per model, the thumbs-up rate, the most frequent refused questions and the most
cited documents.

Scope: `actor=None` counts everyone's questions (the admin view); `actor=name` only that user's.
Cited documents are always filtered by the reader's DocScope inside the catalog query: a document
the reader may not see is neither named nor counted.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ebrain.catalog.dashboard_queries import AskRow, DashboardQueries
from ebrain.catalog.queries import DocScope

MAX_DAYS = 366
TOP = 10
MAX_QUESTION_CHARS = 300


@dataclass
class UsageReport:
    """What the dashboard shows (JSON-ready through `to_dict`)."""

    days: int
    since: str
    everyone: bool
    questions_per_day: list[tuple[str, int]] = field(default_factory=list)
    refused_per_day: list[tuple[str, int]] = field(default_factory=list)
    latency_per_day: list[tuple[str, float | None, float | None]] = field(default_factory=list)
    models: list[dict[str, Any]] = field(default_factory=list)
    thumbs_up: int = 0
    thumbs_down: int = 0
    refused_questions: list[tuple[str, int]] = field(default_factory=list)
    questions_stored: bool = False
    top_documents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def questions(self) -> int:
        """Questions in the window."""
        return sum(n for _, n in self.questions_per_day)

    @property
    def refused(self) -> int:
        """Refused questions in the window."""
        return sum(n for _, n in self.refused_per_day)

    @property
    def thumbs_up_rate(self) -> float | None:
        """Thumbs up / all thumbs (None without any)."""
        total = self.thumbs_up + self.thumbs_down
        return self.thumbs_up / total if total else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape."""
        return {
            "days": self.days,
            "since": self.since,
            "everyone": self.everyone,
            "questions": self.questions,
            "refused": self.refused,
            "questions_per_day": [{"day": d, "questions": n} for d, n in self.questions_per_day],
            "latency_per_day": [
                {"day": d, "p50_ms": p50, "p95_ms": p95} for d, p50, p95 in self.latency_per_day
            ],
            "models": self.models,
            "thumbs_up": self.thumbs_up,
            "thumbs_down": self.thumbs_down,
            "thumbs_up_rate": self.thumbs_up_rate,
            "refused_questions": [{"question": q, "count": n} for q, n in self.refused_questions],
            "questions_stored": self.questions_stored,
            "top_documents": self.top_documents,
        }


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation between ranks (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * min(max(q, 0.0), 100.0) / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def usage_report(
    engine: sa.Engine,
    scope: DocScope,
    *,
    actor: str | None = None,
    days: int = 30,
    today: date | None = None,
) -> UsageReport:
    """The dashboard over the last `days` days (today included)."""
    days = min(max(int(days), 1), MAX_DAYS)
    first = (today or datetime.now(UTC).date()) - timedelta(days=days - 1)
    queries = DashboardQueries(engine)
    asks = queries.asks(first.isoformat(), actor)
    report = UsageReport(days, first.isoformat(), actor is None)
    _per_day(report, asks, first, days)
    report.refused_questions, report.questions_stored = _refused_questions(asks)
    report.thumbs_up, report.thumbs_down = queries.feedback_counts(first.isoformat(), actor)
    report.top_documents = _top_documents(queries, asks, scope)
    if actor is None:  # model calls are not tied to a user: the admin view only
        report.models = _models(queries, datetime(first.year, first.month, first.day))
    return report


def _per_day(report: UsageReport, asks: list[AskRow], first: date, days: int) -> None:
    labels = [(first + timedelta(days=i)).isoformat() for i in range(days)]
    asked: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    latency: dict[str, list[float]] = defaultdict(list)
    for row in asks:
        day = row.at[:10]
        asked[day] += 1
        refused[day] += row.detail.get("refused") is True
        ms = row.detail.get("latency_ms")
        if isinstance(ms, int | float) and math.isfinite(ms) and ms >= 0:
            latency[day].append(float(ms))
    report.questions_per_day = [(d, asked[d]) for d in labels]
    report.refused_per_day = [(d, refused[d]) for d in labels]
    report.latency_per_day = [
        (d, percentile(latency[d], 50), percentile(latency[d], 95)) for d in labels
    ]


def _refused_questions(asks: list[AskRow]) -> tuple[list[tuple[str, int]], bool]:
    """The most frequent refused questions (text kept only with audit.store_questions)."""
    counts: Counter[str] = Counter()
    display: dict[str, str] = {}
    stored = False
    for row in asks:
        text = row.detail.get("question")
        if not isinstance(text, str):
            continue
        stored = True
        if row.detail.get("refused") is True and text.strip():
            key = " ".join(text.split()).casefold()
            display.setdefault(key, " ".join(text.split())[:MAX_QUESTION_CHARS])
            counts[key] += 1
    return [(display[k], n) for k, n in counts.most_common(TOP)], stored


def _top_documents(
    queries: DashboardQueries, asks: list[AskRow], scope: DocScope
) -> list[dict[str, Any]]:
    cited: Counter[int] = Counter()
    for row in asks:
        ids = row.detail.get("documents")
        if isinstance(ids, list):
            cited.update({i for i in ids if isinstance(i, int) and not isinstance(i, bool)})
    visible = queries.visible_documents(cited, scope)
    ranked = sorted(visible, key=lambda i: (-cited[i], i))[:TOP]
    return [{"id": i, **visible[i], "citations": cited[i]} for i in ranked]


def _models(queries: DashboardQueries, since: datetime) -> list[dict[str, Any]]:
    latencies: dict[str, list[float]] = defaultdict(list)
    for model, ms in queries.model_latencies(since):
        latencies[model].append(ms)
    out = []
    for row in queries.model_totals(since):
        values = latencies.get(str(row["model"]), [])
        row["cost"] = round(float(row["cost"]), 6)
        out.append({**row, "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95)})
    return out
