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


@dataclass(frozen=True)
class PrepareOptions:
    """Everything a worker needs; picklable, the same for a whole ingest run."""

    max_bytes: int = 200 * 2**20
    max_inflated: int = 800 * 2**20
    libreoffice: str = "soffice"
    chunker: ChunkerConfig = field(default_factory=ChunkerConfig)
    user_words: tuple[str, ...] = ()
    type_rules: tuple[tuple[str, str], ...] = ()


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
    """Parse and chunk one file; never raises for a bad file."""
    from ebrain.ingest.parsers import parse_file

    p = Path(path)
    try:
        doc = parse_file(
            p,
            max_bytes=options.max_bytes,
            libreoffice=options.libreoffice,
            max_inflated=options.max_inflated,
        )
    except ParseError as exc:
        size, mtime = file_stat(p)
        return Failed(path, size, mtime, exc.reason, exc.message, exc.hint)
    except NotFoundError as exc:
        return Failed(path, 0, 0.0, "not_found", exc.message, "the file vanished during ingest")
    except OSError as exc:
        return Failed(path, 0, 0.0, "unreadable", str(exc), "check the file's permissions")
    except Exception as exc:  # a parser bug must not stop the batch
        size, mtime = file_stat(p)
        return Failed(path, size, mtime, "corrupt", f"{type(exc).__name__}: {exc}")
    return _build(p, doc, doc.size, doc.mtime, options)  # parse_file's own stat


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
    text, chunks = Chunker(opt.chunker)(doc)
    if not chunks:
        return Failed(str(p), size, mtime, "empty", "the file holds no text", "")
    doc_type, source, score = _doc_type(p, doc, opt.type_rules)
    analyzer = _analyzer(opt.user_words)
    terms = [" ".join(analyzer.terms(_context(doc.title, c))) for c in chunks]
    return Prepared(
        str(p),
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


def _doc_type(p: Path, doc: Document, rules: tuple[tuple[str, str], ...]) -> tuple[str, str, float]:
    for pattern, doc_type in rules:
        if fnmatch.fnmatch(p.as_posix(), pattern) or fnmatch.fnmatch(p.name, pattern):
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
