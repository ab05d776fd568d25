"""The index conformance suite: every SearchIndex backend runs these tests.

A backend's test module subclasses `IndexConformance` and provides the `backend` fixture:
a callable that takes an ingested Brain and returns the SearchIndex under test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ebrain.brain import Brain
from ebrain.index.base import Filters, IndexedChunk, SearchIndex
from tests.fakes.embedder import register

DOCS = {
    "public/ht2000-manual.md": (
        "# HT-2000 手册\n\n安装时保持通风，风扇每半年检查一次。",
        [],
        ["manual"],
        "2024-01-10",
    ),
    "legal/contract.md": (
        "# 采购合同 HT2023-015\n\n甲方东方机械，乙方华川，金额 480000 元。",
        ["legal"],
        ["contract"],
        "2023-11-02",
    ),
    "hr/salary.md": ("# 薪酬调整\n\nHT-2000 项目组奖金方案，保密。", ["hr"], [], "2024-03-01"),
    "public/report.md": (
        "# Weekly report\n\nThe HT-2000 fan issue was fixed this week.",
        [],
        ["weekly"],
        "2024-02-20",
    ),
}


def build_brain(tmp: Path) -> Brain:
    """A workspace with four small documents, ACL groups, tags and dates, embedded."""
    register()
    ws = tmp / "ws"
    Brain.init(ws).close()
    (ws / "config.yaml").write_text("embed:\n  model: fakehash\n", encoding="utf-8")
    brain = Brain.open(ws)
    for rel, (text, acl, tags, date) in DOCS.items():
        path = tmp / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("\n\n", f"\n\n日期：{date}\n\n", 1), encoding="utf-8")
        kb = "legal" if rel.startswith("legal") else "main"
        brain.ingest([path], kb=kb, acl=acl, tags=tags, jobs=1)
    return brain


class IndexConformance:
    """Behaviour every SearchIndex must have."""

    @pytest.fixture
    def brain(self, tmp_path: Path) -> Brain:
        b = build_brain(tmp_path)
        yield b  # type: ignore[misc]
        b.close()

    @pytest.fixture
    def index(self, brain: Brain, backend: Callable[[Brain], SearchIndex]) -> SearchIndex:
        return backend(brain)

    def _titles(self, brain: Brain, hits: list[int]) -> list[str]:
        return [brain.document(brain_doc(brain, cid))["title"] for cid in hits]

    def test_lexical_finds_code(self, brain: Brain, index: SearchIndex) -> None:
        hits = index.lexical(brain.analyzer.query_terms("HT2023-015"), 5, Filters())
        assert self._titles(brain, [h.chunk_id for h in hits])[0] == "采购合同 HT2023-015"

    def test_scores_descend(self, brain: Brain, index: SearchIndex) -> None:
        hits = index.lexical(brain.analyzer.query_terms("HT-2000 风扇"), 10, Filters())
        assert len(hits) >= 2
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_vector_search_ranks_similar_text_first(self, brain: Brain, index: SearchIndex) -> None:
        q = brain.embedder.embed_batch(["采购合同 甲方东方机械 乙方华川"], kind="query")[0]  # type: ignore[union-attr]
        hits = index.vector(q, 2, Filters())
        assert self._titles(brain, [hits[0].chunk_id]) == ["采购合同 HT2023-015"]

    def test_acl_filter_inside_the_query_even_at_k1(self, brain: Brain, index: SearchIndex) -> None:
        terms = brain.analyzer.query_terms("薪酬 奖金方案 保密")
        assert self._titles(brain, [h.chunk_id for h in index.lexical(terms, 1, Filters())]) == [
            "薪酬调整"
        ]
        for f in (Filters(groups=()), Filters(groups=("sales",))):
            hits = index.lexical(terms, 1, f)
            assert "薪酬调整" not in self._titles(brain, [h.chunk_id for h in hits])
            q = brain.embedder.embed_batch(["薪酬调整 奖金方案 保密"], kind="query")[0]  # type: ignore[union-attr]
            vhits = index.vector(q, 1, f)
            assert len(vhits) == 1 and "薪酬调整" not in self._titles(brain, [vhits[0].chunk_id])
        hr = index.lexical(terms, 1, Filters(groups=("hr",)))
        assert self._titles(brain, [h.chunk_id for h in hr]) == ["薪酬调整"]

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            (Filters(kbs=("legal",)), {"采购合同 HT2023-015"}),
            (Filters(doc_types=("contract",)), {"采购合同 HT2023-015"}),
            (Filters(tags=("weekly",)), {"Weekly report"}),
            (Filters(since="2024-02-01"), {"薪酬调整", "Weekly report"}),
            (Filters(until="2023-12-31"), {"采购合同 HT2023-015"}),
            (Filters(path_glob="*/public/*"), {"HT-2000 手册", "Weekly report"}),
        ],
    )
    def test_filters(
        self, brain: Brain, index: SearchIndex, filters: Filters, expected: set[str]
    ) -> None:
        terms = brain.analyzer.query_terms("HT-2000 HT2023-015 薪酬 report 手册")
        got = set(self._titles(brain, [h.chunk_id for h in index.lexical(terms, 10, filters)]))
        assert got == expected
        q = brain.embedder.embed_batch(["HT-2000"], kind="query")[0]  # type: ignore[union-attr]
        vgot = set(self._titles(brain, [h.chunk_id for h in index.vector(q, 10, filters)]))
        assert vgot == expected

    def test_delete_and_upsert(self, brain: Brain, index: SearchIndex) -> None:
        terms = brain.analyzer.query_terms("HT2023-015")
        hit = index.lexical(terms, 1, Filters())[0]
        index.delete([hit.chunk_id])
        assert hit.chunk_id not in [h.chunk_id for h in index.lexical(terms, 5, Filters())]
        vec = np.ones(brain.embedder.dim, dtype=np.float32) / np.sqrt(brain.embedder.dim)  # type: ignore[union-attr]
        index.upsert([IndexedChunk(hit.chunk_id, " ".join(terms), vec)])
        assert index.lexical(terms, 5, Filters())[0].chunk_id == hit.chunk_id
        assert index.vector(vec, 1, Filters())[0].chunk_id == hit.chunk_id

    def test_empty_query_returns_nothing(self, brain: Brain, index: SearchIndex) -> None:
        assert index.lexical([], 5, Filters()) == []


def brain_doc(brain: Brain, chunk_id: int) -> int:
    """The document id of a chunk."""
    import sqlalchemy as sa

    with brain.engine.connect() as conn:
        return int(
            conn.execute(
                sa.text("SELECT document_id FROM chunk WHERE id=:i"), {"i": chunk_id}
            ).scalar_one()
        )
