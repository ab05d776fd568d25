"""The safe --where filter over record fields."""

from __future__ import annotations

import pytest

from ebrain.errors import InvalidInputError
from ebrain.kg.where import parse_where

REC = {
    "number": "HT2023-015",
    "amount": {"amount": 598000, "currency": "CNY"},
    "signed": "2023-06-18",
    "parties": ["江苏恒达汽车零部件有限公司", "华川智能装备有限公司"],
    "resolved": False,
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("", True),
        ("amount > 500000", True),
        ("amount > 1000000", False),
        ("amount >= 59.8万", True),
        ("amount < 0.1亿", True),
        ("signed >= 2023-01-01 and signed <= 2023-12-31", True),
        ("signed >= 2024-01-01 or number = HT2023-015", True),
        ('parties contains "恒达"', True),
        ("parties contains 金盛", False),
        ("resolved = false", True),
        ("missing = 1", False),
        ("amount.currency = CNY", True),
    ],
)
def test_where(expr: str, expected: bool) -> None:
    assert parse_where(expr)(REC) is expected


@pytest.mark.parametrize(
    "expr",
    [
        "amount >",
        "amount > 1 and",
        "amount > 1; DROP TABLE kg_record",
        "1 = 1 or",
        "amount ~ 3",
        "x" * 600,
        " and ".join(["amount > 1"] * 21),
    ],
)
def test_bad_where_is_a_clear_error(expr: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_where(expr)
