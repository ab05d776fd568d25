"""Decoding text files: UTF-8, UTF-16/32 with BOM, GBK / GB18030, Big5 and others."""

from __future__ import annotations

import codecs

from ebrain.errors import ParseError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
MAX_BAD_SHARE = 0.01
"""Largest share of a file's bytes that may be undecodable (and replaced by U+FFFD)."""
_SHOWN_OFFSETS = 5
# Chinese legacy encodings the detector may name by a narrower or wider sibling.
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5": "big5hkscs"}


def decode_text(data: bytes, warnings: list[str] | None = None, label: str = "") -> tuple[str, str]:
    """(text, encoding) of `data`, or ParseError('undecodable').

    When an encoding fits all but a few stray bytes (at most 1% of the file), those are
    replaced by U+FFFD and a warning with their count and first offsets is appended to
    `warnings` (prefixed by `label`); files that fit no encoding that well stay refused.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode(data, name, warnings, label), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 4:
            return data[: exc.start].decode("utf-8"), "utf-8"
    lenient = _lenient(data, "utf-8")
    if lenient is not None:
        _warn(warnings, label, "utf-8", data, lenient[1])
        return lenient[0], "utf-8"
    name = _detect(data)
    return _decode(data, name, warnings, label), name


def _detect(data: bytes) -> str:
    """The encoding charset-normalizer finds most plausible, widened for Chinese."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise _undecodable("no text encoding fits its bytes")
    name = best.encoding.lower()
    return _WIDEN.get(name, name)


def _decode(data: bytes, encoding: str, warnings: list[str] | None, label: str) -> str:
    """Decode, tolerating a cut character at the very end and a few stray bytes elsewhere."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 4:
            return _decode(data[: exc.start], encoding, warnings, label)
    except LookupError as exc:
        raise _undecodable(f"unknown encoding {encoding}") from exc
    lenient = _lenient(data, encoding)
    if lenient is None:
        raise _undecodable(f"it is not valid {encoding}")
    _warn(warnings, label, encoding, data, lenient[1])
    return lenient[0]


def _lenient(data: bytes, encoding: str) -> tuple[str, int] | None:
    """(text with U+FFFD for bad bytes, how many were replaced), or None when more than
    MAX_BAD_SHARE of the bytes are bad."""
    text = data.decode(encoding, "replace")
    try:
        genuine = data.count("\ufffd".encode(encoding))  # U+FFFD written in the file itself
    except UnicodeError:
        genuine = 0
    bad = text.count("\ufffd") - genuine
    return (text, bad) if bad <= len(data) * MAX_BAD_SHARE else None


def _warn(warnings: list[str] | None, label: str, encoding: str, data: bytes, bad: int) -> None:
    """Record how many byte sequences were replaced, and where the first ones are."""
    if warnings is None:
        return
    offsets = ", ".join(str(o) for o in _bad_offsets(data, encoding, _SHOWN_OFFSETS))
    more = ", ..." if bad > _SHOWN_OFFSETS else ""
    warnings.append(
        f"{label}{bad} undecodable byte sequence(s) replaced by U+FFFD when decoding as "
        f"{encoding} (byte offsets {offsets}{more})"
    )


def _bad_offsets(data: bytes, encoding: str, most: int) -> list[int]:
    """Offsets of the first `most` undecodable byte sequences of `data`."""
    offsets: list[int] = []
    pos = 0
    while len(offsets) < most and pos < len(data):
        try:
            data[pos:].decode(encoding)
            break
        except UnicodeDecodeError as exc:
            offsets.append(pos + exc.start)
            pos += exc.end
    return offsets


def _undecodable(why: str) -> ParseError:
    return ParseError(
        "undecodable",
        f"cannot decode the text: {why}",
        hint="save the file as UTF-8 (or GBK / Big5 / UTF-16 with a BOM) and ingest it again",
    )
