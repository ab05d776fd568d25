"""Choosing a parser: extension confirmed by content sniffing; parse_file fills the facts."""

from __future__ import annotations

import hashlib
import os
import stat as stat_module
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from ebrain.errors import NotFoundError, ParseError
from ebrain.ingest.document import Document
from ebrain.ingest.ocr import OcrOptions, ocr_scope
from ebrain.ingest.parsers import (
    epub,
    image,
    legacy,
    mail,
    odt,
    outlook,
    pdf,
    plaintext,
    rtf,
    sheets,
    slides,
    transcript,
    webpage,
    word,
)
from ebrain.ingest.parsers.base import Parser, ParserRegistry
from ebrain.ingest.parsers.budget import DEFAULT_MAX_INFLATED, budget_scope
from ebrain.ingest.parsers.sniff import KIND_NAMES, sniff
from ebrain.text import detect_lang

DEFAULT_MAX_BYTES = 200 * 2**20
BUILTIN_PARSERS: tuple[Parser, ...] = (
    pdf.PARSER,
    word.PARSER,
    slides.PARSER,
    sheets.PARSER,
    sheets.CSV_PARSER,
    webpage.PARSER,
    plaintext.MARKDOWN_PARSER,
    plaintext.PARSER,
    transcript.PARSER,
    mail.PARSER,
    outlook.PARSER,
    rtf.PARSER,
    odt.PARSER,
    epub.PARSER,
    legacy.PARSER,
    image.PARSER,
)
REGISTRY = ParserRegistry()
for _parser in BUILTIN_PARSERS:
    REGISTRY.register(_parser)

_TEXTUAL = frozenset({"text", "html", "binary"})
# Content kinds each built-in parser accepts; a parser not listed accepts textual content.
ACCEPTS: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "docx": frozenset({"docx"}),
    "pptx": frozenset({"pptx"}),
    "xlsx": frozenset({"xlsx"}),
    "odt": frozenset({"odt"}),
    "epub": frozenset({"epub"}),
    "rtf": frozenset({"rtf"}),
    "image": frozenset({"image"}),
    "msg": frozenset({"msg", "ole"}),
    "legacy-office": frozenset({"doc", "xls", "ppt", "ods", "odp", "ole"}),
}
# The parser for content whose kind is known, whatever the file is called.
KIND_PARSER = {
    "pdf": ("pdf", ".pdf"),
    "docx": ("docx", ".docx"),
    "pptx": ("pptx", ".pptx"),
    "xlsx": ("xlsx", ".xlsx"),
    "odt": ("odt", ".odt"),
    "epub": ("epub", ".epub"),
    "rtf": ("rtf", ".rtf"),
    "image": ("image", ".png"),
    "msg": ("msg", ".msg"),
    "html": ("html", ".html"),
    "doc": ("legacy-office", ".doc"),
    "xls": ("legacy-office", ".xls"),
    "ppt": ("legacy-office", ".ppt"),
    "ods": ("legacy-office", ".ods"),
    "odp": ("legacy-office", ".odp"),
}
_SOFFICE: ContextVar[str] = ContextVar("ebrain_soffice", default="soffice")


def supported_extensions() -> list[str]:
    """Every file extension some registered parser claims, sorted."""
    return REGISTRY.extensions()


def parse_file(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    libreoffice: str = "soffice",
    max_inflated: int = DEFAULT_MAX_INFLATED,
    ocr: OcrOptions | None = None,
) -> Document:
    """Parse one file into a Document with source facts filled, or raise ParseError.

    The file is read once, at most `max_bytes` of it; size and hash are those of what was read.
    Containers in it may unpack to at most `max_inflated` bytes in all; scans in it are read
    with the `ocr` options (default: on, the auto engine).
    """
    path = Path(path)
    data, stat = read_bounded(path, max_bytes)
    token = _SOFFICE.set(libreoffice)
    try:
        with budget_scope(max_inflated), ocr_scope(ocr):
            doc = parse_bytes(path, data)
    finally:
        _SOFFICE.reset(token)
    doc.source_path, doc.size, doc.mtime = str(path), len(data), stat.st_mtime
    doc.content_hash = hashlib.sha256(data).hexdigest()
    return doc


