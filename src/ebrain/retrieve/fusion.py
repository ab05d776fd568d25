"""Fusion of BM25 and dense result lists: RRF, weighted, and adaptive per query.

Adaptive fusion is a convex combination of min-max normalized scores whose BM25 weight is a
logistic gate over query-level evidence (`evidence`):

- how much of the query the lexical side matched: the share of the query's IDF mass found in
  the top lexical hit (`lex_cover`) and in any of the top 10 (`lex_matched`);
- the shape of each side's scores: top-1 vs top-2 gap (`gap_*`), top-1 vs top-10 mean
  (`peak_*`), normalized entropy of the top 10 (`ent_*`);
- agreement of the two lists: overlap of their top 10 (`overlap`) and the rank correlation of
  the documents both return (`rank_corr`).

A side whose scores are flat (no signal) gets no weight. The gate's coefficients are fit on the
tune splits of several sets and reported leave-one-set-out (bench/tune_fusion.py,
docs/bench/retrieval.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ebrain.index.base import LexicalStats

Ranked = Sequence[tuple[int, float]]

FEATURES = (
    "lex_cover",
    "lex_matched",
    "gap_bm25",
    "gap_dense",
    "peak_bm25",
    "peak_dense",
    "ent_bm25",
    "ent_dense",
    "overlap",
    "rank_corr",
)
HEAD = 10  # the top of a list the shape and agreement features look at

# Fit by `python bench/tune_fusion.py --sets cmrc2018_dev para_cmrc2018 xling_en_zh
# para_gen_cmrc2018 para_sample desc_cmrc2018 --features lex_cover lex_matched peak_bm25
# peak_dense overlap` on those sets' tune splits (bench/splits.py, seed 20261203), reported on
# their test splits and leave-one-set-out (bench/results/fusion_fit.json,
# docs/bench/retrieval.md). The five features at 0 are shown by --explain but were left out of
# the fit: with all ten, leave-one-set-out was no better (lower on the cross-lingual set).
FITTED: tuple[tuple[str, float], ...] = (
    ("lex_cover", 0.718),
    ("lex_matched", 0.442),
    ("gap_bm25", 0.0),
    ("gap_dense", 0.0),
    ("peak_bm25", 0.724),
    ("peak_dense", -0.534),
    ("ent_bm25", 0.0),
    ("ent_dense", 0.0),
    ("overlap", 0.139),
    ("rank_corr", 0.0),
)
FITTED_BIAS = -0.844


@dataclass(frozen=True)
class FusionConfig:
    """Fusion method and its parameters."""

    method: str = "adaptive"  # adaptive | rrf | weighted
    rrf_k: int = 60
    bm25_weight: float = 0.5  # for weighted
    # adaptive gate: w_bm25 = sigmoid(bias + sum(coef[f] * evidence[f]))
    bias: float = FITTED_BIAS
    coef: tuple[tuple[str, float], ...] = FITTED
    depth: int = 50


@dataclass
class Fused:
    """Fused ranking plus the per-query weight and the evidence it was computed from."""

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


def flat(ranked: Ranked, depth: int) -> bool:
    """True when a side's scores do not separate its hits at all (no signal)."""
    top = [s for _, s in ranked[:depth]]
    return len(top) > 1 and top[0] - top[-1] <= 1e-9 * max(1.0, abs(top[0]))


def peakedness(ranked: Ranked, depth: int) -> float:
    """How far the best score stands above the top-10 mean, relative to the score range."""
    top = [s for _, s in ranked[:depth]]
    if len(top) < 2:
        return 1.0 if top else 0.0
    span = top[0] - top[-1]
    if span <= 1e-12:
        return 0.0
    head = top[: min(HEAD, len(top))]
    return (top[0] - sum(head) / len(head)) / span


def gap(ranked: Ranked, depth: int) -> float:
    """Top-1 minus top-2 score, relative to the score range over the top `depth`."""
    top = [s for _, s in ranked[:depth]]
    if len(top) < 2:
        return 1.0 if top else 0.0
    span = top[0] - top[-1]
    return (top[0] - top[1]) / span if span > 1e-12 else 0.0


def entropy(ranked: Ranked, depth: int) -> float:
    """Normalized entropy (0 = one hit holds all, 1 = even) of the top-10 min-max scores."""
    norm = list(minmax(ranked, depth).values())[:HEAD]
    total = sum(norm)
    if len(norm) < 2 or total <= 1e-12:
        return 1.0 if len(norm) > 1 else 0.0
    h = -sum(p / total * math.log(p / total) for p in norm if p > 0)
    return h / math.log(len(norm))


