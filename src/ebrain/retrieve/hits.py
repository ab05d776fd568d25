"""Search results."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Hit:
    """One search result: a chunk with its document, location, snippet and scores."""

    chunk_id: int
    document_id: int
    title: str
    doc_type: str
    kb: str
    text: str
    score: float
    page_start: int | None = None
    page_end: int | None = None
    heading_path: list[str] = field(default_factory=list)
    char_start: int = 0
    char_end: int = 0
    path: str = ""
    doc_date: str | None = None
    snippet: str = ""
    highlights: list[tuple[int, int]] = field(default_factory=list)
    # The firewall's injection score stored at ingest (None: not scored) and the rule that
    # matched the chunk, if any.
    injection_score: float | None = None
    injection_rule: str | None = None
    # With explain: the BM25, dense and fused scores and ranks behind this hit.
    explain: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a hit (documented in docs/cli.md)."""
        return asdict(self)
