"""Normalization of amounts and dates: 万/亿/千元/USD, Chinese numerals, relative days, quarters."""

from __future__ import annotations

from datetime import date

import pytest

from ebrain.kg.normalize import cn_number, find_dates, find_money, parse_date, parse_money


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("1,250万元", 12_500_000, "CNY"),
        ("合同金额：1,250万元（含税）", 12_500_000, "CNY"),
        ("一千二百五十万元", 12_500_000, "CNY"),
        ("人民币伍拾玖万捌仟元整", 598_000, "CNY"),
        ("总价 1.5亿元", 150_000_000, "CNY"),
        ("3,000千元", 3_000_000, "CNY"),
        ("¥598,000 (含13%增值税)", 598_000, "CNY"),
        ("￥296,000", 296_000, "CNY"),
        ("RMB 2.5 million", 2_500_000, "CNY"),
        ("USD 98,500 (CIF Laem Chabang)", 98_500, "USD"),
        ("US$1,200,000", 1_200_000, "USD"),
        ("$1.2 million", 1_200_000, "USD"),
        ("a fee of 250 thousand US dollars", 250_000, "USD"),
        ("EUR 12,000", 12_000, "EUR"),
        ("50万美元", 500_000, "USD"),
        ("人民币 80 万元", 800_000, "CNY"),
    ],
)
def test_money(text: str, amount: int, currency: str) -> None:
    money = parse_money(text)
    assert money is not None
    assert money.to_dict() == {"amount": amount, "currency": currency}


def test_money_needs_a_currency_and_keeps_offsets() -> None:
    assert parse_money("采购 12 台，共 3 批") is None
    text = "首付30%，即人民币179,400元，余款"
    (span,) = find_money(text)
    assert text[span.start : span.end] == "人民币179,400元"
    assert parse_money("0.5万元").to_dict() == {"amount": 5000, "currency": "CNY"}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一千二百五十万", 12_500_000),
        ("二〇二三", 2023),
        ("十五", 15),
        ("二十", 20),
        ("壹拾贰万", 120_000),
        ("三亿五千万", 350_000_000),
        ("一万零五", 10_005),
        ("两千", 2000),
        ("abc", None),
        ("", None),
    ],
)
def test_chinese_numerals(text: str, value: int | None) -> None:
    assert cn_number(text) == value


REF = date(2024, 1, 8)  # a Monday


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2023-05-01", "2023-05-01", "2023-05-01", "2023-05-01"),
        ("2023/5/1", "2023-05-01", "2023-05-01", "2023-05-01"),
        ("May 1, 2023", "2023-05-01", "2023-05-01", "2023-05-01"),
        ("1st May 2023", "2023-05-01", "2023-05-01", "2023-05-01"),
        ("二〇二三年五月一日", "2023-05-01", "2023-05-01", "2023-05-01"),
        ("2023年5月1日", "2023-05-01", "2023-05-01", "2023-05-01"),
        ("2023 年 12 月 28 日", "2023-12-28", "2023-12-28", "2023-12-28"),
        ("2024年3月", "2024-03", "2024-03-01", "2024-03-31"),
        ("February 2024", "2024-02", "2024-02-01", "2024-02-29"),
        ("2023年Q3", "2023-Q3", "2023-07-01", "2023-09-30"),
        ("2023年第三季度", "2023-Q3", "2023-07-01", "2023-09-30"),
        ("Q4 2023", "2023-Q4", "2023-10-01", "2023-12-31"),
        ("2024-Q1", "2024-Q1", "2024-01-01", "2024-03-31"),
        ("FY2023 Q1", "2023-Q1", "2023-01-01", "2023-03-31"),
        ("2024年上半年", "2024-H1", "2024-01-01", "2024-06-30"),
        ("2024-H2", "2024-H2", "2024-07-01", "2024-12-31"),
        ("2023年度", "2023", "2023-01-01", "2023-12-31"),
        ("上周五", "2024-01-05", "2024-01-05", "2024-01-05"),
        ("last Friday", "2024-01-05", "2024-01-05", "2024-01-05"),
        ("下周一", "2024-01-15", "2024-01-15", "2024-01-15"),
        ("next Monday", "2024-01-15", "2024-01-15", "2024-01-15"),
        ("本周三", "2024-01-10", "2024-01-10", "2024-01-10"),
        ("昨天", "2024-01-07", "2024-01-07", "2024-01-07"),
        ("tomorrow", "2024-01-09", "2024-01-09", "2024-01-09"),
        ("上个月", "2023-12", "2023-12-01", "2023-12-31"),
        ("去年", "2023", "2023-01-01", "2023-12-31"),
        ("3 月 27 日前提交", "2024-03-27", "2024-03-27", "2024-03-27"),
        ("arrived 24 June, cleared", "2024-06-24", "2024-06-24", "2024-06-24"),
        ("due May 24.", "2024-05-24", "2024-05-24", "2024-05-24"),
    ],
)
def test_dates(text: str, label: str, start: str, end: str) -> None:
    period = parse_date(text, REF)
    assert period is not None
    assert (period.label, period.start, period.end) == (label, start, end)


def test_fiscal_year_starting_in_april() -> None:
    period = parse_date("FY2023 Q1", fy_start=4)
    assert period is not None
    assert (period.start, period.end, period.label) == ("2022-04-01", "2022-06-30", "FY2023-Q1")


def test_relative_dates_need_the_document_date_and_invalid_days_are_dropped() -> None:
    assert parse_date("上周五") is None
    assert parse_date("2023-02-30") is None
    assert parse_date("2023年13月") is None


def test_last_weekday_on_a_saturday() -> None:
    saturday = date(2024, 1, 13)
    assert parse_date("last Friday", saturday).start == "2024-01-12"  # type: ignore[union-attr]
    assert parse_date("上周五", saturday).start == "2024-01-05"  # type: ignore[union-attr]


def test_ranges_give_both_ends_with_offsets() -> None:
    text = "有效期：2023年5月1日至2023年8月31日"
    spans = find_dates(text)
    assert [s.value.label for s in spans] == ["2023-05-01", "2023-08-31"]  # type: ignore[attr-defined]
    assert text[spans[1].start : spans[1].end] == "2023年8月31日"


def test_hostile_input_is_bounded() -> None:
    spans = find_money("9" * 10_000 + "元")
    assert all(s.value.amount < 10**16 for s in spans)  # type: ignore[attr-defined]
    assert find_dates("年" * 50_000 + "2023" * 1000) == []
