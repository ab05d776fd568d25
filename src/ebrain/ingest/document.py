"""The normalized Document every parser yields, whatever the file format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["text", "heading", "table"]


@dataclass
class OcrSource:
    """Where OCR'd text came from: its mean confidence and its boxes on the page images."""

    confidence: float
    # (page, x0, y0, x1, y1): boxes as fractions of the page's width and height, y down
    boxes: list[tuple[int, float, float, float, float]] = field(default_factory=list)


@dataclass
class Block:
    """One unit of content: a paragraph, a heading or a table, with where it sits."""

    text: str
    kind: BlockKind = "text"
    heading_path: tuple[str, ...] = ()
    page: int | None = None
    # For tables: rows of cells, the first row being the header. `text` is its Markdown.
    rows: list[list[str]] | None = None
    # Set when the text was read by OCR from a page image (None: born-digital text).
    ocr: OcrSource | None = None


@dataclass
class Section:
    """A run of blocks under one heading path."""

    heading_path: tuple[str, ...]
    blocks: list[Block]


@dataclass
class Document:
    """A parsed file: title, ordered blocks, and facts about the source."""

    title: str
    blocks: list[Block]
    source_path: str = ""
    format: str = ""
    mtime: float = 0.0
    size: int = 0
    content_hash: str = ""
    lang: str = ""
    pages: int | None = None
    # Format-specific facts: e-mail headers, transcript speakers, document date, author ...
    meta: dict[str, Any] = field(default_factory=dict)
    # Non-fatal problems, e.g. "page 3 has no text layer (needs OCR)".
    warnings: list[str] = field(default_factory=list)

    @property
    def sections(self) -> list[Section]:
        """Blocks grouped by consecutive heading path."""
        out: list[Section] = []
        for block in self.blocks:
            if out and out[-1].heading_path == block.heading_path:
                out[-1].blocks.append(block)
            else:
                out.append(Section(block.heading_path, [block]))
        return out

    @property
    def text(self) -> str:
        """All block texts joined by blank lines (before normalization)."""
        return "\n\n".join(b.text for b in self.blocks if b.text)


def table_to_markdown(rows: list[list[str]]) -> str:
    """Render rows (first row = header) as a Markdown table; cells are flattened to one line."""
    if not rows:
        return ""
    width = max(len(r) for r in rows)

    def cell(value: str) -> str:
        return " ".join(str(value).split()).replace("|", "\\|")

    norm = [[cell(c) for c in r] + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(norm[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in norm[1:]]
    return "\n".join(lines)
