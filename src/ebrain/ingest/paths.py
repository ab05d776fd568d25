"""File names that are not valid UTF-8, stored losslessly.

On POSIX, Python hands over a file name whose bytes are not UTF-8 (GBK names from zip
extraction or a Samba share) with each bad byte as a lone surrogate (PEP 383
`surrogateescape`). Such a string cannot be written to SQLite, JSON or a terminal. Its stored
form writes each such byte as `\\xNN` (and any other lone surrogate as `\\uXXXX`), with
backslashes doubled so that the form reads back unambiguously. Every other name is stored as it
is, except one that already looks escaped (holds `\\\\`, `\\xNN` or `\\uNNNN`): its backslashes
are doubled too, so two names never share a stored form. `fs_path` turns a stored form back
into the name the file system knows.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED = re.compile(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})")


def is_clean(text: str) -> bool:
    """True when `text` holds no lone surrogate (it can be stored and printed as is)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def stored_path(path: str) -> str:
    """The stored (and displayed) form of a path: itself, or its bad bytes escaped."""
    if is_clean(path) and ("\\" not in path or not _ESCAPED.search(path)):
        return path
    return _SURROGATE.sub(_escape, path.replace("\\", "\\\\"))


def clean_text(text: str) -> str:
    """A message or title with any lone surrogate escaped (for display; not reversible)."""
    return text if is_clean(text) else _SURROGATE.sub(_escape, text)


def fs_path(stored: str) -> str:
    """The file system's name (surrogateescape str) for a stored form from `stored_path`."""
    return _ESCAPED.sub(_unescape, stored) if "\\" in stored else stored


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _unescape(match: re.Match[str]) -> str:
    body = match.group(1)
    if body == "\\":
        return "\\"
    if body[0] == "x":
        byte = int(body[1:], 16)
        return chr(0xDC00 + byte) if byte >= 0x80 else match.group()
    return chr(int(body[1:], 16))
