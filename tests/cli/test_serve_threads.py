"""`ebrain serve` caps model-math threads per process, unless the environment says otherwise."""

from __future__ import annotations

import pytest

from ebrain.cli.serve_cmd import _model_threads


def test_threads_set_when_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    _model_threads(1)
    import os

    assert os.environ["OMP_NUM_THREADS"] == "1" and os.environ["OPENBLAS_NUM_THREADS"] == "1"


def test_explicit_environment_wins_and_zero_keeps_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    _model_threads(1)
    assert os.environ["OMP_NUM_THREADS"] == "4"
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    _model_threads(0)
    assert "OPENBLAS_NUM_THREADS" not in os.environ
