"""EPUB: the spine's XHTML chapters in reading order, each through the HTML parser."""

from __future__ import annotations

import io
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import corrupt, make_document
from ebrain.ingest.parsers.encoding import decode_text
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
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                opf_path = _rootfile(zf)
                opf = ET.fromstring(zf.read(opf_path))
                meta = _meta(opf)
                blocks: list[Block] = []
                for name in _spine(opf, opf_path):
                    blocks += _chapter(zf, name)
        except (zipfile.BadZipFile, KeyError, ET.ParseError, ValueError) as exc:
            raise corrupt("EPUB", exc) from exc
        doc = make_document(path, "epub", blocks, meta.get("title", ""))
        doc.meta = meta
        return doc


def _rootfile(zf: zipfile.ZipFile) -> str:
    """The OPF package path named by META-INF/container.xml."""
    root = ET.fromstring(zf.read("META-INF/container.xml"))
    node = root.find(".//c:rootfile", _NS)
    if node is None or not node.get("full-path"):
        raise ValueError("container.xml names no rootfile")
    return str(node.get("full-path"))


def _spine(opf: ET.Element, opf_path: str) -> list[str]:
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


def _chapter(zf: zipfile.ZipFile, name: str) -> list[Block]:
    """Blocks of one chapter; heading paths start at the chapter's own headings."""
    try:
        raw = zf.read(name)
    except KeyError:
        return []
    text, _ = decode_text(raw)
    return html_blocks(text)[1]


def _meta(opf: ET.Element) -> dict[str, str]:
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
