"""Small builders shared by the model tests."""

from __future__ import annotations

from typing import Any

from ebrain.models import Gateway, MemoryUsageSink, ModelCatalog, RetryPolicy, RoutingPolicy

FAST_RETRY = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05)


def openai_url(base: str, model: str) -> str:
    """`openai+http://127.0.0.1:PORT/v1#model` for a fake server's base URL."""
    return "openai+" + base + "#" + model


def gateway(
    models: dict[str, Any], routing: dict[str, Any] | None = None
) -> tuple[Gateway, MemoryUsageSink]:
    """A gateway over declared models with fast retries and an in-memory usage sink."""
    sink = MemoryUsageSink()
    catalog = ModelCatalog.from_config(models)
    return Gateway(catalog, sink, RoutingPolicy.from_config(routing), FAST_RETRY), sink
