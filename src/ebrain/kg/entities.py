"""The offline entity extractor: jieba part-of-speech tags, patterns, suffix rules and gazetteers.

Types: org, person, product, project, department, location, contract, amount, date. Chinese
people, places and organizations come from jieba's tags (nr, ns, nt) and organization suffixes
(有限公司, 集团...), walked back over the name's tokens; English organizations from legal
suffixes (Co., Ltd., Inc., LLC, GmbH...), English people from "First Last" pairs that are
vouched for (a Chinese name in brackets after them, a known first name, a pinyin surname, or a
title); products and models, contract numbers, amounts and dates from patterns. Gazetteers (the
workspace dictionary, and the aliases the graph already knows) add exact matches.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from ebrain.kg.normalize import find_dates, find_money
from ebrain.kg.resolve import PLACES

ENTITY_TYPES = (
    "org",
    "person",
    "product",
    "project",
    "department",
    "location",
    "contract",
    "amount",
    "date",
    "case",  # fault-analysis, 8D and ticket numbers (FA-2024-003, T-2024-0012)
)


@dataclass(frozen=True)
class Mention:
    """One entity found at [start, end) of the document text, with its normalized value."""

    type: str
    name: str
    start: int
    end: int
    value: dict[str, Any] | None = None


@dataclass
class Gazetteer:
    """Known names by type (the workspace dictionary, aliases already in the graph)."""

    names: dict[str, str] = field(default_factory=dict)  # surface form -> type
    canonical: dict[str, str] = field(default_factory=dict)  # surface form -> entity name
    _pattern: re.Pattern[str] | None = None

    def add(self, name: str, kind: str, canonical: str | None = None) -> None:
        """Know `name` (at least 2 characters) as an entity of `kind` (named `canonical`)."""
        if len(name) >= 2 and kind in ENTITY_TYPES and name not in self.names:
            self.names[name] = kind
            if canonical is not None and canonical != name:
                self.canonical[name] = canonical
            self._pattern = None

    def find(self, text: str) -> list[Mention]:
        """Exact occurrences of the known names, longest first."""
        if not self.names:
            return []
        if self._pattern is None:
            alts = sorted(self.names, key=len, reverse=True)[:20_000]
            body = "|".join(re.escape(a) for a in alts)
            self._pattern = re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])")
        return [
            Mention(
                self.names[m.group(0)],
                self.canonical.get(m.group(0), m.group(0)),
                m.start(),
                m.end(),
            )
            for m in self._pattern.finditer(text)
        ]


# --- Chinese: jieba tags -------------------------------------------------------------------
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_NOT_ZH_NAMES = set(
    [
        "谢谢",
        "安静",
        "许可证",
        "胡萝卜",
        "牛腩",
        "罗宋汤",
        "宫保鸡",
        "宫保鸡丁",
        "石岩",
        "万一",
        "高兴",
        "于是",
        "常常",
        "金额",
        "文件",
    ]
) | set(
    [
        "许可",
        "付清",
        "高温",
        "温度",
        "方向",
        "常规",
        "安全",
        "万元",
        "于是",
        "应当",
        "明确",
        "程序",
        "时间",
        "周期",
        "武进",
        "华川",
        "金盛",
        "恒达",
        "粤海",
    ]
)
_ORG_SUFFIX = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|集团有限公司|集团公司|集团|公司|研究院|研究所|"
    r"设计院|大学|学院|银行|协会|事务所|委员会|管理局|制造厂|工厂)"
)
_NAME_POS = {
    "m",
    "mq",
    "n",
    "nr",
    "ns",
    "nt",
    "nz",
    "nrt",
    "nrfg",
    "j",
    "vn",
    "l",
    "an",
    "a",
    "b",
    "v",
    "ng",
}
# Contract party roles and generic references to a party: never an entity name or an alias.
PARTY_ROLES = frozenset(["甲方", "乙方", "丙方", "买方", "卖方", "供方", "需方", "客户", "供应商"])
_STOP_WORDS = (
    {"包括", "其中", "例如", "比如", "来自", "感谢", "联系", "通过", "邀请"}
    | PARTY_ROLES
    | set(
        [
            "委托方",
            "受托方",
            "我方",
            "贵方",
            "双方",
            "本",
            "该",
            "我",
            "我们",
            "贵",
            "向",
            "与",
            "和",
            "及",
            "同",
            "签订",
            "签署",
            "签约",
            "通知",
            "采购",
            "购买",
            "提供",
            "委托",
            "联系",
            "拜访",
            "支付",
            "收到",
            "根据",
            "按照",
            "关于",
            "为",
            "是",
            "由",
            "在",
            "对",
            "经",
            "从",
            "给",
            "请",
            "已",
            "将",
            "以",
            "其",
            "各",
            "每",
            "其他",
            "所有",
            "合同",
            "协议",
            "项目",
            "会议",
            "负责",
            "确认",
            "要求",
        ]
    )
)
_GENERIC_ORG = {
    "人民法院",
    "所在地人民法院",
    "公司",
    "本公司",
    "该公司",
    "子公司",
    "分公司",
    "母公司",
    "总公司",
    "集团",
    "有限公司",
}
_ROLE_PREFIX = re.compile(r"^(?:甲方|乙方|丙方|买方|卖方|供方|需方|委托方|受托方|客户|供应商)")
_PROJECT = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]{2,24}?项目")
_DEPARTMENT_ZH = ("人事行政", "人力资源", "销售", "研发", "质量", "品质", "人事", "行政", "财务",
                  "技术", "生产", "采购", "市场", "客服", "售后服务", "售后", "信息", "法务", "海外",
                  "国际业务", "工程", "项目管理", "设备")  # fmt: skip
_DEPARTMENT_ZH_SUFFIX = re.compile(r"部|科|中心")  # found first: the names are matched backwards
_DEPARTMENT_EN = re.compile(
    r"\b(?:Sales|R&D|Quality|Finance|HR|Human Resources|Engineering|Procurement|Marketing|"
    r"Customer Service|IT|Legal|Operations)\s+(?:Department|Dept\.?|Team)\b"
)

_tag_lock = threading.Lock()


@lru_cache(maxsize=8)
def _tagger(words: tuple[tuple[str, str], ...]) -> Any:
    """A jieba-rs tokenizer with the gazetteer's Chinese words added under their tags."""
    import rjieba

    if not words:
        return rjieba
    tagger = rjieba.Jieba()
    for word, pos in words:
        tagger.add_word(word, None, pos)
    return tagger


