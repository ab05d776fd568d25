"""Adaptive fusion: the evidence it weighs, and that it follows the side with signal."""

from __future__ import annotations

import math

from ebrain.index.base import LexicalStats
from ebrain.retrieve.fusion import (
    FEATURES,
    FusionConfig,
    evidence,
    fuse,
    lexical_coverage,
    rank_correlation,
)

# 20 chunks: BM25 ranks 1..20, dense ranks them in reverse (the two sides disagree).
IDS = list(range(1, 21))
DENSE = [(cid, 0.9 - 0.01 * n) for n, cid in enumerate(reversed(IDS))]


def _bm25(scores: list[float]) -> list[tuple[int, float]]:
    return list(zip(IDS, scores, strict=True))


def _stats(hit_terms: dict[int, set[str]], df: dict[str, int]) -> LexicalStats:
    return LexicalStats(1000, df, {c: frozenset(t) for c, t in hit_terms.items()})


def test_evidence_has_every_feature_in_range() -> None:
    bm25 = _bm25([10.0 - 0.3 * n for n in range(20)])
    stats = _stats({1: {"采购", "合同"}, 2: {"合同"}}, {"采购": 3, "合同": 40, "金额": 0})
    ev = evidence(bm25, DENSE, stats)
    assert tuple(ev) == FEATURES
    assert all(0.0 <= v <= 1.0 for k, v in ev.items() if k != "rank_corr")
    assert -1.0 <= ev["rank_corr"] <= 1.0


def test_lexical_coverage_weighs_rare_terms() -> None:
    bm25 = _bm25([5.0 - 0.1 * n for n in range(20)])
    df = {"的": 900, "铷": 2, "氯": 3}
    only_common = lexical_coverage(_stats({1: {"的"}}, df), bm25)
    rare = lexical_coverage(_stats({1: {"铷", "氯"}}, df), bm25)
    assert only_common[0] < 0.05 and rare[0] > 0.95
    assert math.isclose(lexical_coverage(None, bm25)[0], 1.0)


def test_query_with_no_lexical_match_follows_dense() -> None:
    out = fuse([], DENSE, FusionConfig())
    assert out.ranking == DENSE and out.bm25_weight == 0.0


def test_bm25_hits_on_a_common_word_only_follow_dense() -> None:
    """BM25 matched only a stop-like term of the query: its top hits carry no evidence."""
    bm25 = _bm25([2.0 - 0.01 * n for n in range(20)])
    df = {"的": 900, "潘淑": 1, "皇后": 4, "孙权": 2}
    stats = _stats({c: {"的"} for c in IDS}, df)
    out = fuse(bm25, DENSE, FusionConfig(), stats)
    full = _stats({c: set(df) for c in IDS}, df)  # the same lists, every term matched
    assert out.bm25_weight < fuse(bm25, DENSE, FusionConfig(), full).bm25_weight
    assert out.bm25_weight < 0.35
    assert [c for c, _ in out.ranking[:5]] == [c for c, _ in DENSE[:5]]


def test_flat_dense_side_follows_bm25() -> None:
    bm25 = _bm25([9.0 - 0.4 * n for n in range(20)])
    flat = [(cid, 0.5) for cid in reversed(IDS)]
    stats = _stats({1: {"a"}}, {"a": 3, "b": 500})
    out = fuse(bm25, flat, FusionConfig(), stats)
    assert out.bm25_weight == 1.0
    assert [c for c, _ in out.ranking[:5]] == IDS[:5]


def test_confident_full_lexical_match_leans_on_bm25() -> None:
    peaked = _bm25([30.0] + [3.0 - 0.1 * n for n in range(19)])
    stats = _stats({1: {"铷", "氯", "分子"}}, {"铷": 2, "氯": 3, "分子": 20})
    out = fuse(peaked, DENSE, FusionConfig(), stats)
    assert out.bm25_weight > 0.5
    assert out.ranking[0][0] == 1


def test_rank_correlation_sign() -> None:
    same = [(c, 1.0 / c) for c in IDS]
    assert rank_correlation(same, same, 50) == 1.0
    assert rank_correlation(same, DENSE, 50) == -1.0


def test_rrf_and_weighted_report_no_evidence() -> None:
    bm25 = _bm25([5.0 - 0.1 * n for n in range(20)])
    assert fuse(bm25, DENSE, FusionConfig(method="rrf")).signals == {}
    assert fuse(bm25, DENSE, FusionConfig(method="weighted")).signals == {}
