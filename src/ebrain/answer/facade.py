"""AnswerMixin: the Brain's answering methods (ask, ask_stream, conversation, prompts)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlalchemy as sa

    from ebrain.answer.assistants import Assistant
    from ebrain.answer.confidence import TermStats
    from ebrain.answer.conversation import Conversation
    from ebrain.answer.pipeline import Answerer
    from ebrain.answer.prompts import PromptStore
    from ebrain.answer.types import Answer
    from ebrain.config import Config
    from ebrain.models import Gateway


class AnswerMixin:
    """Grounded, cited answers over the knowledge base (mixed into Brain)."""

    engine: sa.Engine
    config: Config
    _answer_parts: dict[str, Any]

    def _part(self, name: str, make: Any) -> Any:
        parts = self.__dict__.setdefault("_answer_parts", {})
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

    def ask(self, question: str, **options: Any) -> Answer:
        """Answer a question with citations (or refuse); options are AskOptions fields."""
        from ebrain.answer.pipeline import AskOptions

        return self.answerer.ask(question, AskOptions(**options))

    def ask_stream(self, question: str, **options: Any) -> Iterator[str | Answer]:
        """Stream an answer: text deltas, then the final Answer."""
        from ebrain.answer.pipeline import AskOptions

        return self.answerer.stream(question, AskOptions(**options))

    def conversation(self, id: str | None = None, **options: Any) -> Conversation:
        """Start (or resume, by id) a multi-turn conversation."""
        from ebrain.answer.conversation import Conversation
        from ebrain.answer.pipeline import AskOptions

        return Conversation(self.answerer, id, AskOptions(**options))
