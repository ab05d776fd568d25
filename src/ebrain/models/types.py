"""Core value types of the model gateway and the provider Protocol."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ebrain.models.routing import RouteDecision


@dataclass(frozen=True)
class ChatMessage:
    """One chat message: role (system, user, assistant) and text."""

    role: str
    content: str

    def to_dict(self) -> dict[str, str]:
        """The OpenAI wire shape."""
        return {"role": self.role, "content": self.content}


@dataclass
class CompletionRequest:
    """What to complete; None leaves a parameter to the server's default."""

    messages: list[ChatMessage]
    max_tokens: int | None = None
    temperature: float | None = None
    stop: list[str] | None = None
    stream: bool = False

    @classmethod
    def from_prompt(cls, prompt: str, system: str | None = None, **kw: Any) -> CompletionRequest:
        """A request with one user message (and an optional system message)."""
        messages = [ChatMessage("system", system)] if system else []
        return cls([*messages, ChatMessage("user", prompt)], **kw)

    def prompt_text(self) -> str:
        """All message contents joined, for token estimates."""
        return "\n".join(m.content for m in self.messages)


@dataclass
class Usage:
    """Tokens used by one call and what they cost (in the price table's currency)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


@dataclass
class Completion:
    """A finished completion; the gateway fills alias, cost, attempts and route."""

    text: str
    model: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None
    latency_ms: float = 0.0
    attempts: int = 1
    alias: str = ""
    route: RouteDecision | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (route included when present)."""
        out: dict[str, Any] = {
            "text": self.text,
            "model": self.model,
            "alias": self.alias,
            "usage": {
                "prompt_tokens": self.usage.prompt_tokens,
                "completion_tokens": self.usage.completion_tokens,
                "cost": self.usage.cost,
            },
            "finish_reason": self.finish_reason,
            "latency_ms": self.latency_ms,
            "attempts": self.attempts,
        }
        if self.route is not None:
            out["route"] = self.route.to_dict()
        return out


StreamItem = str | Completion


@runtime_checkable
class ModelProvider(Protocol):
    """A model backend. `complete` is required; `stream` is optional (see StreamingProvider)."""

    def complete(self, request: CompletionRequest) -> Completion:
        """Complete the request in one call."""
        ...


@runtime_checkable
class StreamingProvider(ModelProvider, Protocol):
    """A provider that can also stream: text deltas, then the final Completion."""

    def stream(self, request: CompletionRequest) -> Iterator[StreamItem]:
        """Yield text deltas, then one Completion."""
        ...
