"""The pooled retrying HTTP client: Retry-After parsing, backoff bounds, connect errors."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from ebrain.http_retry import PooledClient, RetryPolicy, retry_after_s


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert retry_after_s("3") == 3.0
    assert retry_after_s("-1") == 0.0
    date = email.utils.formatdate(1_000_010.0, usegmt=True)
    assert retry_after_s(date, now=1_000_000.0) == pytest.approx(10.0)
    assert retry_after_s("soon") is None
    assert retry_after_s(None) is None


def test_waits_double_and_are_capped() -> None:
    policy = RetryPolicy(attempts=5, backoff_s=1.0, max_wait_s=3.0)
    assert [policy.wait(n, None) for n in range(4)] == [1.0, 2.0, 3.0, 3.0]
    assert policy.wait(0, 600.0) == 3.0  # a huge Retry-After is capped too


def test_connect_errors_are_retried_then_raised() -> None:
    waits: list[float] = []
    http = PooledClient(2.0, RetryPolicy(attempts=3, backoff_s=0.01), sleep=waits.append)
    with pytest.raises(httpx.ConnectError):
        http.post("http://127.0.0.1:9/v1/embeddings", json={})
    assert waits == [0.01, 0.02]
    http.close()
