"""The Parser protocol, the parser registry and helpers shared by the format parsers."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol, runtime_checkable

from ebrain.errors import NotFoundError, ParseError
from ebrain.ingest.document import Block, Document, table_to_markdown

ENTRY_POINT_GROUP = "ebrain.parsers"
_BLANK = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


@runtime_checkable
class Parser(Protocol):
    """Turns the bytes of one file format into a Document."""

    name: str
    extensions: tuple[str, ...]

    def parse(self, path: Path, data: bytes) -> Document:
        """Parse `data` (the content of `path`) into a Document."""
        ...


@dataclass
class ParserRegistry:
    """Parsers by name and by extension; loads the `ebrain.parsers` entry points lazily."""

    group: str = ENTRY_POINT_GROUP
    _by_name: dict[str, Parser] = field(default_factory=dict)
    _loaded: bool = False

    def register(self, parser: Parser) -> None:
        """Register a parser object (replacing one of the same name)."""
        self._by_name[parser.name.lower()] = parser

    def get(self, name: str) -> Parser:
        """The parser called `name`, or NotFoundError listing the valid names."""
        self._load()
        parser = self._by_name.get(name.lower())
        if parser is None:
            raise NotFoundError(
                f"unknown parser {name!r}", hint=f"valid parsers: {', '.join(self.names())}"
            )
        return parser

    def for_extension(self, ext: str) -> Parser | None:
        """The parser that claims extension `ext` (".pdf" or "pdf"), if any."""
        self._load()
        ext = "." + ext.lower().lstrip(".")
        for parser in self._by_name.values():
            if ext in parser.extensions:
                return parser
        return None

    def names(self) -> list[str]:
        """All parser names, sorted."""
        self._load()
        return sorted(self._by_name)

    def extensions(self) -> list[str]:
        """All claimed extensions, sorted."""
        self._load()
        return sorted({e for p in self._by_name.values() for e in p.extensions})

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for ep in entry_points(group=self.group):
            if ep.name.lower() in self._by_name:
                continue
            try:
                self._by_name[ep.name.lower()] = ep.load()
            except Exception as exc:  # a broken plugin must not take the built-ins down
                logging.getLogger("ebrain").warning(
                    "skipping %s plugin %r (%s): %s", self.group, ep.name, ep.value, exc
                )


def clean_inline(text: str) -> str:
    """Collapse runs of spaces and line breaks into single spaces."""
    return " ".join(text.split())


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs at blank lines, trimming spaces inside lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for para in _BLANK.split(text):
        lines = [_SPACES.sub(" ", ln).strip() for ln in para.split("\n")]
        joined = "\n".join(ln for ln in lines if ln)
        if joined:
            out.append(joined)
    return out


def text_blocks(
    text: str, heading_path: tuple[str, ...] = (), page: int | None = None
) -> list[Block]:
    """One text block per paragraph of `text`."""
    return [Block(p, "text", heading_path, page) for p in paragraphs(text)]


def table_block(
    rows: list[list[str]], heading_path: tuple[str, ...] = (), page: int | None = None
) -> Block | None:
    """A table block from rows (first = header), dropping empty rows; None when nothing is left."""
    rows = [[clean_inline(str(c)) for c in r] for r in rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        return None
    width = max(len(r) for r in rows)
    while width > 1 and not any(len(r) >= width and r[width - 1] for r in rows):
        width -= 1
    rows = [(r + [""] * width)[:width] for r in rows]
    return Block(table_to_markdown(rows), "table", heading_path, page, rows)


def stem_title(path: Path) -> str:
    """The file name without its extension, as a fallback title."""
    return path.stem or path.name


def first_heading(blocks: list[Block]) -> str:
    """The text of the first heading block, or ''."""
    return next((b.text for b in blocks if b.kind == "heading"), "")


def make_document(path: Path, fmt: str, blocks: list[Block], title: str = "") -> Document:
    """A Document with title from `title`, else the first heading, else the file name."""
    title = clean_inline(title) or first_heading(blocks) or stem_title(path)
    return Document(title=title, blocks=blocks, format=fmt)


def corrupt(fmt: str, exc: BaseException | str) -> ParseError:
    """A 'corrupt' ParseError for a file of format `fmt`."""
    return ParseError(
        "corrupt",
        f"the {fmt} file is damaged or not a valid {fmt}: {exc}",
        hint="open it in its application and save it again, or re-export it",
    )


class HeadingTracker:
    """The current heading path as headings of various levels go by."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def push(self, level: int, title: str) -> tuple[str, ...]:
        """Enter a heading of `level` (1 = top); return the new path."""
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title))
        return self.path

    @property
    def path(self) -> tuple[str, ...]:
        """The titles of the open headings, outermost first."""
        return tuple(t for _, t in self._stack)