_JIEBA_TAG = {"org": "nt", "person": "nr", "location": "ns", "product": "nz", "project": "nz"}


def tag(text: str, gazetteer: Gazetteer | None = None) -> list[tuple[str, str, int]]:
    """(word, POS, start) for the Chinese-bearing text, with jieba's own dictionary (known names
    are matched by the gazetteer itself, which wins over overlapping guesses: rebuilding a
    tokenizer per gazetteer would cost 0.2 s each time)."""
    del gazetteer
    tagger = _tagger(())
    out: list[tuple[str, str, int]] = []
    for base, run in _cjk_runs(text):  # lines without Chinese are not tagged
        pos = base
        with _tag_lock:
            pairs = tagger.tag(run)
        for word, flag in pairs:
            out.append((word, flag, pos))
            pos += len(word)
    return out


def _cjk_runs(text: str) -> list[tuple[int, str]]:
    """(offset, piece) of the runs of consecutive lines that hold a Chinese character."""
    runs: list[tuple[int, str]] = []
    start = end = -1
    for m in _LINE.finditer(text):
        if _CJK.search(m.group(0)):
            if start < 0:
                start = m.start()
            end = m.end()
        elif start >= 0:
            runs.append((start, text[start:end]))
            start = -1
    if start >= 0:
        runs.append((start, text[start:end]))
    return runs


_LINE = re.compile(r"[^\n]*\n?")


_CJK = re.compile(r"[\u3400-\u9fff]")


def _zh_people(tokens: Sequence[tuple[str, str, int]]) -> list[Mention]:
    return [
        Mention("person", w, s, s + len(w))
        for w, p, s in tokens
        if p in ("nr", "nrfg")
        and 2 <= len(w) <= 3
        and w[0] in _SURNAMES
        and _CJK.fullmatch(w[-1])
        and not w.endswith(_PLACE_END)
        and w not in _NOT_ZH_NAMES
        and not w.endswith(("经理", "总", "工", "总监", "主任", "老师", "师傅"))
        and not (len(w) == 3 and w[-1] in "为带和与是在说讲将把被给跟对的了也都")
    ]


