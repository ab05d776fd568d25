"""Zip packages of XML parts (OOXML, OpenDocument): safe lxml parsing, relationships, metadata.

Only the parts a parser asks for are inflated and parsed, unlike python-docx / python-pptx,
which load every part of the package.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, NamedTuple, Protocol

from ebrain.ingest.parsers.base import corrupt

Element = Any  # an lxml.etree._Element (lxml ships no type stubs)

MAX_PART_BYTES = 512 * 2**20
"""Largest uncompressed size accepted for one part (guards against zip bombs)."""

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


class Readable(Protocol):
    """A binary stream to read from."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to `size` bytes (all the rest for -1); b'' at the end."""
        ...


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
    except (
        zipfile.BadZipFile,
        zlib.error,
        KeyError,
        ValueError,
        EOFError,
        OSError,
        RuntimeError,
        NotImplementedError,
        etree.LxmlError,
    ) as exc:
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


class _Entry(NamedTuple):
    """A central directory record: flags, compression method, CRC, sizes, header offset."""

    flags: int
    method: int
    crc: int
    csize: int
    size: int
    offset: int


class Package:
    """A zip package whose parts are inflated and parsed only when asked for.

    Parts are found by searching the central directory's bytes for their names (zipfile reads
    every record up front, ~2 us each); archives out of the ordinary go through zipfile.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._rels: dict[str, list[Rel]] = {}
        self._zip: zipfile.ZipFile | None = None
        self._entries: dict[str, Any] = {}
        found = _central_directory(data)
        self._cd, self._shift = found if found is not None else (b"", 0)
        if found is None:
            self._zip = zipfile.ZipFile(io.BytesIO(data))

    def has(self, name: str) -> bool:
        """True when the package holds a part called `name`."""
        entry = self._entry(name)
        return entry is not None if entry is not _ZIPFILE else name in self._zipfile().NameToInfo

    def open(self, name: str) -> Readable:
        """A stream of the uncompressed part (KeyError when missing)."""
        entry = self._plain_entry(name)
        if entry is None:
            return self._zipfile_open(name)
        compressed = self._compressed(name, entry)
        return io.BytesIO(compressed) if entry.method == 0 else _Inflater(compressed, entry.size)

    def read(self, name: str) -> bytes:
        """The uncompressed bytes of a part, CRC checked (KeyError when missing)."""
        entry = self._plain_entry(name)
        if entry is None:
            with self._zipfile_open(name) as stream:
                return stream.read()
        data = self._compressed(name, entry)
        if entry.method == 8 and entry.size:
            data = zlib.decompressobj(-15).decompress(data, entry.size)
        if len(data) != entry.size or zlib.crc32(data) != entry.crc:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {name!r}")
        return data

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

    def _plain_entry(self, name: str) -> _Entry | None:
        """The record of a stored or deflated part; None to let zipfile read it."""
        entry = self._entry(name)
        if entry is None:
            raise KeyError(f"There is no item named {name!r} in the archive")
        if entry is _ZIPFILE or entry.method not in (0, 8) or entry.flags & 1:
            return None
        return entry  # type: ignore[no-any-return]

    def _entry(self, name: str) -> Any:
        """The central directory record of `name`, None if absent, _ZIPFILE to ask zipfile."""
        if name not in self._entries:
            self._entries[name] = self._find_entry(name)
        return self._entries[name]

    def _find_entry(self, name: str) -> Any:
        if self._zip is not None or not name.isascii():
            return _ZIPFILE
        key = name.encode()
        pos = self._cd.find(key)
        while pos >= 0:
            head = pos - 46
            if (
                head >= 0
                and self._cd.startswith(b"PK\x01\x02", head)
                and int.from_bytes(self._cd[head + 28 : head + 30], "little") == len(key)
            ):
                return _record(self._cd, head)
            pos = self._cd.find(key, pos + 1)
        return None

    def _compressed(self, name: str, entry: _Entry) -> bytes:
        """The compressed bytes of a part, after its local header."""
        if entry.size > MAX_PART_BYTES:
            raise ValueError(f"part {name} is {entry.size} bytes uncompressed, over the limit")
        head = entry.offset + self._shift
        if not self._data.startswith(b"PK\x03\x04", head):
            raise zipfile.BadZipFile(f"Bad magic number for file header of {name!r}")
        name_len, extra_len = struct.unpack_from("<HH", self._data, head + 26)
        start = head + 30 + name_len + extra_len
        data = self._data[start : start + entry.csize]
        if len(data) != entry.csize:
            raise zipfile.BadZipFile(f"truncated data for {name!r}")
        return data

    def _zipfile(self) -> zipfile.ZipFile:
        if self._zip is None:
            self._zip = zipfile.ZipFile(io.BytesIO(self._data))
        return self._zip

    def _zipfile_open(self, name: str) -> IO[bytes]:
        size = self._zipfile().getinfo(name).file_size
        if size > MAX_PART_BYTES:
            raise ValueError(f"part {name} is {size} bytes uncompressed, over the limit")
        return self._zipfile().open(name)


_ZIPFILE = object()


def _central_directory(data: bytes) -> tuple[bytes, int] | None:
    """(central directory, offset shift) of a plain single-disk zip; None for others."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or end + 22 > len(data):
        return None
    disk, cd_disk, _, count, size, offset, comment = struct.unpack_from("<HHHHIIH", data, end + 4)
    if disk or cd_disk or count == 0xFFFF or offset == 0xFFFFFFFF or size > end:
        return None
    if end + 22 + comment != len(data) or data.startswith(b"PK\x06\x07", end - 20):
        return None
    shift = end - size - offset
    if shift < 0 or (count and not data.startswith(b"PK\x01\x02", end - size)):
        return None
    return data[end - size : end], shift


def _record(cd: bytes, head: int) -> Any:
    """The _Entry at offset `head` of a central directory; _ZIPFILE for zip64 records."""
    flags, method = struct.unpack_from("<HH", cd, head + 8)
    crc, csize, size = struct.unpack_from("<III", cd, head + 16)
    (offset,) = struct.unpack_from("<I", cd, head + 42)
    if 0xFFFFFFFF in (csize, size, offset):
        return _ZIPFILE
    return _Entry(flags, method, crc, csize, size, offset)


class _Inflater(io.RawIOBase):
    """A readable stream inflating raw deflate data on demand (no CRC check: parts are often
    read only in part)."""

    def __init__(self, compressed: bytes, size: int) -> None:
        super().__init__()
        self._inflate = zlib.decompressobj(-15)
        self._tail = compressed
        self._left = size

    def readable(self) -> bool:
        """Always True."""
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        """Up to `size` more bytes (all the rest for -1); b'' at the end."""
        want = self._left if size is None or size < 0 else min(size, self._left)
        if want <= 0:
            return b""
        out = self._inflate.decompress(self._tail, want)
        self._tail = self._inflate.unconsumed_tail
        self._left = self._left - len(out) if out else 0
        return out


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