def overlap(a: Ranked, b: Ranked, n: int = HEAD) -> float:
    """Share of the top-n of `a` found in the top-n of `b`."""
    top_a = {cid for cid, _ in a[:n]}
    top_b = {cid for cid, _ in b[:n]}
    return len(top_a & top_b) / max(1, min(len(top_a), len(top_b)))


def rank_correlation(a: Ranked, b: Ranked, depth: int) -> float:
    """Spearman correlation of the ranks of the documents both lists return (0 under 3)."""
    ra = {cid: r for r, (cid, _) in enumerate(a[:depth])}
    rb = {cid: r for r, (cid, _) in enumerate(b[:depth])}
    shared = [c for c in ra if c in rb]
    n = len(shared)
    if n < 3:
        return 0.0
    xa = {c: i for i, c in enumerate(sorted(shared, key=ra.__getitem__))}
    xb = {c: i for i, c in enumerate(sorted(shared, key=rb.__getitem__))}
    d2 = sum((xa[c] - xb[c]) ** 2 for c in shared)
    return 1 - 6 * d2 / (n * (n * n - 1))


def idf(df: int, chunks: int) -> float:
    """BM25's inverse document frequency (the Lucene form, never negative)."""
    return math.log(1 + (chunks - df + 0.5) / (df + 0.5))


def lexical_coverage(stats: LexicalStats | None, bm25: Ranked) -> tuple[float, float]:
    """Share of the query's IDF mass in the top lexical hit, and in any of the top 10."""
    if stats is None or not stats.df:
        return 1.0, 1.0
    weights = {t: idf(n, max(1, stats.chunks)) for t, n in stats.df.items()}
    total = sum(weights.values())
    if total <= 0 or not bm25:
        return 0.0, 0.0
    head = [stats.hit_terms.get(cid, frozenset()) for cid, _ in bm25[:HEAD]]
    top = head[0] if head else frozenset()
    anywhere = frozenset().union(*head) if head else frozenset()
    return (
        sum(w for t, w in weights.items() if t in top) / total,
        sum(w for t, w in weights.items() if t in anywhere) / total,
    )


def evidence(
    bm25: Ranked, dense: Ranked, stats: LexicalStats | None, depth: int = 50
) -> dict[str, float]:
    """The query-level evidence the gate weighs (see the module docstring)."""
    cover, matched = lexical_coverage(stats, bm25)
    return {
        "lex_cover": cover,
        "lex_matched": matched,
        "gap_bm25": gap(bm25, depth),
        "gap_dense": gap(dense, depth),
        "peak_bm25": peakedness(bm25, depth),
        "peak_dense": peakedness(dense, depth),
        "ent_bm25": entropy(bm25, depth),
        "ent_dense": entropy(dense, depth),
        "overlap": overlap(bm25, dense),
        "rank_corr": rank_correlation(bm25, dense, depth),
    }


def weighted(bm25: Ranked, dense: Ranked, w: float, depth: int) -> list[tuple[int, float]]:
    """Convex combination of min-max normalized scores."""
    nb, nd = minmax(bm25, depth), minmax(dense, depth)
    ids = nb.keys() | nd.keys()
    fused = {cid: w * nb.get(cid, 0.0) + (1 - w) * nd.get(cid, 0.0) for cid in ids}
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def fuse(
    bm25: Ranked, dense: Ranked, cfg: FusionConfig, stats: LexicalStats | None = None
) -> Fused:
    """Fuse the two sides with the configured method (`stats`: the lexical side's evidence)."""
    if not dense:
        return Fused(list(bm25), 1.0)
    if not bm25:
        return Fused(list(dense), 0.0)
    if cfg.method == "rrf":
        return Fused(rrf([bm25, dense], cfg.rrf_k), 0.5)
    if cfg.method == "weighted":
        return Fused(weighted(bm25, dense, cfg.bm25_weight, cfg.depth), cfg.bm25_weight)
    signals = evidence(bm25, dense, stats, cfg.depth)
    w = gate(signals, cfg, flat(bm25, cfg.depth), flat(dense, cfg.depth))
    return Fused(weighted(bm25, dense, w, cfg.depth), w, signals)


def gate(
    signals: Mapping[str, float],
    cfg: FusionConfig,
    bm25_flat: bool = False,
    dense_flat: bool = False,
) -> float:
    """The BM25 weight for one query: a side without signal gets none, else the logistic gate."""
    if bm25_flat != dense_flat:
        return 0.0 if bm25_flat else 1.0
    z = cfg.bias + sum(c * signals.get(name, 0.0) for name, c in cfg.coef)
    return 1 / (1 + math.exp(-max(-60.0, min(60.0, z))))
