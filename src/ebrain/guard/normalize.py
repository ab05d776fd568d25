"""Undo the tricks attackers use to hide instructions: widths, zero-width, homoglyphs, base64."""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass, field

_ZERO_WIDTH = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Cyrillic and Greek letters that look like Latin ones.
_HOMOGLYPHS = str.maketrans(
    "аеорсухіјѕԁɡһոԛԝАВЕКМНОРСТХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοτνι",
    "aeopcyxijsdghnqwABEKMHOPCTXIJSABEZHIKMNOPTYXaotvi",
)
_B64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_MIXED = re.compile(r"[a-zA-Z][\u0370-\u04ff]|[\u0370-\u04ff][a-zA-Z]")


@dataclass
class Normalized:
    """The text as a scanner should read it, an offset map back, and the tricks undone."""

    text: str
    offsets: list[int] = field(default_factory=list)
    tricks: list[str] = field(default_factory=list)
    decoded: list[str] = field(default_factory=list)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text of a span in the normalized text."""
        if not self.offsets:
            return start, end
        last = len(self.offsets) - 1
        return self.offsets[min(start, last)], self.offsets[min(max(end - 1, 0), last)] + 1


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


def _fold(text: str) -> tuple[str, list[int]]:
    """Fold each character (NFKC, homoglyphs, lower case), keeping a map to original offsets."""
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if _ZERO_WIDTH.match(ch):
            continue
        folded = unicodedata.normalize("NFKC", ch).translate(_HOMOGLYPHS).lower()
        folded = " " if folded.isspace() else folded
        out.append(folded)
        offsets.extend([i] * len(folded))
    return "".join(out), offsets


def _tricks(text: str) -> list[str]:
    """Which obfuscations the raw text shows."""
    found = []
    if _ZERO_WIDTH.search(text):
        found.append("zero_width")
    if any(0xFF01 <= ord(c) <= 0xFF5E for c in text):
        found.append("full_width")
    if _MIXED.search(text):
        found.append("homoglyph")
    return found


def normalize(text: str) -> Normalized:
    """Fold widths (NFKC), drop zero-width marks, map homoglyphs, decode base64 payloads."""
    if text.isascii():
        folded, offsets, tricks = text.lower(), list[int](), list[str]()
    else:
        tricks = _tricks(text)
        folded, offsets = _fold(text)
    decoded = [d for d in (_decode_b64(m) for m in _B64.findall(text)) if d]
    if decoded:
        tricks.append("base64")
    return Normalized(folded, offsets, tricks, decoded)
