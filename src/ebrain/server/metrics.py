"""Prometheus metrics of one app (its own registry, so several apps can live in one process).

With `ebrain serve --workers N` the processes share one PROMETHEUS_MULTIPROC_DIR (set by the
serve command before the workers start): each writes its values there, and /metrics, whichever
process answers, renders the sum over all of them.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.4, 0.6, 1, 2.5, 5, 10, 30)


class Metrics:
    """Requests and latency per route, retrieval and model latency, tokens and cost per
    model, ingest files and bytes, guard events and errors."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.requests = Counter(
            "ebrain_http_requests", "HTTP requests.", ["route", "method", "status"], registry=r
        )
        self.latency = Histogram(
            "ebrain_http_request_seconds",
            "HTTP latency.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.retrieval = Histogram(
            "ebrain_retrieval_seconds", "Retrieval latency.", buckets=LATENCY_BUCKETS, registry=r
        )
        self.model_latency = Histogram(
            "ebrain_model_seconds",
            "Model call latency.",
            ["model"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.tokens = Counter("ebrain_model_tokens", "Model tokens.", ["model", "kind"], registry=r)
        self.cost = Counter(
            "ebrain_model_cost", "Model cost (configured currency).", ["model"], registry=r
        )
        self.ingest_files = Counter("ebrain_ingest_files", "Ingested files.", ["state"], registry=r)
        self.ingest_bytes = Counter("ebrain_ingest_bytes", "Uploaded bytes ingested.", registry=r)
        self.guard = Counter(
            "ebrain_guard_events", "AI firewall events.", ["stage", "action"], registry=r
        )
        self.errors = Counter("ebrain_errors", "Error responses by code.", ["code"], registry=r)

    def render(self) -> bytes:
        """The text exposition format (of every worker process, when there are several)."""
        if not os.environ.get(MULTIPROC_ENV):
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)
        return generate_latest(merged)

    def observe_search(self, timings_ms: dict[str, float]) -> None:
        """Retrieval latency from a SearchResult's timings."""
        total = timings_ms.get("total") or sum(timings_ms.values())
        self.retrieval.observe(float(total) / 1000)

    def observe_answer(self, answer: Any, seconds: float) -> None:
        """Model latency, tokens and cost, and guard events, of one Answer."""
        model = str(answer.model or "extractive")
        usage = answer.usage or {}
        self.model_latency.labels(model).observe(
            float(usage.get("latency_ms", seconds * 1000)) / 1000
        )
        for kind in ("prompt_tokens", "completion_tokens"):
            self.tokens.labels(model, kind.split("_")[0]).inc(int(usage.get(kind) or 0))
        self.cost.labels(model).inc(float(usage.get("cost") or 0.0))
        for event in answer.guard_events or []:
            self.guard.labels(str(event.get("stage", "")), str(event.get("action", ""))).inc()
