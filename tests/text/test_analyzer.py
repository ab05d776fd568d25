"""The search analyzer: Chinese segmentation, codes, folding, stemming, stop words, symmetry."""

from __future__ import annotations

import sqlite3

import pytest

from ebrain.text.analyzer import FTS5_TOKENIZE, Analyzer, fold


@pytest.fixture(scope="module")
def an() -> Analyzer:
    return Analyzer()


def test_user_dictionary_changes_segmentation(an: Analyzer) -> None:
    assert "数据中台" not in an.terms("数据中台建设方案")
    custom = Analyzer(user_words=["数据中台"])
    terms = custom.terms("数据中台建设方案")
    assert "数据中台" in terms
    assert "中台" in terms  # search mode also indexes the parts


def test_user_words_do_not_leak_between_analyzers() -> None:
    with_word = Analyzer(user_words=["星河智造"])
    without = Analyzer()
    assert "星河智造" in with_word.terms("星河智造项目")
    assert "星河智造" not in without.terms("星河智造项目")
    assert with_word.tokenizer is not without.tokenizer


def test_document_codes_kept_whole_and_split(an: Analyzer) -> None:
    terms = an.terms("合同编号 HT2023-015 的验收")
    assert {"ht2023-015", "ht2023", "015", "合同", "编号"} <= set(terms)
    assert {"ht-2000", "ht", "2000"} <= set(an.terms("型号HT-2000"))
    assert {"v2.3.1", "v2", "3", "1"} <= set(an.terms("版本V2.3.1"))
    assert {"iso9001", "iso", "9001"} <= set(an.terms("通过ISO9001认证"))
    assert "-" not in terms


def test_decimals_and_thousands_stay_whole(an: Analyzer) -> None:
    terms = an.terms("增长3.5亿元，合计1,000,000元")
    assert "3.5" in terms
    assert "1000000" in terms


def test_traditional_folds_to_simplified(an: Analyzer) -> None:
    assert "数据库" in an.terms("資料庫")
    assert set(an.query_terms("資料庫")) & set(an.terms("建设数据库"))
    assert fold("軟體") == "软件"


def test_full_width_folding(an: Analyzer) -> None:
    assert an.terms("ＨＴ－２０００") == an.terms("HT-2000")
    assert "2024" in an.terms("２０２４年")


def test_mixed_chinese_english(an: Analyzer) -> None:
    terms = an.terms("iFactory平台V2.3.1升级")
    assert {"平台", "v2.3.1", "升级"} <= set(terms)
    assert any(t.startswith("ifactor") for t in terms)
    custom = Analyzer(user_words=["iFactory平台", "iFactory"])
    assert {"ifactory平台", "ifactory", "平台"} <= set(custom.terms("iFactory平台V2.3.1升级"))


def test_stop_words_removed(an: Analyzer) -> None:
    assert an.terms("the report of the year") == ["report", "year"]
    assert "的" not in an.terms("公司的年度报告")
    assert "的" in Analyzer(stopwords=False).terms("公司的年度报告")


def test_english_stemming(an: Analyzer) -> None:
    assert an.terms("reports") == an.terms("report")
    assert an.terms("running") == an.terms("run")
    assert an.terms("Quarterly REPORTS") == an.terms("quarterly report")


def test_query_and_index_terms_are_symmetric(an: Analyzer) -> None:
    text = "客户反馈HT-2000设备在运行时报告故障, reports were filed"
    assert an.query_terms(text) == list(dict.fromkeys(an.terms(text)))
    assert len(an.query_terms("报告 报告 报告")) == 1


def test_terms_survive_fts5_tokenizer(an: Analyzer) -> None:
    text = (
        "合同编号HT2023-015，iFactory平台V2.3.1升级；naïve-bayes state_of_art ＩＳＯ９００１ 3.5%"
    )
    terms = an.terms(text)
    db = sqlite3.connect(":memory:")
    db.execute(f'CREATE VIRTUAL TABLE t USING fts5(body, tokenize="{FTS5_TOKENIZE}")')
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    db.execute("INSERT INTO t(body) VALUES (?)", (" ".join(terms),))
    assert {row[0] for row in db.execute("SELECT term FROM v")} == set(terms)
    hits = db.execute("SELECT count(*) FROM t WHERE t MATCH ?", ('"ht2023-015"',)).fetchone()
    assert hits == (1,)


def test_empty_and_symbol_only_text(an: Analyzer) -> None:
    assert an.terms("") == []
    assert an.terms("，。！？ --- ...") == []


def test_jieba_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    Analyzer(user_words=["某某新词"]).terms("某某新词")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_segmentation_matches_jieba_search_mode(an: Analyzer) -> None:
    text = "我们在深圳福田区召开了第三季度销售会议，华东区客户投诉温控器故障率上升"
    terms = an.terms(text)
    assert {"第三季度", "第三季", "季度", "华东区", "华东", "温控器", "故障率"} <= set(terms)
    assert "的" not in terms and "，" not in terms


def test_term_set_is_the_set_of_terms_and_is_kept() -> None:
    from ebrain.text.analyzer import Analyzer

    analyzer = Analyzer()
    text = "华川科技与神州数码签订HT2024-007合同, covering 3 pumps."
    assert analyzer.term_set(text) == frozenset(analyzer.terms(text))
    assert analyzer.term_set(text) is analyzer.term_set(text)  # memoized
