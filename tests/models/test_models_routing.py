"""Routing rules: defaults, config-declared rules, context fit, fallback chains."""

from __future__ import annotations

import pytest

from ebrain.errors import ConfigError
from ebrain.models import (
    CompletionRequest,
    ModelCatalog,
    RouteContext,
    RoutingPolicy,
    complexity,
)
from tests.fakes.openai_server import FakeOpenAI
from tests.models.helpers import gateway, openai_url

CATALOG = ModelCatalog.from_config(
    {
        "qwen-small": {
            "url": "openai+http://127.0.0.1:8000/v1#Qwen2.5-7B-Instruct",
            "roles": ["small", "default"],
            "context_window": 32768,
        },
        "qwen-large": {
            "url": "openai+http://127.0.0.1:8001/v1#Qwen2.5-72B-Instruct",
            "roles": ["large"],
            "context_window": 131072,
        },
        "deepseek": {
            "url": "openai+https://api.deepseek.com/v1#deepseek-chat",
            "context_window": 65536,
            "api_key_env": "DEEPSEEK_API_KEY",
        },
    }
)


def decide(
    question: str, policy: RoutingPolicy | None = None, **ctx: object
) -> tuple[str, list[str]]:
    request = CompletionRequest.from_prompt(question)
    d = (policy or RoutingPolicy()).decide(CATALOG, request, RouteContext(question, **ctx))  # type: ignore[arg-type]
    return d.rule, d.candidates


def test_short_factual_lookup_goes_small() -> None:
    rule, candidates = decide("HT-2000 的保修期是多久？")
    assert rule == "short factual lookup"
    assert candidates == ["qwen-small", "qwen-large", "deepseek"]


def test_multi_document_synthesis_goes_large() -> None:
    rule, candidates = decide("What happened?", documents=5)
    assert rule == "multi-document synthesis"
    assert candidates[0] == "qwen-large"


@pytest.mark.parametrize(
    "question",
    [
        "对比一季度和二季度的销售额",
        "Summarize the fault reports of March",
        "Why did Q3 revenue drop?",
    ],
)
def test_complex_questions_go_large(question: str) -> None:
    assert complexity(question) == "complex"
    rule, candidates = decide(question)
    assert rule == "complex question" and candidates[0] == "qwen-large"


def test_context_size_needed_skips_small_windows() -> None:
    rule, candidates = decide("Who signed?", context_tokens=50_000)
    assert rule == "long context"
    assert candidates == ["qwen-large", "deepseek"]


def test_nothing_fits_keeps_every_candidate() -> None:
    _, candidates = decide("Who signed?", context_tokens=500_000)
    assert set(candidates) == {"qwen-small", "qwen-large", "deepseek"}


def test_rules_from_config_assistant_and_user_group() -> None:
    policy = RoutingPolicy.from_config(
        {
            "rules": [
                {
                    "name": "execs get the big one",
                    "when": {"user_group": ["exec"]},
                    "use": "qwen-large",
                },
                {"name": "customer service", "when": {"assistant": "service"}, "use": "deepseek"},
            ],
            "default": "small",
            "fallback": ["large"],
            "fallback_to_any": False,
        }
    )
    assert decide("hi", policy, user_group="exec") == ("execs get the big one", ["qwen-large"])
    assert decide("hi", policy, assistant="service") == (
        "customer service",
        ["deepseek", "qwen-large"],
    )
    assert decide("hi", policy, assistant="sales") == ("default", ["qwen-small", "qwen-large"])


def test_bad_routing_config_is_reported() -> None:
    with pytest.raises(ConfigError, match="unknown conditions"):
        RoutingPolicy.from_config({"rules": [{"use": "large", "when": {"colour": "red"}}]})
    with pytest.raises(ConfigError, match="needs `use:`"):
        RoutingPolicy.from_config({"rules": [{"when": {}}]})


def test_missing_role_falls_back_to_default() -> None:
    catalog = ModelCatalog.from_config({"only": "openai+http://127.0.0.1:1/v1#m"})
    d = RoutingPolicy().decide(catalog, CompletionRequest.from_prompt("Compare A and B"))
    assert d.rule == "complex question" and d.target == "large"
    assert d.candidates == ["only"]


def test_routed_request_reaches_the_chosen_server(
    fake_openai: FakeOpenAI, fake_openai_2: FakeOpenAI
) -> None:
    gw, sink = gateway(
        {
            "small": {"url": openai_url(fake_openai.url, "s"), "roles": ["small", "default"]},
            "large": {"url": openai_url(fake_openai_2.url, "l"), "roles": ["large"]},
        }
    )
    short = gw.complete(CompletionRequest.from_prompt("合同编号是多少？"))
    long = gw.complete(CompletionRequest.from_prompt("总结三份周报的主要风险"))
    assert (short.alias, long.alias) == ("small", "large")
    assert len(fake_openai.chat_requests()) == 1 and len(fake_openai_2.chat_requests()) == 1
    assert [r.role for r in sink.records] == ["small", "large"]
    assert long.route is not None and long.route.to_dict()["rule"] == "complex question"
