"""Cross-encoder reranking in process via sentence-transformers (extra `[st]`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ebrain.errors import BackendError


@dataclass
class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder loaded from a local path or cache (never downloads)."""

    model_name: str
    _model: Any = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The spec of this reranker."""
        return f"st:{self.model_name}"

    def rerank_batch(self, query: str, texts: Sequence[str]) -> list[float]:
        """Cross-encoder scores in input order."""
        if not texts:
            return []
        model = self._load()
        return [float(s) for s in model.predict([(query, t) for t in texts])]

    def _load(self) -> Any:
        if self._model is None:
            try:
                from sentence_transformers import CrossEncoder
            except ImportError as exc:
                raise BackendError("the st: reranker needs sentence-transformers",
                                   hint="pip install 'ebrain[st]'") from exc  # fmt: skip
            self._model = CrossEncoder(self.model_name, local_files_only=True)
        return self._model


def create(spec: str) -> CrossEncoderReranker:
    """Factory for `st:NAME_OR_PATH`."""
    return CrossEncoderReranker(spec.split(":", 1)[1])
