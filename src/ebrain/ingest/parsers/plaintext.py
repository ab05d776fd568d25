"""Plain text and Markdown (headings, tables, fenced code)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import HeadingTracker, make_document, table_block, text_blocks
from ebrain.ingest.parsers.encoding import decode_text

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


@dataclass
class TextParser:
    """Plain text in UTF-8, UTF-16/32 (BOM), GBK / GB18030, Big5 and more."""

    name: str = "text"
    extensions: tuple[str, ...] = (".txt", ".text", ".log")

    def parse(self, path: Path, data: bytes) -> Document:
        """One text block per paragraph."""
        warnings: list[str] = []
        text, encoding = decode_text(data, warnings)
        doc = make_document(path, "text", text_blocks(text))
        doc.meta = {"encoding": encoding}
        doc.warnings = warnings
        return doc


@dataclass
class MarkdownParser:
    """Markdown: ATX headings as heading paths, pipe tables as rows, code fences kept whole."""

    name: str = "markdown"
    extensions: tuple[str, ...] = (".md", ".markdown", ".mdown")

    def parse(self, path: Path, data: bytes) -> Document:
        """Parse front matter, headings, tables, code and paragraphs."""
        warnings: list[str] = []
        text, encoding = decode_text(data, warnings)
        meta, body = _front_matter(text)
        blocks = markdown_blocks(body)
        doc = make_document(path, "markdown", blocks, str(meta.get("title", "")))
        doc.meta = {**meta, "encoding": encoding}
        doc.warnings = warnings
        return doc


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter (between '---' lines) as a dict of strings, and the rest."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end < 0:
        return {}, text
    import yaml

    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError:
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    rest = text[end + 4 :].split("\n", 1)
    return {str(k): str(v) for k, v in data.items()}, rest[1] if len(rest) > 1 else ""


def markdown_blocks(text: str) -> list[Block]:
    """Blocks of a Markdown body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    state = _MdState()
    i = 0
    while i < len(lines):
        i = state.step(lines, i)
    state.flush()
    return state.blocks


class _MdState:
    """Line-by-line Markdown reader."""

    def __init__(self) -> None:
        self.tracker = HeadingTracker()
        self.blocks: list[Block] = []
        self.para: list[str] = []

    def step(self, lines: list[str], i: int) -> int:
        """Consume the construct starting at line i; return the next line index."""
        line = lines[i]
        heading = _ATX.match(line)
        if heading:
            self.flush()
            path = self.tracker.push(len(heading.group(1)), heading.group(2))
            self.blocks.append(Block(heading.group(2), "heading", path))
            return i + 1
        if _FENCE.match(line.strip()):
            return self.code(lines, i)
        if "|" in line and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
            return self.table(lines, i)
        if not line.strip():
            self.flush()
        else:
            self.para.append(line.rstrip())
        return i + 1

    def code(self, lines: list[str], i: int) -> int:
        """A fenced code block, fences included, as one text block."""
        self.flush()
        fence = lines[i].strip()[:3]
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        self.blocks.append(Block("\n".join(lines[i : end + 1]), "text", self.tracker.path))
        return end + 1

    def table(self, lines: list[str], i: int) -> int:
        """A pipe table: header line, separator, rows until a line without '|'."""
        self.flush()
        rows = [_cells(lines[i])]
        end = i + 2
        while end < len(lines) and "|" in lines[end] and lines[end].strip():
            rows.append(_cells(lines[end]))
            end += 1
        block = table_block(rows, self.tracker.path)
        if block is not None:
            self.blocks.append(block)
        return end

    def flush(self) -> None:
        """End the current paragraph."""
        if self.para:
            self.blocks.append(Block("\n".join(self.para).strip(), "text", self.tracker.path))
            self.para = []


def _cells(line: str) -> list[str]:
    """The cells of a pipe-table row (escaped pipes kept)."""
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    cells = re.split(r"(?<!\\)\|", line)
    return [c.strip().replace("\\|", "|") for c in cells]


PARSER = TextParser()


MARKDOWN_PARSER = MarkdownParser()
