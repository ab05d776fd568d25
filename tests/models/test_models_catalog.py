"""Declared models: parsing, key handling and masking, provider lookup, usage table."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa

from ebrain.errors import ConfigError, NotFoundError
from ebrain.models import (
    CompletionRequest,
    ModelCatalog,
    ModelError,
    UsageRecord,
    build_provider,
    create_usage_table,
    provider_names,
    record_usage,
)
from tests.fakes.openai_server import FakeOpenAI
from tests.models.helpers import gateway, openai_url

SECRET = "sk-test-9f8e7d6c5b4a"


def test_from_config_parses_declarations() -> None:
    catalog = ModelCatalog.from_config(
        {
            "qwen-small": {
                "url": "openai+http://127.0.0.1:8000/v1#Qwen2.5-7B-Instruct",
                "roles": ["small", "default"],
                "context_window": 32768,
                "price": {"input": 0.5, "output": 1.0},
                "api_key_env": "X",
                "timeout": 60,
            },
            "gguf": "llamacpp:/models/qwen.gguf",
        }
    )
    spec = catalog.get("qwen-small")
    assert spec.provider == "openai+http" and spec.model_name == "Qwen2.5-7B-Instruct"
    assert spec.roles == ("small", "default") and spec.context_window == 32768
    assert spec.price.cost(2_000_000, 1_000_000) == pytest.approx(2.0)
    assert catalog.get("gguf").model_name == "/models/qwen.gguf"
    assert [s.alias for s in catalog.by_role("default")] == ["qwen-small"]
    assert ModelCatalog.from_config(None).aliases() == []


def test_bad_declarations_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="needs a url"):
        ModelCatalog.from_config({"m": {"roles": ["small"]}})
    with pytest.raises(ConfigError, match="unknown keys") as info:
        ModelCatalog.from_config({"m": {"url": "none", "apikey": "x"}})
    assert "api_key_env" in info.value.hint
    with pytest.raises(ConfigError, match="malformed"):
        ModelCatalog.from_config({"m": {"url": "none", "context_window": "big"}})
    with pytest.raises(NotFoundError, match="unknown model 'nope'"):
        ModelCatalog.from_config({"m": "none"}).get("nope")


def test_unknown_provider_lists_valid_names() -> None:
    spec = ModelCatalog.from_config({"m": "bedrock://us-east-1#claude"}).get("m")
    with pytest.raises(NotFoundError) as info:
        build_provider(spec)
    for name in ("openai+http", "openai+https", "ollama", "llamacpp", "none"):
        assert name in info.value.hint
    assert set(provider_names()) >= {"openai+http", "ollama", "llamacpp", "none"}


def test_llamacpp_missing_gives_install_hint(tmp_path: Path) -> None:
    pytest.importorskip("ebrain")  # always present; llama_cpp is the optional part
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("llama-cpp-python is installed")
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    gw, _ = gateway({"local": f"llamacpp:{gguf}"})
    with pytest.raises(ModelError) as info:
        gw.complete(CompletionRequest.from_prompt("hi"))
    assert info.value.reason == "not_installed"
    assert "ebrain[local]" in info.value.hint


def test_keys_read_lazily_sent_and_never_shown(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.delenv("EBRAIN_TEST_KEY", raising=False)
    gw, sink = gateway(
        {
            "hosted": {
                "url": openai_url(fake_openai.url, "deepseek-chat"),
                "api_key_env": "EBRAIN_TEST_KEY",
            },
            "literal": {
                "url": "openai+https://user:hunter2@example.invalid/v1#m",
                "api_key": SECRET,
            },
        }
    )
    assert not gw.catalog.get("hosted").to_dict()["api_key_set"]
    monkeypatch.setenv("EBRAIN_TEST_KEY", SECRET)  # set after the catalog was built
    done = gw.complete(CompletionRequest.from_prompt("hi"), model="hosted")
    assert fake_openai.chat_requests()[0].headers["authorization"] == f"Bearer {SECRET}"
    shown = [
        repr(gw.catalog),
        str(gw.catalog.get("hosted")),
        str(gw.catalog.get("literal")),
        repr(gw.provider(gw.catalog.get("hosted"))),
        str(done.to_dict()),
        str([r.to_dict() for r in sink.records]),
        caplog.text,
        str([s.to_dict() for s in gw.catalog]),
    ]
    for text in shown:
        assert SECRET not in text and "hunter2" not in text
    assert "***" in str(gw.catalog.get("literal"))
    assert gw.catalog.get("hosted").to_dict()["api_key_set"] is True


def test_usage_table_in_sqlite(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    with engine.begin() as conn:
        create_usage_table(conn)
        create_usage_table(conn)  # idempotent
        record_usage(
            conn, UsageRecord("qwen", "small", "small", 10, 5, 0.25, 12.5, True, trace_id="t")
        )
        record_usage(conn, UsageRecord("qwen", "small", "small", ok=False, error="timeout"))
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM model_usage ORDER BY ok DESC")).mappings().all()
    assert len(rows) == 2
    assert rows[0]["prompt_tokens"] == 10 and rows[0]["cost"] == 0.25 and rows[0]["trace_id"] == "t"
    assert rows[1]["error"] == "timeout" and not rows[1]["ok"]
