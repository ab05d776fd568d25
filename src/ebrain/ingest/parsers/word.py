"""DOCX: headings (styles or outline levels) as heading paths, lists, tables as rows."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import (
    HeadingTracker,
    clean_inline,
    corrupt,
    make_document,
    table_block,
)

_HEADING_STYLE = re.compile(r"^(?:heading|标题|標題)\s*(\d)$", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class DocxParser:
    """Word 2007+ documents via python-docx, body in document order."""

    name: str = "docx"
    extensions: tuple[str, ...] = (".docx", ".docm", ".dotx")

    def parse(self, path: Path, data: bytes) -> Document:
        """Parse paragraphs and tables in the order they appear in the body."""
        import docx

        try:
            document = docx.Document(io.BytesIO(data))
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise corrupt("DOCX", exc) from exc
        except Exception as exc:  # lxml / python-docx raise many kinds on broken parts
            raise corrupt("DOCX", exc) from exc
        blocks = _body_blocks(document)
        meta = _core_meta(document.core_properties)
        doc = make_document(path, "docx", blocks, meta.get("title", ""))
        doc.meta = meta
        return doc


def _body_blocks(document: Any) -> list[Block]:
    """Blocks of the body: headings, paragraphs (list items merged), tables."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    tracker = HeadingTracker()
    blocks: list[Block] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            _add_paragraph(Paragraph(child, document), tracker, blocks)
        elif child.tag == f"{_W}tbl":
            rows = _table_rows(Table(child, document))
            block = table_block(rows, tracker.path)
            blocks += [block] if block else []
    return blocks


def _add_paragraph(para: Any, tracker: HeadingTracker, blocks: list[Block]) -> None:
    """Append a paragraph as a heading, a list item (merged into the list) or text."""
    text = para.text.strip()
    if not text:
        return
    level = _heading_level(para)
    if level:
        path = tracker.push(level, clean_inline(text))
        blocks.append(Block(clean_inline(text), "heading", path))
        return
    if _is_list_item(para):
        item = f"- {text}"
        last = blocks[-1] if blocks else None
        if last and last.kind == "text" and last.text.startswith("- "):
            last.text += "\n" + item
            return
        text = item
    blocks.append(Block(text, "text", tracker.path))


def _heading_level(para: Any) -> int:
    """1-9 for a heading (by style name or outline level), 0 otherwise."""
    style = para.style
    name = (style.name or "") if style is not None else ""
    if name.lower() == "title":
        return 1
    match = _HEADING_STYLE.match(name.strip())
    if match:
        return int(match.group(1))
    level = _outline_level(para._p.pPr)
    while level is None and style is not None:
        level = _outline_level(style.element.pPr)
        style = style.base_style
    return level + 1 if level is not None and level < 9 else 0


def _outline_level(ppr: Any) -> int | None:
    """The w:outlineLvl value of paragraph properties, if set."""
    if ppr is None:
        return None
    node = ppr.find(f"{_W}outlineLvl")
    return int(node.get(f"{_W}val")) if node is not None else None


def _is_list_item(para: Any) -> bool:
    """True for numbered or bulleted paragraphs."""
    ppr = para._p.pPr
    if ppr is not None and ppr.find(f"{_W}numPr") is not None:
        return True
    name = (para.style.name or "") if para.style is not None else ""
    return name.lower().startswith("list")


def _table_rows(table: Any) -> list[list[str]]:
    """Cell texts row by row (merged cells repeat their text)."""
    return [[cell.text for cell in row.cells] for row in table.rows]


def _core_meta(props: Any) -> dict[str, Any]:
    """Title, author, subject, keywords, created and modified from core properties."""
    meta: dict[str, Any] = {}
    for key in ("title", "author", "subject", "keywords", "category"):
        value = getattr(props, key, None)
        if value:
            meta[key] = str(value)
    for key in ("created", "modified"):
        value = getattr(props, key, None)
        if value is not None:
            meta[key] = value.isoformat()
    return meta


PARSER = DocxParser()