def read_bounded(path: Path, max_bytes: int) -> tuple[bytes, os.stat_result]:
    """(content, stat before reading) of a regular file, reading at most max_bytes + 1 bytes:
    one byte more than the limit means 'too_large', whatever the file's size said."""
    fd = _open(path)
    try:
        stat = _check_stat(path, os.fstat(fd))  # a folder cannot even be wrapped in a file
        if stat.st_size > max_bytes:
            raise _over_limit(path, stat.st_size, max_bytes)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = _read_at_most(handle, max_bytes + 1, stat.st_size + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise _over_limit(path, len(data), max_bytes, grew=True)
    if not data:
        raise ParseError("empty", f"{path.name} is empty (0 bytes)", hint="nothing to ingest")
    return data, stat


def _read_at_most(handle: BinaryIO, limit: int, expected: int) -> bytes:
    """Up to `limit` bytes: the `expected` size in one read, then more in 1 MiB steps if the
    file turns out longer (no buffer of `limit` bytes is allocated up front)."""
    parts = [handle.read(min(limit, expected))]
    size = len(parts[0])
    while size < limit:
        more = handle.read(min(limit - size, 2**20))
        if not more:
            break
        parts.append(more)
        size += len(more)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _open(path: Path) -> int:
    """A read-only descriptor of `path` (non-blocking: a FIFO must not hang the open)."""
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise NotFoundError(f"no such file: {path}", hint="check the path") from exc
    except OSError as exc:
        raise ParseError("corrupt", f"cannot read {path}: {exc}", hint="check permissions") from exc


def _check_stat(path: Path, stat: os.stat_result) -> os.stat_result:
    """`stat`, or ParseError('unsupported') when it is not a regular file's."""
    if not stat_module.S_ISREG(stat.st_mode):
        raise ParseError("unsupported", f"{path} is not a regular file", hint="pass a file")
    return stat


def _over_limit(path: Path, size: int, max_bytes: int, *, grew: bool = False) -> ParseError:
    what = "grew past" if grew else f"is {size / 2**20:.1f} MiB, over"
    return ParseError(
        "too_large",
        f"{path.name} {what} the {max_bytes / 2**20:.0f} MiB limit",
        hint="split the file, or raise the size limit for ingest (ingest.max_file_mb)",
    )


def parse_bytes(path: Path, data: bytes) -> Document:
    """Parse `data` named `path` (used for attachments too); fills format, lang, warnings."""
    if not data:
        raise ParseError("empty", f"{path.name} is empty", hint="nothing to ingest")
    with budget_scope():
        return _parse_bytes(path, data)


def _parse_bytes(path: Path, data: bytes) -> Document:
    kind = sniff(data)
    parser, parse_path, warning = choose_parser(path, kind)
    if kind in ("ooxml-encrypted", "doc", "xls", "ppt"):
        _check_encrypted(data, kind)
    if isinstance(parser, legacy.LegacyOfficeParser):
        parser = replace(parser, soffice=_SOFFICE.get())
    doc = parser.parse(parse_path, data)
    if not any(b.text.strip() for b in doc.blocks):
        raise ParseError("empty", f"{path.name} contains no text", hint="nothing to ingest")
    if warning:
        doc.warnings.insert(0, warning)
    doc.format = doc.format or parser.name
    doc.lang = detect_lang(_sample(doc))
    return doc


def choose_parser(path: Path, kind: str) -> tuple[Parser, Path, str]:
    """(parser, path to hand it, warning) for a file named `path` whose content is `kind`."""
    if kind == "ooxml-encrypted":
        raise _encrypted(path)
    claimed = REGISTRY.for_extension(path.suffix) if path.suffix else None
    if claimed is not None and kind in ACCEPTS.get(claimed.name, _TEXTUAL):
        return claimed, path, ""
    real = KIND_PARSER.get(kind)
    if real is not None and (claimed is not None or path.suffix):
        name, suffix = real
        warning = f"{path.name} is {KIND_NAMES[kind]} despite its extension; parsed as {suffix}"
        return REGISTRY.get(name), path.with_suffix(suffix), warning
    if claimed is None and not path.suffix and kind in ("text", "html"):
        return REGISTRY.get("text" if kind == "text" else "html"), path, ""
    if claimed is None:
        raise ParseError(
            "unsupported",
            f"{path.name}: unsupported file type ({KIND_NAMES.get(kind, kind)})",
            hint="supported extensions: " + " ".join(supported_extensions()),
        )
    raise ParseError(
        "corrupt",
        f"{path.name} is named {path.suffix} but its content is {KIND_NAMES.get(kind, kind)}",
        hint="rename it to its real type or re-export it from its application",
    )


def _check_encrypted(data: bytes, kind: str) -> None:
    """Raise 'encrypted' for password-protected Office files (msoffcrypto-tool)."""
    import io

    import msoffcrypto

    try:
        encrypted = bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # unknown layout: let the parser judge
        return
    if encrypted:
        raise _encrypted(Path(f"file.{kind}"))


def _encrypted(path: Path) -> ParseError:
    return ParseError(
        "encrypted",
        f"{path.name} is password-protected",
        hint="open it with the password, save an unprotected copy and ingest that "
        "(or decrypt it: `msoffcrypto-tool -p PASSWORD in out`)",
    )


def _sample(doc: Document, limit: int = 20000) -> str:
    """The first `limit` characters of the document's text, for language detection."""
    parts: list[str] = []
    size = 0
    for block in doc.blocks:
        parts.append(block.text)
        size += len(block.text)
        if size >= limit:
            break
    return "\n".join(parts)[:limit]
