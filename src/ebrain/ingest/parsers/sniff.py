"""Content sniffing: what a file really is, from its first bytes and container layout."""

from __future__ import annotations

import io

from ebrain.ingest.parsers.archive import DAMAGED, open_archive

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
)
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HTML_MARKS = (b"<!doctype html", b"<html", b"<head", b"<body")
_CONTROLS = bytes(b for b in range(32) if b < 9 or b > 13)  # control bytes plain text avoids

# Kinds -> human names, for messages about mislabeled files.
KIND_NAMES = {
    "pdf": "a PDF document",
    "docx": "a Word (.docx) document",
    "pptx": "a PowerPoint (.pptx) presentation",
    "xlsx": "an Excel (.xlsx) workbook",
    "odt": "an OpenDocument text",
    "ods": "an OpenDocument spreadsheet",
    "odp": "an OpenDocument presentation",
    "epub": "an EPUB book",
    "zip": "a ZIP archive",
    "doc": "a legacy Word (.doc) document",
    "xls": "a legacy Excel (.xls) workbook",
    "ppt": "a legacy PowerPoint (.ppt) presentation",
    "msg": "an Outlook (.msg) message",
    "ooxml-encrypted": "a password-protected Office document",
    "ole": "an OLE2 compound file",
    "rtf": "an RTF document",
    "html": "an HTML page",
    "text": "a text file",
    "image": "an image",
    "binary": "binary data",
}


def sniff(data: bytes) -> str:
    """The kind of content in `data`: one of the keys of KIND_NAMES."""
    head = data[:16]
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return sniff_zip(data)
    if head.startswith(_OLE_MAGIC):
        return sniff_ole(data)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image"
    if any(head.startswith(m) for m, _ in _IMAGE_MAGIC):
        return "image"
    return sniff_text(data)


def sniff_zip(data: bytes) -> str:
    """docx / pptx / xlsx / odt / ods / odp / epub, or plain 'zip'."""
    try:
        archive = open_archive(data)
        names = archive.names()
        head = archive.read("mimetype", 256) if "mimetype" in names else b""
    except DAMAGED:
        return "zip"
    mimetype = head.decode("ascii", "replace")
    prefixes = {"word/": "docx", "ppt/": "pptx", "xl/": "xlsx"}
    for prefix, kind in prefixes.items():
        if any(n.startswith(prefix) for n in names):
            return kind
    odf = {"text": "odt", "spreadsheet": "ods", "presentation": "odp"}
    for key, kind in odf.items():
        if mimetype.startswith(f"application/vnd.oasis.opendocument.{key}"):
            return kind
    if mimetype.strip() == "application/epub+zip":
        return "epub"
    return "zip"


def sniff_ole(data: bytes) -> str:
    """doc / xls / ppt / msg / ooxml-encrypted, or plain 'ole'."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(s) for s in ole.listdir(streams=True, storages=True)}
    except (OSError, ValueError, IndexError):
        return "ole"
    if "EncryptionInfo" in streams and "EncryptedPackage" in streams:
        return "ooxml-encrypted"
    checks = (
        ("WordDocument", "doc"),
        ("Workbook", "xls"),
        ("Book", "xls"),
        ("PowerPoint Document", "ppt"),
        ("__properties_version1.0", "msg"),
    )
    for stream, kind in checks:
        if stream in streams:
            return kind
    return "ole"


def sniff_text(data: bytes) -> str:
    """'html', 'text' or 'binary' for content with no known magic bytes."""
    sample = data[:4096]
    if sample.startswith(_TEXT_BOMS):
        return "text"
    lowered = sample.lstrip().lower()
    if any(m in lowered[:1024] for m in _HTML_MARKS):
        return "html"
    if b"\x00" in sample:
        return "text" if _looks_utf16(sample) else "binary"
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    return "binary" if controls > len(sample) * 0.05 else "text"


def _looks_utf16(sample: bytes) -> bool:
    """True when NUL bytes sit in alternate positions, as in BOM-less UTF-16 ASCII text."""
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2 or 1
    return max(even, odd) > half * 0.3 and min(even, odd) < half * 0.05
