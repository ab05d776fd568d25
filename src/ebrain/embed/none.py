"""`none`: no dense vectors, for lexical-only (BM25) workspaces.

`embed_batch` returns an empty (n, 0) float32 array, so callers need no special case: there is
nothing to store and nothing to search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ebrain.embed.base import Kind, Vectors, clean


@dataclass
class NoEmbedder:
    """The embedder that embeds nothing (dim 0)."""

    name: str = "none"
    dim: int = 0

    def embed_batch(self, texts: Sequence[str], *, kind: Kind) -> Vectors:
        """An (n, 0) array: no vector for any text."""
        return np.zeros((len(clean(texts)), 0), dtype=np.float32)


def create(spec: str) -> NoEmbedder:
    """Factory for `none`."""
    del spec
    return NoEmbedder()
