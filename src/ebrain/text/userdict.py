"""The workspace's user dictionary: company terms, product and customer names for the analyzer.

`<workspace>/userdict.txt`, UTF-8, one entry a line in jieba's format `word [freq] [pos]`
(e.g. `数据中台`, `iFactory 10 nz`); blank lines and lines starting with '#' are ignored.
Words hold no whitespace. Writes are atomic (temporary file + os.replace).
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ebrain.errors import InvalidInputError

FILENAME = "userdict.txt"
_LINE = re.compile(r"^(\S+?)(?:\s+(\d+))?(?:\s+([A-Za-z]+))?$")


@dataclass(frozen=True)
class UserWord:
    """One user-dictionary entry."""

    word: str
    freq: int | None = None
    pos: str | None = None


def dict_path(workspace: Path) -> Path:
    """Where the workspace keeps its user dictionary."""
    return Path(workspace) / FILENAME


def parse_line(line: str) -> UserWord | None:
    """One entry from a line, or None for a blank line or a comment."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    match = _LINE.match(line)
    if match is None:
        return UserWord(line.split()[0])
    word, freq, pos = match.groups()
    return UserWord(word, int(freq) if freq else None, pos)


def load_entries(workspace: Path) -> list[UserWord]:
    """All entries of the workspace's user dictionary (empty when there is none)."""
    path = dict_path(workspace)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [e for e in map(parse_line, lines) if e is not None]


def load_user_words(workspace: Path) -> list[str]:
    """The words of the workspace's user dictionary, in file order, each once."""
    return list(dict.fromkeys(e.word for e in load_entries(workspace)))


def word_key(word: str) -> str:
    """The comparison key of a word: NFKC width folding and case folding."""
    return unicodedata.normalize("NFKC", word).casefold()


def _check(word: str) -> str:
    word = word.strip()
    if not word or any(ch.isspace() for ch in word):
        raise InvalidInputError(
            f"invalid dictionary word {word!r}",
            hint="a word is one term without spaces; join parts with '-' or '_' (Power-BI)",
        )
    return word


def add_words(workspace: Path, words: Iterable[str]) -> list[str]:
    """Append the words not yet in the dictionary; return those added."""
    wanted = [_check(w) for w in words]
    path = dict_path(workspace)
    lines = path.read_text(encoding="utf-8-sig").splitlines() if path.exists() else []
    known = {word_key(w) for w in load_user_words(workspace)}
    added = []
    for word in wanted:
        if word_key(word) not in known:
            known.add(word_key(word))
            added.append(word)
    if added:
        _write(path, [*lines, *added])
    return added


def remove_words(workspace: Path, words: Iterable[str]) -> list[str]:
    """Remove the entries of these words (compared width- and case-insensitively); return them."""
    gone = {word_key(w.strip()) for w in words}
    path = dict_path(workspace)
    if not path.exists():
        return []
    kept, removed = [], []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        entry = parse_line(line)
        if entry is not None and word_key(entry.word) in gone:
            removed.append(entry.word)
        else:
            kept.append(line)
    if removed:
        _write(path, kept)
    return removed


def _write(path: Path, lines: list[str]) -> None:
    """Replace the file atomically: a temporary file beside it, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".userdict-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(line + "\n" for line in lines))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
