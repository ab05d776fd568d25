"""Sentence splitting for Chinese (。！？；…) and English, returning character spans."""

from __future__ import annotations

import re

# A sentence ends at Chinese terminal punctuation (with closing quotes), at English terminal
# punctuation followed by whitespace, or at a line break.
_END = re.compile(
    r"(?:[。！？；!?;]|…{1,2}|\.{3})[”’」』）)\"']*"
    r"|(?<![A-Z][a-z])(?<!\b[A-Z])(?<=[a-z0-9%)\]\"'])\.(?=\s)"
    r"|\n+"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in `text`, whitespace trimmed, none empty."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        _add(text, start, match.end(), spans)
        start = match.end()
    _add(text, start, len(text), spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
