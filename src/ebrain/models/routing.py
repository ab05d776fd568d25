"""Routing: pick a model per request by rules, with a fallback chain; record every decision."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ebrain.errors import ConfigError
from ebrain.models.catalog import ModelCatalog, ModelSpec
from ebrain.models.tokens import estimate_tokens
from ebrain.models.types import CompletionRequest

DEFAULT_MAX_TOKENS = 512
_SYNTHESIS = re.compile(
    r"\b(compare|comparison|summari[sz]e|summary|trend|trends|analy[sz]e|analysis|why|"
    r"difference|differences|pros and cons|versus|vs\.?|overview|explain)\b"
    r"|对比|比较|总结|汇总|归纳|分析|趋势|为什么|原因|区别|异同|优缺点|概述",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RouteContext:
    """What the caller knows about a request: question, assistant, user group, documents."""

    question: str = ""
    assistant: str | None = None
    user_group: str | None = None
    documents: int = 0
    context_tokens: int | None = None


def complexity(question: str, documents: int = 0) -> str:
    """`complex` for synthesis (many documents, analytic words, questions), else `simple`."""
    marks = question.count("?") + question.count("？")
    if documents >= 3 or marks > 1 or len(question) > 200 or _SYNTHESIS.search(question):
        return "complex"
    return "simple"


@dataclass(frozen=True)
class Features:
    """Facts the rules test, derived from a RouteContext and the request."""

    question_chars: int
    complexity: str
    documents: int
    context_tokens: int
    assistant: str | None
    user_group: str | None


_CONDITION_KEYS = {
    "assistant",
    "user_group",
    "complexity",
    "min_question_chars",
    "max_question_chars",
    "min_documents",
    "max_documents",
    "min_context_tokens",
    "max_context_tokens",
}


@dataclass(frozen=True)
class Condition:
    """All given tests must hold (an empty condition always matches)."""

    assistant: tuple[str, ...] = ()
    user_group: tuple[str, ...] = ()
    complexity: str | None = None
    min_question_chars: int | None = None
    max_question_chars: int | None = None
    min_documents: int | None = None
    max_documents: int | None = None
    min_context_tokens: int | None = None
    max_context_tokens: int | None = None

    def matches(self, f: Features) -> bool:
        """Whether the features satisfy every test."""
        if self.assistant and f.assistant not in self.assistant:
            return False
        if self.user_group and f.user_group not in self.user_group:
            return False
        if self.complexity and f.complexity != self.complexity:
            return False
        return (
            _within(f.question_chars, self.min_question_chars, self.max_question_chars)
            and _within(f.documents, self.min_documents, self.max_documents)
            and _within(f.context_tokens, self.min_context_tokens, self.max_context_tokens)
        )


def _within(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


@dataclass(frozen=True)
class Rule:
    """`when` the condition holds, `use` a role or an alias."""

    name: str
    use: str
    when: Condition = field(default_factory=Condition)


@dataclass
class Attempt:
    """One call to one model and how it ended."""

    alias: str
    ok: bool
    reason: str | None = None
    message: str | None = None
    latency_ms: float = 0.0
    try_number: int = 1

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return dict(self.__dict__)


@dataclass
class RouteDecision:
    """Which rule matched, the candidate chain, each attempt's outcome, and the model used."""

    rule: str
    target: str
    candidates: list[str]
    features: Features | None = None
    skipped: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    chosen: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view for answer traces."""
        return {
            "rule": self.rule,
            "target": self.target,
            "candidates": list(self.candidates),
            "skipped": list(self.skipped),
            "features": dict(self.features.__dict__) if self.features else None,
            "attempts": [a.to_dict() for a in self.attempts],
            "chosen": self.chosen,
        }


DEFAULT_RULES = (
    Rule("long context", "large", Condition(min_context_tokens=6000)),
    Rule("multi-document synthesis", "large", Condition(min_documents=3)),
    Rule("complex question", "large", Condition(complexity="complex")),
    Rule("short factual lookup", "small", Condition(max_question_chars=120, complexity="simple")),
)


@dataclass(frozen=True)
class RoutingPolicy:
    """Ordered rules (first match wins), a default target, and the fallback chain."""

    rules: tuple[Rule, ...] = DEFAULT_RULES
    default: str = "default"
    fallback: tuple[str, ...] = ("default", "large", "small")
    fallback_to_any: bool = True

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> RoutingPolicy:
        """Build from config.yaml `routing:` (None: the default policy)."""
        if section is None:
            return cls()
        if not isinstance(section, Mapping):
            raise ConfigError("`routing:` must be a mapping with rules, default, fallback")
        rules = section.get("rules")
        return cls(
            rules=DEFAULT_RULES
            if rules is None
            else tuple(_rule(r, i) for i, r in enumerate(rules)),
            default=str(section.get("default", "default")),
            fallback=tuple(str(x) for x in section.get("fallback", cls.fallback)),
            fallback_to_any=bool(section.get("fallback_to_any", True)),
        )

    def features(self, request: CompletionRequest, ctx: RouteContext) -> Features:
        """What the rules look at for this request."""
        question = ctx.question or (request.messages[-1].content if request.messages else "")
        tokens = ctx.context_tokens
        if tokens is None:
            tokens = estimate_tokens(request.prompt_text())
        return Features(
            len(question),
            complexity(question, ctx.documents),
            ctx.documents,
            tokens,
            ctx.assistant,
            ctx.user_group,
        )

    def match(self, f: Features) -> tuple[str, str]:
        """(rule name, target) of the first matching rule, else the default."""
        for rule in self.rules:
            if rule.when.matches(f):
                return rule.name, rule.use
        return "default", self.default

    def decide(
        self,
        catalog: ModelCatalog,
        request: CompletionRequest,
        ctx: RouteContext | None = None,
        explicit: str | None = None,
        fallback: bool = True,
    ) -> RouteDecision:
        """Route a request: the matched rule (or `explicit`), then the candidate chain."""
        f = self.features(request, ctx or RouteContext())
        rule, target = ("explicit", explicit) if explicit else self.match(f)
        chain = self._chain(catalog, target, fallback)
        needed = f.context_tokens + (request.max_tokens or DEFAULT_MAX_TOKENS)
        fits = [s for s in chain if s.context_window >= needed]
        skipped = [s.alias for s in chain if s not in fits] if fits else []
        kept = fits or chain
        return RouteDecision(rule, target, [s.alias for s in kept], f, skipped)

    def _chain(self, catalog: ModelCatalog, target: str, fallback: bool) -> list[ModelSpec]:
        chain = catalog.resolve(target) or catalog.by_role(self.default)
        if not fallback:
            return chain
        for name in self.fallback:
            chain += [s for s in catalog.resolve(name) if s not in chain]
        if self.fallback_to_any:
            chain += [s for s in catalog if s not in chain]
        return [s for s in chain if s.provider != "none"] or chain


def _rule(raw: Any, index: int) -> Rule:
    if not isinstance(raw, Mapping) or "use" not in raw:
        raise ConfigError(f"routing rule #{index + 1} needs `use:` (a role or model alias)")
    when = raw.get("when") or {}
    unknown = sorted(set(when) - _CONDITION_KEYS)
    if unknown:
        raise ConfigError(
            f"routing rule #{index + 1} has unknown conditions {unknown}",
            hint=f"valid conditions: {sorted(_CONDITION_KEYS)}",
        )
    cond: dict[str, Any] = {
        k: (_tuple(v) if k in ("assistant", "user_group") else v) for k, v in when.items()
    }
    try:
        return Rule(str(raw.get("name", f"rule {index + 1}")), str(raw["use"]), Condition(**cond))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"routing rule #{index + 1} is malformed: {exc}") from exc


def _tuple(value: Any) -> tuple[str, ...]:
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)
