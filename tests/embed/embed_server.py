"""A tiny OpenAI-compatible embeddings server (stdlib http.server) on 127.0.0.1 for tests.

POST /v1/embeddings returns, for each input, a deterministic un-normalized 8-dim vector made
from the text's SHA-256, in reversed `data` order (with `index`) to test re-ordering. It
records every request body and Authorization header. `Recorder.fail_with` queues answers
(status, headers) given before any real one, to test retries (e.g. 503 then 200).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DIM = 8


def vector(text: str) -> list[float]:
    """The server's vector of one text (not normalized)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [float(b) + 1.0 for b in digest[:DIM]]


@dataclass
class Recorder:
    """What the server received."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)
    fail_with: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _handler(rec: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            rec.bodies.append(body)
            rec.auth.append(self.headers.get("Authorization", ""))
            if rec.fail_with:
                status, headers = rec.fail_with.pop(0)
                return self._send(status, {"error": {"message": "try later"}}, headers)
            if self.path != "/v1/embeddings" or body.get("model") == "missing":
                return self._send(404, {"error": {"message": "model not found"}})
            data = [
                {"object": "embedding", "index": i, "embedding": vector(t)}
                for i, t in enumerate(body["input"])
            ]
            self._send(200, {"object": "list", "data": data[::-1], "model": body["model"]})

        def _send(
            self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

    return Handler


@contextmanager
def serve() -> Iterator[tuple[str, Recorder]]:
    """Run the server on a free loopback port; yield its base URL and recorder."""
    rec = Recorder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", rec
    finally:
        server.shutdown()
        server.server_close()
