"""Check-character algorithms: GB 11643 (resident ID), Luhn (cards), GB 32100 (USCC)."""

from __future__ import annotations

from datetime import date

# Two-digit province codes of GB/T 2260 (plus 71 Taiwan, 81 Hong Kong, 82 Macao).
PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def gb11643_check_char(first17: str) -> str:
    """The 18th character of a resident ID computed from its first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _valid_date(year: int, month: int, day: int) -> bool:
    """True for a real calendar date between 1900 and today."""
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def valid_resident_id(value: str) -> bool:
    """An 18-digit ID (GB 11643 check char, date, province) or a legacy 15-digit one."""
    value = value.upper()
    if len(value) == 15 and value.isdigit():
        ymd = (1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
        return value[:2] in PROVINCES and _valid_date(*ymd)
    if len(value) != 18 or not value[:17].isdigit():
        return False
    if value[:2] not in PROVINCES:
        return False
    if not _valid_date(int(value[6:10]), int(value[10:12]), int(value[12:14])):
        return False
    return gb11643_check_char(value[:17]) == value[17]


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by payment cards."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_prefix_ok(digits: str) -> bool:
    """Issuer prefixes of real card schemes (Visa, Mastercard, Amex, JCB, UnionPay, ...)."""
    if digits[0] in "3456":
        return True
    if digits.startswith("81"):
        return True  # UnionPay 81xx range
    return 2221 <= int(digits[:4]) <= 2720


def valid_card(value: str) -> bool:
    """A payment card number: 13-19 digits, known issuer prefix and a Luhn check."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return 13 <= len(digits) <= 19 and card_prefix_ok(digits) and luhn_valid(digits)


def uscc_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015)."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def valid_uscc(value: str) -> bool:
    """An 18-character unified social credit code with a correct check character."""
    value = value.upper()
    if len(value) != 18 or any(c not in USCC_CHARS for c in value):
        return False
    if not value[2:8].isdigit() or value[2:4] not in PROVINCES | {"10"}:
        return False
    return uscc_check_char(value[:17]) == value[17]
