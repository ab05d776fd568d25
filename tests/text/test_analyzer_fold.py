"""Folding and scanning details the analyzer's fast paths must keep exactly (values pinned from
the plain implementation: NFKC, lower, thousands regex, one _SCAN pass)."""

from __future__ import annotations

import pytest

from ebrain.text.analyzer import _RUN, _SCAN, _TOKEN, Analyzer, fold

SAMPLES = [
    "价格：1,234,567元（含税），数量 12,345；编号 1,23,456 与 0.1,234 和 1,2345",
    "ＨＴ－２０００，\u3000軟體\u0301：ΟΔΟΣ；？！",
    "，\u0301（\u0308",
    "温度25℃，版本v2.3_rc-1，the reports的資料庫",
    "iFactory平台V2.3.1升级 state_of_art naïve-bayes ٣,٤٥٦ x_y_ 中_文",
]


@pytest.fixture(scope="module")
def an() -> Analyzer:
    return Analyzer()


def test_thousands_only_whole_groups() -> None:
    assert fold("价格：1,234,567元（含税），数量 12,345；编号 1,23,456 与 0.1,234 和 1,2345") == (
        "价格:1234567元(含税),数量 12345;编号 1,23,456 与 0.1,234 和 1,2345"
    )
    assert fold("１，２３４") == "1234"
    assert fold("1,000") == "1000" and fold("a1,000,") == "a1,000,"


def test_full_width_punctuation_with_combining_marks() -> None:
    assert fold("ＨＴ－２０００，\u3000軟體\u0301：ΟΔΟΣ；？！") == "ht-2000, 软件\u0301:οδος;?!"
    assert fold("，\u0301（\u0308") == ",\u0301(\u0308"
    assert fold("温度25℃，ok") == "温度25°c,ok"


def test_terms_pinned(an: Analyzer) -> None:
    assert an.terms(SAMPLES[0]) == [
        *("1234567", "12345", "1", "23", "456", "0.1", "234", "1", "2345"),
        *("价格", "元", "含税", "数量", "编号"),
    ]
    assert an.terms(SAMPLES[3]) == [
        *("25", "c", "v2.3_rc-1", "v2", "3", "rc", "1", "2", "report"),
        *("温度", "版本", "数据", "据库", "数据库"),
    ]
    assert an.terms("the the the") == [] and an.terms("the report") == ["report"]


def test_token_and_run_patterns_split_the_scan() -> None:
    for text in SAMPLES:
        folded = fold(text)
        scan = _SCAN.findall(folded)
        assert _RUN.findall(folded) == [run for run, _ in scan if run]
        assert _TOKEN.findall(folded) == [tok for run, tok in scan if not run]


def test_repeated_tokens_give_the_same_terms(an: Analyzer) -> None:
    first = [an.terms(text) for text in SAMPLES]
    assert [an.terms(text) for text in SAMPLES] == first
