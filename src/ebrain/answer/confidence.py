"""Retrieval confidence: how much of the question's content the best retrieved chunk covers.

The signal works without any model: the question's content terms (question words removed, a
word's sub-words folded into it) are weighted by inverse document frequency from the full-text
index, and the confidence is the weighted fraction covered by the best of the top chunks. A
question about something the knowledge base never mentions leaves its rare, specific terms
uncovered, which costs the most weight.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, Protocol

import sqlalchemy as sa

from ebrain.catalog.queries import Catalog
from ebrain.retrieve.hits import Hit

# Refuse when the refusal model's P(answerable) is below this (ebrain.answer.refusal; the model
# folds its fitted decision point into its intercept, bench/tune_refusal.py); config
# `answer.refusal_threshold` (same default).
DEFAULT_REFUSAL_THRESHOLD = 0.5
TOP_CHUNKS = 3

QUESTION_WORDS = frozenset(
    [
        "多少",
        "哪天",
        "什么",
        "是否",
        "哪些",
        "哪个",
        "哪位",
        "哪份",
        "哪家",
        "哪里",
        "哪儿",
        "哪",
        "几",
        "几天",
        "几个",
        "多长",
        "多久",
        "多大",
        "怎么",
        "怎样",
        "如何",
        "为什么",
        "为何",
        "谁",
        "时候",
        "什么时候",
        "是不是",
        "有没有",
        "吗",
        "呢",
        "具体",
        "请问",
        "一下",
        "告诉",
        "哪一",
        "哪一个",
        "哪一种",
        "哪一年",
        "哪种",
        "文中",
        "提及",
        "提到",
        "一起",
        "mani",
        "much",
        "often",
        "what",
        "when",
        "who",
        "whom",
        "whose",
        "which",
        "whi",
        "how",
        "where",
        "tell",
        "pleas",
    ]
)


class TermStats(Protocol):
    """Document frequencies of index terms."""

    def total(self) -> int:
        """How many chunks are indexed."""
        ...

    def doc_freq(self, term: str) -> int:
        """How many chunks contain `term`."""
        ...


class FtsTermStats:
    """Term statistics from the catalog's full-text index (cached per instance)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.catalog = Catalog(engine)
        self._df: dict[str, int] = {}
        self._total: int | None = None

    def total(self) -> int:
        """Indexed chunks (frequencies cached until the count changes)."""
        total = self.catalog.chunk_count()
        if total != self._total:
            self._df.clear()
            self._total = total
        return total

    def doc_freq(self, term: str) -> int:
        """Chunks whose terms include `term` (0 when the index has no FTS table)."""
        if term not in self._df:
            self._df[term] = self.catalog.fulltext_doc_freq(term)
        return self._df[term]


class UniformStats:
    """Every term weighs the same (for backends without term statistics)."""

    def total(self) -> int:
        """A nominal corpus size."""
        return 1

    def doc_freq(self, term: str) -> int:
        """Nominal frequency."""
        del term
        return 0


def content_terms(analyzer: Any, text: str) -> list[str]:
    """The question's content terms: no question words, no lone letters, no sub-words, and no
    lone Chinese characters (mostly function words: 要, 去, 才, 所) unless nothing else is left."""
    terms = [
        t
        for t in analyzer.query_terms(text)
        if t not in QUESTION_WORDS and not (len(t) == 1 and t.isascii() and t.isalpha())
    ]
    terms = [t for t in terms if not any(t != o and t in o for o in terms)]
    longer = [t for t in terms if len(t) > 1 or t.isascii()]
    return longer if len(longer) >= 2 else terms


def term_weights(terms: Sequence[str], stats: TermStats) -> dict[str, float]:
    """Inverse document frequency of each term."""
    n = stats.total()
    return {t: math.log((n + 1) / (stats.doc_freq(t) + 0.5)) + 0.1 for t in terms}


def coverage(weights: dict[str, float], present: set[str] | frozenset[str]) -> float:
    """The weighted fraction of the terms found in `present`."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in present) / total


def hit_terms(analyzer: Any, hit: Hit) -> frozenset[str]:
    """The index terms of a hit, with its title and headings (as the index saw them)."""
    from ebrain.ingest.prepare import index_text

    text = index_text(hit.title, json.dumps(hit.heading_path, ensure_ascii=False), hit.text)
    return analyzer.term_set(text)  # type: ignore[no-any-return]
