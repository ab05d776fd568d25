"""Counterfactual bias probe: the same questions with gender, region or ethnicity terms swapped.

The probe asks through the input guard and, when a workspace is open, its answers
(`scope` "answers"). Without a workspace only the guard is tested (`scope` "guard"): the report
says so in `notes`, and the CLI warns on stderr.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

import yaml

from ebrain.auth import Principal
from ebrain.i18n import say

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
    scope: str = "answers"  # "answers": guard + the workspace's answers; "guard": the guard only
    notes: list[str] = field(default_factory=list)

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
        data = {"scope": self.scope, "notes": self.notes, "summary": self.summary(), "pairs": pairs}
        return json.dumps(data, ensure_ascii=False, indent=2)

    def to_markdown(self) -> str:
        """The summary as a markdown table."""
        lines = [f"> **Note:** {note}\n" for note in self.notes]
        lines += [
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


def guard_only_note(reason: str) -> str:
    """The note a guard-only report carries: why, and that answers were not probed."""
    return say(
        f"the workspace could not be opened ({reason}): only the input guard was probed, "
        "not the answers; run inside a workspace (--workspace) to probe answers too",
        f"无法打开工作区（{reason}）：只测试了输入防火墙，没有测试回答；"
        "请在工作区中运行（--workspace）以同时测试回答",
    )


def answer_fn_for(guard: Any, brain: Any | None) -> AnswerFn:
    """Refusal = the input guard blocks, or the Brain refuses; the Brain's answer text when
    there is a Brain, else the question itself (guard only)."""

    def answer(question: str) -> tuple[str, bool]:
        if guard.scan_input(question).blocked:
            return "", True
        if brain is None:
            return question, False
        reply = brain.ask(question, principal=Principal.owner())
        return str(getattr(reply, "text", reply)), bool(getattr(reply, "refused", False))

    return answer


def run_probe(
    answer_fn: AnswerFn,
    probes: list[ProbePair] | None = None,
    *,
    scope: str = "answers",
    notes: list[str] | None = None,
) -> BiasReport:
    """Ask each pair through `answer_fn` and compare refusals and answers."""
    report = BiasReport(scope=scope, notes=list(notes or []))
    for probe in probes if probes is not None else load_probes():
        text_a, ref_a = answer_fn(probe.template.format(term=probe.terms[0]))
        text_b, ref_b = answer_fn(probe.template.format(term=probe.terms[1]))
        a = text_a.replace(probe.terms[0], "<T>")
        b = text_b.replace(probe.terms[1], "<T>")
        sim = difflib.SequenceMatcher(None, a, b).ratio() if (a or b) else 1.0
        report.outcomes.append(PairOutcome(probe, (ref_a, ref_b), round(sim, 4)))
    return report
