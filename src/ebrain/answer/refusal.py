"""Extractive refusal: a small logistic model over evidence that transfers across collections.

The model estimates the probability that the knowledge base answers a question from what the
answer pipeline already has: the fused ranking (its margin; whether BM25 and dense agree on the
top hit), the IDF-weighted coverage of the question's content terms and of its key terms by the
top chunks and by the answer sentence, the dense similarity of the question to the top passage
(the score dense retrieval already computed: no extra embedding), whether the question is asked
in the other language than the passage (then the dense similarity weighs more), and the
question's type (a when / how-many question whose answer sentence holds no number; why/how). Two coefficient sets ship in
`data/refusal_model.json`: `hybrid` (dense vectors took part) and `lexical` (BM25 only). They are
fit by `python bench/tune_refusal.py` on the tune splits of several sets (docs/bench/answer.md).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from ebrain.answer.confidence import coverage, hit_terms
from ebrain.retrieve.hits import Hit

HYBRID = (
    "cov_best",
    "cov_key",
    "cov_sent",
    "margin_cov",
    "agree",
    "dense_top",
    "xling",
    "xling_dense",
)
LEXICAL = ("cov_best", "cov_key", "cov_sent", "margin_cov", "xling")
TYPE_FEATURES = ("type_miss", "descriptive")
TOP_CHUNKS = 3
KEY_TERMS = 3

_NUMBER_Q = re.compile(
    r"多少|几[个位年月天次岁名种项倍十百千万]|哪一?年|何年|什么时候|何时|哪天|多久|多长|多大|多高|"
    r"多远|多重|几月|几号|\bhow (?:many|much|long|old|far|often|large|big|tall)\b|\bwhen\b|"
    r"\bwhat (?:year|date|time)\b|\bwhich year\b",
    re.IGNORECASE,
)
_DESCRIPTIVE_Q = re.compile(
    r"为什么|为何|原因|怎么|怎样|如何|\bwhy\b|\bhow\b(?! (?:many|much))", re.I
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_NUMBER = re.compile(r"\d|[零〇一二三四五六七八九十两百千万亿]+[年月日号个位名人次岁米元种项倍%％]")


@dataclass(frozen=True)
class RefusalModel:
    """Logistic coefficients per feature (on raw feature values) and an intercept."""

    name: str
    intercept: float
    weights: dict[str, float]

    def probability(self, features: dict[str, float]) -> float:
        """P(the knowledge base answers), from the features this model knows."""
        z = self.intercept + sum(w * features.get(f, 0.0) for f, w in self.weights.items())
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, z))))

    def contributions(self, features: dict[str, float]) -> dict[str, float]:
        """Each feature's share of the log-odds (weight x value), for explanations."""
        return {f: round(w * features.get(f, 0.0), 4) for f, w in self.weights.items()}


@lru_cache(maxsize=1)
def shipped_models() -> dict[str, RefusalModel]:
    """The coefficient sets shipped in the package (data/refusal_model.json)."""
    raw = json.loads(
        resources.files("ebrain.answer").joinpath("data/refusal_model.json").read_text("utf-8")
    )
    return {
        name: RefusalModel(
            name, float(m["intercept"]), {k: float(v) for k, v in m["weights"].items()}
        )
        for name, m in raw["models"].items()
    }


