"""ebrain's model gateway: one interface over OpenAI-compatible servers, GGUF and `none`.

catalog = ModelCatalog.from_config(config.section("models"))
gateway = Gateway(catalog, MemoryUsageSink(), RoutingPolicy.from_config(config.section("routing")))
done = gateway.complete(CompletionRequest.from_prompt("Hello"))
"""

from __future__ import annotations

from ebrain.models.catalog import ModelCatalog, ModelSpec, Price, mask_url
from ebrain.models.errors import ModelError
from ebrain.models.gateway import Gateway, HealthResult, RetryPolicy
from ebrain.models.providers import PROVIDERS, build_provider, provider_names
from ebrain.models.routing import (
    Attempt,
    Condition,
    RouteContext,
    RouteDecision,
    RoutingPolicy,
    Rule,
    complexity,
)
from ebrain.models.tokens import estimate_tokens
from ebrain.models.types import (
    ChatMessage,
    Completion,
    CompletionRequest,
    ModelProvider,
    StreamingProvider,
    StreamItem,
    Usage,
)
from ebrain.models.usage import (
    MemoryUsageSink,
    NullUsageSink,
    UsageRecord,
    UsageSink,
    create_usage_table,
    record_usage,
    usage_table,
)

__all__ = [
    "PROVIDERS",
    "Attempt",
    "ChatMessage",
    "Completion",
    "CompletionRequest",
    "Condition",
    "Gateway",
    "HealthResult",
    "MemoryUsageSink",
    "ModelCatalog",
    "ModelError",
    "ModelProvider",
    "ModelSpec",
    "NullUsageSink",
    "Price",
    "RetryPolicy",
    "RouteContext",
    "RouteDecision",
    "RoutingPolicy",
    "Rule",
    "StreamItem",
    "StreamingProvider",
    "Usage",
    "UsageRecord",
    "UsageSink",
    "build_provider",
    "complexity",
    "create_usage_table",
    "estimate_tokens",
    "mask_url",
    "provider_names",
    "record_usage",
    "usage_table",
]