_PERSON_CUE = re.compile(
    r"(?:代表|联系人|负责人|经办人|主持人?|记录人?|参会人员|参会|出席|审批|批准|编制|审核|签字|"
    r"工程师|经理|主管|总监|部长|组长|客服|坐席|报告人|作者|owner|Owner)\s*[:：]\s*"
    rf"(?P<name>[{''.join(sorted(_SURNAMES))}][\u4e00-\u9fff]{{1,2}}?)(?=[（(，,、。；;\s]|$)"
)


def _cued_people(text: str) -> list[Mention]:
    """Chinese names right after a role cue (代表：黄建国（...）), which jieba may split."""
    return [
        Mention("person", m.group("name"), m.start("name"), m.end("name"))
        for m in _PERSON_CUE.finditer(text)
    ]


_PLACE_END = ("省", "市", "区", "县", "镇", "州", "国")
_PROVINCES = frozenset(PLACES)


def _zh_places(tokens: Sequence[tuple[str, str, int]]) -> list[Mention]:
    return [
        Mention("location", w, s, s + len(w))
        for w, p, s in tokens
        if p == "ns"
        and len(w) >= 2
        and _CJK.match(w)
        and (w.endswith(_PLACE_END) or w in _PROVINCES)
    ]


_ORG_LAST = set("司团院所局厂行会心学")  # last characters of _ORG_SUFFIX and _ORG_END
_ORG_END = re.compile(r"(?:公司|集团|院|所|局|厂|银行|协会|中心|委员会|大学|学院)$")


def _zh_orgs(text: str, tokens: Sequence[tuple[str, str, int]]) -> list[Mention]:
    """Organizations ending in a suffix (有限公司...) or tagged nt, walked back over name tokens
    (a name never starts with a verb)."""
    found: list[Mention] = []
    for i, (w, p, s) in enumerate(tokens):
        if w[-1] not in _ORG_LAST:
            continue
        end = s + len(w)
        suffix = _ORG_SUFFIX.search(w)
        tagged = p == "nt" and _ORG_END.search(w) is not None
        if (suffix is None or suffix.end() != len(w)) and not tagged:
            continue
        start = _walk_back(tokens, i, s)
        while start < end - 4 and text[start] in _LEADING_FUNCTION:
            start += 1
        name = _ROLE_PREFIX.sub("", text[start:end])
        core = _ORG_SUFFIX.sub("", name)
        if name in _GENERIC_ORG or len(name) < 4 or len(core) < 2 or not _CJK.search(name):
            continue
        found.append(Mention("org", name, end - len(name), end))
    return found


def _walk_back(tokens: Sequence[tuple[str, str, int]], i: int, start: int) -> int:
    """The start of the name ending with token i: earlier name-like tokens, at most 6, without
    leading verbs."""
    taken: list[int] = []
    for j in range(i - 1, max(-1, i - 7), -1):
        w, p, s = tokens[j]
        if p not in _NAME_POS or w in _STOP_WORDS or not _CJK.match(w) or start - s > 20:
            break
        if _ORG_SUFFIX.fullmatch(w) and w != "集团":
            break
        start = s
        taken.append(j)
    for j in reversed(taken):  # drop leading verbs: 来自|深圳风驰电子有限公司
        if tokens[j][1] not in ("v", "vn", "a", "an", "l") or j == taken[0]:
            return tokens[j][2]
    return start


def _zh_projects(text: str, tokens: Sequence[tuple[str, str, int]]) -> list[Mention]:
    """Names ending in 项目: the tokens before it that read as a name (as for organizations)."""
    found: list[Mention] = []
    ends = [s + len(w) for w, _p, s in tokens]
    at = text.find("项目")
    while at != -1:
        end = at + 2
        i = bisect.bisect_right(ends, at)  # the token holding the first character of 项目
        if i < len(tokens):
            start = _walk_back(tokens, i, tokens[i][2])
            while start < at - 3 and text[start] in _LEADING_FUNCTION:
                start += 1
            core = text[start:at]
            if len(core) >= 3 and core not in _STOP_WORDS and core[0] not in "本该此这":
                found.append(Mention("project", text[start:end], start, end))
        at = text.find("项目", end)
    return found


