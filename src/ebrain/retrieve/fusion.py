"""Fusion of BM25 and dense result lists: RRF, weighted, and adaptive per query.

Adaptive fusion is a convex combination of min-max normalized scores whose BM25 weight is a
logistic gate over per-query signals: how peaked each side's score distribution is and whether
the two sides agree. The gate's coefficients are fit on the tune split of the development sets
and reported on their test split (bench/tune_fusion.py, docs/benchmarks.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

Ranked = Sequence[tuple[int, float]]


@dataclass(frozen=True)
class FusionConfig:
    """Fusion method and its parameters."""

    method: str = "adaptive"  # adaptive | rrf | weighted
    rrf_k: int = 60
    bm25_weight: float = 0.5  # for weighted
    # adaptive gate: w_bm25 = sigmoid(bias + peak * (peak_b - peak_d) + agree * overlap)
    # Fit by `python bench/tune_fusion.py --sets cmrc2018_dev drcd_dev` on the tune splits of
    # cmrc2018_dev and drcd_dev (bench/splits.py, seed 20261203) and reported on their test splits
    # (bench/results/fusion_fit.json, docs/benchmarks.md).
    bias: float = 0.0
    peak: float = 6.0
    agree: float = 2.0
    depth: int = 50


@dataclass
class Fused:
    """Fused ranking plus the per-query weight and the signals it was computed from."""

    ranking: list[tuple[int, float]]
    bm25_weight: float
    signals: dict[str, float] = field(default_factory=dict)


def rrf(
    lists: Sequence[Ranked], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Reciprocal rank fusion."""
    scores: dict[int, float] = {}
    for n, ranked in enumerate(lists):
        w = 1.0 if weights is None else weights[n]
        for rank, (cid, _) in enumerate(ranked, start=1):
            scores[cid] = scores.get(cid, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def minmax(ranked: Ranked, depth: int) -> dict[int, float]:
    """Scores scaled to [0, 1] over the top `depth` (top = 1, last kept = 0)."""
    top = list(ranked[:depth])
    if not top:
        return {}
    hi, lo = top[0][1], top[-1][1]
    span = hi - lo
    if span <= 1e-12:
        return {cid: 1.0 for cid, _ in top}
    return {cid: (s - lo) / span for cid, s in top}


def peakedness(ranked: Ranked, depth: int) -> float:
    """How far the best score stands above the top-10 mean, relative to the score range."""
    top = [s for _, s in ranked[:depth]]
    if len(top) < 2:
        return 1.0 if top else 0.0
    span = top[0] - top[-1]
    if span <= 1e-12:
        return 0.0
    head = top[: min(10, len(top))]
    return (top[0] - sum(head) / len(head)) / span


def overlap(a: Ranked, b: Ranked, n: int = 10) -> float:
    """Share of the top-n of `a` found in the top-n of `b`."""
    top_a = {cid for cid, _ in a[:n]}
    top_b = {cid for cid, _ in b[:n]}
    return len(top_a & top_b) / max(1, min(len(top_a), len(top_b)))


def weighted(bm25: Ranked, dense: Ranked, w: float, depth: int) -> list[tuple[int, float]]:
    """Convex combination of min-max normalized scores."""
    nb, nd = minmax(bm25, depth), minmax(dense, depth)
    ids = nb.keys() | nd.keys()
    fused = {cid: w * nb.get(cid, 0.0) + (1 - w) * nd.get(cid, 0.0) for cid in ids}
    return sorted(fused.items(), key=lambda kv: -kv[1])


def fuse(bm25: Ranked, dense: Ranked, cfg: FusionConfig) -> Fused:
    """Fuse the two sides with the configured method."""
    if not dense:
        return Fused(list(bm25), 1.0)
    if not bm25:
        return Fused(list(dense), 0.0)
    if cfg.method == "rrf":
        return Fused(rrf([bm25, dense], cfg.rrf_k), 0.5)
    if cfg.method == "weighted":
        return Fused(weighted(bm25, dense, cfg.bm25_weight, cfg.depth), cfg.bm25_weight)
    signals = {
        "peak_bm25": peakedness(bm25, cfg.depth),
        "peak_dense": peakedness(dense, cfg.depth),
        "overlap": overlap(bm25, dense),
    }
    w = gate(signals, cfg)
    return Fused(weighted(bm25, dense, w, cfg.depth), w, signals)


def gate(signals: dict[str, float], cfg: FusionConfig) -> float:
    """The BM25 weight for one query."""
    z = (
        cfg.bias
        + cfg.peak * (signals["peak_bm25"] - signals["peak_dense"])
        + cfg.agree * signals["overlap"]
    )
    return 1 / (1 + math.exp(-z))
