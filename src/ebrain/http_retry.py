"""A pooled HTTP client with bounded retries, for the embedding and rerank backends.

One `httpx.Client` per `PooledClient` (created on first use; httpx clients are thread-safe and
keep connections alive). A request is retried when the connection could not be made (nothing
was sent) or the server answered 429 or 5xx; the wait doubles from `backoff_s`, or is the
server's `Retry-After` (seconds or an HTTP date), and never exceeds `max_wait_s`.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts, and how long to wait between them."""

    attempts: int = 4
    backoff_s: float = 0.25
    max_wait_s: float = 30.0

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number `attempt` (0-based)."""
        wanted = retry_after if retry_after is not None else self.backoff_s * 2**attempt
        return max(0.0, min(wanted, self.max_wait_s))


def retry_after_s(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: a number, or an HTTP date; None when absent or bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class PooledClient:
    """A lazily created, shared httpx.Client and the retry loop around its POSTs."""

    timeout: float
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    _client: httpx.Client | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def client(self) -> httpx.Client:
        """The pooled client (one per instance, created once even under threads)."""
        with self._lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(timeout=self.timeout)
            return self._client

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST with retries; the last response (or connect error) when they run out."""
        import httpx

        attempts = max(1, self.policy.attempts)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                resp = self.client().post(url, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                if last:
                    raise
                self.sleep(self.policy.wait(attempt, None))
                continue
            if resp.status_code not in RETRY_STATUS or last:
                return resp
            self.sleep(self.policy.wait(attempt, retry_after_s(resp.headers.get("Retry-After"))))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def close(self) -> None:
        """Close the pooled connections (a later call opens new ones)."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
