"""The embedded SQLite backend runs the index conformance suite."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ebrain.brain import Brain
from ebrain.index.base import SearchIndex
from tests.index.conformance import IndexConformance


class TestSqliteIndex(IndexConformance):
    @pytest.fixture
    def backend(self) -> Callable[[Brain], SearchIndex]:
        return lambda brain: brain.index


class TestSqliteIndexQuantized(IndexConformance):
    """The same suite with the int8 scan + float16 rescoring path forced on."""

    @pytest.fixture
    def backend(self) -> Callable[[Brain], SearchIndex]:
        def make(brain: Brain) -> SearchIndex:
            index = brain.index
            index.quantize_above = 0
            return index

        return make


def test_common_terms_are_pruned_at_scale(tmp_path: object) -> None:
    """Above prune_above chunks, terms in more than max_df of them leave the query."""
    from pathlib import Path

    from ebrain.index.base import Filters
    from tests.index.conformance import build_brain

    brain = build_brain(Path(str(tmp_path)))
    index = brain.index
    index.prune_above, index.max_df = 0, 0.5
    with brain.engine.connect() as conn:
        kept = index._prune(conn, ["ht", "2000", "ht2023-015", "ht2023"])
    assert "ht2023-015" in kept and "ht" not in kept
    hits = index.lexical(brain.analyzer.query_terms("HT-2000 合同 HT2023-015"), 2, Filters())
    assert hits[0].chunk_id == index.lexical(["ht2023-015"], 1, Filters())[0].chunk_id
    with brain.engine.connect() as conn:
        assert index._prune(conn, ["ht"]) == ["ht"]  # never prunes a query to nothing
    brain.close()
