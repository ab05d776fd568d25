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
# Chinese legacy encodings the detector may name by a narrower or wider sibling.
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5": "big5hkscs"}


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of `data`, or ParseError('undecodable')."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _strict(data, name), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    name = _detect(data)
    return _strict(data, name), name


def _detect(data: bytes) -> str:
    """The encoding charset-normalizer finds most plausible, widened for Chinese."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise _undecodable("no text encoding fits its bytes")
    name = best.encoding.lower()
    return _WIDEN.get(name, name)


def _strict(data: bytes, encoding: str) -> str:
    """Decode strictly, tolerating a cut multibyte character at the very end."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 4:
            return data[: exc.start].decode(encoding)
        raise _undecodable(f"it is not valid {encoding}") from exc
    except LookupError as exc:
        raise _undecodable(f"unknown encoding {encoding}") from exc


def _undecodable(why: str) -> ParseError:
    return ParseError(
        "undecodable",
        f"cannot decode the text: {why}",
        hint="save the file as UTF-8 (or GBK / Big5 / UTF-16 with a BOM) and ingest it again",
    )
