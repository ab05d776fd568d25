"""PII detection (Chinese and English), format-keeping masks and reversible tokenization."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ebrain.guard.checks import valid_card, valid_resident_id, valid_uscc
from ebrain.guard.types import Finding

_B = r"(?<![A-Za-z0-9])"  # left boundary: no letter or digit touching
_E = r"(?![A-Za-z0-9])"  # right boundary
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦"
    "俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房"
    "滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应"
    "臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND = "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|令狐|长孙|宇文|司徒|夏侯"
_HAN = r"[\u4e00-\u9fa5]"
_PLATE_PROV = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"


@dataclass(frozen=True)
class PiiRule:
    """One PII detector: a pattern, an optional validator, its label and the masked span group."""

    name: str
    label: str
    pattern: re.Pattern[str]
    validate: Callable[[str], bool] | None = None
    group: int = 0


def _rule(
    name: str,
    label: str,
    regex: str,
    validate: Callable[[str], bool] | None = None,
    group: int = 0,
    flags: int = 0,
) -> PiiRule:
    """Compile one PII rule."""
    return PiiRule(name, label, re.compile(regex, flags), validate, group)


def _valid_ipv4(value: str) -> bool:
    """Four octets 0-255, not a version-like 1.2.3.4 inside prose (needs at least one >9)."""
    parts = value.split(".")
    return all(p.isdigit() and int(p) <= 255 and (p == "0" or not p.startswith("0")) for p in parts)


RULES: tuple[PiiRule, ...] = (
    _rule(
        "uscc", "USCC", _B + r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}" + _E, valid_uscc
    ),
    _rule("cn_resident_id", "ID", _B + r"(?:\d{17}[\dXx]|\d{15})" + _E, valid_resident_id),
    _rule(
        "bank_card", "CARD", _B + r"(?:\d{4}[ -]){3}\d{1,7}|" + _B + r"\d{13,19}" + _E, valid_card
    ),
    _rule(
        "cn_mobile",
        "PHONE",
        r"(?<![A-Za-z0-9+])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:\d{8}|[ -]\d{4}[ -]\d{4})" + _E,
    ),
    _rule(
        "cn_landline", "PHONE", _B + r"(?:\(0\d{2,3}\)\s?|0\d{2,3}-)[2-9]\d{6,7}(?:-\d{1,5})?" + _E
    ),
    _rule("intl_phone", "PHONE", r"(?<![\w+])\+(?!86)[1-9]\d{0,2}[ -]?(?:\d[ -]?){7,11}\d" + _E),
    _rule("email", "EMAIL", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    _rule("cn_passport", "PASSPORT", _B + r"(?:G\d{8}|E[A-HJ-NP-Z0-9]\d{7})" + _E),
    _rule(
        "passport_cue",
        "PASSPORT",
        r"(?:passport|护照)(?:\s*(?:no\.?|number|#|号码?))?\s*(?:is|为|是)?\s*[:：]?\s*"
        r"([A-Z0-9]{6,9})" + _E,
        None,
        1,
        re.IGNORECASE,
    ),
    _rule("ipv4", "IP", _B + r"(?:\d{1,3}\.){3}\d{1,3}" + r"(?![A-Za-z0-9.])", _valid_ipv4),
    _rule("ipv6", "IP", r"(?<![:\w])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![:\w])"),
    _rule(
        "cn_plate",
        "PLATE",
        f"[{_PLATE_PROV}][A-HJ-NP-Z][·•]?[A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳]{{1,2}}" + _E,
    ),
    _rule(
        "cn_name_cue",
        "NAME",
        r"(?:联系人|姓名|客户|经办人|负责人|收件人|收货人|申请人|法人代表)\s*[:：]?\s*"
        f"((?:{_COMPOUND}|[{_SURNAMES}]){_HAN}{{1,2}})(?=[，,。；;\\s（(]|$|先生|女士|电话|手机|邮箱)",
        None,
        1,
    ),
    _rule(
        "cn_name_title",
        "NAME",
        f"((?:{_COMPOUND}|[{_SURNAMES}]){_HAN}{{0,2}}?)"
        r"(?=先生|女士|小姐|经理|总监|主任|老师|律师|医生|博士|教授)",
        None,
        1,
    ),
    _rule(
        "en_name",
        "NAME",
        r"(?:\b(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+|\b(?:[Nn]ame|[Cc]ontact)\s*:\s*)"
        r"([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})",
        None,
        1,
    ),
    _rule(
        "cn_address",
        "ADDRESS",
        f"(?:{_HAN}{{2,6}}(?:省|自治区))?(?:{_HAN}{{2,6}}市)?(?:{_HAN}{{1,6}}(?:区|县))?"
        f"[{_HAN[1:-1]}A-Za-z0-9]{{1,12}}?(?:路|街|大道|巷|胡同|弄)\\d+(?:[-之]\\d+)?号"
        f"(?:[{_HAN[1:-1]}A-Za-z0-9-]{{0,12}}?(?:室|楼|层|单元|座))?",
    ),
)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    """True when span intersects any span already claimed by an earlier rule."""
    return any(span[0] < end and start < span[1] for start, end in taken)


@dataclass
class PiiScanner:
    """Finds PII with patterns plus check-character validation; earlier rules win overlaps."""

    labels: frozenset[str] | None = None
    name: str = "pii"
    rules: tuple[PiiRule, ...] = RULES

    def scan(self, text: str) -> list[Finding]:
        """Findings for every validated PII value in `text`, in text order."""
        found: list[Finding] = []
        taken: list[tuple[int, int]] = []
        for rule in self.rules:
            if self.labels is not None and rule.label not in self.labels:
                continue
            for match in rule.pattern.finditer(text):
                span = match.span(rule.group)
                value = match.group(rule.group)
                if rule.validate is not None and not rule.validate(value):
                    continue
                if span[0] == span[1] or _overlaps(span, taken):
                    continue
                taken.append(span)
                found.append(Finding(self.name, rule.name, "flag", *span, rule.label))
        return sorted(found, key=lambda f: f.start)


def _keep(value: str, head: int, tail: int) -> str:
    """Mask the middle of a value, keeping `head` and `tail` characters and all separators."""
    chars = list(value)
    idx = [i for i, c in enumerate(chars) if c.isalnum()]
    hidden = idx[head : len(idx) - tail if tail else None]
    for i in hidden:
        chars[i] = "*"
    return "".join(chars)


def mask_value(value: str, label: str) -> str:
    """A format-keeping mask: 138****5678, 110***********1234, a***@example.com."""
    if label == "EMAIL":
        local, _, domain = value.partition("@")
        return local[:1] + "*" * max(len(local) - 1, 1) + "@" + domain
    if label == "IP":
        sep = ":" if ":" in value else "."
        parts = value.split(sep)
        return sep.join(parts[:2] + ["*"] * (len(parts) - 2))
    if label == "NAME":
        return value[:1] + "*" * max(len(value) - 1, 1)
    if label == "ADDRESS":
        return _keep(value, 6, 0)
    if label == "PHONE":
        return _keep(value, max(3, sum(c.isalnum() for c in value) - 8), 4)
    plans = {"ID": (3, 4), "CARD": (4, 4), "USCC": (2, 4), "PLATE": (2, 1)}
    head, tail = plans.get(label, (2, 2))
    return _keep(value, head, tail)


def apply_masks(text: str, findings: Iterable[Finding]) -> str:
    """Replace every finding's span with its format-keeping mask."""
    out, last = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        if f.start < last:
            continue
        out.append(text[last : f.start])
        out.append(mask_value(text[f.start : f.end], f.label))
        last = f.end
    out.append(text[last:])
    return "".join(out)


