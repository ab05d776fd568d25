"""ebrain.evaluate's ranking metrics agree with trec_eval (through ir-measures) to 1e-6.

ir-measures is a dev dependency; on random runs with graded judgements, nDCG@10, MRR@10
(RR@10), Recall@10 and Recall@100 must match per query and on average.
"""

from __future__ import annotations

import random

import pytest

from ebrain.evaluate import evaluate_run
from ebrain.evaluate.metrics import per_query

ir_measures = pytest.importorskip("ir_measures")

MEASURES = {
    "ndcg@10": "nDCG@10",
    "mrr@10": "RR@10",
    "recall@10": "R@10",
    "recall@100": "R@100",
}


def _random_case(seed: int) -> tuple[dict[str, list[str]], dict[str, dict[str, int]]]:
    """A run of 40 queries over 300 documents, with 1-8 graded relevant documents each."""
    rng = random.Random(seed)
    docs = [f"d{i}" for i in range(300)]
    run: dict[str, list[str]] = {}
    qrels: dict[str, dict[str, int]] = {}
    for q in range(40):
        qid = f"q{q}"
        judged = rng.sample(docs, rng.randint(1, 8))
        qrels[qid] = {d: rng.choice((1, 1, 2, 3)) for d in judged}
        pool = list({*rng.sample(docs, rng.randint(0, 150)), *rng.sample(judged, 1)})
        rng.shuffle(pool)
        run[qid] = pool
    return run, qrels


def _theirs(run: dict[str, list[str]], qrels: dict[str, dict[str, int]], measure: str) -> dict:
    """Per-query values from trec_eval; scores strictly decrease with rank (no ties)."""
    scored = {
        q: {d: float(len(ranked) - i) for i, d in enumerate(ranked)} for q, ranked in run.items()
    }
    parsed = ir_measures.parse_measure(measure)
    return {m.query_id: m.value for m in ir_measures.iter_calc([parsed], qrels, scored)}


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_metrics_agree_with_trec_eval(seed: int) -> None:
    run, qrels = _random_case(seed)
    ours = evaluate_run(run, qrels)
    for name, measure in MEASURES.items():
        theirs = _theirs(run, qrels, measure)
        mine = per_query(run, qrels, name)
        for qid in qrels:
            assert mine[qid] == pytest.approx(theirs.get(qid, 0.0), abs=1e-6), (name, qid)
        mean = sum(theirs.get(q, 0.0) for q in qrels) / len(qrels)
        assert ours[name] == pytest.approx(mean, abs=1e-6), name
