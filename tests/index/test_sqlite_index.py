"""The embedded SQLite backend runs the index conformance suite, loaded by URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from ebrain.errors import ConfigError, NotFoundError
from ebrain.index.base import Filters, IndexContext, index_for, registry
from ebrain.index.sqlite import SqliteIndex
from tests.index.conformance import OWNER, IndexConformance, fill


class TestSqliteIndex(IndexConformance):
    @pytest.fixture
    def index_url(self) -> str:
        return "sqlite:"


class TestSqliteIndexQuantized(IndexConformance):
    """The same suite with the int8 scan + float16 rescoring path (and HNSW graph) forced on."""

    ann_threshold = 0

    @pytest.fixture
    def index_url(self) -> str:
        return "sqlite:"


def test_sqlite_is_registered_through_the_entry_point_group() -> None:
    assert "sqlite" in registry.names()


def test_unknown_index_url_names_the_known_backends(tmp_path: Path) -> None:
    context = IndexContext("elastic://h:9200", None, tmp_path)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError) as err:
        index_for(context)
    assert "sqlite" in err.value.hint
    with pytest.raises(ConfigError):
        index_for(IndexContext("sqlite:///elsewhere.db", None, tmp_path))  # type: ignore[arg-type]


def test_common_terms_are_pruned_at_scale(tmp_path: Path) -> None:
    """Above prune_above chunks, terms in more than max_df of them leave the query."""
    filled = fill("sqlite:", tmp_path)
    index = filled.index
    assert isinstance(index, SqliteIndex)
    index.prune_above, index.max_df = 0, 0.5
    with filled.engine.connect() as conn:
        kept = index._prune(conn, ["ht", "2000", "ht2023-015", "ht2023"])
    assert "ht2023-015" in kept and "ht" not in kept
    terms = filled.analyzer.query_terms("HT-2000 合同 HT2023-015")
    hits = index.lexical(terms, 2, Filters(OWNER))
    assert hits[0].chunk_id == index.lexical(["ht2023-015"], 1, Filters(OWNER))[0].chunk_id
    with filled.engine.connect() as conn:
        assert index._prune(conn, ["ht"]) == ["ht"]  # never prunes a query to nothing
    filled.engine.dispose()
