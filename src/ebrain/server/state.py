"""What the routes share: the Brain, the job runner, the rate limiter, the metrics, audit."""

from __future__ import annotations

import logging
from typing import Any

from ebrain.catalog.jobs import JobQueries
from ebrain.errors import ConfigError
from ebrain.ingest.report import FileResult
from ebrain.server.jobs import JobRunner
from ebrain.server.limits import RateLimiter
from ebrain.server.metrics import Metrics

log = logging.getLogger("ebrain.server")


class ServerState:
    """One per app: built from an opened Brain; the routes reach it as app.state.server."""

    def __init__(self, brain: Any, metrics: Metrics) -> None:
        self.brain = brain
        self.config = brain.config
        self.metrics = metrics
        self.limiter = RateLimiter(
            int(self.config.get("server.rate_per_minute")),
            int(self.config.get("server.rate_burst")),
        )
        self.jobs = JobRunner(brain, on_file=self._ingested)
        self.queries = JobQueries(brain.engine)
        self.oidc_states: dict[str, tuple[float, str]] = {}

    def setting(self, key: str, default: Any = None) -> Any:
        """A declared setting, or `default` when this build does not declare it."""
        try:
            return self.config.get(key)
        except ConfigError:
            return default

    def audit(
        self,
        action: str,
        actor: str | None,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append to the audit log (a failure is logged; it never answers the request)."""
        try:
            self.brain.audit.record(action, actor=actor, target=target, detail=detail)
        except Exception:
            log.exception("audit record %s failed", action)

    def audit_question(
        self, action: str, actor: str, question: str, documents: list[int], detail: dict[str, Any]
    ) -> None:
        """Audit an ask or a search: document ids always, the text only when
        `audit.store_questions` is on."""
        try:
            self.brain.audit.record_ask(
                actor=actor, question=question, documents=documents, detail=detail, action=action
            )
        except Exception:
            log.exception("audit record %s failed", action)

    def _ingested(self, row: dict[str, Any], result: FileResult | None) -> None:
        self.metrics.ingest_files.labels(str(row["state"])).inc()
        if row["state"] == "done" and result is not None and result.status in ("added", "updated"):
            self.metrics.ingest_bytes.inc(int(row.get("size") or 0))
