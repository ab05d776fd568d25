from __future__ import annotations

from ebrain.ingest.chunk import Chunker, ChunkerConfig
from ebrain.ingest.document import Block, Document


def _doc() -> Document:
    rows = [["姓名", "部门", "电话"]] + [
        [f"员工{i}", "研发部", f"1380000{i:04d}"] for i in range(80)
    ]
    return Document(
        "t",
        [
            Block("第一章 概述", kind="heading", heading_path=("第一章 概述",)),
            Block(
                "会议决定：HT-2000 的散热问题由张伟负责。" * 25,
                heading_path=("第一章 概述",),
                page=1,
            ),
            Block("", kind="table", rows=rows, heading_path=("附录",), page=2),
            Block("This is English. It has sentences. " * 30, heading_path=("Appendix",), page=3),
        ],
    )


def test_offsets_point_into_normalized_text() -> None:
    text, chunks = Chunker(ChunkerConfig(100, 20))(_doc())
    for c in chunks:
        if c.kind == "text":
            assert text[c.char_start : c.char_end] == c.text


def test_chunks_respect_target_size() -> None:
    _, chunks = Chunker(ChunkerConfig(100, 20))(_doc())
    assert all(c.n_tokens <= 110 for c in chunks)


def test_big_table_split_by_rows_with_header_repeated() -> None:
    _, chunks = Chunker(ChunkerConfig(100, 20))(_doc())
    tables = [c for c in chunks if c.kind == "table"]
    assert len(tables) > 1
    rows_seen = []
    for c in tables:
        lines = c.text.split("\n")
        assert lines[0] == "| 姓名 | 部门 | 电话 |"
        assert lines[1].startswith("|---")
        rows_seen += lines[2:]
    assert len(rows_seen) == 80 and len(set(rows_seen)) == 80  # every row once, none split


def test_chinese_sentence_boundaries_and_overlap() -> None:
    _, chunks = Chunker(ChunkerConfig(100, 20))(_doc())
    prose = [c for c in chunks if c.kind == "text" and c.page_start == 1]
    assert len(prose) > 1
    assert all(c.text.rstrip().endswith("。") for c in prose)
    first_tail = prose[0].text[-23:]
    assert first_tail in prose[1].text  # overlap carries the last sentence


def test_pages_and_heading_paths_kept() -> None:
    _, chunks = Chunker(ChunkerConfig(100, 20))(_doc())
    assert {c.page_start for c in chunks} == {1, 2, 3}
    assert chunks[-1].heading_path == ("Appendix",)


def test_overlong_sentence_is_cut() -> None:
    doc = Document("t", [Block("无标点的长句" * 500)])
    _, chunks = Chunker(ChunkerConfig(100, 0))(doc)
    assert len(chunks) > 5
    assert all(c.n_tokens <= 101 for c in chunks)
