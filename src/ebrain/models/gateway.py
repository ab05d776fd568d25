"""The gateway: route, call with retries and fallback, stream, and record usage."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ebrain.errors import NotFoundError
from ebrain.models.catalog import ModelCatalog, ModelSpec
from ebrain.models.errors import ModelError
from ebrain.models.providers import build_provider
from ebrain.models.routing import Attempt, RouteContext, RouteDecision, RoutingPolicy
from ebrain.models.types import (
    ChatMessage,
    Completion,
    CompletionRequest,
    ModelProvider,
    StreamingProvider,
    StreamItem,
    Usage,
)
from ebrain.models.usage import NullUsageSink, UsageRecord, UsageSink

log = logging.getLogger(__name__)
T = TypeVar("T")
HEALTH_PROMPT = "Reply with the single word OK."


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff; Retry-After is honoured up to `max_wait`."""

    max_attempts: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_wait: float = 30.0
    retry_on: frozenset[str] = field(
        default_factory=lambda: frozenset({"rate_limited", "server_error", "unavailable"})
    )

    def for_spec(self, spec: ModelSpec) -> RetryPolicy:
        """This policy with the model's own `max_attempts` / `backoff_base` overrides."""
        return RetryPolicy(
            max_attempts=spec.max_attempts or self.max_attempts,
            backoff_base=self.backoff_base if spec.backoff_base is None else spec.backoff_base,
            backoff_max=self.backoff_max,
            max_wait=self.max_wait,
            retry_on=self.retry_on,
        )

    def delay(self, error: ModelError, try_number: int) -> float | None:
        """Seconds to wait before the next try, or None to stop trying this model."""
        if error.reason not in self.retry_on or try_number >= self.max_attempts:
            return None
        if error.retry_after is not None:
            return error.retry_after if error.retry_after <= self.max_wait else None
        return float(min(self.backoff_max, self.backoff_base * 2.0 ** (try_number - 1)))


@dataclass(frozen=True)
class HealthResult:
    """Outcome of a tiny test completion against one model."""

    alias: str
    ok: bool
    latency_ms: float
    model: str = ""
    reply: str = ""
    reason: str | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return dict(self.__dict__)


class Gateway:
    """One entry point over every declared model."""

    def __init__(
        self,
        catalog: ModelCatalog,
        sink: UsageSink | None = None,
        routing_policy: RoutingPolicy | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.catalog = catalog
        self.sink: UsageSink = sink or NullUsageSink()
        self.policy = routing_policy or RoutingPolicy()
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._providers: dict[str, ModelProvider] = {}
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """False in extractive mode (no generating model declared)."""
        return self.catalog.has_models

    def provider(self, spec: ModelSpec) -> ModelProvider:
        """The (cached) provider of a model."""
        with self._lock:
            if spec.alias not in self._providers:
                self._providers[spec.alias] = build_provider(spec)
            return self._providers[spec.alias]

    def route(
        self,
        request: CompletionRequest,
        context: RouteContext | None = None,
        model: str | None = None,
        fallback: bool = True,
    ) -> RouteDecision:
        """Decide the candidate chain for a request without calling anything."""
        self._require_model(model)
        return self.policy.decide(self.catalog, request, context, model, fallback)

    def complete(
        self,
        request: CompletionRequest,
        *,
        model: str | None = None,
        context: RouteContext | None = None,
        trace_id: str | None = None,
        fallback: bool = True,
    ) -> Completion:
        """Complete a request on the routed model, retrying and falling back as needed."""
        decision = self.route(request, context, model, fallback)
        run = _Run(self, decision, trace_id)
        completion, spec = run.call(lambda s: self.provider(s).complete(request))
        return run.finish(completion, spec)

    def stream(
        self,
        request: CompletionRequest,
        *,
        model: str | None = None,
        context: RouteContext | None = None,
        trace_id: str | None = None,
        fallback: bool = True,
    ) -> Iterator[StreamItem]:
        """Text deltas, then the final Completion. Fallback happens before the first delta."""
        decision = self.route(request, context, model, fallback)
        run = _Run(self, decision, trace_id)
        (first, rest), spec = run.call(lambda s: _open_stream(self.provider(s), request))
        yield from run.relay(first, rest, spec)

    def health(self, alias: str, timeout: float | None = None) -> HealthResult:
        """A tiny completion against one model, with no retries or fallback."""
        spec = self.catalog.get(alias)
        request = CompletionRequest([ChatMessage("user", HEALTH_PROMPT)], 8, 0.0)
        start = time.perf_counter()
        try:
            done = _probe_gateway(self, spec, timeout).complete(
                request, model=alias, fallback=False
            )
        except ModelError as exc:
            return HealthResult(
                alias, False, _ms(start), spec.model_name, "", exc.reason, exc.message
            )
        return HealthResult(alias, True, done.latency_ms, done.model, done.text.strip())

    def _require_model(self, model: str | None) -> None:
        if model is None and not self.available:
            raise ModelError("not_configured", "no model is configured (extractive mode)")

    def _record(
        self, spec: ModelSpec, run: _Run, usage: Usage, latency: float, error: ModelError | None
    ) -> None:
        rec = UsageRecord(
            model=spec.model_name or spec.provider,
            alias=spec.alias,
            role=_role(spec, run.decision.target),
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost=usage.cost,
            latency_ms=latency,
            ok=error is None,
            error=error.reason if error else None,
            trace_id=run.trace_id,
        )
        try:
            self.sink.record(rec)
        except Exception:  # a broken sink must not break answers
            log.exception("usage sink failed")


def _probe_gateway(gw: Gateway, spec: ModelSpec, timeout: float | None) -> Gateway:
    """A one-try gateway for health checks (optionally with a shorter timeout)."""
    if timeout is not None:
        from dataclasses import replace

        spec = replace(spec, timeout=timeout)
        return Gateway(ModelCatalog([spec]), gw.sink, gw.policy, RetryPolicy(max_attempts=1))
    return Gateway(gw.catalog, gw.sink, gw.policy, RetryPolicy(max_attempts=1))


def _open_stream(
    provider: ModelProvider, request: CompletionRequest
) -> tuple[StreamItem, Iterator[StreamItem]]:
    """Start a stream and take its first item (so failures surface before any output)."""
    if isinstance(provider, StreamingProvider):
        items = iter(provider.stream(request))
    else:
        done = provider.complete(request)
        items = iter([done.text, done] if done.text else [done])
    return next(items), items


def _role(spec: ModelSpec, target: str) -> str:
    if target in spec.roles:
        return target
    return spec.roles[0] if spec.roles else ""


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 3)


