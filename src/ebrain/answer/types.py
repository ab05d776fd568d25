"""The answer's value types: citations, the answer itself, and stream items."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Citation:
    """Source [n] of an answer: the chunk, where it is, a supporting quote, and whether it holds."""

    n: int
    chunk_id: int
    document_id: int
    title: str
    page: int | None
    char_start: int
    char_end: int
    quote: str
    verified: bool
    path: str = ""
    doc_type: str = ""
    doc_date: str | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class Answer:
    """A grounded answer with numbered citations, or a refusal with the closest documents."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    model: str = "extractive"
    template_version: str = ""
    usage: dict[str, Any] = field(default_factory=dict)
    trace_id: str = ""
    confidence: float = 0.0
    refused: bool = False
    route: dict[str, Any] | None = None
    guard_events: list[dict[str, Any]] = field(default_factory=list)
    question: str = ""
    query: str = ""
    lang: str = "en"
    assistant: str = "default"
    closest: list[dict[str, Any]] = field(default_factory=list)
    blocked: bool = False
    refusal: dict[str, Any] | None = None
    # Sources the firewall flagged as possible injections (quoted as data): chunk id, title.
    flagged_sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def top_citation(self) -> Citation | None:
        """The first citation of the answer (the best supporting source)."""
        return self.citations[0] if self.citations else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (documented in docs/cli/ask.md)."""
        return asdict(self)
