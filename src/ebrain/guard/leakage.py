"""Output leakage: the system prompt, forbidden documents or masked PII showing up in an answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ebrain.guard.types import Finding

_TOKEN = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+")


def _grams(text: str, n: int) -> dict[tuple[str, ...], int]:
    """Word n-grams (CJK characters count as words), mapped to their end offset in the text."""
    toks = [(m.group(0), m.end()) for m in _TOKEN.finditer(text.lower())]
    return {
        tuple(t for t, _ in toks[i : i + n]): toks[i + n - 1][1] for i in range(len(toks) - n + 1)
    }


def overlap(answer: str, source: str, n: int = 6) -> float:
    """Share of the source's n-grams that appear in the answer (0 when the source is short)."""
    src = _grams(source, n)
    if not src:
        return 0.0
    return len(src.keys() & _grams(answer, n).keys()) / len(src)


@dataclass
class LeakageScanner:
    """Flags answers that copy the system prompt or forbidden texts (n-gram overlap)."""

    n: int = 6
    threshold: float = 0.2
    name: str = "leakage"
    forbidden: list[str] = field(default_factory=list)

    def check(
        self, answer: str, system_prompt: str = "", cited_acl_ok: bool = True
    ) -> list[Finding]:
        """Findings for prompt leakage, forbidden-text overlap and ACL violations."""
        out = []
        if system_prompt and overlap(answer, system_prompt, self.n) >= self.threshold:
            out.append(
                self._finding("system_prompt", answer, overlap(answer, system_prompt, self.n))
            )
        for text in self.forbidden:
            score = overlap(answer, text, self.n)
            if score >= self.threshold:
                out.append(self._finding("forbidden_text", answer, score))
        if not cited_acl_ok:
            out.append(self._finding("acl", answer, 1.0))
        return out

    def _finding(self, rule: str, answer: str, score: float) -> Finding:
        """A whole-answer finding."""
        return Finding(self.name, rule, "flag", 0, len(answer), "LEAK", round(score, 3))

    def scan(self, text: str) -> list[Finding]:
        """Forbidden-text overlap only (the system prompt comes through `check`)."""
        return self.check(text)
