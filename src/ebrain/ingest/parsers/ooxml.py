"""Zip packages of XML parts (OOXML, OpenDocument): safe lxml parsing, relationships, metadata.

Only the parts a parser asks for are inflated and parsed, unlike python-docx / python-pptx,
which load every part of the package; every inflated byte is charged to the file's budget.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from ebrain.ingest.document import Block
from ebrain.ingest.parsers.archive import DAMAGED, Readable, open_archive
from ebrain.ingest.parsers.base import corrupt

Element = Any  # an lxml.etree._Element (lxml ships no type stubs)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_CORE_TEXT = (
    ("title", f"{_DC}title"),
    ("author", f"{_DC}creator"),
    ("subject", f"{_DC}subject"),
    ("keywords", f"{_CP}keywords"),
    ("category", f"{_CP}category"),
)
_CORE_DATES = (("created", f"{_DCTERMS}created"), ("modified", f"{_DCTERMS}modified"))
_W3CDTF = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)")
_OFFSET = re.compile(r"([+-])(\d\d):(\d\d)")
_LOCAL = threading.local()
NOT_UTF8 = re.compile(rb"^<\?xml[^>]*encoding=[\"'](?!utf-?8[\"'])", re.IGNORECASE)
"""Matches an XML declaration naming an encoding other than UTF-8."""


class Rel(NamedTuple):
    """One relationship of a part: id, type URI and the resolved target part name."""

    rid: str
    type: str
    target: str


@contextmanager
def package_errors(fmt: str) -> Iterator[None]:
    """Turn what a damaged package raises (bad zip, missing part, broken XML) into 'corrupt'."""
    from lxml import etree

    try:
        yield
    except (*DAMAGED, etree.LxmlError) as exc:
        raise corrupt(fmt, exc) from exc


def xml_parser() -> Any:
    """This thread's lxml parser: no entity expansion, no network, no huge trees."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        from lxml import etree

        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
        )
        _LOCAL.parser = parser
    return parser


def child(parent: Element | None, tag: str) -> Element | None:
    """The first child element of `parent` with this tag (lxml's find() costs ~2 us a call)."""
    if parent is not None:
        for node in parent:
            if node.tag == tag:
                return node
    return None


def parse_xml(data: bytes) -> Element:
    """The root element of an XML document given as bytes."""
    from lxml import etree

    return etree.fromstring(data, xml_parser())


def parse_excerpt(data: bytes, root: bytes, start: bytes, end: bytes) -> Element | None:
    """The element from `start` to `end` (two byte strings) of an XML document, parsed inside
    the document's `root` start tag (for its namespace declarations) without parsing the rest.

    None when that cannot be done safely (not found, not UTF-8, not well-formed alone).
    """
    from lxml import etree

    head = re.search(rb"<" + re.escape(root) + rb"[\s>][^>]*>", data)
    if head is None or NOT_UTF8.match(data):
        return None
    begin = data.find(start, head.end())
    stop = data.find(end, begin) if begin >= 0 else -1
    if stop < 0:
        return None
    try:
        wrapper = etree.fromstring(
            head.group() + data[begin : stop + len(end)] + b"</" + root + b">", xml_parser()
        )
    except etree.XMLSyntaxError:
        return None
    return wrapper[0] if len(wrapper) else None


