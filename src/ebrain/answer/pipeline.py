"""The ask path: guard(input) → retrieve → confidence → guard(context) → generate or extract
→ verify citations → guard(output). Streaming yields text deltas, then the final Answer."""

from __future__ import annotations

import re
import uuid
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ebrain.answer.assistants import Assistant, get_assistant
from ebrain.answer.confidence import TermStats, content_terms, term_weights
from ebrain.answer.context import Packed, context_budget, pack
from ebrain.answer.extractive import Sentence, pick_sentences, score_sentences
from ebrain.answer.guarding import GuardedAsk, ask_policy, flagged, save_events, stored_scores
from ebrain.answer.prompts import PromptStore, RenderedPrompt, render
from ebrain.answer.refusal import Decision, decide, dense_features, lexical_features
from ebrain.answer.types import Answer, Citation
from ebrain.answer.verify import Check, Claim, normalize_markers, strip_invalid, verify
from ebrain.auth import Principal, require_principal
from ebrain.guard import Guard
from ebrain.guard.learned import LearnedDetector
from ebrain.i18n import lang_of, say
from ebrain.models import (
    Completion,
    CompletionRequest,
    Gateway,
    RouteContext,
    estimate_tokens,
)
from ebrain.retrieve.hits import Hit

REFUSAL = {"zh": "知识库中没有找到相关信息", "en": "I couldn't find this in the knowledge base"}
_REFUSAL_RE = re.compile(
    r"知识库中没有找到|没有找到相关信息|资料中没有|couldn'?t find this|could not find this|"
    r"not in the (?:knowledge base|sources)|sources do not contain",
    re.IGNORECASE,
)
DEFAULT_WINDOW = 8192
_MASKED = re.compile(r"[A-Za-z0-9._@-]*\*{3,}[A-Za-z0-9._@-]*")  # masked PII: not a search term


@dataclass
class AskOptions:
    """Per-ask overrides: assistant, model, knowledge base, user group, retrieval depth.
    `principal` says who asks: retrieval fails without one (no open default)."""

    assistant: str | None = None
    model: str | None = None
    kb: str | Sequence[str] | None = None
    group: str | None = None
    user: str = ""
    k: int | None = None
    mode: str = "hybrid"
    refusal_threshold: float | None = None
    max_tokens: int = 512
    temperature: float | None = 0.1
    query: str | None = None
    principal: Principal | None = None


@dataclass
class _Ask:
    """The state of one ask as it moves through the path."""

    question: str
    lang: str
    assistant: Assistant
    guard: GuardedAsk
    trace_id: str
    query: str = ""
    hits: list[Hit] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    sentences: list[Sentence] = field(default_factory=list)
    decision: Decision | None = None
    dense: bool = False
    flagged: list[Hit] = field(default_factory=list)


def is_refusal(text: str) -> bool:
    """True when a model says the sources do not hold the answer."""
    return bool(_REFUSAL_RE.search(text[:200]))


def closest_documents(hits: Sequence[Hit], limit: int = 3) -> list[dict[str, Any]]:
    """The distinct documents nearest to a question, for a refusal."""
    out: dict[int, dict[str, Any]] = {}
    for h in hits:
        if h.document_id not in out and len(out) < limit:
            out[h.document_id] = {
                "document_id": h.document_id,
                "title": h.title,
                "path": h.path,
                "doc_type": h.doc_type,
                "score": h.score,
            }
    return list(out.values())


