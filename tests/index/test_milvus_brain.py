"""A Brain on the Milvus index (milvus-lite): ingest, hybrid search, ask, ACL filtering, ACL
and type changes followed, delete and re-ingest; results as the embedded index gives them."""

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


def _brain(tmp: Path, index_url: str) -> Brain:
    register()
    ws = tmp / "ws"
    Brain.init(ws).close()
    (ws / "config.yaml").write_text(
        f"embed:\n  model: fakehash\nindex:\n  url: '{index_url}'\n", encoding="utf-8"
    )
    brain = Brain.open(ws)
    for rel, (text, acl, tags, date) in DOCS.items():
        path = tmp / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("\n\n", f"\n\n日期：{date}\n\n", 1), encoding="utf-8")
        kb = "legal" if rel.startswith("legal") else "main"
        brain.ingest([path], kb=kb, acl=acl, tags=tags, jobs=1)
    return brain


@pytest.fixture
def pair(tmp_path: Path, lite_file: Path) -> Iterator[tuple[Brain, Brain]]:
    """The same documents in a Milvus-indexed and an embedded workspace."""
    milvus = _brain(tmp_path / "m", lite_url(lite_file))
    embedded = _brain(tmp_path / "s", "sqlite:")
    assert isinstance(milvus.index, MilvusIndex)
    yield milvus, embedded
    milvus.close()
    embedded.close()


def _titles(brain: Brain, query: str, who: Principal, mode: str = "hybrid") -> list[str]:
    return [h.title for h in brain.search(query, 10, principal=who, mode=mode)]  # type: ignore[arg-type]


def test_search_matches_the_embedded_index(pair: tuple[Brain, Brain]) -> None:
    """Same hits and the same best hit as the embedded index (BM25 scores differ: Milvus's
    IDF is Lucene's log(1 + …), FTS5's floors terms in over half the chunks to ~0, which
    reorders the weak tail of a four-document corpus)."""
    milvus, embedded = pair
    assert milvus.index.vector_count() == len(DOCS)
    for query in QUERIES:
        for who in (OWNER, Principal.user("u"), Principal.user("u", ["legal"])):
            for mode in ("bm25", "dense", "hybrid"):
                got, want = _titles(milvus, query, who, mode), _titles(embedded, query, who, mode)
                assert got[:1] == want[:1] and sorted(got) == sorted(want), (query, who, mode)


def test_acl_filters_and_changes_are_followed(pair: tuple[Brain, Brain], tmp_path: Path) -> None:
    milvus, _ = pair
    user = Principal.user("u", ["sales"])
    assert "薪酬调整" not in _titles(milvus, "奖金方案 保密", user)
    assert "薪酬调整" in _titles(milvus, "奖金方案 保密", Principal.user("u", ["hr"]))
    manual = tmp_path / "m" / "docs" / "public" / "ht2000-manual.md"
    assert "HT-2000 手册" in _titles(milvus, "风扇 通风", user, "bm25")
    milvus.ingest([manual], kb="main", acl=["ops"], jobs=1)  # unchanged file, new group
    assert "HT-2000 手册" not in _titles(milvus, "风扇 通风", user, "bm25")
    assert "HT-2000 手册" not in _titles(milvus, "风扇 通风", user, "dense")
    assert "HT-2000 手册" in _titles(milvus, "风扇 通风", Principal.user("u", ["ops"]), "bm25")


def test_groups_set_from_the_ui_are_followed(pair: tuple[Brain, Brain]) -> None:
    milvus, _ = pair
    user = Principal.user("u", ["sales"])
    hit = milvus.search("风扇 通风", 1, principal=user, mode="bm25")[0]
    milvus.set_groups(hit.document_id, ["ops"])
    for mode in ("bm25", "dense"):
        assert hit.title not in _titles(milvus, "风扇 通风", user, mode)
        assert hit.title in _titles(milvus, "风扇 通风", Principal.user("u", ["ops"]), mode)


def test_type_change_is_followed(pair: tuple[Brain, Brain]) -> None:
    milvus, _ = pair
    hit = milvus.search("风扇 通风", 1, principal=OWNER, mode="bm25")[0]
    assert milvus.search("风扇 通风", 5, principal=OWNER, mode="bm25", doc_type="report") == []
    milvus.set_type(hit.document_id, "report")
    found = milvus.search("风扇 通风", 5, principal=OWNER, mode="bm25", doc_type="report")
    assert [h.document_id for h in found] == [hit.document_id]


def test_delete_and_reingest(pair: tuple[Brain, Brain], tmp_path: Path) -> None:
    milvus, _ = pair
    hit = milvus.search("采购合同 HT2023-015", 1, principal=OWNER)[0]
    milvus.remove_document(hit.document_id)
    assert "采购合同 HT2023-015" not in _titles(milvus, "采购合同 HT2023-015", OWNER)
    assert milvus.index.vector_count() == len(DOCS) - 1
    contract = tmp_path / "m" / "docs" / "legal" / "contract.md"
    contract.write_text(
        contract.read_text(encoding="utf-8") + "\n补充条款：质保两年。\n", encoding="utf-8"
    )
    milvus.ingest([contract], kb="legal", acl=["legal"], jobs=1)
    assert _titles(milvus, "质保两年 补充条款", OWNER, "bm25")[0] == "采购合同 HT2023-015"
    assert milvus.index.vector_count() == len(DOCS)


def test_ask_cites_only_readable_documents(pair: tuple[Brain, Brain]) -> None:
    milvus, _ = pair
    answer = milvus.ask("HT-2000 项目组奖金方案是什么？", principal=Principal.user("u"))
    assert all(c.title != "薪酬调整" for c in answer.citations)
    owner = milvus.ask("HT-2000 项目组奖金方案是什么？", principal=OWNER)
    assert any(c.title == "薪酬调整" for c in owner.citations)


def test_reopen_trusts_the_recorded_mirror_and_refills_a_wiped_one(
    pair: tuple[Brain, Brain],
) -> None:
    milvus, _ = pair
    ws = milvus.workspace.path
    with Brain.open(ws) as again:
        index = again.index
        assert isinstance(index, MilvusIndex)
        assert index._synced is not None and index.flush() == 0  # no reconciliation at open
        index.client.drop_collection(index.text)
    with Brain.open(ws) as refilled:
        assert _titles(refilled, "采购合同 HT2023-015", OWNER, "bm25")[0] == "采购合同 HT2023-015"
