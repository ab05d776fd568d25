"""Extractive answers: the best supporting sentences of the top chunks, each with its citation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ebrain.answer.confidence import coverage
from ebrain.retrieve.hits import Hit
from ebrain.text import split_sentences

MAX_SENTENCES = 3
CHUNKS = 5
KEEP_RATIO = 0.6
MIN_CHARS = 12
MAX_CHARS = 400


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence: its chunk (by rank), offsets inside the chunk text, and score."""

    rank: int
    start: int
    end: int
    text: str
    score: float


def _length_factor(text: str) -> float:
    """Short fragments (headings, labels) and very long runs carry less."""
    n = len(text)
    if n < MIN_CHARS:
        return 0.5 + 0.5 * n / MIN_CHARS
    return 0.85 if n > MAX_CHARS else 1.0


def score_sentences(
    hits: Sequence[Hit], weights: dict[str, float], analyzer: Any, chunks: int = CHUNKS
) -> list[Sentence]:
    """Every sentence of the top chunks, scored by term overlap, position and chunk rank."""
    out: list[Sentence] = []
    for rank, hit in enumerate(hits[:chunks]):
        spans = split_sentences(hit.text)
        for pos, (start, end) in enumerate(spans):
            text = hit.text[start:end]
            overlap = coverage(weights, set(analyzer.terms(text)))
            if overlap <= 0:
                continue
            score = overlap * _length_factor(text)
            score += 0.05 / (1 + pos) + 0.15 / (1 + rank)
            out.append(Sentence(rank, start, end, text, round(score, 6)))
    out.sort(key=lambda s: (-s.score, s.rank, s.start))
    return out


def pick_sentences(scored: Sequence[Sentence], limit: int = MAX_SENTENCES) -> list[Sentence]:
    """The best sentence plus close runners-up (distinct, not overlapping)."""
    if not scored:
        return []
    best = scored[0].score
    chosen: list[Sentence] = []
    for s in scored:
        if len(chosen) >= limit or s.score < best * KEEP_RATIO:
            break
        if any(_same(s, c) for c in chosen):
            continue
        chosen.append(s)
    return chosen


def _same(a: Sentence, b: Sentence) -> bool:
    if a.rank == b.rank and a.start < b.end and b.start < a.end:
        return True
    return "".join(a.text.split()) == "".join(b.text.split())
