"""Request bodies of the API (validated by pydantic; bounded sizes everywhere)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(_Body):
    """Password login."""

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class FirstAdminBody(_Body):
    """Claim the first admin with the one-time token printed at the first start."""

    token: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=8, max_length=1000)


class SearchBody(_Body):
    """A search with the CLI's filters."""

    query: str = Field(min_length=1, max_length=4000)
    k: int | None = Field(default=None, ge=1, le=1000)
    kb: list[str] | None = Field(default=None, max_length=50)
    doc_type: list[str] | None = Field(default=None, max_length=50)
    tags: list[str] = Field(default_factory=list, max_length=50)
    since: str | None = Field(default=None, max_length=10)
    until: str | None = Field(default=None, max_length=10)
    path_glob: str | None = Field(default=None, max_length=500)
    mode: Literal["hybrid", "bm25", "dense"] = "hybrid"
    explain: bool = False


class AskBody(_Body):
    """A question; `stream` answers as server-sent events."""

    question: str = Field(min_length=1, max_length=4000)
    assistant: str | None = Field(default=None, max_length=100)
    kb: list[str] | None = Field(default=None, max_length=50)
    k: int | None = Field(default=None, ge=1, le=100)
    stream: bool = False


class ConversationBody(_Body):
    """A new conversation."""

    assistant: str | None = Field(default=None, max_length=100)
    kb: list[str] | None = Field(default=None, max_length=50)


class TurnBody(_Body):
    """One question in a conversation."""

    question: str = Field(min_length=1, max_length=4000)
    stream: bool = False


class FeedbackBody(_Body):
    """Thumbs up or down on an answer, by its trace id."""

    trace_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=4000)


class UserBody(_Body):
    """A new user."""

    name: str = Field(min_length=1, max_length=100)
    role: Literal["viewer", "editor", "admin"] = "viewer"
    groups: list[str] = Field(default_factory=list, max_length=100)
    password: str | None = Field(default=None, min_length=8, max_length=1000)


class KeyBody(_Body):
    """A new API key for a user, maybe limited to knowledge bases."""

    user: str = Field(min_length=1, max_length=100)
    kbs: list[str] = Field(default_factory=list, max_length=100)


class ChatMessage(BaseModel):
    """One OpenAI chat message (text content, or a list of text parts)."""

    model_config = ConfigDict(extra="allow")
    role: str = Field(max_length=32)
    content: str | list[dict[str, Any]] | None = None


class ChatBody(BaseModel):
    """The OpenAI chat-completions request (unknown fields are accepted and ignored)."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(min_length=1, max_length=100)
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False


# --- responses (documented for clients and checked by the schemathesis test) ------------------
class HitOut(BaseModel):
    """One search hit (the CLI's `search --json` hit)."""

    chunk_id: int
    document_id: int
    title: str
    doc_type: str
    kb: str
    text: str
    score: float
    page_start: int | None = None
    page_end: int | None = None
    heading_path: list[str] = []
    char_start: int = 0
    char_end: int = 0
    path: str = ""
    doc_date: str | None = None
    snippet: str = ""
    highlights: list[list[int]] = []
    explain: dict[str, Any] | None = None


class SearchOut(BaseModel):
    """Hits with timings, the fusion weight and notes."""

    hits: list[HitOut]
    mode: str
    timings_ms: dict[str, float]
    bm25_weight: float | None = None
    notes: list[str] = []


class CitationOut(BaseModel):
    """Source [n] of an answer."""

    n: int
    chunk_id: int
    document_id: int
    title: str
    page: int | None = None
    char_start: int
    char_end: int
    quote: str
    verified: bool
    path: str = ""
    doc_type: str = ""
    doc_date: str | None = None
    problems: list[str] = []


class AnswerOut(BaseModel):
    """An answer with citations, or a refusal with the closest documents (`ask --json`)."""

    text: str
    citations: list[CitationOut]
    model: str
    template_version: str
    usage: dict[str, Any]
    trace_id: str
    confidence: float
    refused: bool
    route: dict[str, Any] | None = None
    guard_events: list[dict[str, Any]]
    question: str
    query: str
    lang: str
    assistant: str
    closest: list[dict[str, Any]]
    blocked: bool


class KbOut(BaseModel):
    """A knowledge base with the number of documents the caller may read."""

    name: str
    description: str
    documents: int


class KbsOut(BaseModel):
    """The knowledge bases."""

    kbs: list[KbOut]


class DocumentsOut(BaseModel):
    """A page of the documents the caller may read, and how many there are."""

    total: int
    documents: list[dict[str, Any]]


class JobFileOut(BaseModel):
    """One uploaded file of a job."""

    id: int
    job_id: str
    name: str
    size: int
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    status: str | None = None
    reason: str | None = None
    message: str | None = None
    document_id: int | None = None
    chunks: int = 0


class JobOut(BaseModel):
    """An ingest job with its files."""

    id: str
    kb: str
    user_name: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    acl: list[str]
    tags: list[str]
    error: str | None = None
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    files: list[JobFileOut]
    counts: dict[str, int]
