"""Normalization of money amounts and dates for the knowledge graph, Chinese and English.

`find_money(text)` finds amounts with their currency ("1,250万元" -> 12,500,000 CNY,
"人民币伍拾玖万捌仟元整", "USD 98,500", "$1.2 million", "3,000千元"); `parse_money` reads one.
`find_dates(text, ref)` finds calendar days, months, quarters, halves and years ("2023-05-01",
"May 1, 2023", "二〇二三年五月一日", "2023年Q3", "2023年第三季度", "FY2023 Q1", "2024-H1"),
and relative days ("上周五", "last Friday", "昨天") resolved against `ref`, the document's date.
Every value is a `Period` [start, end] of ISO days, with a label ("2023-Q3", "2023-05-01").
Inputs are bounded: patterns are linear and numbers are capped in length.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

# --- Chinese numerals -------------------------------------------------------------------
_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2,
    "兩": 2, "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6,
    "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
CN_NUM_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)
_MAX_NUMBER_CHARS = 40


def cn_number(text: str) -> int | None:
    """An integer written in Chinese numerals ("一千二百五十万" -> 12500000, "二〇二三" -> 2023,
    "十五" -> 15, "壹拾贰万" -> 120000), or None when it is not one."""
    if not text or len(text) > _MAX_NUMBER_CHARS or any(c not in CN_NUM_CHARS for c in text):
        return None
    if all(c in _DIGITS for c in text):  # digit by digit: 二〇二三
        return int("".join(str(_DIGITS[c]) for c in text))
    total, section, digit = 0, 0, None
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[c]
            digit = None
        else:
            unit = _BIG_UNITS[c]
            section += digit or 0
            total = (total + section) * unit if unit > 10_000 else total + section * unit
            section, digit = 0, None
    return total + section + (digit or 0)


def to_number(text: str) -> Decimal | None:
    """A number written with Arabic digits (thousands separators allowed) or Chinese numerals."""
    text = text.strip().replace(",", "").replace("，", "").replace(" ", "")
    if not text or len(text) > _MAX_NUMBER_CHARS:
        return None
    if text[0].isdigit():
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    value = cn_number(text)
    return None if value is None else Decimal(value)


# --- money ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Money:
    """An amount in a currency (ISO 4217 code)."""

    amount: Decimal
    currency: str

    @property
    def value(self) -> float:
        """The amount as a float (for JSON and comparisons)."""
        return float(self.amount)

    def to_dict(self) -> dict[str, object]:
        """{"amount": 12500000, "currency": "CNY"} (an int when whole)."""
        whole = self.amount == self.amount.to_integral_value()
        return {
            "amount": int(self.amount) if whole else float(self.amount),
            "currency": self.currency,
        }

    @property
    def key(self) -> str:
        """A stable key: "CNY:12500000"."""
        return f"{self.currency}:{self.to_dict()['amount']}"


@dataclass(frozen=True)
class Span:
    """Something found in a text at [start, end)."""

    start: int
    end: int
    text: str
    value: object


_CURRENCY_PREFIX = {
    "¥": "CNY", "￥": "CNY", "rmb": "CNY", "cny": "CNY", "人民币": "CNY", "usd": "USD",
    "us$": "USD", "$": "USD", "美元": "USD", "eur": "EUR", "€": "EUR", "欧元": "EUR",
    "gbp": "GBP", "£": "GBP", "jpy": "JPY", "hkd": "HKD", "hk$": "HKD", "thb": "THB",
}  # fmt: skip
_CURRENCY_SUFFIX = {
    "元": "CNY", "块": "CNY", "人民币": "CNY", "rmb": "CNY", "cny": "CNY", "美元": "USD",
    "美金": "USD", "usd": "USD", "dollars": "USD", "us dollars": "USD", "欧元": "EUR",
    "eur": "EUR", "euros": "EUR", "港元": "HKD", "港币": "HKD", "日元": "JPY", "英镑": "GBP",
    "泰铢": "THB", "thb": "THB",
}  # fmt: skip
_SCALE = {
    "万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000, "千": 1000,
    "百万": 1_000_000, "千万": 10_000_000, "k": 1000, "thousand": 1000, "m": 1_000_000,
    "mn": 1_000_000, "million": 1_000_000, "b": 1_000_000_000, "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}  # fmt: skip

_NUM = r"\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d{1,15}(?:\.\d+)?"
_CN = f"[{CN_NUM_CHARS}]{{1,{_MAX_NUMBER_CHARS}}}"
_PREFIX = r"(?P<pre>US\$|HK\$|RMB|CNY|USD|EUR|GBP|JPY|HKD|THB|人民币|美元|欧元|[¥￥$€£])"
_SCALE_RE = (
    r"(?P<scale>百万|千万|万|萬|亿|億|千|(?:\s?(?:thousand|million|billion|mn|bn|[kKmMbB])\b))"
)
_SUFFIX = r"(?P<suf>元整?|块|人民币|美元|美金|欧元|港元|港币|日元|英镑|泰铢|\s?(?:RMB|CNY|USD|EUR|THB|US dollars|dollars|euros)\b)"
_MONEY = re.compile(
    rf"(?:{_PREFIX}\s?(?:[(（]?(?:大写|小写)[:：)）]?\s?)?)?"
    rf"(?P<num>{_NUM}|{_CN})\s?{_SCALE_RE}?\s?{_SUFFIX}?",
    re.IGNORECASE,
)


_ASCII_LOWER = {c: c + 32 for c in range(65, 91)}  # length-preserving lower case
_MONEY_HINTS = ("元", "¥", "￥", "$", "€", "£", "块", "rmb", "cny", "usd", "eur", "gbp", "jpy",
                "hkd", "thb", "dollar", "euro", "人民币", "美金")  # fmt: skip
_DATE_HINTS = (
    "年", "月", "q1", "q2", "q3", "q4", "fy", "jan", "feb", "mar", "apr", "may", "jun", "jul",
    "aug", "sep", "oct", "nov", "dec", "昨", "今天", "今日", "明天", "明日", "前天", "后天", "周",
    "星期", "礼拜", "yesterday", "today", "tomorrow", "week", "month", "year", "mon", "tue", "wed",
    "thu", "fri", "sat", "sun", "h1", "h2",
)  # fmt: skip
_YEAR = re.compile(r"\d{4}")


def _windows(
    text: str, hints: tuple[str, ...], pattern: re.Pattern[str] | None = None, reach: int = 48
) -> list[tuple[int, str]]:
    """(offset, piece) of the text around each hint (plain substring search, or a match of
    `pattern`), within its line, widened to word edges and merged: the full patterns only run
    there."""
    low = _lower(text)
    hits: list[int] = []
    for hint in hints:
        at = low.find(hint)
        while at != -1:
            hits.append(at)
            at = low.find(hint, at + len(hint))
    if pattern is not None:
        hits += [m.start() for m in pattern.finditer(text)]
    spans: list[list[int]] = []
    for at in sorted(hits):
        a, b = _widen(text, at - reach, at + reach)
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    return [(a, text[a:b]) for a, b in spans]


def _lower(text: str) -> str:
    """Lower case with the same length (str.lower is several times faster than a translate
    table; the table only where lowering would change the length, e.g. "İ")."""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)


def _widen(text: str, a: int, b: int) -> tuple[int, int]:
    """[a, b) clipped to the text and widened to word edges (at most 30 characters each way)."""
    a, b = max(0, a), min(len(text), b)
    for _ in range(30):
        if a <= 0 or not text[a - 1].isalnum():
            break
        a -= 1
    for _ in range(30):
        if b >= len(text) or not text[b].isalnum():
            break
        b += 1
    return a, b


def find_money(text: str) -> list[Span]:
    """Every amount with a currency in `text` (a bare number is not money), line by line."""
    found: list[Span] = []
    for base, line in _windows(text, _MONEY_HINTS, None, 64):
        found += [Span(s.start + base, s.end + base, s.text, s.value) for s in _find_money(line)]
    return found


def _find_money(text: str) -> list[Span]:
    found: list[Span] = []
    for m in _MONEY.finditer(text):
        money = _money_of(m)
        if money is not None:
            start = m.start("pre") if m.group("pre") else m.start("num")
            end = start + len(text[start : m.end()].rstrip())
            found.append(Span(start, end, text[start:end], money))
    return found


def _money_of(m: re.Match[str]) -> Money | None:
    pre, suf, scale = m.group("pre"), m.group("suf"), m.group("scale")
    if not pre and not suf:
        return None
    number = to_number(m.group("num"))
    if number is None:
        return None
    currency = (
        _CURRENCY_PREFIX[pre.lower()] if pre else _CURRENCY_SUFFIX[suf.strip().lower().rstrip("整")]
    )
    if pre and suf:
        currency = _CURRENCY_SUFFIX.get(suf.strip().lower().rstrip("整"), currency)
        if pre.lower() not in ("$", "¥", "￥") and suf.strip().lower() in ("元", "元整", "块"):
            currency = _CURRENCY_PREFIX[pre.lower()]
    if scale:
        number *= _SCALE[scale.strip().lower() if len(scale.strip()) > 1 else _scale_key(scale)]
    return Money(number.normalize() if number == number.to_integral_value() else number, currency)


def _scale_key(scale: str) -> str:
    s = scale.strip()
    return s if s in _SCALE else s.lower()


def parse_money(text: str) -> Money | None:
    """The first amount with a currency in `text`, or None."""
    found = find_money(unicodedata.normalize("NFKC", text) if "＄" in text else text)
    return found[0].value if found else None  # type: ignore[return-value]


# --- dates and periods --------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """A day, month, quarter, half, or year: [start, end] as ISO days, with a label."""

    kind: str  # day, month, quarter, half, year
    start: str
    end: str
    label: str

    def to_dict(self) -> dict[str, str]:
        """{"kind": "quarter", "start": "2023-07-01", "end": "2023-09-30", "label": "2023-Q3"}."""
        return {"kind": self.kind, "start": self.start, "end": self.end, "label": self.label}


def day(y: int, m: int, d: int) -> Period | None:
    """One calendar day, or None when it does not exist."""
    try:
        value = date(y, m, d)
    except ValueError:
        return None
    return Period("day", value.isoformat(), value.isoformat(), value.isoformat())


def month(y: int, m: int) -> Period | None:
    """One calendar month."""
    if not 1 <= m <= 12 or not 1 <= y <= 9999:
        return None
    last = (
        (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1))
        if y < 9999 or m < 12
        else date(9999, 12, 31)
    )
    return Period("month", date(y, m, 1).isoformat(), last.isoformat(), f"{y:04d}-{m:02d}")


def quarter(y: int, q: int, fy_start: int = 1) -> Period | None:
    """Quarter q of (fiscal) year y; a fiscal year starting in month `fy_start` > 1 is named
    after the calendar year it ends in (FY2023 starting in April = 2022-04-01 .. 2023-03-31)."""
    if not 1 <= q <= 4 or not 1 <= fy_start <= 12 or not 2 <= y <= 9998:
        return None
    first = _add_months(date(y - (fy_start > 1), fy_start, 1), 3 * (q - 1))
    last = _add_months(first, 3) - timedelta(days=1)
    label = f"{y:04d}-Q{q}" if fy_start == 1 else f"FY{y:04d}-Q{q}"
    return Period("quarter", first.isoformat(), last.isoformat(), label)


def half(y: int, h: int) -> Period | None:
    """First or second half of year y."""
    if h not in (1, 2) or not 1 <= y <= 9999:
        return None
    start, end = (date(y, 1, 1), date(y, 6, 30)) if h == 1 else (date(y, 7, 1), date(y, 12, 31))
    return Period("half", start.isoformat(), end.isoformat(), f"{y:04d}-H{h}")


def year(y: int) -> Period | None:
    """One calendar year."""
    if not 1 <= y <= 9999:
        return None
    return Period("year", f"{y:04d}-01-01", f"{y:04d}-12-31", f"{y:04d}")


def _add_months(d: date, n: int) -> date:
    k = d.month - 1 + n
    return date(d.year + k // 12, k % 12 + 1, 1)


_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}  # fmt: skip
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
}  # fmt: skip
_QN = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_Y = r"(?P<y>\d{4}|[〇○零一二三四五六七八九]{4})"
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WD = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("fyq", re.compile(r"\bFY\s?'?(?P<y>\d{4}|\d{2})\s?[-/ ]?\s?Q(?P<q>[1-4])\b", re.I)),
    ("qfy", re.compile(r"\bQ(?P<q>[1-4])\s?[-/ ]?\s?FY\s?'?(?P<y>\d{4}|\d{2})\b", re.I)),
    ("yq", re.compile(rf"{_Y}\s?年?\s?[-/]?\s?(?:Q(?P<q>[1-4])|第(?P<qc>[一二三四1-4])季度?)", re.I)),
    ("qy", re.compile(r"\bQ(?P<q>[1-4])\s?[-/ ]?\s?(?P<y>\d{4})\b", re.I)),
    ("yh", re.compile(rf"{_Y}\s?年?\s?[-/]?\s?(?:H(?P<h>[12])\b|(?P<hc>上|下)半年)", re.I)),
    ("ymd", re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")),
    ("cymd", re.compile(rf"{_Y}\s?年\s?(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s?月\s?(?P<d>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s?[日号]")),
    ("cym", re.compile(rf"{_Y}\s?年\s?(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s?月(?!\s?(?:\d|[一二三四五六七八九十]{{1,3}}\s?[日号]))")),
    ("mdy", re.compile(rf"\b(?P<mon>{_MON})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I)),
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+day)?\s+(?:of\s+)?(?P<mon>{_MON})\.?,?\s+(?P<y>\d{{4}})\b", re.I)),
    ("my", re.compile(rf"\b(?P<mon>{_MON})\.?,?\s+(?P<y>\d{{4}})\b", re.I)),
    ("ym", re.compile(r"(?<![\d-])(?P<y>(?:19|20)\d{2})-(?P<m>0[1-9]|1[0-2])(?![\d-])")),
    ("cy", re.compile(rf"{_Y}\s?年(?:度)?(?!\s?(?:\d|[一二三四五六七八九十]|Q|第|上|下|H))")),
    ("nomd_zh", re.compile(r"(?<![\d年.\-/])(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?[日号]")),
    ("nodm_en", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>{_MON})\b\.?(?!,?\s+\d)", re.I)),
    ("nomd_en", re.compile(rf"\b(?P<mon>{_MON})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s+\d)(?!:)", re.I)),
    ("rel_zh_week", re.compile(r"(?P<w>上上|上|本|这|下)(?:个)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天])")),
    ("rel_en_week", re.compile(rf"\b(?P<w>last|this|next)\s+(?P<wd>{_WD})\b", re.I)),
    ("rel_zh_day", re.compile(r"(?P<r>大前天|前天|昨天|昨日|今天|今日|明天|明日|后天)")),
    ("rel_en_day", re.compile(r"\b(?P<r>yesterday|today|tomorrow)\b", re.I)),
    ("rel_zh_month", re.compile(r"(?P<r>上个月|上月|本月|这个月|下个月|下月)")),
    ("rel_zh_year", re.compile(r"(?P<r>去年|今年|明年|前年)(?!\s?\d)")),
    ("rel_en_month", re.compile(r"\b(?P<r>last|this|next)\s+month\b", re.I)),
    ("rel_en_year", re.compile(r"\b(?P<r>last|this|next)\s+year\b", re.I)),
]  # fmt: skip
_REL_DAY = {
    "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1, "明日": 1,
    "后天": 2, "yesterday": -1, "today": 0, "tomorrow": 1,
}  # fmt: skip
_REL_MONTH = {"上个月": -1, "上月": -1, "本月": 0, "这个月": 0, "下个月": 1, "下月": 1,
              "last": -1, "this": 0, "next": 1}  # fmt: skip
_REL_YEAR = {"去年": -1, "今年": 0, "明年": 1, "前年": -2, "last": -1, "this": 0, "next": 1}


def find_dates(text: str, ref: date | None = None, fy_start: int = 1) -> list[Span]:
    """Every date or period in `text`, longest first where they overlap; relative ones only
    when `ref` (the document's date) is known. `fy_start`: first month of the fiscal year.
    Dates are read line by line (lines with a digit, a numeral or a relative word)."""
    found: list[Span] = []
    for base, line in _windows(text, _DATE_HINTS, _YEAR):
        found += [
            Span(s.start + base, s.end + base, s.text, s.value)
            for s in _find_dates(line, ref, fy_start)
        ]
    return found


_EN = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# (every month name of _MONTHS starts with one of these: the English patterns need one)
# A pattern runs on a window only if one of its needles occurs there (lower-cased window).
_NEEDLES: dict[str, tuple[str, ...]] = {
    "fyq": ("fy",), "qfy": ("fy",), "yq": ("q", "季"), "qy": ("q",), "yh": ("h", "半年"),
    "ymd": ("-", "/", "."), "cymd": ("年",), "cym": ("年",), "mdy": _EN, "dmy": _EN, "my": _EN,
    "ym": ("-",), "cy": ("年",), "nomd_zh": ("月",), "nodm_en": _EN, "nomd_en": _EN,
    "rel_zh_week": ("周", "星期", "礼拜"), "rel_en_week": ("last", "this", "next"),
    "rel_zh_day": ("天", "日"), "rel_en_day": ("day", "tomorrow"), "rel_zh_month": ("月",),
    "rel_zh_year": ("年",), "rel_en_month": ("month",), "rel_en_year": ("year",),
}  # fmt: skip


def _find_dates(text: str, ref: date | None, fy_start: int) -> list[Span]:
    taken: list[tuple[int, int]] = []
    found: list[Span] = []
    low = _lower(text)
    for kind, pattern in _DATE_PATTERNS:
        if (ref is None and kind.startswith(("rel", "no"))) or not any(
            n in low for n in _NEEDLES[kind]
        ):
            continue
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            period = _period(kind, m, ref, fy_start)
            if period is not None:
                taken.append((m.start(), m.end()))
                found.append(Span(m.start(), m.end(), m.group(0), period))
    return sorted(found, key=lambda s: s.start)


def parse_date(text: str, ref: date | None = None, fy_start: int = 1) -> Period | None:
    """The first date or period in `text`, or None."""
    found = find_dates(text, ref, fy_start)
    return found[0].value if found else None  # type: ignore[return-value]


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    return cn_number(value)


def _full_year(value: str) -> int | None:
    y = _int(value)
    if y is None:
        return None
    return 2000 + y if len(value) == 2 else y


def _period(kind: str, m: re.Match[str], ref: date | None, fy_start: int) -> Period | None:
    g = m.groupdict()
    if kind.startswith("no"):  # a day without its year: the document's year
        mon = _MONTHS[g["mon"].lower()] if g.get("mon") else _int(g.get("m"))
        d = _int(g.get("d"))
        return None if ref is None or mon is None or d is None else day(ref.year, mon, d)
    if kind.startswith("rel"):
        return _relative(kind, g, ref)
    y = _full_year(g["y"])
    if y is None or not 1000 <= y <= 9999:
        return None
    if kind in ("fyq", "qfy"):
        return quarter(y, int(g["q"]), fy_start)
    if kind in ("yq", "qy"):
        return quarter(y, _QN[g.get("q") or g.get("qc") or ""])
    if kind == "yh":
        return half(y, int(g["h"]) if g.get("h") else (1 if g["hc"] == "上" else 2))
    if kind == "cy":
        return year(y)
    mon = _MONTHS[g["mon"].lower()] if g.get("mon") else _int(g.get("m"))
    if mon is None:
        return None
    if kind in ("cym", "my", "ym"):
        return month(y, mon)
    d = _int(g.get("d"))
    return None if d is None else day(y, mon, d)


def _relative(kind: str, g: dict[str, str], ref: date | None) -> Period | None:
    if ref is None:
        return None
    if kind == "rel_zh_day" or kind == "rel_en_day":
        return _day_of(ref + timedelta(days=_REL_DAY[g["r"].lower()]))
    if kind == "rel_en_week":
        return _day_of(_en_weekday(ref, g["w"].lower(), _WEEKDAYS[g["wd"].lower()]))
    if kind == "rel_zh_week":
        weeks = {"上上": -2, "上": -1, "本": 0, "这": 0, "下": 1, "last": -1, "this": 0, "next": 1}
        monday = ref - timedelta(days=ref.weekday())
        offset = weeks[g["w"].lower()] * 7 + _WEEKDAYS[g["wd"].lower()]
        return _day_of(monday + timedelta(days=offset))
    if kind in ("rel_zh_month", "rel_en_month"):
        first = _add_months(date(ref.year, ref.month, 1), _REL_MONTH[g["r"].lower()])
        return month(first.year, first.month)
    return year(ref.year + _REL_YEAR[g["r"].lower()])


def _en_weekday(ref: date, which: str, weekday: int) -> date:
    """ "last Friday": the latest Friday before `ref`; "next Friday": the first after it;
    "this Friday": the Friday of ref's week (Monday to Sunday)."""
    if which == "last":
        return ref - timedelta(days=(ref.weekday() - weekday - 1) % 7 + 1)
    if which == "next":
        return ref + timedelta(days=(weekday - ref.weekday() - 1) % 7 + 1)
    return ref - timedelta(days=ref.weekday()) + timedelta(days=weekday)


def _day_of(value: date) -> Period:
    iso = value.isoformat()
    return Period("day", iso, iso, iso)
