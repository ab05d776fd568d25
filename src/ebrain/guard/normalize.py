"""Undo the tricks attackers use to hide instructions: widths, zero-width, homoglyphs, base64."""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import chain, repeat

_ZERO_WIDTH = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_FULL_WIDTH = re.compile(r"[\uff01-\uff5e]")
# Cyrillic and Greek letters that look like Latin ones.
_HOMOGLYPHS = str.maketrans(
    "аеорсухіјѕԁɡһոԛԝАВЕКМНОРСТХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοτνι",
    "aeopcyxijsdghnqwABEKMHOPCTXIJSABEZHIKMNOPTYXaotvi",
)
_B64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_MIXED = re.compile(r"[a-zA-Z][\u0370-\u04ff]|[\u0370-\u04ff][a-zA-Z]")


def fold_char(ch: str) -> str:
    """One character folded: zero-width dropped, NFKC, homoglyphs, lower case, space."""
    if _ZERO_WIDTH.match(ch):
        return ""
    folded = unicodedata.normalize("NFKC", ch).translate(_HOMOGLYPHS).lower()
    return " " if folded.isspace() else folded


_TABLE_LIMIT = 1 << 16


class _FoldTable(dict[int, str]):
    """A `str.translate` table that folds each code point once, then serves it from memory."""

    def __init__(self) -> None:
        super().__init__()
        self.irregular: set[str] = set()  # characters that fold to other than one character

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = fold_char(ch)
        if len(folded) != 1:
            self.irregular.add(ch)
        if len(self) < _TABLE_LIMIT:  # bounded memory against texts that walk all of Unicode
            self[code] = folded
        return folded


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Fold the whole text per character (same result as `fold_char` on each, joined)."""
    return text.translate(_TABLE)


def offset_map(text: str) -> list[int]:
    """For each character of `fold(text)`, the index of the character it came from."""
    fold(text)  # makes sure every character of `text` is in the table
    if _TABLE.irregular.isdisjoint(text):
        return list(range(len(text)))
    widths = (len(_TABLE[ord(ch)]) for ch in text)
    return list(chain.from_iterable(repeat(i, n) for i, n in enumerate(widths)))


@dataclass
class Normalized:
    """The text as a scanner should read it, the tricks undone, and a lazy map to offsets."""

    text: str
    source: str = ""
    tricks: list[str] = field(default_factory=list)
    decoded: list[str] = field(default_factory=list)
    _offsets: list[int] | None = field(default=None, repr=False)

    @property
    def offsets(self) -> list[int]:
        """Original offset of each normalized character (empty when they are the same)."""
        if self._offsets is None:
            same = not self.source or self.source.isascii()
            self._offsets = [] if same else offset_map(self.source)
        return self._offsets

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text of a span in the normalized text."""
        offsets = self.offsets
        if not offsets:
            return start, end
        last = len(offsets) - 1
        return offsets[min(start, last)], offsets[min(max(end - 1, 0), last)] + 1


def _decode_b64(chunk: str) -> str | None:
    """The UTF-8 text a base64 run decodes to, if it is mostly printable."""
    try:
        raw = base64.b64decode(chunk + "=" * (-len(chunk) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    printable = sum(ch.isprintable() or ch.isspace() for ch in text)
    spaced = " " in text.strip() or any("\u4e00" <= ch <= "\u9fff" for ch in text)
    return text if text and printable / len(text) > 0.95 and spaced else None


def _tricks(text: str) -> list[str]:
    """Which obfuscations the raw text shows."""
    found = []
    if _ZERO_WIDTH.search(text):
        found.append("zero_width")
    if _FULL_WIDTH.search(text):
        found.append("full_width")
    if _MIXED.search(text):
        found.append("homoglyph")
    return found


def normalize(text: str) -> Normalized:
    """Fold widths (NFKC), drop zero-width marks, map homoglyphs, decode base64 payloads."""
    if text.isascii():
        folded, tricks = text.lower(), list[str]()
    else:
        folded, tricks = fold(text), _tricks(text)
    decoded = [d for d in (_decode_b64(m) for m in _B64.findall(text)) if d]
    if decoded:
        tricks.append("base64")
    return Normalized(folded, text, tricks, decoded)
