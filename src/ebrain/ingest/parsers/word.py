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
    styles: dict[str | None, _StyleInfo] = {}
    blocks: list[Block] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            para = Paragraph(child, document)
            _add_paragraph(para, _style_of(para, styles), tracker, blocks)
        elif child.tag == f"{_W}tbl":
            rows = _table_rows(Table(child, document))
            block = table_block(rows, tracker.path)
            blocks += [block] if block else []
    return blocks


@dataclass(frozen=True)
class _StyleInfo:
    """What a paragraph style says about its paragraphs: name and inherited outline level."""

    name: str
    outline: int | None


def _style_of(para: Any, cache: dict[str | None, _StyleInfo]) -> _StyleInfo:
    """The paragraph's style info, looked up once per style id (python-docx lookups are slow)."""
    style_id = para._p.style
    info = cache.get(style_id)
    if info is None:
        style = para.style
        name = (style.name or "") if style is not None else ""
        outline = None
        while outline is None and style is not None:
            outline = _outline_level(style.element.pPr)
            style = style.base_style
        info = cache[style_id] = _StyleInfo(name, outline)
    return info


def _add_paragraph(
    para: Any, style: _StyleInfo, tracker: HeadingTracker, blocks: list[Block]
) -> None:
    """Append a paragraph as a heading, a list item (merged into the list) or text."""
    text = para.text.strip()
    if not text:
        return
    level = _heading_level(para, style)
    if level:
        path = tracker.push(level, clean_inline(text))
        blocks.append(Block(clean_inline(text), "heading", path))
        return
    if _is_list_item(para, style):
        item = f"- {text}"
        last = blocks[-1] if blocks else None
        if last and last.kind == "text" and last.text.startswith("- "):
            last.text += "\n" + item
            return
        text = item
    blocks.append(Block(text, "text", tracker.path))


def _heading_level(para: Any, style: _StyleInfo) -> int:
    """1-9 for a heading (by style name or outline level), 0 otherwise."""
    if style.name.lower() == "title":
        return 1
    match = _HEADING_STYLE.match(style.name.strip())
    if match:
        return int(match.group(1))
    level = _outline_level(para._p.pPr)
    if level is None:
        level = style.outline
    return level + 1 if level is not None and level < 9 else 0


def _outline_level(ppr: Any) -> int | None:
    """The w:outlineLvl value of paragraph properties, if set."""
    if ppr is None:
        return None
    node = ppr.find(f"{_W}outlineLvl")
    return int(node.get(f"{_W}val")) if node is not None else None


def _is_list_item(para: Any, style: _StyleInfo) -> bool:
    """True for numbered or bulleted paragraphs."""
    ppr = para._p.pPr
    if ppr is not None and ppr.find(f"{_W}numPr") is not None:
        return True
    return style.name.lower().startswith("list")


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
