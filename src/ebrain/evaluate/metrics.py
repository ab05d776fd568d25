"""Standard IR metrics over ranked lists, and a paired bootstrap over queries.

nDCG uses graded gains (rel) with log2 discounts, as in trec_eval / BEIR; Recall@k is the share
of relevant documents in the top k; MRR@k is the reciprocal rank of the first relevant one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Qrels = Mapping[str, Mapping[str, int]]
Run = Mapping[str, Sequence[str]]


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Normalized discounted cumulative gain at k."""
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(_dedup(ranked)[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Share of the relevant documents found in the top k."""
    rel = {d for d, g in relevant.items() if g > 0}
    if not rel:
        return 0.0
    return len(rel & set(_dedup(ranked)[:k])) / len(rel)


def mrr_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first relevant document within the top k."""
    for i, d in enumerate(_dedup(ranked)[:k]):
        if relevant.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def _dedup(ranked: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ranked))


def per_query(run: Run, qrels: Qrels, metric: str = "ndcg@10") -> dict[str, float]:
    """One metric for every judged query (a query missing from the run scores 0)."""
    name, k = metric.split("@")
    fn = {"ndcg": ndcg_at_k, "recall": recall_at_k, "mrr": mrr_at_k}[name]
    return {q: fn(run.get(q, []), rel, int(k)) for q, rel in qrels.items()}


def evaluate_run(run: Run, qrels: Qrels) -> dict[str, float]:
    """Mean nDCG@10, Recall@10, Recall@100 and MRR@10 over the judged queries."""
    out = {}
    for metric in ("ndcg@10", "recall@10", "recall@100", "mrr@10"):
        values = per_query(run, qrels, metric)
        out[metric] = sum(values.values()) / max(1, len(values))
    return out


@dataclass(frozen=True)
class PairedComparison:
    """Mean difference (a - b) with a bootstrap confidence interval over queries."""

    mean_diff: float
    low: float
    high: float
    n: int

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero."""
        return self.low > 0 or self.high < 0


def paired_bootstrap(
    a: Mapping[str, float],
    b: Mapping[str, float],
    samples: int = 2000,
    alpha: float = 0.05,
    seed: int = 0,
) -> PairedComparison:
    """Paired bootstrap over the queries both runs scored."""
    keys = sorted(a.keys() & b.keys())
    diffs = [a[q] - b[q] for q in keys]
    if not diffs:
        return PairedComparison(0.0, 0.0, 0.0, 0)
    rng = random.Random(seed)
    n = len(diffs)
    means = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n for _ in range(samples))
    low = means[int(alpha / 2 * samples)]
    high = means[min(samples - 1, int((1 - alpha / 2) * samples))]
    return PairedComparison(sum(diffs) / n, low, high, n)
