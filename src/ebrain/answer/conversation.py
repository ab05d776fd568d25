"""Multi-turn conversations: follow-ups become standalone queries; history lives in the catalog."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from ebrain.answer.confidence import content_terms, term_weights
from ebrain.answer.pipeline import Answerer, AskOptions
from ebrain.answer.prompts import render
from ebrain.answer.types import Answer
from ebrain.catalog.queries import Catalog
from ebrain.errors import NotFoundError
from ebrain.i18n import lang_of
from ebrain.models import CompletionRequest, ModelError

HISTORY_TURNS = 6
KEY_TERMS = 3


@dataclass(frozen=True)
class Message:
    """One stored message of a conversation."""

    role: str
    content: str
    query: str = ""
    trace_id: str = ""
    created_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return dict(self.__dict__)


class Conversation:
    """A conversation: ask follow-ups; each turn is stored with its standalone query and answer."""

    def __init__(
        self, answerer: Answerer, id: str | None = None, options: AskOptions | None = None
    ) -> None:
        self.answerer = answerer
        self.catalog = Catalog(answerer.brain.engine)
        self.options = options or AskOptions()
        self.id = id or self._create()
        if id is not None:
            self._require()

    def _create(self) -> str:
        cid = uuid.uuid4().hex[:16]
        self.catalog.create_conversation(cid, self.options.assistant or "default")
        return cid

    def _require(self) -> None:
        if not self.catalog.has_conversation(self.id):
            raise NotFoundError(f"no conversation {self.id!r}", hint="start a new one")

    def history(self) -> list[Message]:
        """Every message so far, oldest first."""
        return [Message(*r) for r in self.catalog.messages(self.id)]

    def ask(self, question: str) -> Answer:
        """Answer a turn (the follow-up is rewritten into a standalone query first)."""
        answer: Answer | None = None
        for item in self.stream(question):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def stream(self, question: str) -> Iterator[str | Answer]:
        """Stream a turn: text deltas, then the Answer; both messages are stored."""
        query = self.standalone(question)
        opts = replace(self.options, query=query if query != question else None)
        answer: Answer | None = None
        for item in self.answerer.stream(question, opts):
            if isinstance(item, Answer):
                answer = item
            yield item
        if answer is not None:
            self._store(question, answer)

    def standalone(self, question: str) -> str:
        """The follow-up as a standalone query: rewritten by the model, or with key terms."""
        return standalone_query(self.answerer, self.options, question, self.history())

    def _store(self, question: str, answer: Answer) -> None:
        trace = answer.trace_id
        rows = [
            {"role": "user", "content": question, "query": answer.query, "answer": "{}"},
            {
                "role": "assistant",
                "content": answer.text,
                "query": "",
                "answer": json.dumps(answer.to_dict(), ensure_ascii=False, default=str),
            },
        ]
        self.catalog.add_messages(self.id, [{**r, "trace_id": trace} for r in rows])


def standalone_query(
    answerer: Answerer, options: AskOptions, question: str, history: list[Message]
) -> str:
    """`question` as a standalone query given the earlier messages (oldest first): rewritten
    by the model when one answers, else with the previous question's key terms prepended.
    Used by stored conversations and by stateless clients that send the history each time."""
    previous = [m for m in history if m.role == "user"]
    if not previous:
        return question
    if answerer.uses_model(options):
        rewritten = _rewrite(answerer, options, question, history)
        if rewritten:
            return rewritten
    return _with_key_terms(answerer, question, previous[-1].query or previous[-1].content)


def _with_key_terms(answerer: Answerer, question: str, previous: str) -> str:
    """Prepend the previous question's most specific terms the follow-up lacks."""
    analyzer = answerer.brain.analyzer
    mine = set(analyzer.query_terms(question))
    weights = term_weights(content_terms(analyzer, previous), answerer.stats)
    missing = [t for t in sorted(weights, key=lambda t: -weights[t]) if t not in mine]
    keys = [t for t in missing if t.lower() not in question.lower()][:KEY_TERMS]
    surface = [_surface(previous, t) for t in keys]
    return " ".join([*surface, question]) if surface else question


def _rewrite(answerer: Answerer, options: AskOptions, question: str, history: list[Message]) -> str:
    turns = history[-HISTORY_TURNS:]
    version = answerer.prompts.get(f"rewrite.{lang_of(question)}")
    messages = [{"role": m.role, "content": m.content[:500]} for m in turns]
    prompt = render(version, question=question, history=messages)
    request = CompletionRequest.from_prompt(
        prompt.user, system=prompt.system or None, max_tokens=128, temperature=0.0
    )
    try:
        done = answerer.gateway.complete(request, model=options.model)
    except ModelError:
        return ""
    return done.text.strip().splitlines()[0].strip() if done.text.strip() else ""


def _surface(text: str, term: str) -> str:
    """The term as written in `text` when found there (case kept), else the term."""
    index = text.lower().find(term.lower())
    return text[index : index + len(term)] if index >= 0 else term