_LEADING_FUNCTION = set("为与和在是的对向从就及或把被将给由")
_PROJECT_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


# --- English -----------------------------------------------------------------------------
_EN_ORG = re.compile(
    r"\b((?:[A-Z][\w&'.-]*[ \t]+(?:(?:of|and|&|de|für)[ \t]+)?){0,6}[A-Z][\w&'.-]*),?[ \t]+"
    r"(Co\.,?\s*Ltd\.?|Company\s+Limited|Co\.|Ltd\.?|Limited|Inc\.?|Incorporated|LLC|L\.L\.C\.|"
    r"LLP|GmbH|AG|S\.A\.|PLC|plc|Corporation|Corp\.?|Holdings)(?![\w])"
)
_EN_LEAD = re.compile(
    r"^(?:(?:The|This|That|Each|Both|Between|And|By|Whereas|Buyer|Seller|Party)\s+)+"
)
_EN_PERSON = re.compile(
    r"\b(?:(?P<title>Mr|Ms|Mrs|Dr|Prof)\.?\s+)?(?P<first>[A-Z][a-z]{1,14})\s+(?P<last>[A-Z][a-z]{1,14})"
    r"(?P<zh>\s?[(（][\u4e00-\u9fff]{2,4}[)）])?"
)
_FIRST_NAMES = set(
    [
        "Grace",
        "Leo",
        "Klaus",
        "Somchai",
        "John",
        "James",
        "Robert",
        "Michael",
        "William",
        "David",
        "Richard",
        "Joseph",
        "Thomas",
        "Charles",
        "Mary",
        "Patricia",
        "Jennifer",
        "Linda",
        "Elizabeth",
        "Barbara",
        "Susan",
        "Jessica",
        "Sarah",
        "Karen",
        "Lisa",
        "Nancy",
        "Betty",
        "Anna",
        "Daniel",
        "Matthew",
        "Anthony",
        "Mark",
        "Paul",
        "Steven",
        "Andrew",
        "Kenneth",
        "Joshua",
        "Kevin",
        "Brian",
        "George",
        "Edward",
        "Peter",
        "Emily",
        "Emma",
        "Olivia",
        "Sophia",
        "Laura",
        "Helen",
        "Amy",
        "Angela",
        "Alice",
        "Julia",
        "Lucy",
        "Kate",
        "Jane",
        "Anne",
        "Maria",
        "Eric",
        "Jason",
        "Frank",
        "Henry",
        "Jack",
        "Tom",
        "Tony",
        "Sam",
        "Alex",
        "Ben",
        "Chris",
        "Mike",
        "Jim",
        "Bob",
        "Bill",
        "Steve",
        "Lily",
        "Cathy",
        "Vivian",
        "Amanda",
        "Hans",
        "Peter",
        "Stefan",
        "Thomas",
        "Wolfgang",
        "Jürgen",
        "Andreas",
        "Michael",
        "Markus",
        "Anja",
        "Petra",
        "Sabine",
        "Ulrich",
        "Ahmed",
        "Ali",
        "Carlos",
        "Juan",
        "Pedro",
        "Luis",
        "Pierre",
        "Jean",
        "Marc",
        "Paolo",
        "Marco",
        "Hiroshi",
        "Takeshi",
        "Yuki",
        "Kenji",
        "Nattapong",
        "Prasert",
        "Kittisak",
        "Wei",
        "Jun",
        "Ming",
        "Lei",
    ]
)
_PINYIN_SURNAMES = set(
    [
        "Wang",
        "Li",
        "Zhang",
        "Liu",
        "Chen",
        "Yang",
        "Huang",
        "Zhao",
        "Wu",
        "Zhou",
        "Xu",
        "Sun",
        "Ma",
        "Zhu",
        "Hu",
        "Guo",
        "He",
        "Gao",
        "Lin",
        "Luo",
        "Zheng",
        "Liang",
        "Xie",
        "Song",
        "Tang",
        "Han",
        "Feng",
        "Deng",
        "Cao",
        "Peng",
        "Zeng",
        "Xiao",
        "Tian",
        "Dong",
        "Yuan",
        "Pan",
        "Yu",
        "Jiang",
        "Cai",
        "Du",
        "Ye",
        "Cheng",
        "Su",
        "Wei",
        "Lu",
        "Ding",
        "Ren",
        "Shen",
        "Yao",
        "Cui",
        "Zhong",
        "Tan",
        "Fan",
        "Jin",
        "Shi",
        "Jia",
        "Xia",
        "Fu",
        "Fang",
        "Bai",
        "Zou",
        "Meng",
        "Xiong",
        "Qin",
        "Qiu",
        "Yin",
        "Xue",
        "Yan",
        "Duan",
        "Lei",
        "Hou",
        "Long",
        "Shao",
        "Wan",
        "Qian",
        "Kong",
        "Gu",
        "Mao",
        "Hao",
        "Gong",
        "Kang",
        "Ni",
        "Qi",
        "Tao",
        "Xiang",
        "Niu",
    ]
)
_NOT_NAMES = set(
    [
        "The",
        "This",
        "That",
        "These",
        "Those",
        "Agreement",
        "Party",
        "Parties",
        "Buyer",
        "Seller",
        "Supplier",
        "Customer",
        "Company",
        "Contract",
        "Section",
        "Article",
        "Schedule",
        "Exhibit",
        "Annex",
        "Appendix",
        "Date",
        "Price",
        "Total",
        "Payment",
        "Delivery",
        "Acceptance",
        "Warranty",
        "Term",
        "Terms",
        "Governing",
        "Law",
        "State",
        "Republic",
        "People",
        "Court",
        "Notice",
        "Chapter",
        "Table",
        "Figure",
        "Page",
        "Modbus",
        "Ethernet",
        "Power",
        "Fan",
        "Error",
        "Alarm",
        "Controller",
        "Firmware",
        "Version",
        "Report",
        "Meeting",
        "Minutes",
        "Action",
        "Items",
        "Item",
        "Owner",
        "Due",
        "Status",
        "Done",
        "Open",
        "Root",
        "Cause",
        "Symptom",
        "Corrective",
        "Product",
        "Project",
        "Sales",
        "Quality",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Thai",
        "Precision",
        "Forging",
        "Smart",
        "Equipment",
        "Huachuan",
        "Metalworks",
        "North",
        "South",
        "East",
        "West",
        "New",
        "United",
        "Great",
        "Suzhou",
        "Rayong",
        "Shanghai",
        "Beijing",
    ]
)


