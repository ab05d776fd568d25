"""A deterministic embedder for tests, registered through the real embedder registry.

Vectors are hashed character bigrams: texts that share wording are close, so dense search
behaves sensibly without loading a model.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ebrain.embed.base import Kind, Vectors, l2_normalize, registry


@dataclass
class HashEmbedder:
    """Bag of hashed character bigrams, L2-normalized."""

    name: str = "fakehash:64"
    dim: int = 64
    calls: int = 0

    def embed_batch(self, texts: Sequence[str], *, kind: Kind) -> Vectors:
        """Embed texts; `kind` is ignored."""
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            compact = "".join(text.lower().split())
            for i in range(len(compact) - 1):
                h = int(hashlib.md5(compact[i : i + 2].encode()).hexdigest()[:8], 16)
                out[row, h % self.dim] += 1.0
        return l2_normalize(out)


def create(spec: str) -> HashEmbedder:
    """Factory: `fakehash` or `fakehash:DIM`."""
    dim = int(spec.split(":", 1)[1]) if ":" in spec else 64
    return HashEmbedder(name=f"fakehash:{dim}", dim=dim)


def register() -> None:
    """Make `fakehash[:DIM]` available to embedder_for()."""
    registry.register("fakehash", create)


@dataclass
class CountingEmbedder(HashEmbedder):
    """HashEmbedder that counts every text it embeds (thread-safe) and takes `delay` seconds
    per batch, so concurrent runs overlap."""

    texts: int = 0
    delay: float = 0.01

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def embed_batch(self, texts: Sequence[str], *, kind: Kind) -> Vectors:
        """Embed and count."""
        with self._lock:
            self.texts += len(texts)
        time.sleep(self.delay)
        return super().embed_batch(texts, kind=kind)


def register_counting() -> CountingEmbedder:
    """Register `fakecount` (one shared instance, returned) with the embedder registry."""
    model = CountingEmbedder(name="fakecount:64", dim=64)
    registry.register("fakecount", lambda _spec: model)
    return model
