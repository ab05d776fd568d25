"""AnswerMixin: the Brain's answering methods (ask, ask_stream, conversation, prompts)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import threading

    import sqlalchemy as sa

    from ebrain.answer.assistants import Assistant
    from ebrain.answer.confidence import TermStats
    from ebrain.answer.conversation import Conversation
    from ebrain.answer.pipeline import Answerer, AskOptions
    from ebrain.answer.prompts import PromptStore
    from ebrain.answer.types import Answer
    from ebrain.auth import Principal
    from ebrain.config import Config
    from ebrain.models import Gateway


class AnswerMixin:
    """Grounded, cited answers over the knowledge base (mixed into Brain)."""

    engine: sa.Engine
    config: Config
    _parts: dict[str, Any]
    _lock: threading.RLock

    def _part(self, name: str, make: Any) -> Any:
        """Built once, under the Brain's lock (many threads may ask at once)."""
        parts = self._parts
        if name not in parts:
            with self._lock:
                if name not in parts:
                    parts[name] = make()
        return parts[name]

    @property
    def gateway(self) -> Gateway:
        """The model gateway of this workspace (usage recorded in the catalog)."""
        from ebrain.answer.guarding import CatalogUsageSink
        from ebrain.models import Gateway, ModelCatalog, RoutingPolicy

        def make() -> Gateway:
            catalog = ModelCatalog.from_config(self.config.section("models"))
            routing = RoutingPolicy.from_config(self.config.section("routing"))
            return Gateway(catalog, CatalogUsageSink(self.engine), routing)

        gateway: Gateway = self._part("gateway", make)
        return gateway

    @property
    def prompts(self) -> PromptStore:
        """The versioned prompt templates."""
        from ebrain.answer.prompts import PromptStore

        store: PromptStore = self._part("prompts", lambda: PromptStore(self.engine))
        return store

    @property
    def term_stats(self) -> TermStats:
        """Term statistics for confidence and sentence scoring."""
        from ebrain.answer.confidence import FtsTermStats, UniformStats

        def make() -> TermStats:
            return (
                FtsTermStats(self.engine)
                if self.engine.dialect.name == "sqlite"
                else UniformStats()
            )

        stats: TermStats = self._part("stats", make)
        return stats

    @property
    def answerer(self) -> Answerer:
        """The ask path over this Brain."""
        from ebrain.answer.pipeline import Answerer

        made: Answerer = self._part(
            "answerer", lambda: Answerer(self, self.gateway, self.prompts, self.term_stats)
        )
        return made

    def assistants(self) -> dict[str, Assistant]:
        """The built-in and configured assistants."""
        from ebrain.answer.assistants import load_assistants

        return load_assistants(self.config.section("assistants"))

    def ask(self, question: str, *, principal: Principal, **options: Any) -> Answer:
        """Answer a question as `principal` (required) with citations (or refuse); options
        are AskOptions fields."""
        return self.answerer.ask(question, _options(principal, options))

    def ask_stream(
        self, question: str, *, principal: Principal, **options: Any
    ) -> Iterator[str | Answer]:
        """Stream an answer as `principal`: text deltas, then the final Answer."""
        return self.answerer.stream(question, _options(principal, options))

    def standalone(
        self,
        question: str,
        history: Sequence[tuple[str, str]],
        *,
        principal: Principal,
        **options: Any,
    ) -> str:
        """`question` as a standalone query given the earlier (role, text) messages, oldest
        first: what a stateless client (the OpenAI-compatible API) sends with each turn."""
        from ebrain.answer.conversation import Message, standalone_query

        turns = [Message(role, text) for role, text in history if role in ("user", "assistant")]
        opts = _options(principal, options)
        return standalone_query(self.answerer, opts, question, turns)

    def conversation(
        self, id: str | None = None, *, principal: Principal, **options: Any
    ) -> Conversation:
        """Start (or resume, by id) a multi-turn conversation as `principal`."""
        from ebrain.answer.conversation import Conversation

        return Conversation(self.answerer, id, _options(principal, options))


def _options(principal: Principal, options: dict[str, Any]) -> AskOptions:
    """AskOptions carrying the principal (PermissionDeniedError when there is none)."""
    from ebrain.answer.pipeline import AskOptions
    from ebrain.auth import require_principal

    return AskOptions(principal=require_principal(principal), **options)