class Package:
    """A zip package whose parts are inflated (within the file's budget) and parsed only when
    asked for."""

    def __init__(self, data: bytes) -> None:
        self._archive = open_archive(data)
        self._rels: dict[str, list[Rel]] = {}

    def has(self, name: str) -> bool:
        """True when the package holds a part called `name`."""
        return self._archive.has(name)

    def open(self, name: str) -> Readable:
        """A stream of the uncompressed part (KeyError when missing)."""
        return self._archive.open(name)

    def read(self, name: str) -> bytes:
        """The uncompressed bytes of a part, CRC checked (KeyError when missing)."""
        return self._archive.read(name)

    def xml(self, name: str) -> Element:
        """The parsed root element of an XML part."""
        return parse_xml(self.read(name))

    def rels(self, part: str) -> list[Rel]:
        """The internal relationships of `part` ('' for the package), in document order."""
        found = self._rels.get(part)
        if found is None:
            found = self._rels[part] = self._load_rels(part)
        return found

    def related(self, part: str, kind: str) -> str | None:
        """The target of the first relationship of `part` whose type ends in '/kind'."""
        return next((r.target for r in self.rels(part) if r.type.endswith("/" + kind)), None)

    def main_part(self, default: str) -> str:
        """The main part (officeDocument relationship), else `default`."""
        return self.related("", "officeDocument") or default

    def _load_rels(self, part: str) -> list[Rel]:
        folder, name = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", name + ".rels")
        if not self.has(rels_name):
            return []
        out = []
        for rel in self.xml(rels_name).iter(_RELS):
            target = rel.get("Target")
            if target and rel.get("TargetMode") != "External":
                out.append(
                    Rel(rel.get("Id") or "", rel.get("Type") or "", _resolve(folder, target))
                )
        return out


def images(package: Package, part: str) -> list[tuple[str, bytes]]:
    """The pictures `part` refers to (relationship type image), each once, in order."""
    names = dict.fromkeys(r.target for r in package.rels(part) if r.type.endswith("/image"))
    return [(name, package.read(name)) for name in names if package.has(name)]


def picture_blocks(
    package: Package, parts: Sequence[tuple[str, int | None]]
) -> tuple[list[Block], list[str]]:
    """Blocks OCR'd from the pictures of each (part, page) that hold text, and warnings."""
    from ebrain.ingest.ocr.run import DocumentOcr, embedded_blocks

    run = DocumentOcr("an embedded picture")
    blocks: list[Block] = []
    for part, page in parts:
        if not run.active:
            break
        blocks += embedded_blocks(images(package, part), run, page)
    return blocks, run.warnings()


def to_int(value: str | None) -> int | None:
    """An integer attribute value, None when absent or malformed."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _resolve(base: str, target: str) -> str:
    """A relationship target as a part name inside the zip."""
    if not target.startswith("/") and "/." not in "/" + target and "//" not in target:
        return f"{base}/{target}" if base else target  # the usual case, no normpath needed
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, target))


def core_meta(package: Package, *, utc: bool) -> dict[str, Any]:
    """Title, author, subject, keywords, category, created and modified from docProps/core.xml.

    Dates are ISO 8601; `utc` adds '+00:00' (as python-docx did; python-pptx gave naive ones).
    """
    name = package.related("", "metadata/core-properties")
    if name is None or not package.has(name):
        return {}
    texts: dict[str, str | None] = {}
    for node in package.xml(name):
        texts.setdefault(node.tag, node.text)  # the first of each, as python-docx read them
    meta: dict[str, Any] = {key: texts[tag] for key, tag in _CORE_TEXT if texts.get(tag)}
    for key, tag in _CORE_DATES:
        value = texts.get(tag)
        stamp = w3cdtf(value) if value else None
        if stamp is not None:
            meta[key] = (stamp.replace(tzinfo=dt.UTC) if utc else stamp).isoformat()
    return meta


def w3cdtf(text: str) -> dt.datetime | None:
    """A W3CDTF date ('2024-03-01T09:30:00Z', '2024-03', '2024'), shifted to UTC; naive."""
    head, offset = text[:19], text[19:]
    match = _W3CDTF.fullmatch(head)
    try:
        if match:
            year, month, day, hour, minute, second = (int(g) for g in match.groups())
            stamp = dt.datetime(year, month, day, hour, minute, second)
        else:
            stamp = _strptime(head)
    except ValueError:
        return None
    if len(offset) != 6:
        return stamp
    sign = _OFFSET.match(offset)
    if sign is None:
        return None
    factor = -1 if sign.group(1) == "+" else 1
    return stamp + dt.timedelta(hours=factor * int(sign[2]), minutes=factor * int(sign[3]))


def _strptime(head: str) -> dt.datetime:
    """The slow path of w3cdtf: the partial forms python-docx accepted."""
    stamp = None
    for template in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            stamp = dt.datetime.strptime(head, template)
        except ValueError:
            continue
    if stamp is None:
        raise ValueError(f"not a W3CDTF date: {head!r}")
    return stamp
