"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests, with scripted responses.

Usage::

    fake = start_fake_openai()
    fake.script(rate_limited(), reply("hello", prompt_tokens=7))
    ... client at fake.url (".../v1") ...
    fake.requests[-1].body["messages"]
    fake.close()

Chat completions pop the next scripted response whose `path` matches (default: chat);
with an empty queue they answer `default_text`. Embeddings are deterministic hashed vectors.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHAT = "/v1/chat/completions"
EMBEDDINGS = "/v1/embeddings"


@dataclass
class Scripted:
    """One scripted answer: status, JSON body or raw bytes, headers, delay, SSE chunks."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunks: list[str] | None = None
    raw: bytes | None = None
    path: str = CHAT
    usage: tuple[int, int] | None = None


@dataclass
class RecordedRequest:
    """A request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


def reply(text: str, prompt_tokens: int = 11, completion_tokens: int = 5) -> Scripted:
    """A successful chat completion with the given text and usage."""
    return Scripted(body={"text": text}, usage=(prompt_tokens, completion_tokens))


def stream_reply(
    chunks: list[str], prompt_tokens: int = 11, completion_tokens: int | None = None
) -> Scripted:
    """An SSE stream of text deltas (honoured whether or not the client asked to stream)."""
    ct = len(chunks) if completion_tokens is None else completion_tokens
    return Scripted(chunks=list(chunks), usage=(prompt_tokens, ct))


def rate_limited(retry_after: str = "0") -> Scripted:
    """HTTP 429 with a Retry-After header."""
    body = _error_body("Rate limit reached, retry later", "rate_limit_exceeded", "requests")
    return Scripted(status=429, body=body, headers={"Retry-After": retry_after})


def server_error(status: int = 500) -> Scripted:
    """An HTTP 5xx error."""
    return Scripted(status=status, body=_error_body("internal server error", "server_error"))


def slow(delay: float, text: str = "late") -> Scripted:
    """A reply that only starts after `delay` seconds (longer than the client timeout)."""
    return Scripted(body={"text": text}, delay=delay, usage=(11, 1))


def malformed() -> Scripted:
    """HTTP 200 with a body that is not JSON."""
    return Scripted(raw=b'{"id": "x", "choices": [ this is not json', headers=_JSON)


def context_overflow(style: str = "vllm") -> Scripted:
    """HTTP 400 with the context-length message vLLM or OpenAI sends."""
    if style == "openai":
        msg = "This model's maximum context length is 4096 tokens. However, you requested 9000."
        return Scripted(status=400, body=_error_body(msg, "context_length_exceeded"))
    msg = (
        "This model's maximum context length is 4096 tokens. However, you requested "
        "9000 tokens (8000 in the messages, 1000 in the completion)."
    )
    return Scripted(status=400, body={"object": "error", "message": msg, "code": 400})


def auth_error() -> Scripted:
    """HTTP 401 invalid API key."""
    return Scripted(status=401, body=_error_body("Incorrect API key provided", "invalid_api_key"))


_JSON = {"Content-Type": "application/json"}


def _error_body(message: str, code: str, param: str | None = None) -> dict[str, Any]:
    return {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }


def hashed_vector(text: str, dim: int = 16) -> list[float]:
    """A deterministic unit vector for `text` (same text, same vector)."""
    raw = hashlib.sha256(text.encode("utf-8")).digest()
    values = [(raw[i % len(raw)] / 255.0) - 0.5 + (i % 3) * 0.01 for i in range(dim)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


class FakeOpenAI:
    """The running server: `.url`, `.script(...)`, `.requests`, `.close()`."""

    def __init__(self, default_text: str = "OK", embedding_dim: int = 16) -> None:
        self.default_text = default_text
        self.embedding_dim = embedding_dim
        self.models = ["fake-model"]
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self.closing = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def script(self, *responses: Scripted | str) -> FakeOpenAI:
        """Queue responses (a plain string means `reply(text)`)."""
        with self._lock:
            for item in responses:
                self._queue.append(reply(item) if isinstance(item, str) else item)
        return self

    def pending(self) -> int:
        """Scripted responses not yet served."""
        with self._lock:
            return len(self._queue)

    def chat_requests(self) -> list[RecordedRequest]:
        """The chat-completion requests received so far."""
        return [r for r in self.requests if r.path == CHAT]

    def next_for(self, path: str) -> Scripted | None:
        """Pop the first queued response for `path`."""
        with self._lock:
            for item in self._queue:
                if item.path == path:
                    self._queue.remove(item)
                    return item
        return None

    def default_for(self, path: str) -> Scripted:
        """The response when nothing is scripted: `default_text`, or computed embeddings."""
        if path == CHAT:
            return Scripted(body={"text": self.default_text})
        return Scripted(path=path)

    def close(self) -> None:
        """Stop the server and wake any delayed handler."""
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_fake_openai(default_text: str = "OK", embedding_dim: int = 16) -> FakeOpenAI:
    """Start a fake OpenAI-compatible server on 127.0.0.1 (random port)."""
    return FakeOpenAI(default_text=default_text, embedding_dim=embedding_dim)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        fake = self._record(None)
        if self.path.rstrip("/") == "/v1/models":
            data = [{"id": m, "object": "model", "owned_by": "fake"} for m in fake.models]
            self._json(200, {"object": "list", "data": data})
        else:
            self._json(404, _error_body(f"no route {self.path}", "not_found"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._record(raw.decode("utf-8", "replace"))
            self._json(400, _error_body("request body is not JSON", "invalid_json"))
            return
        fake = self._record(body)
        scripted = fake.next_for(self.path) or fake.default_for(self.path)
        if scripted.delay and fake.closing.wait(scripted.delay):
            return
        try:
            self._respond(scripted, body)
        except (BrokenPipeError, ConnectionResetError):
            return

    def _record(self, body: Any) -> FakeOpenAI:
        fake = self.server.fake
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake.requests.append(RecordedRequest(self.command, self.path, headers, body))
        return fake

    def _respond(self, scripted: Scripted, body: Any) -> None:
        if scripted.raw is not None:
            self._send(scripted.status, scripted.raw, scripted.headers)
        elif scripted.status != 200:
            self._json(scripted.status, scripted.body, scripted.headers)
        elif self.path == EMBEDDINGS:
            self._json(200, scripted.body or self._embeddings(body))
        elif self.path != CHAT:
            self._json(404, _error_body(f"no route {self.path}", "not_found"))
        elif scripted.chunks is not None or (body.get("stream") and scripted.body):
            self._stream(scripted, body)
        else:
            self._json(200, self._completion(scripted, body))

    def _completion(self, scripted: Scripted, body: Any) -> dict[str, Any]:
        text = (scripted.body or {}).get("text", "")
        pt, ct = scripted.usage or _count(body, text)
        message = {"role": "assistant", "content": text}
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct},
        }

    def _stream(self, scripted: Scripted, body: Any) -> None:
        chunks = scripted.chunks
        if chunks is None:
            chunks = [(scripted.body or {}).get("text", "")]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        model = body.get("model", "fake-model")
        for i, delta in enumerate(chunks):
            piece = {"role": "assistant", "content": delta} if i == 0 else {"content": delta}
            self._event(_chunk(model, piece, None))
        self._event(_chunk(model, {}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            pt, ct = scripted.usage or _count(body, "".join(chunks))
            usage = {"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct}
            self._event({**_chunk(model, {}, None), "choices": [], "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _event(self, data: dict[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(data).encode("utf-8") + b"\n\n")
        self.wfile.flush()

    def _embeddings(self, body: Any) -> dict[str, Any]:
        texts = body.get("input", [])
        texts = [texts] if isinstance(texts, str) else list(texts)
        dim = int(body.get("dimensions") or self.server.fake.embedding_dim)
        as_b64 = body.get("encoding_format") == "base64"
        data = [
            {
                "object": "embedding",
                "index": i,
                "embedding": _encode(hashed_vector(str(t), dim), as_b64),
            }
            for i, t in enumerate(texts)
        ]
        tokens = sum(len(str(t).split()) for t in texts)
        return {
            "object": "list",
            "model": body.get("model", "fake-embed"),
            "data": data,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }

    def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode("utf-8"), {**_JSON, **(headers or {})})

    def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _encode(vector: list[float], as_b64: bool) -> list[float] | str:
    """Floats, or base64 little-endian float32 (what the openai SDK asks for by default)."""
    if not as_b64:
        return vector
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def _count(body: Any, text: str) -> tuple[int, int]:
    """Whitespace token counts of the prompt and the completion."""
    messages = body.get("messages", []) if isinstance(body, dict) else []
    prompt = sum(len(str(m.get("content", "")).split()) for m in messages)
    return prompt, len(text.split())