def _en_orgs(text: str) -> list[Mention]:
    found: list[Mention] = []
    for m in _EN_ORG.finditer(text):
        head = m.group(1)
        lead = _EN_LEAD.match(head)
        start = m.start(1) + (lead.end() if lead else 0)
        if start >= m.end(1):
            continue
        name = text[start : m.end()]
        found.append(Mention("org", name, start, m.end()))
    return found


def _en_people(text: str) -> list[Mention]:
    found: list[Mention] = []
    for m in _EN_PERSON.finditer(text):
        first, last = m.group("first"), m.group("last")
        if first in _NOT_NAMES or last in _NOT_NAMES:
            continue
        vouched = (
            m.group("zh")
            or m.group("title")
            or first in _FIRST_NAMES
            or (first in _PINYIN_SURNAMES and len(last) <= 9)
        )
        if not vouched or _followed_by_org(text, m.end()):
            continue
        start = m.start("first")
        found.append(Mention("person", f"{first} {last}", start, m.end("last")))
    return found


_ALIAS_PAIR = re.compile(
    r"(?P<en>[A-Z][\w&'.,-]*(?:\s+[A-Z&][\w&'.,-]*){0,7})\s?[(（](?P<zh>[\u4e00-\u9fff]{2,20})[)）]"
    r"|(?P<zh2>[\u4e00-\u9fff]{2,20})\s?[(（](?P<en2>[A-Z][\w&'.,-]*(?:\s+[A-Z&][\w&'.,-]*){0,7})[)）]"
)
_SHORT_NAME = re.compile(
    r"[(（][^()（）]{0,12}?(?:以下简称|下称|简称|hereinafter(?: referred to as)?)\s*[:：]?\s*[“\"「']([^”\"」']{1,30})[”\"」']"
)


def _bracketed(text: str) -> list[re.Match[str]]:
    """_ALIAS_PAIR matches, searched only around opening brackets (cheap on long texts)."""
    out: list[re.Match[str]] = []
    last = 0
    opens = sorted(i for c in "(（" for i in _positions(text, c))
    for i in opens:
        if i < last or not _may_pair(text, i):
            continue
        m = _ALIAS_PAIR.search(text, max(last, i - 120), min(len(text), i + 130))
        while m is not None and m.end() <= i:
            m = _ALIAS_PAIR.search(text, m.end(), min(len(text), i + 130))
        if m is not None:
            out.append(m)
            last = m.end()
    return out


