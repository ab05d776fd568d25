"""Rerank through an OpenAI-style `/rerank` endpoint (TEI, vLLM, Xinference, Jina, Cohere style):
POST {base}/rerank {"model", "query", "documents"} -> {"results": [{"index", "relevance_score"}]}.
One pooled connection per reranker; connect errors, 429 and 5xx are retried (ebrain.http_retry)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ebrain.errors import BackendError, InvalidInputError
from ebrain.http_retry import PooledClient


@dataclass
class HttpReranker:
    """A remote cross-encoder behind a /rerank endpoint."""

    base_url: str
    model: str
    api_key_env: str = "EBRAIN_RERANK_API_KEY"
    timeout: float = 30.0
    http: PooledClient = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.http = PooledClient(self.timeout)

    @property
    def name(self) -> str:
        """The spec-like name of this reranker."""
        return f"{self.base_url}#{self.model}"

    def rerank_batch(self, query: str, texts: Sequence[str]) -> list[float]:
        """Scores in input order; texts the server did not score get -inf."""
        if not texts:
            return []
        payload = {"model": self.model, "query": query, "documents": list(texts)}
        data = self._post(payload)
        scores = [float("-inf")] * len(texts)
        for item in data.get("results", []):
            scores[int(item["index"])] = float(item.get("relevance_score", item.get("score", 0.0)))
        return scores

    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        import httpx

        key = os.environ.get(self.api_key_env)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        try:
            resp = self.http.post(f"{self.base_url}/rerank", json=payload, headers=headers)
            resp.raise_for_status()
            data = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise BackendError(f"rerank request to {self.base_url} failed: {exc}",
                               hint="check the rerank server, or set search.rerank to none") from exc  # fmt: skip
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise BackendError(f"rerank response from {self.base_url} has no results list")
        return data


def create(spec: str) -> HttpReranker:
    """Factory for `openai+http(s)://host/v1#model`."""
    url, _, model = spec.partition("#")
    parts = urlsplit(url)
    if not model or not parts.netloc:
        raise InvalidInputError(
            f"invalid reranker {spec!r}", hint="use openai+http://host:port/v1#MODEL"
        )
    scheme = parts.scheme.split("+", 1)[1]
    return HttpReranker(f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}", model)
