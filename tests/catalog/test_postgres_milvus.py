"""End to end on the scale-out backends: a Brain whose catalog is a real PostgreSQL (throwaway
cluster) and whose index is Milvus (milvus-lite): ingest, search, ask and ACL-filtered search
give what the embedded default gives; and a SQLite workspace moved with `ebrain migrate`, its
index rebuilt on Milvus, searches as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.index.milvus import MilvusIndex
from tests.fakes.embedder import register
from tests.index.milvus_support import lite_file, lite_url
from tests.retrieve.brains import DOCS

__all__ = ["lite_file"]
OWNER = Principal.owner()
QUERIES = ["HT-2000 风扇", "采购合同 HT2023-015", "fan issue fixed", "奖金方案"]
WHO = (OWNER, Principal.user("u"), Principal.user("u", ["legal"]), Principal.user("u", ["hr"]))


@pytest.fixture(autouse=True)
def _explicit_catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests name their catalogs themselves (on any pass)."""
    monkeypatch.delenv("EBRAIN_CATALOG", raising=False)
    monkeypatch.delenv("EBRAIN_INDEX_URL", raising=False)


def _workspace(tmp: Path, catalog: str, index_url: str) -> Path:
    register()
    ws = tmp / "ws"
    Brain.init(ws).close()
    lines = ["embed:\n  model: fakehash\n", f"index:\n  url: '{index_url}'\n"]
    if catalog:
        lines.insert(0, f"catalog: '{catalog}'\n")
    (ws / "config.yaml").write_text("".join(lines), encoding="utf-8")
    return ws


def _ingest(brain: Brain, tmp: Path) -> None:
    for rel, (text, acl, tags, date) in DOCS.items():
        path = tmp / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("\n\n", f"\n\n日期：{date}\n\n", 1), encoding="utf-8")
        kb = "legal" if rel.startswith("legal") else "main"
        brain.ingest([path], kb=kb, acl=acl, tags=tags, jobs=1)


def _titles(brain: Brain, query: str, who: Principal, mode: str = "hybrid") -> list[str]:
    return [h.title for h in brain.search(query, 10, principal=who, mode=mode)]  # type: ignore[arg-type]


@pytest.fixture
def pair(tmp_path: Path, lite_file: Path, pg_url: str) -> Iterator[tuple[Brain, Brain]]:
    """The same documents in a PostgreSQL + Milvus workspace and an embedded one."""
    scaled = Brain.open(_workspace(tmp_path / "pg", pg_url, lite_url(lite_file)))
    embedded = Brain.open(_workspace(tmp_path / "s", "", "sqlite:"))
    for brain, tmp in ((scaled, tmp_path / "pg"), (embedded, tmp_path / "s")):
        _ingest(brain, tmp)
    assert scaled.engine.dialect.name == "postgresql" and isinstance(scaled.index, MilvusIndex)
    yield scaled, embedded
    scaled.close()
    embedded.close()


def _same_results(scaled: Brain, embedded: Brain) -> None:
    for query in QUERIES:
        for who in WHO:
            for mode in ("bm25", "dense", "hybrid"):
                got, want = _titles(scaled, query, who, mode), _titles(embedded, query, who, mode)
                assert got[:1] == want[:1] and sorted(got) == sorted(want), (query, who, mode)


def test_search_on_postgresql_and_milvus_matches_the_embedded_default(
    pair: tuple[Brain, Brain],
) -> None:
    scaled, embedded = pair
    assert scaled.stats()["documents"] == embedded.stats()["documents"] == len(DOCS)
    assert scaled.index.vector_count() == len(DOCS)
    _same_results(scaled, embedded)


def test_acl_filtered_search_and_ask(pair: tuple[Brain, Brain]) -> None:
    scaled, _ = pair
    assert "薪酬调整" not in _titles(scaled, "奖金方案 保密", Principal.user("u", ["sales"]))
    assert "薪酬调整" in _titles(scaled, "奖金方案 保密", Principal.user("u", ["hr"]))
    assert "采购合同 HT2023-015" not in _titles(scaled, "采购合同 HT2023-015", Principal.user("u"))
    answer = scaled.ask("HT-2000 项目组奖金方案是什么？", principal=Principal.user("u"))
    assert all(c.title != "薪酬调整" for c in answer.citations)
    owner = scaled.ask("HT-2000 项目组奖金方案是什么？", principal=OWNER)
    assert any(c.title == "薪酬调整" for c in owner.citations)
    assert scaled.audit.verify().ok


def test_migrated_workspace_searches_as_before(
    tmp_path: Path, lite_file: Path, pg_url: str
) -> None:
    source = _workspace(tmp_path / "s", "", "sqlite:")
    with Brain.open(source) as embedded:
        _ingest(embedded, tmp_path / "s")
        report = embedded.migrate_catalog(pg_url)
        assert report.ok and report.documents_checked == len(DOCS)
        moved = _workspace(tmp_path / "pg", pg_url, lite_url(lite_file))
        with Brain.open(moved) as scaled:
            scaled.rebuild_index()
            assert scaled.index.vector_count() == len(DOCS)
            _same_results(scaled, embedded)
