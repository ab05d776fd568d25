"""Request bodies of the API (validated by pydantic; bounded sizes everywhere)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Name = Field(min_length=1, max_length=100)


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
