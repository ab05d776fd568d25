"""Snippets with the query's terms highlighted, for search results and citations."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of `terms` in `text`, case-insensitive."""
    words = sorted({t for t in terms if len(t) > 1 or not t.isascii()}, key=len, reverse=True)
    if not words:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def snippet(text: str, terms: Sequence[str], width: int = 160) -> tuple[str, list[tuple[int, int]]]:
    """A window of about `width` characters around the densest run of matches."""
    spans = highlight_spans(text, terms)
    if len(text) <= width:
        return text, spans
    if not spans:
        return text[:width] + "…", []
    # spans are in text order and never overlap: the matches starting within `width` of span i
    # are spans i .. bisect(starts, start_i + width) - 1
    starts = [a for a, _ in spans]
    counts = [bisect_left(starts, a + width) - i for i, a in enumerate(starts)]
    best = spans[counts.index(max(counts))]
    start = max(0, best[0] - width // 4)
    end = min(len(text), start + width)
    window = text[start:end]
    inner = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shifted = [(a + len(prefix), b + len(prefix)) for a, b in inner]
    return prefix + window + suffix, shifted


def mark(text: str, spans: Sequence[tuple[int, int]], left: str = "[", right: str = "]") -> str:
    """Wrap each span in markers (e.g. rich markup)."""
    out, pos = [], 0
    for a, b in spans:
        out += [text[pos:a], left, text[a:b], right]
        pos = b
    out.append(text[pos:])
    return "".join(out)
