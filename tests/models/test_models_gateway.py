"""The gateway over real HTTP: retries, fallback, usage and cost, streaming, failures."""

from __future__ import annotations

import pytest

from ebrain.errors import BackendError
from ebrain.models import Completion, CompletionRequest, ModelError, RouteContext
from tests.fakes.openai_server import (
    FakeOpenAI,
    auth_error,
    context_overflow,
    malformed,
    rate_limited,
    reply,
    server_error,
    slow,
    stream_reply,
)
from tests.models.helpers import gateway, openai_url

ASK = CompletionRequest.from_prompt("What is the HT-2000 warranty?", max_tokens=64)


def one_model(fake: FakeOpenAI, **extra: object) -> dict[str, object]:
    spec: dict[str, object] = {"url": openai_url(fake.url, "qwen-7b"), "roles": ["default"]}
    return {"main": {**spec, **extra}}


def test_completion_records_usage_and_cost(fake_openai: FakeOpenAI) -> None:
    gw, sink = gateway(one_model(fake_openai, price={"input": 2.0, "output": 8.0}))
    fake_openai.script(reply("Two years.", prompt_tokens=1000, completion_tokens=500))
    done = gw.complete(ASK, trace_id="t-1")
    assert done.text == "Two years."
    assert done.alias == "main" and done.model == "qwen-7b"
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (1000, 500)
    assert done.usage.cost == pytest.approx((1000 * 2.0 + 500 * 8.0) / 1e6)
    assert done.finish_reason == "stop" and done.attempts == 1
    [rec] = sink.records
    assert rec.ok and rec.alias == "main" and rec.role == "default" and rec.trace_id == "t-1"
    assert rec.cost == pytest.approx(done.usage.cost)
    body = fake_openai.chat_requests()[0].body
    assert body["model"] == "qwen-7b" and body["max_tokens"] == 64
    assert body["messages"][-1] == {"role": "user", "content": "What is the HT-2000 warranty?"}


def test_429_with_retry_after_is_retried(fake_openai: FakeOpenAI) -> None:
    gw, sink = gateway(one_model(fake_openai))
    fake_openai.script(rate_limited("0"), "after the wait")
    done = gw.complete(ASK)
    assert done.text == "after the wait"
    assert done.attempts == 2
    assert [a.reason for a in done.route.attempts] == ["rate_limited", None]  # type: ignore[union-attr]
    assert [r.ok for r in sink.records] == [False, True]
    assert sink.records[0].error == "rate_limited"


def test_5xx_retried_then_gives_up_after_bounded_attempts(fake_openai: FakeOpenAI) -> None:
    gw, sink = gateway(one_model(fake_openai, max_attempts=2))
    fake_openai.script(server_error(500), server_error(503), "never reached")
    with pytest.raises(ModelError) as info:
        gw.complete(ASK, fallback=False)
    assert info.value.reason == "server_error"
    assert isinstance(info.value, BackendError)
    assert len(fake_openai.chat_requests()) == 2
    assert fake_openai.pending() == 1
    assert [r.error for r in sink.records] == ["server_error", "server_error"]


def test_long_retry_after_falls_back_instead_of_waiting(
    fake_openai: FakeOpenAI, fake_openai_2: FakeOpenAI
) -> None:
    models = {
        "a": {"url": openai_url(fake_openai.url, "m-a"), "roles": ["default"]},
        "b": {"url": openai_url(fake_openai_2.url, "m-b"), "roles": ["large"]},
    }
    gw, _ = gateway(models)
    fake_openai.script(rate_limited("3600"))
    done = gw.complete(ASK, model="a")
    assert done.alias == "b" and done.text == "OK from second"
    assert len(fake_openai.chat_requests()) == 1


def test_fallback_to_next_model_on_server_error(
    fake_openai: FakeOpenAI, fake_openai_2: FakeOpenAI
) -> None:
    models = {
        "small-a": {
            "url": openai_url(fake_openai.url, "m-a"),
            "roles": ["small", "default"],
            "max_attempts": 1,
        },
        "large-b": {"url": openai_url(fake_openai_2.url, "m-b"), "roles": ["large"]},
    }
    gw, sink = gateway(models)
    fake_openai.script(server_error())
    done = gw.complete(CompletionRequest.from_prompt("Who chairs the weekly meeting?"))
    assert done.alias == "large-b"
    route = done.route
    assert route is not None and route.rule == "short factual lookup"
    assert route.candidates[:2] == ["small-a", "large-b"]
    assert [(a.alias, a.ok) for a in route.attempts] == [("small-a", False), ("large-b", True)]
    assert route.chosen == "large-b"
    assert [r.alias for r in sink.records] == ["small-a", "large-b"]


def test_timeout_falls_back(fake_openai: FakeOpenAI, fake_openai_2: FakeOpenAI) -> None:
    models = {
        "slow": {"url": openai_url(fake_openai.url, "m"), "roles": ["default"], "timeout": 0.3},
        "spare": {"url": openai_url(fake_openai_2.url, "m"), "roles": ["large"]},
    }
    gw, sink = gateway(models)
    fake_openai.script(slow(5.0))
    done = gw.complete(ASK, model="slow")
    assert done.alias == "spare"
    assert done.route is not None and done.route.attempts[0].reason == "timeout"
    assert sink.records[0].error == "timeout" and not sink.records[0].ok


def test_timeout_alone_raises_timeout(fake_openai: FakeOpenAI) -> None:
    gw, _ = gateway(one_model(fake_openai, timeout=0.3))
    fake_openai.script(slow(5.0))
    with pytest.raises(ModelError) as info:
        gw.complete(ASK)
    assert info.value.reason == "timeout"
    assert info.value.hint


