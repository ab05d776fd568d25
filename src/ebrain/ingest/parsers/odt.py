"""OpenDocument text (.odt) via odfpy: headings with outline levels, lists, tables."""

from __future__ import annotations

import io
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

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


@dataclass
class OdtParser:
    """OpenDocument text documents (LibreOffice Writer, WPS)."""

    name: str = "odt"
    extensions: tuple[str, ...] = (".odt", ".ott")

    def parse(self, path: Path, data: bytes) -> Document:
        """Walk the office:text body in order."""
        from odf.opendocument import load

        try:
            odf = load(io.BytesIO(data))
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise corrupt("ODT", exc) from exc
        except Exception as exc:  # odfpy surfaces XML errors of many kinds
            raise corrupt("ODT", exc) from exc
        walker = _OdtWalker()
        walker.walk(odf.text)
        meta = _meta(odf)
        doc = make_document(path, "odt", walker.blocks, meta.get("title", ""))
        doc.meta = meta
        return doc


class _OdtWalker:
    """Emits headings, paragraphs, list items and tables in document order."""

    def __init__(self) -> None:
        self.tracker = HeadingTracker()
        self.blocks: list[Block] = []

    def walk(self, node: Any) -> None:
        """Visit the element children of `node`."""
        for child in node.childNodes:
            if child.nodeType == child.ELEMENT_NODE:
                self.visit(child)

    def visit(self, node: Any) -> None:
        """One element: h, p, list, table or a container."""
        ns, tag = node.qname
        if ns == _TEXT_NS and tag == "h":
            level = int(node.getAttrNS(_TEXT_NS, "outline-level") or 1)
            text = clean_inline(_text(node))
            if text:
                path = self.tracker.push(level, text)
                self.blocks.append(Block(text, "heading", path))
        elif ns == _TEXT_NS and tag == "p":
            text = _text(node).strip()
            if text:
                self.blocks.append(Block(text, "text", self.tracker.path))
        elif ns == _TEXT_NS and tag == "list":
            items = [f"- {clean_inline(_text(item))}" for item in _list_items(node)]
            if items:
                self.blocks.append(Block("\n".join(items), "text", self.tracker.path))
        elif ns == _TABLE_NS and tag == "table":
            block = table_block(_table_rows(node), self.tracker.path)
            self.blocks += [block] if block else []
        else:
            self.walk(node)


def _text(node: Any) -> str:
    """The text of an element (spaces, tabs and line breaks expanded)."""
    from odf import teletype

    return str(teletype.extractText(node))


def _list_items(node: Any) -> list[Any]:
    """The list-item elements of a list (nested lists flattened)."""
    from odf.text import ListItem

    return [i for i in node.getElementsByType(ListItem) if _text(i).strip()]


def _table_rows(node: Any) -> list[list[str]]:
    """Cell texts of every table row."""
    from odf.table import TableCell, TableRow

    return [
        [_text(c) for c in row.getElementsByType(TableCell)]
        for row in node.getElementsByType(TableRow)
    ]


def _meta(odf: Any) -> dict[str, Any]:
    """Title, author (initial creator) and dates from meta.xml."""
    from odf import dc, meta

    fields = {"title": dc.Title, "author": meta.InitialCreator, "created": meta.CreationDate}
    fields |= {"modified": dc.Date, "subject": dc.Subject}
    out: dict[str, Any] = {}
    for key, element in fields.items():
        found = odf.meta.getElementsByType(element)
        if found and _text(found[0]).strip():
            out[key] = _text(found[0]).strip()
    return out


PARSER = OdtParser()
