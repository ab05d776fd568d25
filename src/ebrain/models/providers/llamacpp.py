"""In-process GGUF models through llama-cpp-python (extra `[local]`, imported lazily)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ebrain.errors import NotFoundError
from ebrain.models.catalog import ModelSpec
from ebrain.models.errors import ModelError
from ebrain.models.types import Completion, CompletionRequest, StreamItem, Usage

INSTALL_HINT = "pip install 'ebrain[local]'  (installs llama-cpp-python)"


def create(spec: ModelSpec | str) -> LlamaCppProvider:
    """Registry factory for `llamacpp:/path/model.gguf`."""
    spec = spec if isinstance(spec, ModelSpec) else ModelSpec(alias=spec, url=spec)
    return LlamaCppProvider(spec)


def _import_llama() -> Any:
    try:
        import llama_cpp
    except ImportError as exc:
        raise ModelError(
            "not_installed", "llamacpp models need llama-cpp-python", hint=INSTALL_HINT
        ) from exc
    return llama_cpp.Llama


class LlamaCppProvider:
    """A GGUF file loaded on first use; calls are serialized (llama.cpp is not re-entrant)."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.path = Path(spec.model_name).expanduser()
        self._llama: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LlamaCppProvider(path={str(self.path)!r})"

    def _load(self) -> Any:
        if self._llama is None:
            llama_cls = _import_llama()
            if not self.path.is_file():
                raise NotFoundError(f"GGUF file not found: {self.path}", hint="check the path")
            options = {"n_ctx": self.spec.context_window, "verbose": False, **self.spec.options}
            self._llama = llama_cls(model_path=str(self.path), **options)
        return self._llama

    def complete(self, request: CompletionRequest) -> Completion:
        """One completion, run in this process."""
        start = time.perf_counter()
        with self._lock:
            out = self._load().create_chat_completion(**_params(request, stream=False))
        choice = out["choices"][0]
        usage = out.get("usage") or {}
        return Completion(
            choice["message"].get("content") or "",
            self.path.name,
            Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))),
            choice.get("finish_reason"),
            round((time.perf_counter() - start) * 1000.0, 3),
        )

    def stream(self, request: CompletionRequest) -> Iterator[StreamItem]:
        """Text deltas, then the final Completion (tokens counted per delta)."""
        start = time.perf_counter()
        parts: list[str] = []
        finish = None
        with self._lock:
            for chunk in self._load().create_chat_completion(**_params(request, stream=True)):
                choice = chunk["choices"][0]
                finish = choice.get("finish_reason") or finish
                delta = choice.get("delta", {}).get("content") or ""
                if delta:
                    parts.append(delta)
                    yield delta
        latency = round((time.perf_counter() - start) * 1000.0, 3)
        yield Completion("".join(parts), self.path.name, Usage(0, len(parts)), finish, latency)


def _params(request: CompletionRequest, stream: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"messages": [m.to_dict() for m in request.messages], "stream": stream}
    if request.max_tokens is not None:
        params["max_tokens"] = request.max_tokens
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.stop:
        params["stop"] = list(request.stop)
    return params
