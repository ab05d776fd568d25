"""Any OpenAI-compatible server (vLLM, Ollama, Xinference, SGLang, hosted APIs) via `openai`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ebrain.errors import ConfigError
from ebrain.models.catalog import ModelSpec
from ebrain.models.errors import ModelError
from ebrain.models.tokens import estimate_tokens
from ebrain.models.types import Completion, CompletionRequest, StreamItem, Usage

OLLAMA_BASE_URL = "http://127.0.0.1:11434/v1"
NO_KEY = "not-needed"  # local servers ignore the key, but the SDK wants one
_OVERFLOW_MARKERS = (
    "maximum context length",
    "context_length_exceeded",
    "context length",
    "context window",
    "prompt is too long",
    "too many tokens",
)


def _spec(spec: ModelSpec | str) -> ModelSpec:
    return spec if isinstance(spec, ModelSpec) else ModelSpec(alias=spec, url=spec)


def create(spec: ModelSpec | str) -> OpenAICompatProvider:
    """Registry factory for `openai+http(s)://host/v1#model`."""
    spec = _spec(spec)
    scheme, rest = spec.url.split("://", 1)
    base = spec.base_url or f"{scheme.split('+', 1)[1]}://{rest.split('#', 1)[0]}"
    return OpenAICompatProvider(spec, base.rstrip("/"))


def create_ollama(spec: ModelSpec | str) -> OpenAICompatProvider:
    """Registry factory for `ollama:MODEL` (a local Ollama unless base_url says otherwise)."""
    spec = _spec(spec)
    if not spec.model_name:
        raise ConfigError(
            f"{spec.url!r} names no model", hint="write ollama:MODEL, e.g. ollama:qwen2.5"
        )
    return OpenAICompatProvider(spec, (spec.base_url or OLLAMA_BASE_URL).rstrip("/"))


class OpenAICompatProvider:
    """Chat completions over HTTP through the official SDK (its own retries turned off)."""

    def __init__(self, spec: ModelSpec, base_url: str) -> None:
        import openai

        self.spec = spec
        self.base_url = base_url
        self._model = spec.model_name
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=lambda: spec.api_key() or NO_KEY,
            timeout=spec.timeout,
            max_retries=0,
        )

    def __repr__(self) -> str:
        return f"OpenAICompatProvider(base_url={self.base_url!r}, model={self._model!r})"

    def model(self) -> str:
        """The served model name (asked from /v1/models when the URL names none)."""
        if not self._model:
            with _mapped(self.spec):
                listing = self._client.models.list()
            ids = [m.id for m in listing.data]
            if not ids:
                raise ModelError("bad_response", f"{self.base_url} serves no models")
            self._model = ids[0]
        return self._model

    def complete(self, request: CompletionRequest) -> Completion:
        """One non-streaming chat completion."""
        start = time.perf_counter()
        with _mapped(self.spec):
            resp = self._client.chat.completions.create(**self._params(request, stream=False))
        return _completion(resp, self.model(), _ms(start), request)

    def stream(self, request: CompletionRequest) -> Iterator[StreamItem]:
        """Text deltas as they arrive, then the final Completion."""
        start = time.perf_counter()
        params = self._params(request, stream=True)
        params["stream_options"] = {"include_usage": True}
        with _mapped(self.spec):
            chunks = self._client.chat.completions.create(**params)
        yield from self._relay(chunks, request, start)

    def _relay(self, chunks: Any, request: CompletionRequest, start: float) -> Iterator[StreamItem]:
        parts: list[str] = []
        state: dict[str, Any] = {"finish": None, "usage": None}
        with _mapped(self.spec):
            for chunk in chunks:
                delta = _absorb(chunk, state)
                if delta:
                    parts.append(delta)
                    yield delta
        text = "".join(parts)
        usage = _usage(state["usage"], request, text)
        yield Completion(text, self.model(), usage, state["finish"], _ms(start))

    def _params(self, request: CompletionRequest, stream: bool) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model(),
            "messages": [m.to_dict() for m in request.messages],
            "stream": stream,
        }
        if request.max_tokens is not None:
            params["max_tokens"] = request.max_tokens
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.stop:
            params["stop"] = list(request.stop)
        return params


def _absorb(chunk: Any, state: dict[str, Any]) -> str:
    """Take finish reason and usage from a stream chunk; return its text delta."""
    if getattr(chunk, "usage", None) is not None:
        state["usage"] = chunk.usage
    choices = getattr(chunk, "choices", None) or []
    if not choices:
        return ""
    if choices[0].finish_reason:
        state["finish"] = choices[0].finish_reason
    delta = choices[0].delta
    return (delta.content or "") if delta is not None else ""


def _completion(resp: Any, model: str, latency: float, request: CompletionRequest) -> Completion:
    choices = getattr(resp, "choices", None)
    if not choices or getattr(choices[0], "message", None) is None:
        raise ModelError("bad_response", f"{model}: the reply has no choices")
    text = choices[0].message.content or ""
    usage = _usage(getattr(resp, "usage", None), request, text)
    return Completion(
        text, getattr(resp, "model", None) or model, usage, choices[0].finish_reason, latency
    )


def _usage(raw: Any, request: CompletionRequest, text: str) -> Usage:
    """Server-reported usage, or an estimate when the server sent none."""
    if raw is not None and getattr(raw, "prompt_tokens", None) is not None:
        return Usage(int(raw.prompt_tokens), int(raw.completion_tokens or 0))
    return Usage(estimate_tokens(request.prompt_text()), estimate_tokens(text))


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 3)


@contextmanager
def _mapped(spec: ModelSpec) -> Iterator[None]:
    """Translate SDK and HTTP failures into ModelError with a reason."""
    try:
        yield
    except ModelError:
        raise
    except Exception as exc:
        mapped = map_error(exc, spec.alias)
        if mapped is None:
            raise
        raise mapped from exc


def map_error(exc: BaseException, alias: str) -> ModelError | None:
    """The ModelError for an SDK exception (None when it is not a model-call failure)."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return ModelError("timeout", f"model {alias!r} timed out")
    if isinstance(exc, openai.APIConnectionError):
        return ModelError("unavailable", f"model {alias!r} is unreachable: {exc}")
    if isinstance(exc, openai.APIStatusError):
        return _status_error(exc, alias)
    if isinstance(exc, openai.APIResponseValidationError | json.JSONDecodeError):
        return ModelError("bad_response", f"model {alias!r} sent a malformed reply: {exc}")
    return None


def _status_error(exc: Any, alias: str) -> ModelError:
    status = int(exc.status_code)
    detail = _message(exc)
    text = f"model {alias!r} answered HTTP {status}: {detail}"
    if status == 429:
        return ModelError("rate_limited", text, retry_after=_retry_after(exc))
    if status >= 500:
        return ModelError("server_error", text, retry_after=_retry_after(exc))
    if status in (401, 403):
        return ModelError("auth", text)
    if status in (400, 413, 422) and any(m in detail.lower() for m in _OVERFLOW_MARKERS):
        return ModelError("context_overflow", text)
    return ModelError("bad_request", text)


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            parts = [str(inner.get(k)) for k in ("message", "code") if inner.get(k)]
            return " ".join(parts) or str(body)
        return str(inner)
    return str(getattr(exc, "message", exc))


def _retry_after(exc: Any) -> float | None:
    """Seconds from a Retry-After header (number form; HTTP dates are ignored)."""
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
