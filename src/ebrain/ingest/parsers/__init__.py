"""File parsers: every supported format in, one normalized Document out.

`parse_file(path)` sniffs the content, confirms the extension, runs the parser registered for
it (built-ins, plus any registered under the `ebrain.parsers` entry-point group) and fills the
source facts (path, size, mtime, sha256, language). Failures raise `ParseError` with a reason:
corrupt, encrypted, empty, too_large, unsupported, undecodable, needs_ocr, needs_converter.
"""

from ebrain.ingest.parsers.base import ENTRY_POINT_GROUP, Parser, ParserRegistry
from ebrain.ingest.parsers.dispatch import (
    BUILTIN_PARSERS,
    DEFAULT_MAX_BYTES,
    REGISTRY,
    parse_bytes,
    parse_file,
    supported_extensions,
)
from ebrain.ingest.parsers.sniff import sniff

__all__ = [
    "BUILTIN_PARSERS",
    "DEFAULT_MAX_BYTES",
    "ENTRY_POINT_GROUP",
    "REGISTRY",
    "Parser",
    "ParserRegistry",
    "parse_bytes",
    "parse_file",
    "sniff",
    "supported_extensions",
]
