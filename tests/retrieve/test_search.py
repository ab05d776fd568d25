"""Brain.search end to end: analysis, lexical before vectors, rebuild, model switch, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.cli.main import build
from ebrain.errors import IndexMismatchError, InvalidInputError
from ebrain.retrieve.fusion import FEATURES
from tests.fakes.embedder import register
from tests.retrieve.brains import build_brain

OWNER = Principal.owner()


@pytest.fixture
def brain(tmp_path: Path) -> Brain:
    b = build_brain(tmp_path)
    yield b  # type: ignore[misc]
    b.close()


def _titles(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.title for h in hits]


def test_lexical_search_works_before_any_vector(tmp_path: Path) -> None:
    register()
    ws = tmp_path / "ws"
    Brain.init(ws).close()
    (ws / "config.yaml").write_text(
        "embed:\n  model: fakehash\ningest:\n  embed: false\n", encoding="utf-8"
    )
    doc = tmp_path / "a.md"
    doc.write_text("# 验收报告\n\n设备连续运行 72 小时无故障，验收合格。", encoding="utf-8")
    with Brain.open(ws) as b:
        b.ingest([doc], jobs=1)
        result = b.search_ex("验收合格", principal=OWNER)
        assert _titles(result.hits) == ["验收报告"]
        assert result.vectors == 0 and result.notes  # says vectors are missing
        assert b.embed_pending() == 1
        again = b.search_ex("验收合格", explain=True, principal=OWNER)
        assert again.vectors == 1 and not again.notes
        assert again.hits[0].explain["dense_rank"] == 1  # type: ignore[index]


def test_traditional_query_finds_simplified_text(brain: Brain) -> None:
    assert (
        _titles(brain.search("採購合同", mode="bm25", principal=OWNER))[0] == "采购合同 HT2023-015"
    )


def test_full_width_code_query(brain: Brain) -> None:
    assert (
        _titles(brain.search("ＨＴ２０２３－０１５", mode="bm25", principal=OWNER))[0]
        == "采购合同 HT2023-015"
    )


def test_user_dictionary_and_rebuild(brain: Brain, tmp_path: Path) -> None:
    from ebrain.text.userdict import add_words

    before = [
        (h.chunk_id, round(h.score, 4))
        for h in brain.search("HT-2000 风扇", mode="hybrid", principal=OWNER)
    ]
    data = brain.rebuild_index(embed=True)
    assert data["chunks"] == 4 and data["embedded"] == 4
    after = [
        (h.chunk_id, round(h.score, 4))
        for h in brain.search("HT-2000 风扇", mode="hybrid", principal=OWNER)
    ]
    assert after == before  # rebuild equivalence
    add_words(brain.workspace.path, ["奖金方案"])
    brain.rebuild_index(embed=False)
    assert "奖金方案" in brain.analyzer.query_terms("奖金方案")
    assert _titles(brain.search("奖金方案", mode="bm25", principal=OWNER)) == ["薪酬调整"]


def test_switching_embedder_needs_rebuild(brain: Brain) -> None:
    ws = brain.workspace.path
    (ws / "config.yaml").write_text("embed:\n  model: fakehash:32\n", encoding="utf-8")
    with Brain.open(ws) as other:
        with pytest.raises(IndexMismatchError, match="fakehash:64") as err:
            other.search("HT-2000", principal=OWNER)
        assert "ebrain index rebuild" in err.value.hint
        other.rebuild_index()
        assert other.search("HT-2000", principal=OWNER)


def test_acl_in_hybrid_search_at_k1(brain: Brain) -> None:
    assert _titles(brain.search("薪酬调整 奖金方案", k=1, principal=OWNER)) == ["薪酬调整"]
    hits = brain.search("薪酬调整 奖金方案", k=1, principal=Principal.user("u", ["sales"]))
    assert len(hits) == 1 and hits[0].title != "薪酬调整"


def test_bad_arguments_are_clear(brain: Brain) -> None:
    with pytest.raises(InvalidInputError):
        brain.search("  ", principal=OWNER)
    with pytest.raises(InvalidInputError, match="invalid date") as err:
        brain.search("x", since="last week", principal=OWNER)
    assert "YYYY-MM-DD" in err.value.hint
    with pytest.raises(InvalidInputError, match="mode"):
        brain.search("x", mode="fuzzy", principal=OWNER)  # type: ignore[arg-type]


def test_snippet_highlights_query_terms(brain: Brain) -> None:
    hit = brain.search("风扇", mode="bm25", principal=OWNER)[0]
    assert any(hit.snippet[a:b] == "风扇" for a, b in hit.highlights)


def test_cli_search_json_and_explain(brain: Brain) -> None:
    runner = CliRunner()
    ws = str(brain.workspace.path)
    out = runner.invoke(
        build(), ["-w", ws, "search", "HT2023-015", "--json", "--explain", "-k", "2"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["hits"][0]["title"] == "采购合同 HT2023-015"
    assert set(data["hits"][0]["explain"]) == {"bm25", "bm25_rank", "dense", "dense_rank", "fused"}
    assert tuple(data["evidence"]) == FEATURES and 0.0 <= data["bm25_weight"] <= 1.0
    text = runner.invoke(build(), ["-w", ws, "search", "HT2023-015", "--explain", "-k", "2"])
    assert text.exit_code == 0, text.output
    assert "lex_cover" in text.stdout and "rank_corr" in text.stdout
    assert f"bm25 weight {data['bm25_weight']:.2f}" in text.stdout
    bad = runner.invoke(build(), ["-w", ws, "search", "x", "--since", "yesterday", "--json"])
    assert bad.exit_code == 1 and json.loads(bad.stdout)["error"]["code"] == "invalid_input"


def test_near_duplicate_chunks_are_dropped(tmp_path: Path) -> None:
    register()
    ws = tmp_path / "ws"
    Brain.init(ws).close()
    (ws / "config.yaml").write_text("embed:\n  model: fakehash\n", encoding="utf-8")
    body = (
        "D4 根本原因：供应商风驰在 2309 批次中把风扇 FC-6025 的润滑脂换成了低温型号，未通知我方。"
        "高温工况下润滑脂变稀流失，轴承卡滞，转速从 3200 rpm 降到 1150 rpm，机内温度升高触发 E-21 报警。"
        "D5 纠正措施：全部更换为 FC-6025B 新风扇，固件升级到 V1.8.4，增加风扇转速监测 E-22。"
        "D7 预防：供应商变更必须提前书面通知，纳入供应商质量协议考核条款。"
    )
    (tmp_path / "a.md").write_text(f"# 8D 报告\n\n{body}", encoding="utf-8")
    (tmp_path / "b.md").write_text(f"# 8D 报告（副本）\n\n{body}  ", encoding="utf-8")
    (tmp_path / "c.md").write_text(
        "# 其他\n\n风扇维护保养说明，每半年清洁一次滤网。", encoding="utf-8"
    )
    with Brain.open(ws) as b:
        b.ingest([tmp_path / "a.md", tmp_path / "b.md", tmp_path / "c.md"], jobs=1)
        hits = b.search("润滑脂 轴承卡滞 风扇", k=3, principal=OWNER)
    assert len([h for h in hits if "润滑脂" in h.text]) == 1


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"since": "2024-13-45"}, ["2024-13-45", "YYYY-MM-DD"]),
        ({"until": "2024-02-30"}, ["2024-02-30"]),
        ({"since": "20240301"}, ["20240301"]),
        ({"k": -1}, ["-1", "1 to 1000"]),
        ({"k": 0}, ["1 to 1000"]),
        ({"k": 1001}, ["1 to 1000"]),
        ({"kb": "nope"}, ["'nope'", "legal, main"]),
        ({"kb": ["main", "nope"]}, ["'nope'", "legal, main"]),
        ({"doc_type": "memo-x"}, ["'memo-x'", "contract"]),
    ],
)
def test_search_arguments_are_checked(brain: Brain, options: dict, words: list[str]) -> None:  # type: ignore[type-arg]
    k = options.pop("k", 5)
    with pytest.raises(InvalidInputError) as err:
        brain.search_ex("HT-2000", k, principal=OWNER, **options)
    text = f"{err.value.message} {err.value.hint}"
    assert all(w in text for w in words), text


def test_valid_search_arguments_pass(brain: Brain) -> None:
    hits = brain.search(
        "HT-2000", k=1000, kb=["main"], doc_type="contract", since="2023-01-01", principal=OWNER
    )
    assert hits == []  # no contract in main
    assert brain.search("HT2023-015", k=1, kb="legal", until="2024-02-29", principal=OWNER)


def test_lexical_stats_give_document_frequencies_and_hit_terms(brain: Brain) -> None:
    from ebrain.index.base import Filters

    terms = brain.analyzer.query_terms("风扇 xyzzy")
    hits = brain.index.lexical(terms, 10, Filters(OWNER))
    stats = brain.index.lexical_stats(terms, [h.chunk_id for h in hits])
    assert set(stats.df) == set(terms) and stats.chunks >= 4
    missing = [t for t in terms if stats.df[t] == 0]  # the made-up word, however analyzed
    assert missing and stats.df["风扇"] >= 1
    assert all("风扇" in stats.hit_terms[h.chunk_id] for h in hits)
    assert not any(set(missing) & found for found in stats.hit_terms.values())
