"""Evaluation: retrieval metrics and paired significance tests."""

from ebrain.evaluate.metrics import (
    PairedComparison,
    evaluate_run,
    mrr_at_k,
    ndcg_at_k,
    paired_bootstrap,
    recall_at_k,
)

__all__ = [
    "PairedComparison",
    "evaluate_run",
    "mrr_at_k",
    "ndcg_at_k",
    "paired_bootstrap",
    "recall_at_k",
]
