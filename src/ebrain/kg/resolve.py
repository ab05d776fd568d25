"""Entity resolution: normalized keys and automatic abbreviations.

`name_key(type, name)` folds width and case and drops what does not tell two entities apart:
legal suffixes of organizations ("有限公司", "集团", "Co., Ltd.", "Inc."), spaces and hyphens of
product models ("HT 2000" = "HT-2000"), brackets. `short_names(org)` proposes the Chinese short
name of a company ("江苏恒达汽车零部件有限公司" -> "恒达"): the enricher records it as an alias
only where the text uses it on its own. Users edit the rest with `ebrain kg alias` and
`ebrain kg merge`.
"""

from __future__ import annotations

import re
import unicodedata

_ORG_SUFFIX = re.compile(
    r"(?:[,，]?\s*(?:co\.?,?\s*ltd\.?|company\s+limited|co\.|ltd\.?|limited|inc\.?|incorporated|"
    r"llc|l\.l\.c\.|llp|gmbh|ag|s\.a\.|plc|corporation|corp\.?|holdings|group)|"
    r"股份有限公司|有限责任公司|集团有限公司|集团股份有限公司|有限公司|集团公司|集团|公司)\s*$"
)
_SPACES = re.compile(r"\s+")
# Provinces, regions and big cities: location entities, and prefixes of company names.
PLACES = [
    "北京",
    "上海",
    "天津",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "深圳",
    "广州",
    "苏州",
    "杭州",
    "南京",
    "武汉",
    "成都",
    "西安",
    "佛山",
    "东莞",
    "宁波",
    "常州",
    "无锡",
    "厦门",
    "青岛",
    "大连",
    "台湾",
    "泰国",
    "德国",
    "美国",
    "日本",
    "中国",
]
_INDUSTRY = re.compile(
    r"(?:汽车零部件|零部件|精密铸造|热处理|重工机械|重工|机械|智能装备|装备|电子|电源科技|电源|科技|技术|"
    r"传感技术|传感|电路|软件|信息|网络|数码|制造|工业|实业|贸易|能源|材料|化工|集团)+$"
)


def fold(text: str) -> str:
    """NFKC width folding, lower case, single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def name_key(kind: str, name: str) -> str:
    """The key two names of one entity share."""
    key = fold(name)
    if kind == "org":
        for _ in range(2):  # "X Group Co., Ltd." -> "x"
            key = _ORG_SUFFIX.sub("", key).strip(" ,.")
        key = key.replace("the ", "", 1) if key.startswith("the ") else key
    elif kind in ("product", "contract"):
        key = re.sub(r"[\s\-_/]+", "", key)
    elif kind == "person":
        key = key.replace(".", "")
    return key[:200] or fold(name)[:200]


def short_names(name: str) -> list[str]:
    """Short forms of a Chinese company name: the name without its place and legal suffix,
    and its first two characters after the place ("江苏恒达汽车零部件有限公司" -> 恒达汽车零部件, 恒达)."""
    core = _ORG_SUFFIX.sub("", name).strip()
    if not re.fullmatch(r"[\u4e00-\u9fff]{3,30}", core):
        return []
    for place in sorted(PLACES, key=len, reverse=True):
        if core.startswith(place) and len(core) > len(place) + 1:
            core = core[len(place) :].removeprefix("省").removeprefix("市")
            break
    out = [core]
    trimmed = _INDUSTRY.sub("", core)
    if 2 <= len(trimmed) < len(core):
        out.append(trimmed)
    if len(core) >= 4:
        out.append(core[:2])
    return list(dict.fromkeys(out))