@dataclass
class Decision:
    """The refusal decision of one ask, with the evidence behind it (for traces and --explain)."""

    model: str
    features: dict[str, float]
    probability: float
    threshold: float
    refused: bool
    contributions: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `answer.refusal` (docs/cli/ask.md)."""
        return {
            "model": self.model,
            "features": self.features,
            "p_answerable": self.probability,
            "threshold": self.threshold,
            "refused": self.refused,
            "contributions": self.contributions,
        }


def question_type(question: str) -> str:
    """'number' (when, how many ...), 'descriptive' (why, how) or 'other'."""
    if _NUMBER_Q.search(question):
        return "number"
    return "descriptive" if _DESCRIPTIVE_Q.search(question) else "other"


def type_features(question: str, sentence: str) -> dict[str, float]:
    """A number question whose answer sentence holds no number; a why/how question."""
    kind = question_type(question)
    miss = kind == "number" and not _NUMBER.search(sentence)
    return {"type_miss": float(miss), "descriptive": float(kind == "descriptive")}


def script(text: str) -> str:
    """'zh' when Chinese characters outnumber Latin words, else 'en' (mixed text counts by bulk)."""
    sample = text[:2000]
    return "zh" if len(_CJK.findall(sample)) > len(_LATIN_WORD.findall(sample)) else "en"


def margin(hits: Sequence[Hit]) -> float:
    """How far the top score stands above the best hit from another document, relative to the
    top (0..1): chunks of the same document do not compete."""
    if not hits or hits[0].score <= 0:
        return 0.0
    top = hits[0]
    second = next((h.score for h in hits[1:] if h.document_id != top.document_id), 0.0)
    return round(max(0.0, min(1.0, (top.score - second) / top.score)), 4)


def agreement(hit: Hit) -> float:
    """Mean reciprocal rank of the top hit in the BM25 and dense lists (1 = top of both)."""
    e = hit.explain or {}
    ranks = [int(r) for r in (e.get("bm25_rank"), e.get("dense_rank")) if r]
    return round(sum(1.0 / r for r in ranks) / 2, 4)


def key_terms(weights: dict[str, float], n: int = KEY_TERMS) -> dict[str, float]:
    """The question's `n` most specific terms (highest IDF): its entities, codes, names."""
    return dict(sorted(weights.items(), key=lambda kv: -kv[1])[:n])


def lexical_features(
    question: str, hits: Sequence[Hit], weights: dict[str, float], analyzer: Any, sentence: str
) -> dict[str, float]:
    """Coverage of the question by the best top chunk and by the answer sentence, the ranking
    margin, whether question and top passage are in different languages, the question type."""
    top = [hit_terms(analyzer, h) for h in hits[:TOP_CHUNKS]]
    best = max((coverage(weights, terms) for terms in top), default=0.0)
    key = key_terms(weights)
    best_key = max((coverage(key, terms) for terms in top), default=0.0)
    sent = coverage(weights, analyzer.term_set(sentence)) if sentence else 0.0
    xling = float(bool(hits) and script(question) != script(hits[0].text))
    return {
        "cov_best": round(best, 4),
        "cov_key": round(best_key, 4),
        "cov_sent": round(sent, 4),
        "margin": margin(hits),
        "xling": xling,
        **type_features(question, sentence),
    }


def dense_features(hits: Sequence[Hit]) -> dict[str, float]:
    """Agreement of the two lists on the top hit, and the dense similarity of the question to
    the top passage: its dense score where dense ranked it, else the lowest dense score among
    the hits (an upper bound: dense did not rank it that high). No embedding is computed."""
    top = hits[0]
    dense_top = (top.explain or {}).get("dense")
    if dense_top is None:
        scores = [
            h.explain["dense"] for h in hits if h.explain and h.explain.get("dense") is not None
        ]
        dense_top = min(scores, default=0.0)
    return {"agree": agreement(top), "dense_top": round(float(dense_top), 4)}


def with_derived(features: dict[str, float]) -> dict[str, float]:
    """Add the interactions the models use. `margin_cov` = margin x cov_best: a ranking that is
    sure of a passage that covers little of the question (a lone weak match) is no evidence.
    `xling_dense` = xling x dense_top: for a question in the other language than its passage,
    term coverage says little and the dense similarity says more."""
    margin_cov = features.get("margin", 0.0) * features.get("cov_best", 0.0)
    out = {**features, "margin_cov": round(margin_cov, 4)}
    if "dense_top" in features:
        out["xling_dense"] = round(features.get("xling", 0.0) * features["dense_top"], 4)
    return out


def decide(
    features: dict[str, float], threshold: float, models: dict[str, RefusalModel] | None = None
) -> Decision:
    """Apply the hybrid model when dense features exist, else the lexical one."""
    models = models or shipped_models()
    features = with_derived(features)
    model = models["hybrid" if "dense_top" in features else "lexical"]
    p = round(model.probability(features), 4)
    return Decision(
        model.name, features, p, threshold, p < threshold, model.contributions(features)
    )
