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