class _Run:
    """One routed request: walks the candidate chain, recording attempts and usage."""

    def __init__(self, gateway: Gateway, decision: RouteDecision, trace_id: str | None) -> None:
        self.gw = gateway
        self.decision = decision
        self.trace_id = trace_id
        self.tries = 0
        self.start = time.perf_counter()

    def call(self, fn: Callable[[ModelSpec], T]) -> tuple[T, ModelSpec]:
        """Try candidates in order; context overflow skips to bigger context windows."""
        last: ModelError | None = None
        floor = 0
        for alias in self.decision.candidates:
            spec = self._spec(alias)
            if spec.context_window <= floor:
                self.decision.attempts.append(Attempt(alias, False, "skipped", "context too small"))
                continue
            try:
                return self._with_retries(spec, fn), spec
            except ModelError as exc:
                last = exc
                if exc.reason == "context_overflow":
                    floor = max(floor, spec.context_window)
                if (
                    exc.reason in ("not_configured", "not_installed")
                    and len(self.decision.candidates) == 1
                ):
                    raise
        raise self._exhausted(last)

    def _spec(self, alias: str) -> ModelSpec:
        try:
            return self.gw.catalog.get(alias)
        except NotFoundError:
            return self.gw.catalog.resolve(alias)[0]

    def _with_retries(self, spec: ModelSpec, fn: Callable[[ModelSpec], T]) -> T:
        policy = self.gw.retry.for_spec(spec)
        try_number = 1
        while True:
            started = time.perf_counter()
            self.tries += 1
            try:
                return self._attempt(spec, fn, try_number, started)
            except ModelError as exc:
                wait = policy.delay(exc, try_number)
                if wait is None:
                    raise
                self.gw._sleep(wait)
                try_number += 1

    def _attempt(self, spec: ModelSpec, fn: Callable[[ModelSpec], T], n: int, started: float) -> T:
        try:
            result = fn(spec)
        except ModelError as exc:
            latency = _ms(started)
            self.decision.attempts.append(
                Attempt(spec.alias, False, exc.reason, exc.message, latency, n)
            )
            self.gw._record(spec, self, Usage(), latency, exc)
            raise
        self.decision.attempts.append(Attempt(spec.alias, True, None, None, _ms(started), n))
        return result

    def finish(self, done: Completion, spec: ModelSpec) -> Completion:
        """Fill cost, alias, attempts and route; record the successful call's usage."""
        done.usage.cost = spec.price.cost(done.usage.prompt_tokens, done.usage.completion_tokens)
        done.alias = spec.alias
        done.attempts = self.tries
        done.route = self.decision
        self.decision.chosen = spec.alias
        self.gw._record(spec, self, done.usage, done.latency_ms, None)
        done.latency_ms = _ms(self.start)
        return done

    def relay(
        self, first: StreamItem, rest: Iterator[StreamItem], spec: ModelSpec
    ) -> Iterator[StreamItem]:
        """Pass deltas through; finish the final Completion; record a mid-stream failure."""
        item = first
        try:
            while True:
                if isinstance(item, Completion):
                    yield self.finish(item, spec)
                    return
                yield item
                item = next(rest)
        except ModelError as exc:
            self.decision.attempts.append(Attempt(spec.alias, False, exc.reason, exc.message))
            self.gw._record(spec, self, Usage(), _ms(self.start), exc)
            raise
        except StopIteration:
            raise ModelError(
                "bad_response", f"model {spec.alias!r} ended the stream early"
            ) from None

    def _exhausted(self, last: ModelError | None) -> ModelError:
        if last is None:
            return ModelError(
                "context_overflow", "no candidate model has a big enough context window"
            )
        tried = "; ".join(f"{a.alias}: {a.reason}" for a in self.decision.attempts if not a.ok)
        many = len({a.alias for a in self.decision.attempts}) > 1
        message = f"all models failed ({tried})" if many else last.message
        return ModelError(
            last.reason,
            message,
            hint=last.hint,
            retry_after=last.retry_after,
            route=self.decision.to_dict(),
        )
