"""`st:NAME_OR_PATH`: a sentence-transformers model already on disk (extra `ebrain[st]`).

Models are loaded with `local_files_only=True`: ebrain never downloads. E5 models (the name
contains "e5") get the "query: " / "passage: " prefixes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ebrain.embed.base import Kind, Vectors, clean, e5_prefix, l2_normalize
from ebrain.errors import BackendError, ConfigError

INSTALL_HINT = "install the extra: pip install 'ebrain[st]' (sentence-transformers and torch)"


def _load(name: str) -> Any:
    """Import sentence-transformers and load the model from local files, or explain why not."""
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise BackendError(
            "the st: embedder needs sentence-transformers, which is not installed",
            hint=INSTALL_HINT,
        ) from exc
    try:
        return SentenceTransformer(name, local_files_only=True)
    except Exception as exc:
        raise BackendError(
            f"cannot load sentence-transformers model {name!r}: {exc}",
            hint="give a local folder, or a model already in the Hugging Face cache",
        ) from exc


@dataclass
class SentenceTransformerEmbedder:
    """A sentence-transformers model in process."""

    model_name: str
    model: Any
    name: str = ""
    dim: int = 0

    def __post_init__(self) -> None:
        self.name = f"st:{self.model_name}"
        self.dim = int(self.model.get_sentence_embedding_dimension() or 0)

    def embed_batch(self, texts: Sequence[str], *, kind: Kind) -> Vectors:
        """Embed with the model's own batching; rows L2-normalized."""
        items = e5_prefix(clean(texts), kind, self.model_name)
        vectors = self.model.encode(items, normalize_embeddings=True, convert_to_numpy=True)
        return l2_normalize(vectors.reshape(len(items), self.dim))


def create(spec: str) -> SentenceTransformerEmbedder:
    """Factory for `st:NAME_OR_PATH`."""
    name = spec.partition(":")[2].strip()
    if not name:
        raise ConfigError("st: needs a model name or path", hint="e.g. st:/models/bge-m3")
    return SentenceTransformerEmbedder(model_name=name, model=_load(name))
