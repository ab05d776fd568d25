"""RTF via striprtf, honouring the document's ANSI code page (e.g. 936 for GBK)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ebrain.ingest.document import Document
from ebrain.ingest.parsers.base import corrupt, make_document, text_blocks

_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")


@dataclass
class RtfParser:
    """Rich Text Format documents."""

    name: str = "rtf"
    extensions: tuple[str, ...] = (".rtf",)

    def parse(self, path: Path, data: bytes) -> Document:
        """Strip RTF control words; one block per paragraph."""
        from striprtf import striprtf

        encoding = _encoding(data)
        try:
            raw = data.decode("latin-1")
            text = str(striprtf.rtf_to_text(raw, encoding=encoding, errors="replace"))  # type: ignore[no-untyped-call]
        except Exception as exc:  # striprtf raises plain exceptions on malformed groups
            raise corrupt("RTF", exc) from exc
        doc = make_document(path, "rtf", text_blocks(text))
        doc.meta = {"encoding": encoding}
        return doc


def _encoding(data: bytes) -> str:
    """The Python codec for the \\ansicpgNNNN declared in the header (cp1252 by default)."""
    import codecs

    match = _CODEPAGE.search(data[:4096])
    name = f"cp{int(match.group(1))}" if match else "cp1252"
    try:
        codecs.lookup(name)
    except LookupError:
        return "cp1252"
    return name


PARSER = RtfParser()