_ZH_IN_BRACKETS = re.compile(r"[\u4e00-\u9fff]{2,20}[)）]")


def _may_pair(text: str, i: int) -> bool:
    """Whether the bracket at `i` can hold a stated pair: Chinese inside it ("Grace Zhao
    (赵敏)"), or Chinese before it and a capital after it ("赵敏 (Grace Zhao)")."""
    if _ZH_IN_BRACKETS.match(text, i + 1):
        return True
    before = text[max(0, i - 2) : i].rstrip()
    return bool(before) and "\u4e00" <= before[-1] <= "\u9fff" and text[i + 1 : i + 2].isupper()


def _positions(text: str, needle: str) -> list[int]:
    out: list[int] = []
    at = text.find(needle)
    while at != -1:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


def find_aliases(text: str, mentions: Sequence[Mention]) -> list[tuple[Mention, str]]:
    """(mention, other name) pairs the text states: "Grace Zhao (赵敏)", "山东鲁能重工 (Shandong
    Luneng)", "江苏恒达汽车零部件有限公司（以下简称“恒达”）"."""
    by_end = {m.end: m for m in mentions if m.type in ("org", "person", "product", "project")}
    by_start = {m.start: m for m in mentions if m.type in ("org", "person", "product", "project")}
    pairs: list[tuple[Mention, str]] = []
    for m in _bracketed(text):
        if m.group("en"):
            ent = by_end.get(m.end("en")) or by_start.get(m.start("zh"))
            other = m.group("zh") if ent is not None and ent.end == m.end("en") else m.group("en")
        else:
            ent = by_end.get(m.end("zh2")) or by_start.get(m.start("en2"))
            other = (
                m.group("en2") if ent is not None and ent.end == m.end("zh2") else m.group("zh2")
            )
        if ent is not None and other != ent.name:
            pairs.append((ent, other.strip(" ,.")))
    for m in _SHORT_NAME.finditer(text):
        ent = next(
            (x for x in reversed(mentions) if x.end <= m.start() and m.start() - x.end <= 2), None
        )
        if ent is not None:
            pairs.append((ent, m.group(1)))
    return pairs


def _followed_by_org(text: str, end: int) -> bool:
    return bool(
        re.match(
            r",?\s+(?:Co\.|Ltd|Inc|LLC|GmbH|Corp|Company|Group|Holdings)", text[end : end + 12]
        )
    )


# --- patterns for both languages --------------------------------------------------------------
_PRODUCT = re.compile(r"(?<![\w-])([A-Z]{1,4}-[A-Z]{0,2}\d{2,5}[A-Z0-9]*)(?![\w-])")
_VERSIONED = re.compile(r"\b([A-Za-z][A-Za-z]{2,20})\s?(V\d{1,2}(?:\.\d{1,3}){1,3})\b")
_CONTRACT_SHAPE = re.compile(r"(?<![\w-])([A-Z]{1,5}\d{4}-\d{2,4})(?![\w-])")
_CONTRACT_CUED = re.compile(
    r"(?:合同编号|合同号|协议编号|编号|Contract\s+No\.?|Agreement\s+No\.?|Contract\s+Number)"
    r"\s*[:：#]?\s*([A-Z][A-Z0-9]{0,9}(?:-[A-Z0-9]{1,10}){1,3})"
)
_NOT_PRODUCT_PREFIX = (
    "FA-",
    "T-",
    "NDA-",
    "PO-",
    "SO-",
    "E-",
    "V-",
    "W-",
    "Q-",
    "ISO-",
    "RS-",
    "CE-",
)


def _products(text: str) -> list[Mention]:
    found = [
        Mention("product", m.group(1), m.start(1), m.end(1))
        for m in _PRODUCT.finditer(text)
        if not m.group(1).startswith(_NOT_PRODUCT_PREFIX)
        and not re.match(r"-\d{2,4}\b", text[m.end(1) : m.end(1) + 5])
    ]
    for m in _VERSIONED.finditer(text):
        if m.group(1)[0].isupper() or m.group(1)[0] == "i":
            found.append(Mention("product", f"{m.group(1)} {m.group(2)}", m.start(), m.end()))
    return found


