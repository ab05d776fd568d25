"""PPTX: one page per slide, the slide title as heading, body text, tables and notes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import clean_inline, corrupt, make_document, table_block
from ebrain.ingest.parsers.word import _core_meta


@dataclass
class PptxParser:
    """PowerPoint 2007+ presentations via python-pptx."""

    name: str = "pptx"
    extensions: tuple[str, ...] = (".pptx", ".pptm", ".ppsx")

    def parse(self, path: Path, data: bytes) -> Document:
        """Parse every slide: title, shapes top-to-bottom, notes."""
        from pptx import Presentation

        try:
            prs = Presentation(io.BytesIO(data))
        except Exception as exc:  # python-pptx raises many kinds on broken parts
            raise corrupt("PPTX", exc) from exc
        blocks: list[Block] = []
        for number, slide in enumerate(prs.slides, start=1):
            blocks += _slide_blocks(slide, number)
        meta = _core_meta(prs.core_properties)
        doc = make_document(path, "pptx", blocks, meta.get("title", ""))
        doc.pages, doc.meta = len(prs.slides), meta
        return doc


def _slide_blocks(slide: Any, number: int) -> list[Block]:
    """The blocks of one slide; the heading path is the slide title (or 'Slide N')."""
    title_shape = slide.shapes.title
    title = clean_inline(title_shape.text_frame.text) if title_shape is not None else ""
    path = (title or f"Slide {number}",)
    blocks = [Block(title, "heading", path, number)] if title else []
    shapes = sorted(_flat_shapes(slide.shapes), key=lambda s: (s.top or 0, s.left or 0))
    for shape in shapes:
        if title_shape is not None and shape.shape_id == title_shape.shape_id:
            continue
        blocks += _shape_blocks(shape, path, number)
    notes = _notes_text(slide)
    if notes:
        blocks.append(Block(f"Notes: {notes}", "text", path, number))
    return blocks


def _flat_shapes(shapes: Any) -> list[Any]:
    """Shapes with groups expanded."""
    out: list[Any] = []
    for shape in shapes:
        if getattr(shape, "shapes", None) is not None and shape.shape_type == 6:  # group
            out += _flat_shapes(shape.shapes)
        else:
            out.append(shape)
    return out


def _shape_blocks(shape: Any, path: tuple[str, ...], number: int) -> list[Block]:
    """A table block or one text block for a shape with text."""
    if getattr(shape, "has_table", False):
        rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
        block = table_block(rows, path, number)
        return [block] if block else []
    if not getattr(shape, "has_text_frame", False):
        return []
    lines = [_para_text(p) for p in shape.text_frame.paragraphs]
    text = "\n".join(ln for ln in lines if ln)
    return [Block(text, "text", path, number)] if text else []


def _para_text(para: Any) -> str:
    """A paragraph's text, indented bullets shown as '- '."""
    text = clean_inline("".join(run.text for run in para.runs) or para.text)
    return f"{'  ' * para.level}- {text}" if text and para.level else text


def _notes_text(slide: Any) -> str:
    """The speaker notes of a slide, or ''."""
    if not slide.has_notes_slide:
        return ""
    frame = slide.notes_slide.notes_text_frame
    return str(frame.text).strip() if frame is not None else ""


PARSER = PptxParser()
