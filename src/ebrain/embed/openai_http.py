"""`openai+http(s)://host[:port]/v1[?key_env=NAME&dim=N&batch=N&prefix=auto|0]#model`.

Any OpenAI-compatible embeddings endpoint (TEI, vLLM, Ollama, Xinference, hosted APIs): POST
`{base}/embeddings` with `{"model", "input": [...]}`. The API key comes from the environment
variable named by `key_env`, else EBRAIN_EMBED_API_KEY; none is sent when neither is set.
E5 models (model name contains "e5") get "query: " / "passage: " prefixes unless `prefix=0`.
Requests share one pooled connection per embedder and are retried with backoff on connect
errors, 429 and 5xx (ebrain.http_retry).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import numpy as np

from ebrain.embed.base import Kind, Vectors, clean, e5_prefix, l2_normalize
from ebrain.errors import BackendError, ConfigError
from ebrain.http_retry import PooledClient

DEFAULT_KEY_ENV = "EBRAIN_EMBED_API_KEY"
TIMEOUT_S = 60.0


@dataclass
class OpenAIEmbedder:
    """An OpenAI-compatible embedding server, called in batches."""

    base_url: str
    model: str
    api_key: str = ""
    batch: int = 64
    prefix: bool = True
    known_dim: int = 0
    name: str = field(init=False)
    http: PooledClient = field(default_factory=lambda: PooledClient(TIMEOUT_S), repr=False)

    def __post_init__(self) -> None:
        self.name = f"openai:{self.base_url}#{self.model}"

    @property
    def dim(self) -> int:
        """Vector size: from `dim=` in the spec, else asked of the server once."""
        if not self.known_dim:
            self.known_dim = int(self.embed_batch(["dimension probe"], kind="query").shape[1])
        return self.known_dim

    @dim.setter
    def dim(self, value: int) -> None:
        self.known_dim = value

    def embed_batch(self, texts: Sequence[str], *, kind: Kind) -> Vectors:
        """Embed in batches of `batch` texts; rows L2-normalized here (servers differ)."""
        items = clean(texts)
        if self.prefix:
            items = e5_prefix(items, kind, self.model)
        if not items:
            return np.zeros((0, self.known_dim), dtype=np.float32)
        rows = [self._post(items[i : i + self.batch]) for i in range(0, len(items), self.batch)]
        out = l2_normalize(np.vstack(rows))
        self.known_dim = self.known_dim or int(out.shape[1])
        return out

    def _post(self, texts: list[str]) -> Vectors:
        """One request; its vectors in input order."""
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {"model": self.model, "input": texts, "encoding_format": "float"}
        try:
            resp = self.http.post(f"{self.base_url}/embeddings", json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise BackendError(
                f"embedding server {self.base_url} unreachable: {exc}",
                hint="check the URL in embed.model and that the server is running",
            ) from exc
        if resp.status_code != 200:
            raise BackendError(
                f"embedding server answered {resp.status_code}: {resp.text[:200]}",
                hint="check the model name and the API key",
            )
        return self._vectors(resp.json(), len(texts))

    def _vectors(self, payload: Any, n: int) -> Vectors:
        try:
            data = sorted(payload["data"], key=lambda d: d.get("index", 0))
            arr = np.asarray([d["embedding"] for d in data], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise BackendError(
                "embedding server sent an unexpected response",
                hint="the server must speak the OpenAI /v1/embeddings API",
            ) from exc
        if arr.ndim != 2 or arr.shape[0] != n:
            raise BackendError(f"embedding server returned {arr.shape[0]} vectors for {n} texts")
        return arr


def create(spec: str) -> OpenAIEmbedder:
    """Factory for `openai+http://…#model` and `openai+https://…#model`."""
    parts = urlsplit(spec.partition("+")[2])
    model = parts.fragment.strip()
    if parts.scheme not in ("http", "https") or not parts.netloc or not model:
        raise ConfigError(
            f"bad embedder URL {spec!r}", hint="e.g. openai+http://127.0.0.1:8080/v1#bge-m3"
        )
    opts = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    key_env = opts.get("key_env", DEFAULT_KEY_ENV)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    try:
        batch, dim = int(opts.get("batch", 64)), int(opts.get("dim", 0))
    except ValueError as exc:
        raise ConfigError(f"bad number in {spec!r}", hint="batch= and dim= take integers") from exc
    return OpenAIEmbedder(
        base_url=base,
        model=model,
        api_key=os.environ.get(key_env, ""),
        batch=max(1, batch),
        prefix=opts.get("prefix", "auto") != "0",
        known_dim=dim,
    )