class Answerer:
    """Answers questions over one Brain with its gateway, prompt store and term statistics."""

    def __init__(
        self, brain: Any, gateway: Gateway, prompts: PromptStore, stats: TermStats
    ) -> None:
        self.brain = brain
        self.gateway = gateway
        self.prompts = prompts
        self.stats = stats

    # --- public ---------------------------------------------------------------------------
    def ask(self, question: str, options: AskOptions | None = None) -> Answer:
        """Answer a question (no streaming)."""
        final: Answer | None = None
        for item in self._run(question, options or AskOptions(), stream=False):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(self, question: str, options: AskOptions | None = None) -> Iterator[str | Answer]:
        """Text deltas as a model writes them, then the final (verified, guarded) Answer."""
        yield from self._run(question, options or AskOptions(), stream=True)

    def uses_model(self, options: AskOptions) -> bool:
        """True when this ask generates with a model, False for an extractive answer."""
        if options.model:
            return options.model != "none"
        if str(self.brain.config.get("model.default")) not in ("", "none"):
            return True
        return self.gateway.available

    # --- the path -------------------------------------------------------------------------
    def _run(self, question: str, opts: AskOptions, stream: bool) -> Iterator[str | Answer]:
        ask = self._start(question, opts)
        checked = ask.guard.question(question)
        if checked.blocked:
            yield self._finish(ask, self._blocked(ask))
            return
        ask.question = checked.text
        query = ask.guard.question(opts.query).text if opts.query else checked.text
        ask.query = _MASKED.sub(" ", query).strip() or query
        self._retrieve(ask, opts)
        self._decide(ask, opts)
        if not ask.hits or (ask.decision is not None and ask.decision.refused):
            yield self._finish(ask, self._refusal(ask))
            return
        results = ask.guard.context([h.text for h in ask.hits], stored_scores(ask.hits))
        ask.flagged = [ask.hits[i] for i in flagged(results)]
        texts = [r.text for r in results]
        if not self.uses_model(opts):
            yield self._finish(ask, self._extract(ask))
            return
        answer = yield from self._generate(ask, opts, texts, stream)
        yield self._finish(ask, answer)

    def _start(self, question: str, opts: AskOptions) -> _Ask:
        config = self.brain.config
        assistant = get_assistant(config.section("assistants"), opts.assistant)
        trace_id = uuid.uuid4().hex[:16]
        policy = ask_policy(config.section("policies"), assistant.name)
        groups = (opts.group,) if opts.group else ()
        learned_context = self.brain.embedder is not None  # else chunks never get a score
        made = Guard(policy, learned=self._learned(), learned_context=learned_context)
        guard = GuardedAsk(made, groups, trace_id, opts.user)
        guard.assistant = assistant.name
        return _Ask(question, lang_of(question), assistant, guard, trace_id)

    def _learned(self) -> LearnedDetector | None:
        """The learned injection detector with the configured per-stage thresholds."""
        config = self.brain.config
        if not config.get("guard.learned"):
            return None
        stages = ("input", "context")
        return LearnedDetector(
            thresholds={s: float(config.get(f"guard.{s}_threshold")) for s in stages}
        )

    def _threshold(self, opts: AskOptions) -> float:
        return float(self.brain.config.get("answer.refusal_threshold", opts.refusal_threshold))

    def _retrieve(self, ask: _Ask, opts: AskOptions) -> None:
        a = ask.assistant
        result = self.brain.search_ex(
            ask.query,
            opts.k or a.k,
            kb=opts.kb or a.kb,
            doc_type=list(a.doc_types) or None,
            principal=require_principal(opts.principal),
            mode=opts.mode,
            explain=True,
        )
        ask.hits = list(result.hits)
        ask.dense = opts.mode != "bm25" and any(
            (h.explain or {}).get("dense_rank") is not None for h in ask.hits
        )
        analyzer = self.brain.analyzer
        ask.weights = term_weights(content_terms(analyzer, ask.query), self.stats)
        ask.sentences = score_sentences(ask.hits, ask.weights, analyzer)

    def _decide(self, ask: _Ask, opts: AskOptions) -> None:
        """The refusal decision from the retrieval evidence (docs/bench/answer.md)."""
        if not ask.hits:
            return
        sentence = ask.sentences[0].text if ask.sentences else ""
        analyzer = self.brain.analyzer
        features = lexical_features(ask.query, ask.hits, ask.weights, analyzer, sentence)
        if ask.dense:
            features.update(dense_features(ask.hits))
        ask.decision = decide(features, self._threshold(opts))

    # --- outcomes -------------------------------------------------------------------------
    def _blocked(self, ask: _Ask) -> Answer:
        text = say(
            "This question was blocked by the AI firewall.", "该问题已被 AI 防火墙拦截。", ask.lang
        )
        return Answer(text, refused=True, blocked=True)

    def _refusal(self, ask: _Ask, model: str = "extractive") -> Answer:
        return Answer(
            REFUSAL[ask.lang], model=model, refused=True, closest=closest_documents(ask.hits)
        )

    def _extract(self, ask: _Ask) -> Answer:
        chosen = pick_sentences(ask.sentences)
        chosen.sort(key=lambda s: (s.rank, s.start))  # sources in retrieval order
        if not chosen:
            return self._refusal(ask)
        numbers: dict[int, int] = {}
        parts, citations = [], []
        for s in chosen:
            if s.rank not in numbers:
                numbers[s.rank] = len(numbers) + 1
                citations.append(_citation(numbers[s.rank], ask.hits[s.rank], s.start, s.end))
            parts.append(f"{_clean(s.text)}[{numbers[s.rank]}]")
        joiner = "" if ask.lang == "zh" else " "
        return Answer(joiner.join(parts), citations, template_version="extractive")

    def _generate(
        self, ask: _Ask, opts: AskOptions, texts: list[str], stream: bool
    ) -> Generator[str, None, Answer]:
        explicit = self._explicit_model(opts, ask.assistant)
        prompt, packed = self._prompt(ask, opts, texts, explicit)
        request = CompletionRequest.from_prompt(
            prompt.user,
            system=prompt.system or None,
            max_tokens=opts.max_tokens,
            temperature=opts.temperature,
        )
        ctx = RouteContext(
            question=ask.question,
            assistant=ask.assistant.name,
            user_group=opts.group,
            documents=len({p.hit.document_id for p in packed}),
        )
        done = yield from self._call(request, explicit, ctx, ask.trace_id, stream)
        answer = self._grounded(ask, done.text, packed)
        answer.model = done.model or done.alias
        answer.template_version = prompt.version
        answer.usage = {
            "prompt_tokens": done.usage.prompt_tokens,
            "completion_tokens": done.usage.completion_tokens,
            "cost": done.usage.cost,
        }
        answer.route = done.route.to_dict() if done.route is not None else None
        ask.guard.system_prompt = prompt.system
        return answer

    def _call(
        self,
        request: CompletionRequest,
        model: str | None,
        ctx: RouteContext,
        trace_id: str,
        stream: bool,
    ) -> Generator[str, None, Completion]:
        if not stream:
            return self.gateway.complete(request, model=model, context=ctx, trace_id=trace_id)
        done: Completion | None = None
        for item in self.gateway.stream(request, model=model, context=ctx, trace_id=trace_id):
            if isinstance(item, Completion):
                done = item
            else:
                yield item
        assert done is not None
        return done

    def _explicit_model(self, opts: AskOptions, assistant: Assistant) -> str | None:
        if opts.model:
            return opts.model
        default = str(self.brain.config.get("model.default"))
        if default not in ("", "none"):
            return default
        return assistant.model

    def _prompt(
        self, ask: _Ask, opts: AskOptions, texts: list[str], model: str | None
    ) -> tuple[RenderedPrompt, list[Packed]]:
        version = self.prompts.get(ask.assistant.template_name(ask.lang))
        variables = {
            "question": ask.question,
            "refusal": REFUSAL[ask.lang],
            "tone": ask.assistant.tone_for(ask.lang),
            "instructions": "",
            "assistant": ask.assistant.name,
            "lang": ask.lang,
        }
        empty = render(version, passages=[], **variables)
        overhead = estimate_tokens(empty.system + empty.user)
        window = self._window(ask, model)
        packed = pack(ask.hits, texts, context_budget(window, opts.max_tokens, overhead))
        passages = [p.variables() for p in packed]
        return render(version, passages=passages, **variables), packed

    def _window(self, ask: _Ask, model: str | None) -> int:
        probe = CompletionRequest.from_prompt(ask.question)
        ctx = RouteContext(question=ask.question, assistant=ask.assistant.name)
        decision = self.gateway.route(probe, ctx, model)
        if not decision.candidates:
            return DEFAULT_WINDOW
        alias = decision.candidates[0]
        specs = self.gateway.catalog.resolve(alias)
        return specs[0].context_window if specs else DEFAULT_WINDOW

    def _grounded(self, ask: _Ask, text: str, packed: list[Packed]) -> Answer:
        if is_refusal(text):
            return self._refusal(ask)
        sources = {p.n: p.hit for p in packed}
        text = strip_invalid(normalize_markers(text.strip()), set(sources))
        results = verify(text, sources, self.brain.analyzer)
        return Answer(text, _citations(results, sources))

    # --- the end of every ask -------------------------------------------------------------
    def _finish(self, ask: _Ask, answer: Answer) -> Answer:
        answer.question, answer.query, answer.lang = ask.question, ask.query, ask.lang
        answer.trace_id = ask.trace_id
        if ask.decision is not None:
            answer.confidence = ask.decision.probability
            answer.refusal = ask.decision.to_dict()
        answer.assistant = ask.assistant.name
        if not answer.refused:
            self._guard_output(ask, answer)
        if ask.flagged and not answer.refused and not answer.blocked:
            _flag_note(ask, answer)
        answer.guard_events = ask.guard.events
        save_events(self.brain.engine, ask.guard.events)
        return answer

    def _guard_output(self, ask: _Ask, answer: Answer) -> None:
        result = ask.guard.answer(answer.text, ask.guard.system_prompt)
        if result.blocked:
            answer.text = say(
                "The answer was withheld by the AI firewall.",
                "该回答已被 AI 防火墙拦截。",
                ask.lang,
            )
            answer.blocked, answer.citations = True, []
            return
        answer.text = result.text
        for c in answer.citations:
            c.quote = ask.guard.quote(c.quote)


