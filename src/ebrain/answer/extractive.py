"""Extractive answers: the best supporting sentences of the top chunks, each with its citation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ebrain.answer.confidence import coverage, hit_terms
from ebrain.retrieve.hits import Hit
from ebrain.text import split_sentences

MAX_SENTENCES = 3
CHUNKS = 5
KEEP_RATIO = 0.8
MIN_CHARS = 12
MAX_CHARS = 240
NOVEL_TERMS = 4
# Sentence score = its own coverage, its chunk's coverage, the chunk's rank, its position.
SENTENCE, CHUNK, RANK, POSITION = 0.55, 0.35, 0.2, 0.03


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
    return max(0.5, MAX_CHARS / n) if n > MAX_CHARS else 1.0


def _novelty(terms: frozenset[str], weights: dict[str, float]) -> float:
    """A sentence that only repeats the question (a heading, a label) answers nothing."""
    new = [t for t in terms if not any(t in q for q in weights)]
    return 0.4 + 0.6 * min(1.0, len(new) / NOVEL_TERMS)


def score_sentences(
    hits: Sequence[Hit], weights: dict[str, float], analyzer: Any, chunks: int = CHUNKS
) -> list[Sentence]:
    """Every sentence of the top chunks, scored by term overlap, position and chunk rank."""
    out: list[Sentence] = []
    for rank, hit in enumerate(hits[:chunks]):
        whole = coverage(weights, hit_terms(analyzer, hit))
        for pos, (start, end) in enumerate(split_sentences(hit.text)):
            text = hit.text[start:end]
            terms = analyzer.term_set(text)
            overlap = coverage(weights, terms)
            if overlap <= 0:
                continue
            factor = _length_factor(text) * _novelty(terms, weights)
            score = SENTENCE * overlap * factor + CHUNK * whole
            score += RANK / (1 + rank) + POSITION / (1 + pos)
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
