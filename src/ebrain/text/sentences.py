"""Sentence splitting for Chinese (。！？；…) and English, returning character spans."""

from __future__ import annotations

import re

_CLOSERS = r"[”’」』）)\"']*"

# A sentence ends at Chinese terminal punctuation (with closing quotes), at English terminal
# punctuation followed by whitespace, or at a line break.
#
# Written as  (?:[。！？；!?;]|…{1,2}|\.{3})CLOSERS
#           | (?<![A-Z][a-z])(?<!\b[A-Z])(?<=[a-z0-9%)\]"'])\.(?=\s)  |  \n+
# but with every alternative starting with a literal character ('……?' for '…{1,2}', '\n\n*'
# for '\n+'), so that re skips ahead with a fast first-character set instead of trying the
# whole pattern at every position. The single-'.' look-behinds sit after the '.', each widened
# by it, so they test the same characters. Alternatives keep their order ('...' first).
_END = re.compile(
    "|".join(
        [re.escape(mark) + _CLOSERS for mark in "。！？；!?;"]
        + [r"……?" + _CLOSERS, r"\.\.\." + _CLOSERS]
        + [r"\.(?<=[a-z0-9%)\]\"']\.)(?<![A-Z][a-z]\.)(?<!\b[A-Z]\.)(?=\s)", r"\n\n*"]
    )
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in `text`, whitespace trimmed, none empty."""
    spans: list[tuple[int, int]] = []
    start = 0
    for end in [match.end() for match in _END.finditer(text)] + [len(text)]:
        first, start = start, end
        while first < end and text[first].isspace():
            first += 1
        while end > first and text[end - 1].isspace():
            end -= 1
        if end > first:
            spans.append((first, end))
    return spans
