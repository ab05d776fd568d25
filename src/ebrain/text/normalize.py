"""Normalization of extracted text: line ends, control characters, runs of blank space."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BLANKS = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Unify line ends, drop control and zero-width characters, collapse spaces and blank lines.

    Character widths are kept as written (folding happens in the search analyzer), so that
    offsets into the normalized text point at what the user will see.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _collapse_spaces(_CONTROL.sub("", text))
    if "\n" not in text:  # a single line: stripping it is all that is left to do
        return text.strip()
    text = "\n".join(map(str.strip, text.split("\n")))
    if "\n\n\n" in text:
        text = _BLANKS.sub("\n\n", text)
    return text.strip()


def _collapse_spaces(text: str) -> str:
    """Replace each run of spaces, tabs, NBSP and ideographic spaces with one space."""
    # The substitution only changes a run that is not a lone ' ', i.e. one with two characters
    # or with a tab, NBSP or U+3000; without any of those, the text is returned as is.
    if "  " in text or "\t" in text or "\u00a0" in text or "\u3000" in text:
        return _SPACES.sub(" ", text)
    return text
