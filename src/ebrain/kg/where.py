"""A small, safe filter language over record fields (never SQL): `amount > 1000000`,
`signed >= 2023-01-01 and signed <= 2023-12-31`, `parties contains "恒达" or amount >= 50万`.

Grammar: expr := term ("or" term)*; term := cond ("and" cond)*; cond := FIELD OP VALUE, with
OP one of = != > >= < <= contains. A field holding an amount compares by its amount; values may
be numbers (1,250,000, 1.2e6, 50万, 1.5亿), ISO dates, or quoted/bare words. A missing field
never matches. Expressions are at most 500 characters and 20 conditions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ebrain.errors import InvalidInputError
from ebrain.kg.normalize import to_number

MAX_CHARS = 500
MAX_CONDITIONS = 20
_TOKEN = re.compile(
    r"\s*(?:(?P<str>\"[^\"]*\"|'[^']*')|(?P<op>>=|<=|!=|=|>|<)|(?P<word>[^\s\"'<>=!]+))"
)
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,60}")
_SCALES = {"万": 10_000, "亿": 100_000_000, "k": 1000, "m": 1_000_000}

Predicate = Callable[[dict[str, Any]], bool]


def _bad(message: str) -> InvalidInputError:
    return InvalidInputError(
        f"invalid --where: {message}",
        hint='use FIELD OP VALUE joined by and/or, e.g. "amount > 1000000 and signed >= 2023-01-01"',
    )


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip():
                raise _bad(f"unexpected {text[pos : pos + 10]!r}")
            break
        kind = m.lastgroup or "word"
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def parse_where(text: str) -> Predicate:
    """A predicate over a record's fields, or InvalidInputError."""
    if len(text) > MAX_CHARS:
        raise _bad(f"longer than {MAX_CHARS} characters")
    tokens = _tokens(text)
    if not tokens:
        return lambda _fields: True
    ors: list[list[Predicate]] = [[]]
    i = 0
    while i < len(tokens):
        if len(tokens) - i < 3:
            raise _bad("a condition needs FIELD OP VALUE")
        (fk, field), (ok, op), (vk, value) = tokens[i : i + 3]
        if (
            fk != "word"
            or not _FIELD.fullmatch(field)
            or ok not in ("op", "word")
            or (ok == "word" and op.lower() != "contains")
        ):
            raise _bad(f"cannot read condition at {field!r}")
        ors[-1].append(_condition(field, op.lower(), value[1:-1] if vk == "str" else value))
        i += 3
        if i < len(tokens):
            joiner = tokens[i][1].lower()
            if joiner not in ("and", "or"):
                raise _bad(f"expected and/or, got {tokens[i][1]!r}")
            if joiner == "or":
                ors.append([])
            i += 1
            if i >= len(tokens):
                raise _bad(f"nothing after {joiner!r}")
    if sum(len(a) for a in ors) > MAX_CONDITIONS:
        raise _bad(f"more than {MAX_CONDITIONS} conditions")
    return lambda fields: any(all(p(fields) for p in group) for group in ors)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict) and "amount" in value:
        return _number(value["amount"])
    if isinstance(value, str):
        text = value.strip().lower().replace(",", "")
        scale = _SCALES.get(text[-1:], 1) if text else 1
        number = to_number(text[:-1] if scale != 1 else text)
        if number is None:
            try:
                return float(text) * scale
            except ValueError:
                return None
        return float(number) * scale
    return None


def _field(fields: dict[str, Any], path: str) -> Any:
    value: Any = fields
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _condition(field: str, op: str, raw: str) -> Predicate:
    target_num = _number(raw)

    def test(fields: dict[str, Any]) -> bool:
        value = _field(fields, field)
        if value is None:
            return False
        if op == "contains":
            return raw.casefold() in str(value).casefold()
        num = _number(value)
        if num is not None and target_num is not None:
            return _compare(num, op, target_num)
        if isinstance(value, bool):
            return _compare(str(value).lower(), op, raw.lower())
        return _compare(
            str(value if not isinstance(value, dict) else value.get("start", value)), op, raw
        )

    return test


def _compare(a: Any, op: str, b: Any) -> bool:
    if op == "=":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if op == ">":
        return bool(a > b)
    if op == ">=":
        return bool(a >= b)
    if op == "<":
        return bool(a < b)
    return bool(a <= b)
