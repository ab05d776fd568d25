"""The Milvus backend (on milvus-lite) runs the index conformance suite, loaded by URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from ebrain.errors import ConfigError
from ebrain.index.base import Filters
from ebrain.index.milvus import MilvusIndex, parse_url
from tests.index.conformance import OWNER, IndexConformance, fill
from tests.index.milvus_support import lite_file, lite_url

__all__ = ["lite_file"]


class TestMilvusIndex(IndexConformance):
    @pytest.fixture
    def index_url(self, lite_file: Path) -> str:
        return lite_url(lite_file)


def test_urls(tmp_path: Path) -> None:
    assert parse_url("milvus-lite:", tmp_path).uri == str(tmp_path / "milvus.db")
    assert parse_url("milvus-lite:x/i.db?name=acme", tmp_path).name == "acme"
    cluster = parse_url("milvus://milvus.internal:19530", tmp_path)
    assert (cluster.uri, cluster.name) == ("http://milvus.internal:19530", "ebrain")
    assert parse_url("milvus+https://m.example.com", tmp_path).uri == "https://m.example.com:443"
    for bad in ("milvus-lite:/tmp/x.sqlite", "milvus://", "milvus://h?name=a-b;drop"):
        with pytest.raises(ConfigError):
            parse_url(bad, tmp_path)


def test_expression_quotes_only_hashes(tmp_path: Path, lite_file: Path) -> None:
    """Hostile group, tag and type names never reach the expression as text."""
    from ebrain.auth import Principal

    filled = fill(lite_url(lite_file), tmp_path)
    index = filled.index
    assert isinstance(index, MilvusIndex)
    hostile = 'x") or true or ("'
    f = Filters(Principal.user("u", [hostile]), tags=(hostile,), doc_types=(hostile,))
    expr = index.expression(f)
    assert hostile not in expr and "or true" not in expr
    assert index.lexical(filled.analyzer.query_terms("HT-2000"), 10, f) == []
    filled.engine.dispose()


def test_flush_mirrors_catalog_deletes_and_refresh_follows_acl(
    tmp_path: Path, lite_file: Path
) -> None:
    """Chunks deleted in the catalog leave Milvus at the next flush; an ACL change reaches
    Milvus's scalars through `refresh`."""
    import sqlalchemy as sa

    from ebrain.auth import Principal
    from ebrain.catalog import schema as t
    from ebrain.ingest.store import delete_documents

    filled = fill(lite_url(lite_file), tmp_path)
    index = filled.index
    terms = filled.analyzer.query_terms("HT-2000 手册 风扇")
    top = index.lexical(terms, 1, Filters(OWNER))[0]
    doc = index.load([top.chunk_id], Filters(OWNER))[top.chunk_id]["document_id"]
    user = Filters(Principal.user("u"))
    assert top.chunk_id in [h.chunk_id for h in index.lexical(terms, 10, user)]
    with filled.engine.begin() as conn:
        conn.execute(sa.insert(t.document_acl).values(document_id=doc, grp="ops"))
    index.refresh([doc])
    assert top.chunk_id not in [h.chunk_id for h in index.lexical(terms, 10, user)]
    assert top.chunk_id not in [
        h.chunk_id
        for h in index.vector(
            filled.embedder.embed_batch(["HT-2000 手册"], kind="query")[0], 10, user
        )
    ]
    ops = Filters(Principal.user("u", ["ops"]))
    assert top.chunk_id in [h.chunk_id for h in index.lexical(terms, 10, ops)]
    with filled.engine.begin() as conn:
        delete_documents(conn, [doc])
    index.flush()
    assert top.chunk_id not in [h.chunk_id for h in index.lexical(terms, 10, Filters(OWNER))]
    assert index.vector_count() == 3
    filled.engine.dispose()


def test_ids_page_through_an_exact_multiple_of_the_page(
    tmp_path: Path, lite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reconciliation reads every id even when the rows fill the last page exactly (milvus-lite
    fails a query with an empty result, which must never end the read early or raise)."""
    from ebrain.index import milvus

    filled = fill(lite_url(lite_file), tmp_path)
    index = filled.index
    assert isinstance(index, MilvusIndex)
    for page in (1, 2, 3, 4, 10):
        monkeypatch.setattr(milvus, "PAGE", page)
        assert index._ids(index.text) == set(filled.titles)
    filled.engine.dispose()


def test_load_applies_every_filter(tmp_path: Path, lite_file: Path) -> None:
    """The catalog re-check of `load` takes the same filters as the search (dates, kbs, tags,
    path globs), in portable SQL."""
    filled = fill(lite_url(lite_file), tmp_path)
    ids = sorted(filled.titles)
    cases = [
        (Filters(OWNER, since="2024-02-01"), {"薪酬调整", "Weekly report"}),
        (Filters(OWNER, until="2023-12-31", kbs=("legal",)), {"采购合同 HT2023-015"}),
        (Filters(OWNER, tags=("weekly",)), {"Weekly report"}),
        (Filters(OWNER, path_glob="*/public/*"), {"HT-2000 手册", "Weekly report"}),
    ]
    for filters, expected in cases:
        assert {r["title"] for r in filled.index.load(ids, filters).values()} == expected
    filled.engine.dispose()
