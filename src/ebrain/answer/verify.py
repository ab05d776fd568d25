"""Citations: parse [n] markers in an answer and verify each cited sentence against its chunk.

A cited sentence holds when every number, amount and date in it appears in the cited chunks and
its wording overlaps the chunk. Markers that point at no source are dropped from the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ebrain.retrieve.hits import Hit
from ebrain.text import split_sentences

MIN_OVERLAP = 0.35
_MARK = re.compile(r"\[(\d{1,3}(?:\s*[,，、;]\s*\d{1,3})*)\]|【(\d{1,3})】")
_RUN = re.compile(r"(?:\s*(?:\[\d{1,3}(?:\s*[,，、;]\s*\d{1,3})*\]|【\d{1,3}】))+")
_MOVE = re.compile(r"([。！？!?；;]|\.(?=\s|$))(" + _RUN.pattern + ")")
_NUMBER = re.compile(r"\d+(?:[.,，]\d+)*")


@dataclass
class Claim:
    """One sentence of an answer and the source numbers it cites."""

    text: str
    cites: list[int]
    start: int
    end: int


@dataclass
class Check:
    """The verdict on one citation of one claim."""

    n: int
    ok: bool
    quote_start: int = 0
    quote_end: int = 0
    problems: list[str] = field(default_factory=list)


def numbers(text: str) -> set[str]:
    """Numbers, amounts and date parts, normalized (no thousands separators or leading zeros)."""
    out = set()
    for match in _NUMBER.finditer(text):
        value = re.sub(r"[,，]", "", match.group(0))
        if "." not in value:
            value = value.lstrip("0") or "0"
        out.add(value)
    return out


def marker_numbers(marker: str) -> list[int]:
    """The source numbers inside one run of markers, e.g. `[1][2, 3]` -> [1, 2, 3]."""
    found: list[int] = []
    for m in _MARK.finditer(marker):
        found += [int(x) for x in re.split(r"[,，、;]", m.group(1) or m.group(2))]
    return found


def normalize_markers(text: str) -> str:
    """Put markers written after the sentence's final punctuation before it."""
    return _MOVE.sub(lambda m: m.group(2).strip() + m.group(1), text)


def claims(text: str) -> list[Claim]:
    """The sentences of an answer with the markers each carries."""
    out = []
    for start, end in split_sentences(text):
        sentence = text[start:end]
        cites = marker_numbers(sentence)
        out.append(Claim(_MARK.sub("", sentence).strip(), list(dict.fromkeys(cites)), start, end))
    return out


def strip_invalid(text: str, valid: set[int]) -> str:
    """Drop markers that point at no source."""

    def fix(m: re.Match[str]) -> str:
        kept = [n for n in marker_numbers(m.group(0)) if n in valid]
        return "".join(f"[{n}]" for n in kept)

    return _MARK.sub(fix, text)


def best_quote(claim: str, hit: Hit, analyzer: Any) -> tuple[int, int, float]:
    """The chunk sentence that overlaps the claim most: (start, end, overlap)."""
    mine = set(analyzer.terms(claim))
    best = (0, len(hit.text), 0.0)
    for start, end in split_sentences(hit.text):
        theirs = set(analyzer.terms(hit.text[start:end]))
        score = len(mine & theirs) / max(1, len(mine))
        if score > best[2]:
            best = (start, end, score)
    return best


def check_claim(claim: Claim, sources: dict[int, Hit], analyzer: Any) -> list[Check]:
    """Verify each citation of a claim: numbers in the cited chunks, wording overlapping."""
    cited = [sources[n] for n in claim.cites if n in sources]
    pool = set().union(*(numbers(h.text) for h in cited)) if cited else set()
    missing = sorted(numbers(claim.text) - pool)
    mine = set(analyzer.terms(claim.text))
    checks = []
    for n in claim.cites:
        if n not in sources:
            continue
        hit = sources[n]
        overlap = len(mine & set(analyzer.terms(hit.text))) / max(1, len(mine))
        problems = [f"number not in source: {x}" for x in missing]
        if overlap < MIN_OVERLAP:
            problems.append(f"wording overlap {overlap:.2f} < {MIN_OVERLAP}")
        start, end, _ = best_quote(claim.text, hit, analyzer)
        checks.append(Check(n, not problems, start, end, problems))
    return checks


def verify(text: str, sources: dict[int, Hit], analyzer: Any) -> list[tuple[Claim, list[Check]]]:
    """Every claim of an answer with the verdict on each of its citations."""
    return [(c, check_claim(c, sources, analyzer)) for c in claims(text) if c.cites]


def cited_order(results: Sequence[tuple[Claim, list[Check]]]) -> list[int]:
    """Source numbers in the order the answer first cites them."""
    seen: dict[int, None] = {}
    for _claim, checks in results:
        for check in checks:
            seen.setdefault(check.n, None)
    return list(seen)
