"""EPUB: the spine's XHTML chapters in reading order, each through the HTML parser."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.archive import Archive, open_archive
from ebrain.ingest.parsers.base import make_document
from ebrain.ingest.parsers.encoding import decode_text
from ebrain.ingest.parsers.ooxml import Element, package_errors, parse_xml
from ebrain.ingest.parsers.webpage import html_blocks

_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}


@dataclass
class EpubParser:
    """EPUB 2 / 3 books (unencrypted)."""

    name: str = "epub"
    extensions: tuple[str, ...] = (".epub",)

    def parse(self, path: Path, data: bytes) -> Document:
        """Read container.xml -> OPF -> spine, and parse each chapter."""
        warnings: list[str] = []
        with package_errors("EPUB"):
            book = open_archive(data)
            opf_path = _rootfile(book)
            opf = parse_xml(book.read(opf_path))
            meta = _meta(opf)
            blocks: list[Block] = []
            for name in _spine(opf, opf_path):
                blocks += _chapter(book, name, warnings)
        doc = make_document(path, "epub", blocks, meta.get("title", ""))
        doc.meta = meta
        doc.warnings = warnings
        return doc


def _rootfile(book: Archive) -> str:
    """The OPF package path named by META-INF/container.xml."""
    root = parse_xml(book.read("META-INF/container.xml"))
    node = root.find(".//c:rootfile", _NS)
    if node is None or not node.get("full-path"):
        raise ValueError("container.xml names no rootfile")
    return str(node.get("full-path"))


def _spine(opf: Element, opf_path: str) -> list[str]:
    """Zip paths of the spine items, in reading order."""
    base = posixpath.dirname(opf_path)
    manifest = {
        item.get("id"): item.get("href", "")
        for item in opf.findall(".//opf:manifest/opf:item", _NS)
    }
    hrefs = [
        manifest.get(ref.get("idref"), "") for ref in opf.findall(".//opf:spine/opf:itemref", _NS)
    ]
    return [posixpath.normpath(posixpath.join(base, h)) for h in hrefs if h]


def _chapter(book: Archive, name: str, warnings: list[str]) -> list[Block]:
    """Blocks of one chapter; heading paths start at the chapter's own headings."""
    if not book.has(name):
        return []
    text, _ = decode_text(book.read(name), warnings, f"chapter {name}: ")
    return html_blocks(text)[1]


def _meta(opf: Element) -> dict[str, str]:
    """Dublin Core title, creator, language, date."""
    out: dict[str, str] = {}
    for key, tag in (("title", "title"), ("author", "creator"), ("language", "language")):
        node = opf.find(f".//dc:{tag}", _NS)
        if node is not None and (node.text or "").strip():
            out[key] = (node.text or "").strip()
    node = opf.find(".//dc:date", _NS)
    if node is not None and (node.text or "").strip():
        out["created"] = (node.text or "").strip()
    return out


PARSER = EpubParser()
