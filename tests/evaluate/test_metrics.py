from __future__ import annotations

import math

import pytest

from ebrain.evaluate import evaluate_run, mrr_at_k, ndcg_at_k, paired_bootstrap, recall_at_k


def test_ndcg_textbook_values() -> None:
    rel = {"a": 1, "b": 1}
    assert ndcg_at_k(["a", "b", "c"], rel) == pytest.approx(1.0)
    expected = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["x", "a", "b"], rel) == pytest.approx(expected)
    assert ndcg_at_k(["x", "y"], rel) == 0.0


def test_graded_gains_and_duplicates() -> None:
    rel = {"a": 2, "b": 1}
    assert ndcg_at_k(["b", "a"], rel) < ndcg_at_k(["a", "b"], rel) == pytest.approx(1.0)
    assert ndcg_at_k(["a", "a", "b"], rel) == pytest.approx(1.0)  # repeated ids count once


def test_recall_and_mrr() -> None:
    rel = {"a": 1, "b": 1, "c": 1, "d": 1}
    assert recall_at_k(["a", "x", "b"], rel, k=2) == 0.25
    assert mrr_at_k(["x", "y", "c"], rel) == pytest.approx(1 / 3)
    assert mrr_at_k([f"x{i}" for i in range(20)] + ["a"], rel, k=10) == 0.0


def test_evaluate_run_missing_query_scores_zero() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    scores = evaluate_run({"q1": ["a"]}, qrels)
    assert scores["ndcg@10"] == pytest.approx(0.5)
    assert scores["recall@100"] == pytest.approx(0.5)


def test_paired_bootstrap_detects_consistent_gain() -> None:
    a = {f"q{i}": 0.8 for i in range(100)}
    b = {f"q{i}": 0.5 + (0.1 if i % 2 else -0.1) for i in range(100)}
    cmp = paired_bootstrap(a, b)
    assert cmp.significant and cmp.low > 0.2
    tie = paired_bootstrap(b, {k: v for k, v in b.items()})
    assert not tie.significant
