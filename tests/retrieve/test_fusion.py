"""Adaptive fusion: the gate's signals and its direction."""

from __future__ import annotations

from dataclasses import fields

from ebrain.retrieve.fusion import FusionConfig, fuse


def test_gate_uses_only_peakedness_and_agreement() -> None:
    bm25 = [(1, 9.0), (2, 1.0), (3, 0.9)]
    dense = [(2, 0.80), (1, 0.79), (3, 0.78)]
    out = fuse(bm25, dense, FusionConfig())
    assert set(out.signals) == {"peak_bm25", "peak_dense", "overlap"}
    assert "code" not in {f.name for f in fields(FusionConfig)}
    assert 0.0 < out.bm25_weight < 1.0


def test_a_peaked_bm25_side_gets_more_weight() -> None:
    flat = [(1, 1.0), (2, 0.99), (3, 0.98), (4, 0.0)]
    peaked = [(1, 9.0), (2, 1.0), (3, 0.9), (4, 0.0)]
    dense = [(5, 0.8), (6, 0.79), (7, 0.78), (8, 0.5)]
    cfg = FusionConfig(bias=0.0, peak=4.0, agree=0.0)
    assert fuse(peaked, dense, cfg).bm25_weight > fuse(flat, dense, cfg).bm25_weight
