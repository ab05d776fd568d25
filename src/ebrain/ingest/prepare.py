"""The CPU-bound half of ingest, run in worker processes: parse, classify, chunk, analyze."""

from __future__ import annotations

import contextlib
import fnmatch
import importlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ebrain.errors import NotFoundError, ParseError
from ebrain.ingest.chunk import Chunk, Chunker, ChunkerConfig
from ebrain.ingest.classify import classify
from ebrain.ingest.document import Document
from ebrain.ingest.ocr import OcrOptions
from ebrain.ingest.paths import clean_text, stored_path


@dataclass(frozen=True)
class PrepareOptions:
    """Everything a worker needs; picklable, the same for a whole ingest run."""

    max_bytes: int = 200 * 2**20
    max_inflated: int = 800 * 2**20
    libreoffice: str = "soffice"
    max_text_bytes: int = 50 * 2**20  # extracted text kept per document (UTF-8 bytes)
    parse_memory_mb: int = 2048  # address space a parse may add (0: no limit)
    parse_timeout_s: float = 300.0  # wall-clock time a file may take (0: no limit)
    chunker: ChunkerConfig = field(default_factory=ChunkerConfig)
    user_words: tuple[str, ...] = ()
    type_rules: tuple[tuple[str, str], ...] = ()
    acl_rules: tuple[tuple[str, str], ...] = ()  # (glob, group): folder rules for ACL groups
    ocr: OcrOptions = field(default_factory=OcrOptions)  # scans: on/off, engine, page limit


@dataclass
class Prepared:
    """A parsed, classified and chunked file, ready to be stored in one transaction."""

    path: str
    size: int
    mtime: float
    content_hash: str
    title: str
    format: str
    lang: str
    pages: int | None
    meta: dict[str, Any]
    warnings: list[str]
    doc_type: str
    type_source: str
    type_score: float
    doc_date: str | None
    text: str
    chunks: list[Chunk]
    terms: list[str]


@dataclass
class Failed:
    """A file that could not be ingested, with a specific reason."""

    path: str
    size: int
    mtime: float
    reason: str
    message: str
    hint: str = ""


@lru_cache(maxsize=4)
def _analyzer(user_words: tuple[str, ...]) -> Any:
    from ebrain.text.analyzer import Analyzer

    return Analyzer(user_words=user_words)


# Libraries the built-in parsers import lazily: loaded before forking, workers inherit them
# instead of importing them again in every worker (and every worker generation).
_PARSER_LIBS = (
    "lxml.etree",
    "pypdfium2",
    "python_calamine",
    "selectolax.lexbor",
    "charset_normalizer",
    "email.policy",
    "msoffcrypto",
    "yaml",
)


def warm_up(options: PrepareOptions) -> None:
    """Load the analyzer (jieba's dictionary), the parser registry and the parsers' libraries
    once, e.g. before forking workers."""
    from ebrain.ingest.parsers import supported_extensions

    _analyzer(options.user_words).terms("预热 warm up")
    supported_extensions()
    for name in _PARSER_LIBS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def prepare(path: str, options: PrepareOptions) -> Prepared | Failed:
    """Parse and chunk one file; never raises for a bad file (nor when memory runs out)."""
    try:
        return _prepare(path, options)
    except MemoryError:
        return failed(path, "too_large", memory_message(path, options), MEMORY_HINT)
    except Exception as exc:  # a parser or analyzer bug must not stop the batch
        return failed(path, "corrupt", f"{type(exc).__name__}: {exc}")


MEMORY_HINT = "raise ingest.parse_memory_mb, or split the file into smaller ones"


def memory_message(path: str, options: PrepareOptions) -> str:
    """What a file that hit the parse memory limit is told."""
    return (
        f"{clean_text(Path(path).name)} needed more than {options.parse_memory_mb} MiB of "
        "memory to parse (ingest.parse_memory_mb)"
    )


def failed(path: str, reason: str, message: str, hint: str = "") -> Failed:
    """A Failed result with the file's stat and printable, storable texts."""
    size, mtime = file_stat(Path(path))
    return Failed(stored_path(path), size, mtime, reason, clean_text(message), clean_text(hint))


def _prepare(path: str, options: PrepareOptions) -> Prepared | Failed:
    from ebrain.ingest.parsers import parse_file

    p = Path(path)
    try:
        doc = parse_file(
            p,
            max_bytes=options.max_bytes,
            libreoffice=options.libreoffice,
            max_inflated=options.max_inflated,
            ocr=options.ocr,
        )
    except ParseError as exc:
        return failed(path, exc.reason, exc.message, exc.hint)
    except NotFoundError as exc:
        return Failed(stored_path(path), 0, 0.0, "not_found", clean_text(exc.message), VANISHED)
    except OSError as exc:
        message = clean_text(str(exc))
        return Failed(stored_path(path), 0, 0.0, "unreadable", message, PERMISSIONS)
    return _build(p, _clean(doc), doc.size, doc.mtime, options)  # parse_file's own stat


