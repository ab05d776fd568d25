"""Injection scores of document chunks: made once at ingest from the stored vectors, used by
the context stage instead of scanning the text again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ebrain.guard.injection import InjectionScanner
from ebrain.guard.learned import LearnedDetector


@dataclass(frozen=True)
class StoredScore:
    """A chunk's stored verdict: the learned score of its vector and the rule that matched."""

    score: float
    rule: str | None = None

    def flagged(self, threshold: float) -> bool:
        """True when a rule matched or the score reaches the context threshold."""
        return self.rule is not None or self.score >= threshold


@dataclass
class IngestScorer:
    """The `ChunkScorer` of ingest: the shipped head on each chunk's vector, plus the rules."""

    detector: LearnedDetector = field(default_factory=LearnedDetector)
    rules: InjectionScanner = field(default_factory=lambda: InjectionScanner(use_classifier=False))

    @property
    def head(self) -> str:
        """Which head scored (the first 16 hex digits of its training-data hash)."""
        return self.detector.head_id()

    def score(
        self, texts: Sequence[str], vectors: npt.NDArray[np.float32], embedder: str
    ) -> list[tuple[float, str | None]] | None:
        """(learned score, decisive rule or None) per chunk; None for another embedder."""
        scores = self.detector.score_vectors(vectors, embedder)
        if scores is None:
            return None
        return [(s, self.rules.rule_match(t)) for s, t in zip(scores, texts, strict=True)]
