"""Rerankers: a real /rerank HTTP server on loopback, the registry, and search integration."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.errors import BackendError, NotFoundError
from ebrain.http_retry import PooledClient, RetryPolicy
from ebrain.rerank import reranker_for
from ebrain.rerank.http import create

OWNER = Principal.owner()


class _Handler(BaseHTTPRequestHandler):
    """Scores a document by how many times it contains the word "验收" (acceptance)."""

    requests: list[dict[str, Any]] = []  # noqa: RUF012
    fail_with: list[int] = []  # noqa: RUF012  statuses answered before real ones

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        if self.path != "/v1/rerank" or type(self).fail_with:
            self.send_response(type(self).fail_with.pop(0) if type(self).fail_with else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        results = [
            {"index": i, "relevance_score": float(d.count("验收"))}
            for i, d in enumerate(body["documents"])
        ]
        data = json.dumps({"results": results}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"openai+http://127.0.0.1:{httpd.server_address[1]}/v1#bge-reranker"
    httpd.shutdown()


def test_http_reranker_scores_in_input_order(server: str) -> None:
    scores = create(server).rerank_batch("验收", ["无关", "验收验收", "验收"])
    assert scores == [0.0, 2.0, 1.0]
    assert _Handler.requests[-1]["model"] == "bge-reranker"


def test_http_reranker_retries_503_then_succeeds(server: str) -> None:
    reranker = create(server)
    waits: list[float] = []
    reranker.http = PooledClient(5.0, RetryPolicy(backoff_s=0.01), sleep=waits.append)
    _Handler.fail_with[:] = [503, 502]
    before = len(_Handler.requests)
    assert reranker.rerank_batch("验收", ["验收"]) == [1.0]
    assert len(_Handler.requests) - before == 3
    assert waits == [0.01, 0.02]


def test_http_reranker_gives_up_after_bounded_retries(server: str) -> None:
    reranker = create(server)
    reranker.http = PooledClient(5.0, RetryPolicy(attempts=2, backoff_s=0.01), sleep=[].append)
    _Handler.fail_with[:] = [503, 503]
    with pytest.raises(BackendError, match="503"):
        reranker.rerank_batch("验收", ["验收"])
    assert _Handler.fail_with == []


def test_unknown_reranker_lists_valid_names() -> None:
    with pytest.raises(NotFoundError) as err:
        reranker_for("magic:thing")
    assert "openai+http" in err.value.hint and "st" in err.value.hint


def test_unreachable_server_is_a_backend_error() -> None:
    with pytest.raises(BackendError, match="rerank request"):
        create("openai+http://127.0.0.1:9/v1#m").rerank_batch("q", ["a"])


def test_search_applies_the_reranker(tmp_path: Path, server: str) -> None:
    ws = tmp_path / "ws"
    Brain.init(ws).close()
    docs = {
        "a.md": "# 周报\n\n风扇本周到货。",
        "b.md": "# 验收单\n\n风扇更换后验收合格，验收签字。",
        "c.md": "# 手册\n\n风扇清洁。",
    }
    for name, text in docs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (ws / "config.yaml").write_text(
        f"embed:\n  model: none\nsearch:\n  rerank: '{server}'\n", encoding="utf-8"
    )
    with Brain.open(ws) as b:
        b.ingest([tmp_path / n for n in docs], jobs=1)
        result = b.search_ex("风扇", k=3, principal=OWNER)
    assert result.hits[0].title == "验收单"
    assert "rerank" in result.timings_ms


def test_st_reranker_without_the_extra_says_what_to_install() -> None:
    pytest.importorskip("numpy")
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        with pytest.raises(BackendError) as err:
            reranker_for("st:cross-encoder/ms-marco-MiniLM-L-6-v2").rerank_batch("q", ["a"])
        assert "ebrain[st]" in err.value.hint
    else:
        pytest.skip("sentence-transformers is installed")