def test_malformed_json_is_bad_response(fake_openai: FakeOpenAI) -> None:
    gw, _ = gateway(one_model(fake_openai))
    fake_openai.script(malformed())
    with pytest.raises(ModelError) as info:
        gw.complete(ASK)
    assert info.value.reason == "bad_response"
    assert len(fake_openai.chat_requests()) == 1  # not retried


@pytest.mark.parametrize("style", ["vllm", "openai"])
def test_context_overflow_moves_to_bigger_window(
    fake_openai: FakeOpenAI, fake_openai_2: FakeOpenAI, style: str
) -> None:
    models = {
        "tiny": {
            "url": openai_url(fake_openai.url, "t"),
            "roles": ["default"],
            "context_window": 4096,
        },
        "also-tiny": {
            "url": openai_url(fake_openai.url, "t2"),
            "roles": ["default"],
            "context_window": 4096,
        },
        "big": {
            "url": openai_url(fake_openai_2.url, "b"),
            "roles": ["large"],
            "context_window": 131072,
        },
    }
    gw, _ = gateway(models)
    fake_openai.script(context_overflow(style))
    done = gw.complete(ASK, model="tiny")
    assert done.alias == "big"
    assert done.route is not None
    outcomes = [(a.alias, a.reason) for a in done.route.attempts]
    assert outcomes == [("tiny", "context_overflow"), ("also-tiny", "skipped"), ("big", None)]
    assert len(fake_openai.chat_requests()) == 1


def test_context_overflow_without_bigger_model_raises(fake_openai: FakeOpenAI) -> None:
    gw, _ = gateway(one_model(fake_openai))
    fake_openai.script(context_overflow("openai"))
    with pytest.raises(ModelError) as info:
        gw.complete(ASK)
    assert info.value.reason == "context_overflow"
    assert "context_window" in info.value.hint


def test_auth_error_reason(fake_openai: FakeOpenAI) -> None:
    gw, _ = gateway(one_model(fake_openai))
    fake_openai.script(auth_error())
    with pytest.raises(ModelError) as info:
        gw.complete(ASK)
    assert info.value.reason == "auth"


def test_unreachable_server_is_unavailable() -> None:
    gw, _ = gateway({"gone": {"url": "openai+http://127.0.0.1:9/v1#m", "max_attempts": 1}})
    with pytest.raises(ModelError) as info:
        gw.complete(ASK)
    assert info.value.reason == "unavailable"


def test_stream_assembles_deltas_and_final_completion(fake_openai: FakeOpenAI) -> None:
    gw, sink = gateway(one_model(fake_openai, price={"input": 1.0, "output": 1.0}))
    fake_openai.script(stream_reply(["保修", "两年", "。"], prompt_tokens=20, completion_tokens=3))
    items = list(gw.stream(ASK, trace_id="s-1"))
    deltas = [i for i in items if isinstance(i, str)]
    assert deltas == ["保修", "两年", "。"]
    final = items[-1]
    assert isinstance(final, Completion)
    assert final.text == "保修两年。" and final.finish_reason == "stop"
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (20, 3)
    assert final.usage.cost == pytest.approx(23 / 1e6)
    assert sink.records[-1].ok and sink.records[-1].trace_id == "s-1"
    body = fake_openai.chat_requests()[0].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_stream_retries_before_first_delta(fake_openai: FakeOpenAI) -> None:
    gw, sink = gateway(one_model(fake_openai))
    fake_openai.script(rate_limited("0"), stream_reply(["a", "b"]))
    items = list(gw.stream(ASK))
    assert "".join(i for i in items if isinstance(i, str)) == "ab"
    final = items[-1]
    assert isinstance(final, Completion) and final.attempts == 2
    assert [r.ok for r in sink.records] == [False, True]


def test_no_models_means_extractive_mode() -> None:
    gw, _ = gateway({})
    assert not gw.available
    with pytest.raises(ModelError) as info:
        gw.complete(ASK)
    assert info.value.reason == "not_configured"
    none_gw, _ = gateway({"off": "none"})
    assert not none_gw.available
    with pytest.raises(ModelError) as info:
        none_gw.complete(ASK, model="off")
    assert info.value.reason == "not_configured"


def test_ollama_prefix_uses_openai_protocol(fake_openai: FakeOpenAI) -> None:
    gw, _ = gateway({"local": {"url": "ollama:qwen2.5:7b", "base_url": fake_openai.url}})
    done = gw.complete(ASK)
    assert done.text == "OK" and done.model == "qwen2.5:7b"
    assert fake_openai.chat_requests()[0].body["model"] == "qwen2.5:7b"


def test_model_name_from_server_when_url_names_none(fake_openai: FakeOpenAI) -> None:
    gw, _ = gateway({"vllm": {"url": "openai+" + fake_openai.url}})
    done = gw.complete(ASK)
    assert done.model == "fake-model"
    assert any(r.path == "/v1/models" for r in fake_openai.requests)


def test_health_reports_latency_and_failure(fake_openai: FakeOpenAI) -> None:
    gw, _ = gateway(one_model(fake_openai))
    ok = gw.health("main")
    assert ok.ok and ok.reply == "OK" and ok.latency_ms > 0
    fake_openai.script(server_error())
    bad = gw.health("main")
    assert not bad.ok and bad.reason == "server_error"
    assert len(fake_openai.chat_requests()) == 2  # no retry in a health check


def test_route_context_reaches_decision(fake_openai: FakeOpenAI) -> None:
    gw, _ = gateway(one_model(fake_openai))
    ctx = RouteContext(question="Compare Q1 and Q2 sales", documents=4, assistant="sales")
    done = gw.complete(ASK, context=ctx)
    assert done.route is not None
    assert done.route.rule == "multi-document synthesis"
    assert done.route.to_dict()["features"]["documents"] == 4
