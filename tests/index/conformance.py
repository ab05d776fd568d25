"""The index conformance suite: every SearchIndex backend runs these tests.

A backend's test module subclasses `IndexConformance` and provides the `index_url` fixture
(e.g. `"sqlite:"`). The suite loads the backend through the index registry by that URL, creates
the catalog rows the chunks refer to (`add_catalog_rows`), and fills the index with IndexedChunk
rows through the SearchIndex protocol alone (`upsert`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from ebrain.auth import Principal
from ebrain.catalog import schema as t
from ebrain.catalog.db import inserted_id, write_conn
from ebrain.catalog.workspace import Workspace
from ebrain.index.base import Filters, IndexContext, IndexedChunk, SearchIndex, index_for
from ebrain.text.analyzer import Analyzer
from tests.fakes.embedder import HashEmbedder

OWNER = Principal.owner()

# path: (title, body, acl groups, tags, date)
DOCS = {
    "/docs/public/ht2000-manual.md": (
        "HT-2000 手册",
        "安装时保持通风，风扇每半年检查一次。",
        [],
        ["manual"],
        "2024-01-10",
    ),
    "/docs/legal/contract.md": (
        "采购合同 HT2023-015",
        "甲方东方机械，乙方华川，金额 480000 元。",
        ["legal"],
        ["contract"],
        "2023-11-02",
    ),
    "/docs/hr/salary.md": ("薪酬调整", "HT-2000 项目组奖金方案，保密。", ["hr"], [], "2024-03-01"),
    "/docs/public/report.md": (
        "Weekly report",
        "The HT-2000 fan issue was fixed this week.",
        [],
        ["weekly"],
        "2024-02-20",
    ),
}
DOC_TYPE = {"/docs/legal/contract.md": "contract"}


@dataclass
class Filled:
    """An index under test with what the suite needs to judge it."""

    index: SearchIndex
    engine: sa.Engine
    analyzer: Analyzer
    embedder: HashEmbedder
    titles: dict[int, str]  # chunk id -> document title

    def titles_of(self, hits: list[int]) -> list[str]:
        return [self.titles[c] for c in hits]


def add_catalog_rows(
    engine: sa.Engine, path: str, row: tuple[str, str, list[str], list[str], str]
) -> int:
    """The kb, document, version, path, tag and ACL rows of one one-chunk document; returns
    the chunk id (its terms are left empty: the index gets them through upsert)."""
    title, body, acl, tags, day = row
    kb = "legal" if "/legal/" in path else "main"
    now = "2024-06-01T00:00:00"
    with write_conn(engine) as conn, conn.begin():
        kb_id = conn.execute(sa.select(t.kb.c.id).where(t.kb.c.name == kb)).scalar()
        if kb_id is None:
            kb_id = inserted_id(conn.execute(sa.insert(t.kb).values(name=kb, created_at=now)))
        doc_type = DOC_TYPE.get(path, "other")
        doc_id = inserted_id(
            conn.execute(
                sa.insert(t.document).values(
                    kb_id=kb_id, content_hash=path, title=title, doc_type=doc_type,
                    type_source="rule", type_score=1.0, lang="zh", format="markdown",
                    size=len(body), version=1, n_chunks=1, meta="{}", warnings="[]",
                    doc_date=day, created_at=now, updated_at=now,
                )
            )
        )  # fmt: skip
        version_id = inserted_id(
            conn.execute(
                sa.insert(t.version).values(
                    document_id=doc_id, number=1, content_hash=path, text=body, created_at=now
                )
            )
        )
        conn.execute(
            sa.insert(t.document_path).values(
                kb_id=kb_id, document_id=doc_id, path=path, size=len(body), mtime=0.0,
                content_hash=path, seen_at=now,
            )
        )  # fmt: skip
        for tag in tags:
            conn.execute(sa.insert(t.document_tag).values(document_id=doc_id, tag=tag))
        for grp in acl:
            conn.execute(sa.insert(t.document_acl).values(document_id=doc_id, grp=grp))
        return inserted_id(
            conn.execute(
                sa.insert(t.chunk).values(
                    document_id=doc_id, version_id=version_id, kb_id=kb_id, ord=0, kind="text",
                    text=body, terms="", heading_path=json.dumps([title]), char_start=0,
                    char_end=len(body), n_tokens=len(body), doc_type=doc_type,
                )
            )
        )  # fmt: skip


def fill(index_url: str, tmp: Path, ann_threshold: int = 200_000) -> Filled:
    """A workspace catalog with the four documents, and the index under test filled with
    their chunks (terms and vectors) through `SearchIndex.upsert`."""
    ws = Workspace.create(tmp / "ws")
    context = IndexContext(index_url, ws.engine, ws.path / "vectors", 64, ann_threshold)
    filled = Filled(index_for(context), ws.engine, Analyzer(), HashEmbedder(), {})
    rows = []
    for path, row in DOCS.items():
        chunk_id = add_catalog_rows(ws.engine, path, row)
        filled.titles[chunk_id] = row[0]
        text = f"{row[0]}\n{row[1]}"
        vec = filled.embedder.embed_batch([text], kind="passage")[0]
        rows.append(IndexedChunk(chunk_id, " ".join(filled.analyzer.terms(text)), vec))
    filled.index.upsert(rows)
    filled.index.flush()
    return filled


class IndexConformance:
    """Behaviour every SearchIndex must have."""

    ann_threshold = 200_000

    @pytest.fixture
    def filled(self, tmp_path: Path, index_url: str) -> Iterator[Filled]:
        made = fill(index_url, tmp_path, self.ann_threshold)
        yield made
        made.engine.dispose()

    def _q(self, f: Filled, text: str) -> np.ndarray:  # type: ignore[type-arg]
        return f.embedder.embed_batch([text], kind="query")[0]

    def test_lexical_finds_code(self, filled: Filled) -> None:
        hits = filled.index.lexical(filled.analyzer.query_terms("HT2023-015"), 5, Filters(OWNER))
        assert filled.titles_of([h.chunk_id for h in hits])[0] == "采购合同 HT2023-015"

    def test_scores_descend(self, filled: Filled) -> None:
        hits = filled.index.lexical(filled.analyzer.query_terms("HT-2000 风扇"), 10, Filters(OWNER))
        assert len(hits) >= 2
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_vector_search_ranks_similar_text_first(self, filled: Filled) -> None:
        hits = filled.index.vector(
            self._q(filled, "采购合同 甲方东方机械 乙方华川"), 2, Filters(OWNER)
        )
        assert filled.titles_of([hits[0].chunk_id]) == ["采购合同 HT2023-015"]

    def test_acl_filter_inside_the_query_even_at_k1(self, filled: Filled) -> None:
        terms = filled.analyzer.query_terms("薪酬 奖金方案 保密")
        top = filled.index.lexical(terms, 1, Filters(OWNER))
        assert filled.titles_of([h.chunk_id for h in top]) == ["薪酬调整"]
        for who in (Principal.user("u"), Principal.user("u", ["sales"])):
            hits = filled.index.lexical(terms, 1, Filters(who))
            assert "薪酬调整" not in filled.titles_of([h.chunk_id for h in hits])
            vhits = filled.index.vector(self._q(filled, "薪酬调整 奖金方案 保密"), 1, Filters(who))
            assert len(vhits) == 1 and "薪酬调整" not in filled.titles_of([vhits[0].chunk_id])
        hr = filled.index.lexical(terms, 1, Filters(Principal.user("u", ["hr"])))
        assert filled.titles_of([h.chunk_id for h in hr]) == ["薪酬调整"]

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            (Filters(OWNER, kbs=("legal",)), {"采购合同 HT2023-015"}),
            (Filters(OWNER, doc_types=("contract",)), {"采购合同 HT2023-015"}),
            (Filters(OWNER, tags=("weekly",)), {"Weekly report"}),
            (Filters(OWNER, since="2024-02-01"), {"薪酬调整", "Weekly report"}),
            (Filters(OWNER, until="2023-12-31"), {"采购合同 HT2023-015"}),
            (Filters(OWNER, path_glob="*/public/*"), {"HT-2000 手册", "Weekly report"}),
        ],
    )
    def test_filters(self, filled: Filled, filters: Filters, expected: set[str]) -> None:
        terms = filled.analyzer.query_terms("HT-2000 HT2023-015 薪酬 report 手册")
        hits = filled.index.lexical(terms, 10, filters)
        assert set(filled.titles_of([h.chunk_id for h in hits])) == expected
        vhits = filled.index.vector(self._q(filled, "HT-2000"), 10, filters)
        assert set(filled.titles_of([h.chunk_id for h in vhits])) == expected

    def test_delete_and_upsert(self, filled: Filled) -> None:
        terms = filled.analyzer.query_terms("HT2023-015")
        hit = filled.index.lexical(terms, 1, Filters(OWNER))[0]
        filled.index.delete([hit.chunk_id])
        assert hit.chunk_id not in [
            h.chunk_id for h in filled.index.lexical(terms, 5, Filters(OWNER))
        ]
        vec = np.ones(64, dtype=np.float32) / np.sqrt(64)
        filled.index.upsert([IndexedChunk(hit.chunk_id, " ".join(terms), vec)])
        assert filled.index.lexical(terms, 5, Filters(OWNER))[0].chunk_id == hit.chunk_id
        assert filled.index.vector(vec, 1, Filters(OWNER))[0].chunk_id == hit.chunk_id

    def test_vector_only_upsert_keeps_the_terms(self, filled: Filled) -> None:
        terms = filled.analyzer.query_terms("HT2023-015")
        hit = filled.index.lexical(terms, 1, Filters(OWNER))[0]
        vec = np.ones(64, dtype=np.float32) / np.sqrt(64)
        filled.index.upsert([IndexedChunk(hit.chunk_id, None, vec)])
        assert filled.index.lexical(terms, 1, Filters(OWNER))[0].chunk_id == hit.chunk_id
        assert filled.index.vector(vec, 1, Filters(OWNER))[0].chunk_id == hit.chunk_id

    def test_load_applies_the_acl(self, filled: Filled) -> None:
        ids = sorted(filled.titles)
        everything = filled.index.load(ids, Filters(OWNER))
        assert {r["title"] for r in everything.values()} == set(filled.titles.values())
        public = filled.index.load(ids, Filters(Principal.user("u")))
        assert {r["title"] for r in public.values()} == {"HT-2000 手册", "Weekly report"}
        row = everything[ids[0]]
        assert filled.index.text_span(row["document_id"], 0, 4) == row["text"][:4]

    def test_vector_count(self, filled: Filled) -> None:
        assert filled.index.vector_count() == len(DOCS)

    def test_empty_query_returns_nothing(self, filled: Filled) -> None:
        assert filled.index.lexical([], 5, Filters(OWNER)) == []
