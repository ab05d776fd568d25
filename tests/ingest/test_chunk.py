from __future__ import annotations

import pytest

from ebrain.ingest.chunk import HARD_CHARS_PER_TOKEN, Chunker, ChunkerConfig
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


@pytest.mark.parametrize("run", ["x", "测", "ab1"])
def test_a_run_without_spaces_or_sentence_ends_is_cut_to_the_hard_maximum(run: str) -> None:
    config = ChunkerConfig(380, 40)
    text = run * (2_000_000 // len(run))
    _, chunks = Chunker(config)(Document("t", [Block(text)]))
    assert config.max_chars == 380 * HARD_CHARS_PER_TOKEN
    assert max(len(c.text) for c in chunks) <= config.max_chars
    assert sum(len(c.text) for c in chunks) >= len(text)  # nothing lost (overlap may repeat)
    assert [c.ord for c in chunks] == list(range(len(chunks)))


def test_long_pieces_with_sentence_ends_are_not_packed_past_the_maximum() -> None:
    config = ChunkerConfig(100, 0)
    text = ("z" * 700 + ". ") * 50  # each sentence one "word": a token estimate of 1
    _, chunks = Chunker(config)(Document("t", [Block(text)]))
    assert all(len(c.text) <= config.max_chars for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)  # cut at sentence ends, not mid-run


def test_a_table_row_longer_than_the_maximum_is_cut() -> None:
    config = ChunkerConfig(100, 0)
    rows = [["名称", "说明"], ["长", "无空格" * 3000], ["短", "正常"]]
    _, chunks = Chunker(config)(Document("t", [Block("", kind="table", rows=rows)]))
    assert all(len(c.text) <= config.max_chars for c in chunks)
    assert chunks[-1].text.endswith("| 短 | 正常 |")


def test_a_huge_header_is_not_repeated_in_every_row_group() -> None:
    config = ChunkerConfig(100, 0)
    rows = [[f"列{i}" for i in range(200)]] + [[str(r)] * 200 for r in range(30)]
    _, chunks = Chunker(config)(Document("t", [Block("", kind="table", rows=rows)]))
    assert sum("列199" in c.text for c in chunks) == 1


def test_chunks_per_document_are_capped_and_the_cut_is_recorded() -> None:
    chunker = Chunker(ChunkerConfig(100, 0, max_chunks=5))
    text, chunks = chunker(Document("t", [Block("第一句很长的话。" * 40) for _ in range(20)]))
    assert len(chunks) == 5
    assert chunker.cut_at == chunks[-1].char_end < len(text)
    chunker(Document("t", [Block("短文。")]))
    assert chunker.cut_at is None