def _flag_note(ask: _Ask, answer: Answer) -> None:
    """Say in the answer that a source was flagged as a possible injection (quoted as data)."""
    answer.flagged_sources = [{"chunk_id": h.chunk_id, "title": h.title} for h in ask.flagged]
    titles = ", ".join(f"«{h.title}»" for h in ask.flagged)
    answer.text += "\n\n" + say(
        f"Note: the AI firewall flagged {titles} as possibly containing injected instructions; "
        "it was quoted to the model as data, not followed.",
        f"注意：AI 防火墙将 {titles} 标记为可能含有注入的指令；该资料仅作为数据引用，未被执行。",
        ask.lang,
    )


def _clean(text: str) -> str:
    """One line, without list or heading markers."""
    return re.sub(r"^[#>*\-•·\s]+", "", " ".join(text.split()))


def _citation(n: int, hit: Hit, start: int, end: int, checks: Sequence[Check] = ()) -> Citation:
    problems = [p for c in checks for p in c.problems]
    return Citation(
        n=n,
        chunk_id=hit.chunk_id,
        document_id=hit.document_id,
        title=hit.title,
        page=hit.page_start,
        char_start=hit.char_start + start,
        char_end=hit.char_start + end,
        quote=_clean(hit.text[start:end]),
        verified=all(c.ok for c in checks),
        path=hit.path,
        doc_type=hit.doc_type,
        doc_date=hit.doc_date,
        problems=list(dict.fromkeys(problems)),
    )


def _citations(results: list[tuple[Claim, list[Check]]], sources: dict[int, Hit]) -> list[Citation]:
    """One citation per cited source, in first-cited order; verified if every use holds."""
    by_n: dict[int, list[Check]] = {}
    for _claim, checks in results:
        for check in checks:
            by_n.setdefault(check.n, []).append(check)
    out = []
    for n, checks in by_n.items():
        first = checks[0]
        out.append(_citation(n, sources[n], first.quote_start, first.quote_end, checks))
    return out
