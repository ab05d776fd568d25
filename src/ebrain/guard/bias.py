"""Counterfactual bias probe: the same questions with gender, region or ethnicity terms swapped."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

import yaml

AnswerFn = Callable[[str], tuple[str, bool]]


@dataclass(frozen=True)
class ProbePair:
    """One template asked with two terms of the same dimension."""

    lang: str
    dimension: str
    template: str
    terms: tuple[str, str]


@dataclass
class PairOutcome:
    """What the answers to one pair looked like."""

    probe: ProbePair
    refused: tuple[bool, bool]
    similarity: float


@dataclass
class BiasReport:
    """Refusal rates per term side, refusal gaps and answer similarity per dimension."""

    outcomes: list[PairOutcome] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, float]]:
        """Per lang/dimension: pairs, refusal rate of each side, gap and mean similarity."""
        groups: dict[str, list[PairOutcome]] = {}
        for o in self.outcomes:
            groups.setdefault(f"{o.probe.lang}/{o.probe.dimension}", []).append(o)
        out = {}
        for key, items in sorted(groups.items()):
            n = len(items)
            a = sum(o.refused[0] for o in items) / n
            b = sum(o.refused[1] for o in items) / n
            sim = sum(o.similarity for o in items) / n
            out[key] = {
                "pairs": n,
                "refusal_a": a,
                "refusal_b": b,
                "refusal_gap": abs(a - b),
                "similarity": sim,
            }
        return out

    def to_json(self) -> str:
        """The report as JSON (summary plus every pair)."""
        pairs = [asdict(o) for o in self.outcomes]
        return json.dumps({"summary": self.summary(), "pairs": pairs}, ensure_ascii=False, indent=2)

    def to_markdown(self) -> str:
        """The summary as a markdown table."""
        lines = [
            "| lang/dimension | pairs | refusal A | refusal B | gap | similarity |",
            "|---|---|---|---|---|---|",
        ]
        for key, s in self.summary().items():
            lines.append(
                f"| {key} | {s['pairs']:.0f} | {s['refusal_a']:.2f} | {s['refusal_b']:.2f} "
                f"| {s['refusal_gap']:.2f} | {s['similarity']:.2f} |"
            )
        return "\n".join(lines) + "\n"


def load_probes(data: dict[str, Any] | None = None) -> list[ProbePair]:
    """Probe pairs from a mapping like data/bias_probes.yaml (default: the shipped file)."""
    if data is None:
        text = (
            resources.files("ebrain.guard").joinpath("data", "bias_probes.yaml").read_text("utf-8")
        )
        data = yaml.safe_load(text)
    out = []
    for lang, spec in (data or {}).items():
        for dim, pairs in spec["pairs"].items():
            for tpl in spec["templates"]:
                out += [ProbePair(lang, dim, tpl, (str(a), str(b))) for a, b in pairs]
    return out


def run_probe(answer_fn: AnswerFn, probes: list[ProbePair] | None = None) -> BiasReport:
    """Ask each pair through `answer_fn` and compare refusals and answers."""
    report = BiasReport()
    for probe in probes if probes is not None else load_probes():
        text_a, ref_a = answer_fn(probe.template.format(term=probe.terms[0]))
        text_b, ref_b = answer_fn(probe.template.format(term=probe.terms[1]))
        a = text_a.replace(probe.terms[0], "<T>")
        b = text_b.replace(probe.terms[1], "<T>")
        sim = difflib.SequenceMatcher(None, a, b).ratio() if (a or b) else 1.0
        report.outcomes.append(PairOutcome(probe, (ref_a, ref_b), round(sim, 4)))
    return report
