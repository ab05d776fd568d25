"""Prompt-injection and jailbreak detection in layers: normalized rules, classifier, judge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ebrain.guard.classifier import InjectionClassifier
from ebrain.guard.learned import LearnedDetector, Verdict
from ebrain.guard.normalize import Normalized, normalize
from ebrain.guard.rules import RULES, Rule
from ebrain.guard.types import Finding

Judge = Callable[[str], float]


@dataclass
class InjectionScanner:
    """Flags instructions that are out of place: rules first (the precise fast path), then the
    learned detector when one is set (else the char n-gram classifier, whose threshold is
    `threshold`), then the optional judge. `stage` picks the learned threshold."""

    threshold: float = 0.7
    support_threshold: float = 0.5
    judge: Judge | None = None
    judge_threshold: float = 0.5
    use_classifier: bool = True
    name: str = "injection"
    rules: tuple[Rule, ...] = RULES
    classifier: InjectionClassifier = field(default_factory=InjectionClassifier)
    learned: LearnedDetector | None = None
    stage: str = "input"

    def _rule_hits(self, norm: Normalized) -> list[Finding]:
        """Rule matches on the normalized text and on any decoded payloads."""
        hits: list[Finding] = []
        for rule in self.rules:
            match = rule.search(norm.text)
            if match is not None:
                start, end = norm.span(*match.span())
                hits.append(
                    Finding(self.name, rule.name, "flag", start, end, "INJECTION", rule.weight)
                )
        for payload in norm.decoded:
            inner = normalize(payload)
            for rule in self.rules:
                if rule.search(inner.text):
                    hits.append(
                        Finding(
                            self.name, f"base64:{rule.name}", "flag", 0, 0, "INJECTION", rule.weight
                        )
                    )
        return hits

    def score(self, text: str) -> tuple[float, list[Finding]]:
        """The injection score in [0, 1] and the evidence behind it."""
        norm = normalize(text)
        hits = self._rule_hits(norm)
        weight = sum(h.score for h in hits)
        if weight >= 1.0:
            return 1.0, hits
        if self.learned is not None:
            return self._learned(text, weight, hits)
        prob = self.classifier.probability(norm.text) if self.use_classifier else 0.0
        decided = prob >= self.threshold or (weight >= 0.5 and prob >= self.support_threshold)
        if decided:
            hits.append(Finding(self.name, "classifier", "flag", 0, len(text), "INJECTION", prob))
            return max(prob, weight), hits
        return self._judged(text, max(prob, weight), hits)

    def rule_match(self, text: str) -> str | None:
        """The rules that decide on their own (weights summing to 1 or more), else None."""
        hits = self._rule_hits(normalize(text))
        if sum(h.score for h in hits) < 1.0:
            return None
        return ",".join(sorted({h.rule for h in hits}))

    def _learned(
        self, text: str, weight: float, hits: list[Finding]
    ) -> tuple[float, list[Finding]]:
        """The learned detector's worst window decides (reported as the finding's span)."""
        assert self.learned is not None
        verdict = self.learned.scan(text, self.stage)
        if verdict is not None and verdict.flagged:
            return verdict.score, [*hits, learned_finding(self.name, verdict)]
        score = verdict.score if verdict is not None else 0.0
        return self._judged(text, max(score, weight * 0.5), hits)

    def _judged(self, text: str, score: float, hits: list[Finding]) -> tuple[float, list[Finding]]:
        """Ask the optional model judge when the cheap layers did not decide."""
        if self.judge is None:
            return score, []
        verdict = float(self.judge(text))
        if verdict >= self.judge_threshold:
            return verdict, [
                *hits,
                Finding(self.name, "judge", "flag", 0, len(text), "INJECTION", verdict),
            ]
        return score, []

    def scan(self, text: str) -> list[Finding]:
        """Findings when the text is judged an injection, else none."""
        score, hits = self.score(text)
        return hits if score >= 1.0 or hits else []


def learned_finding(scanner: str, verdict: Verdict) -> Finding:
    """The finding of a learned verdict: the worst window's span and score; the rule names
    the stage and its threshold (`learned:input@0.620`)."""
    w = verdict.window
    rule = f"learned:{verdict.stage}@{verdict.threshold:.3f}"
    return Finding(scanner, rule, "flag", w.start, w.end, "INJECTION", verdict.score)