_DEFAULT = PiiScanner()


def mask_all(text: str) -> str:
    """Mask every PII value the default scanner finds (used for stored excerpts)."""
    return apply_masks(text, _DEFAULT.scan(text))


_TOKEN = re.compile(r"<PII_([A-Z]+)_(\d+)>")


@dataclass
class Vault:
    """Reversible tokenization: values become <PII_PHONE_1>-style tokens and come back later."""

    values: dict[str, str] = field(default_factory=dict)
    _by_value: dict[str, str] = field(default_factory=dict)

    def token_for(self, value: str, label: str) -> str:
        """The token of a value (the same value always gets the same token)."""
        if value in self._by_value:
            return self._by_value[value]
        count = sum(1 for t in self.values if t.startswith(f"<PII_{label}_")) + 1
        token = f"<PII_{label}_{count}>"
        self.values[token] = value
        self._by_value[value] = token
        return token

    def tokenize(self, text: str, findings: Iterable[Finding]) -> str:
        """Replace each finding's span with its token."""
        out, last = [], 0
        for f in sorted(findings, key=lambda f: f.start):
            if f.start < last:
                continue
            out += [text[last : f.start], self.token_for(text[f.start : f.end], f.label)]
            last = f.end
        out.append(text[last:])
        return "".join(out)

    def restore(self, text: str, labels: frozenset[str] | None = None) -> str:
        """Put the original values back (only for `labels` when given); unknown tokens stay."""

        def swap(match: re.Match[str]) -> str:
            token = match.group(0)
            if labels is not None and match.group(1) not in labels:
                return token
            return self.values.get(token, token)

        return _TOKEN.sub(swap, text)