def _contracts(text: str) -> list[Mention]:
    found = [
        Mention("contract", m.group(1), m.start(1), m.end(1))
        for m in _CONTRACT_SHAPE.finditer(text)
    ]
    for m in _CONTRACT_CUED.finditer(text):
        if not m.group(1).startswith(("FA-", "T-")):
            found.append(Mention("contract", m.group(1), m.start(1), m.end(1)))
    return found


_CASE = re.compile(
    r"(?<![\w-])((?:FA|8D|T|RMA|INC|CASE)-[A-Z0-9]{2,6}-\d{2,5}|(?:FA|T)-\d{4}-\d{2,5})(?![\w-])"
)


def _cases(text: str) -> list[Mention]:
    return [Mention("case", m.group(1), m.start(1), m.end(1)) for m in _CASE.finditer(text)]


def _amounts(text: str) -> list[Mention]:
    out: list[Mention] = []
    for span in find_money(text):
        money = span.value.to_dict()  # type: ignore[attr-defined]
        out.append(
            Mention(
                "amount", f"{money['currency']} {money['amount']:,}", span.start, span.end, money
            )
        )
    return out


def _dates(text: str, ref: date | None) -> list[Mention]:
    return [
        Mention("date", s.value.label, s.start, s.end, s.value.to_dict())  # type: ignore[attr-defined]
        for s in find_dates(text, ref)
    ]


def _departments(text: str) -> list[Mention]:
    found = [
        Mention("department", m.group(0), m.start(), m.end()) for m in _DEPARTMENT_EN.finditer(text)
    ]
    last = 0  # the end of the last Chinese match (matches do not overlap)
    for m in _DEPARTMENT_ZH_SUFFIX.finditer(text) if _CJK.search(text) else ():
        head = text[max(last, m.start() - 4) : m.start()]
        name = max((n for n in _DEPARTMENT_ZH if head.endswith(n)), key=len, default=None)
        if name is not None:
            start = m.start() - len(name)
            found.append(Mention("department", text[start : m.end()], start, m.end()))
            last = m.end()
    return sorted(found, key=lambda x: x.start)


# --- the extractor ---------------------------------------------------------------------
_PRIORITY = {
    t: i
    for i, t in enumerate(
        (
            "contract",
            "amount",
            "date",
            "org",
            "product",
            "project",
            "department",
            "person",
            "location",
        )
    )
}


def extract_entities(
    text: str, ref: date | None = None, gazetteer: Gazetteer | None = None
) -> list[Mention]:
    """Every entity mention of `text`; overlapping mentions keep the longest (then the most
    specific type); a gazetteer match wins over a guess of the same span."""
    tokens = tag(text, gazetteer) if _CJK.search(text) else []
    found: list[Mention] = []
    found += _contracts(text) + _cases(text) + _amounts(text) + _dates(text, ref)
    found += _zh_orgs(text, tokens) + _en_orgs(text)
    found += _products(text) + _zh_projects(text, tokens) + _departments(text)
    cued = _cued_people(text)
    found += cued + _zh_people(tokens) + _en_people(text) + _zh_places(tokens)
    known = gazetteer.find(text) if gazetteer is not None else []  # compiled once per gazetteer
    local = Gazetteer()  # the names this text introduces with a role cue, found everywhere in it
    for m in cued:
        local.add(m.name, "person")
    return _resolve_overlaps(known + local.find(text), found)


def _resolve_overlaps(known: Iterable[Mention], guessed: Iterable[Mention]) -> list[Mention]:
    ranked = [(0, m) for m in known] + [(1, m) for m in guessed]
    ranked.sort(key=lambda p: (-(p[1].end - p[1].start), p[0], _PRIORITY.get(p[1].type, 9)))
    used = bytearray(max((m.end for _s, m in ranked), default=0))  # 1: a kept mention's char
    kept: list[Mention] = []
    for _src, m in ranked:
        if m.end > m.start and used.find(1, m.start, m.end) != -1:
            continue
        used[m.start : m.end] = b"\x01" * (m.end - m.start)
        kept.append(m)
    return sorted(kept, key=lambda m: m.start)