VANISHED = "the file vanished during ingest"
PERMISSIONS = "check the file's permissions"


def _clean(doc: Document) -> Document:
    """The document with its title and warnings storable (a file name's bad bytes escaped)."""
    doc.title = clean_text(doc.title)
    doc.warnings = [clean_text(w) for w in doc.warnings]
    doc.meta = _clean_value(doc.meta)
    return doc


def _clean_value(value: Any) -> Any:
    """`value` (metadata: strings, lists, mappings) with lone surrogates escaped in strings."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_clean_value(k): _clean_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_value(v) for v in value]
    return value


def cap_text(doc: Document, max_bytes: int) -> Document:
    """Keep at most `max_bytes` of text (UTF-8) in `doc`; a warning says where it was cut."""
    if sum(len(b.text) + 1 for b in doc.blocks) * 4 <= max_bytes:  # 4 bytes a character at most
        return doc
    used = 0
    for n, block in enumerate(doc.blocks):
        size = len(block.text.encode("utf-8", "surrogatepass")) + 2  # and the blank line
        if used + size > max_bytes:
            block.text = _head(block.text, max_bytes - used)
            del doc.blocks[n + 1 :]
            where = f" (page {block.page})" if block.page is not None else ""
            doc.warnings.append(
                f"text cut after {max_bytes / 2**20:g} MiB (ingest.max_text_mb), in block "
                f"{n + 1}{where}: the rest of the document is not searchable"
            )
            break
        used += size
    return doc


def _head(text: str, max_bytes: int) -> str:
    """The longest start of `text` that is at most `max_bytes` of UTF-8."""
    head = text.encode("utf-8", "surrogatepass")[: max(0, max_bytes)]
    return head.decode("utf-8", "ignore")


def file_stat(p: Path) -> tuple[int, float]:
    """(size, mtime) of a file, or (0, 0.0) when it cannot be read."""
    try:
        st = p.stat()
    except OSError:
        return 0, 0.0
    return st.st_size, st.st_mtime


def _build(
    p: Path, doc: Document, size: int, mtime: float, opt: PrepareOptions
) -> Prepared | Failed:
    chunker = Chunker(opt.chunker)
    text, chunks = chunker(cap_text(doc, opt.max_text_bytes))
    if not chunks:
        return Failed(stored_path(str(p)), size, mtime, "empty", "the file holds no text", "")
    if chunker.cut_at is not None:
        text = text[: chunker.cut_at]
        doc.warnings.append(
            f"only the first {len(chunks)} chunks were kept (ingest.max_chunks): the text "
            f"after character {chunker.cut_at} is not searchable"
        )
    doc_type, source, score = _doc_type(p, doc, opt.type_rules)
    analyzer = _analyzer(opt.user_words)
    terms = [" ".join(analyzer.terms(_context(doc.title, c))) for c in chunks]
    return Prepared(
        stored_path(str(p)),
        size,
        mtime,
        doc.content_hash,
        doc.title,
        doc.format,
        doc.lang,
        doc.pages,
        doc.meta,
        doc.warnings,
        doc_type,
        source,
        score,
        _doc_date(doc, text),
        text,
        chunks,
        terms,
    )


def _context(title: str, chunk: Chunk) -> str:
    return _joined_context(title, chunk.heading_path, chunk.text)


def index_text(title: str, heading_path_json: str, text: str) -> str:
    """What the lexical index sees: the title and heading path give a chunk its context."""
    return _joined_context(title, json.loads(heading_path_json), text)


def _joined_context(title: str, heading_path: Iterable[str], text: str) -> str:
    head = [h for h in [title, *heading_path] if h and h not in text[:200]]
    return "\n".join([*dict.fromkeys(head), text])


def matches(p: Path, pattern: str) -> bool:
    """A folder/name rule's glob against a file's whole path or its name."""
    return fnmatch.fnmatch(p.as_posix(), pattern) or fnmatch.fnmatch(p.name, pattern)


def rule_groups(path: str, rules: tuple[tuple[str, str], ...]) -> list[str]:
    """The ACL groups the folder rules give a file."""
    p = Path(path)
    return list(dict.fromkeys(grp for pattern, grp in rules if matches(p, pattern)))


def _doc_type(p: Path, doc: Document, rules: tuple[tuple[str, str], ...]) -> tuple[str, str, float]:
    for pattern, doc_type in rules:
        if matches(p, pattern):
            return doc_type, "rule", 1.0
    result = classify(doc, p.name)
    return result.doc_type, "auto", result.score


_DATE = re.compile(r"(20\d\d|19\d\d)\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")


def _doc_date(doc: Document, text: str) -> str | None:
    """The document's date: from metadata, else the first date written in it."""
    for key in ("date", "created"):
        value = doc.meta.get(key)
        if value:
            found = _DATE.search(str(value))
            if found:
                return _iso(found)
    found = _DATE.search(text[:3000])
    return _iso(found) if found else None


def _iso(match: re.Match[str]) -> str | None:
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
