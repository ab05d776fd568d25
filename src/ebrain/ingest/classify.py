"""Document types from file name, structure and content cues, in Chinese and English."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter

from ebrain.ingest.document import Document

DOC_TYPES = (
    "meeting_minutes",
    "report",
    "contract",
    "acceptance",
    "transcript",
    "manual",
    "fault_analysis",
    "other",
)


@dataclass(frozen=True)
class Cues:
    """Regular expressions that vote for one type: in the name/title, and in the body."""

    name: str
    body: str


CUES: dict[str, Cues] = {
    "meeting_minutes": Cues(
        r"纪要|会议记录|例会|minutes|meeting|standup|review meeting",
        r"参会|与会|出席|主持人?[：:]|记录人|会议时间|会议地点|议题|议程|行动项|待办|决议"
        r"|attendees|agenda|action items?|minutes|chair(?:ed)?[：:]|decisions?[：:]",
    ),
    "report": Cues(
        r"周报|月报|季报|年报|日报|汇报|季度|月度|年度|经营报告|工作报告|weekly|monthly|quarterly"
        r"|annual report|status report|\bq[1-4]\b|报表|总结|统计|pipeline|forecast|tickets"
        r"|dashboard|kpi",
        r"本周|上周|下周|本月|下月|本季度|季度|同比|环比|完成情况|工作计划|营收|销售额|kpi"
        r"|this week|next week|last week|this month|quarter|year[- ]over[- ]year|revenue"
        r"|highlights|progress|status",
    ),
    "contract": Cues(
        r"合同|协议|contract|agreement|\bnda\b|purchase order|采购订单",
        r"甲方|乙方|第[一二三四五六七八九十百\d]+条|违约|签订|双方|争议解决|生效|付款方式"
        r"|party a|party b|hereinafter|whereas|governing law|terms and conditions"
        r"|in witness whereof|shall",
    ),
    "acceptance": Cues(
        r"验收|acceptance|sign[- ]?off|交付确认|commissioning",
        r"验收|验收结论|验收意见|验收合格|交付|签字确认|试运行|acceptance|accepted|punch list"
        r"|commissioning|hand[- ]?over|sign[- ]?off|test results",
    ),
    "transcript": Cues(
        r"transcript|chat|call|对话|通话|会话|客服记录|聊天|录音",
        r"(?m)^(?:客户|客服|坐席|销售|顾客|用户|agent|customer|sales|rep)\s*[：:]"
        r"|您好|请问|感谢您的|how can i help|thank you for calling",
    ),
    "manual": Cues(
        r"手册|说明书|指南|产品介绍|产品手册|规格书|manual|guide|handbook|instructions|user guide"
        r"|faq|datasheet|brochure",
        r"安装|操作步骤|注意事项|规格|参数|维护保养|警告|故障排除|installation|specifications?"
        r"|troubleshooting|warning|caution|step \d|maintenance|operating",
    ),
    "fault_analysis": Cues(
        r"故障|失效|事故|8d|rca|root[- ]cause|failure|incident|postmortem|post-mortem",
        r"故障现象|根本原因|根因|原因分析|纠正措施|预防措施|临时措施|失效模式|复现"
        r"|root cause|corrective action|preventive action|failure mode|symptom|containment"
        r"|5 ?whys|incident",
    ),
}

_NAME_WEIGHT = 4.0
_BODY_CAP = 6
_MIN_SCORE = 2.5
_BODY_CHARS = 6000
_TEXT = attrgetter("text")


@dataclass
class Classification:
    """The chosen type, its score, and the cue counts that decided it."""

    doc_type: str
    score: float
    scores: dict[str, float] = field(default_factory=dict)


def _compiled() -> dict[str, tuple[re.Pattern[str], re.Pattern[str]]]:
    return {t: (re.compile(c.name), re.compile(c.body)) for t, c in CUES.items()}


_PATTERNS = _compiled()


def _score(doc_type: str, name: str, body: str) -> float:
    """Votes for `doc_type` from lower-cased name and body (the cues are lower case)."""
    name_re, body_re = _PATTERNS[doc_type]
    score = _NAME_WEIGHT * min(len(name_re.findall(name)), 2)
    distinct = set(body_re.findall(body))
    return score + min(len(distinct), _BODY_CAP)


def classify(doc: Document, file_name: str = "") -> Classification:
    """Classify a parsed document into one of DOC_TYPES."""
    if doc.meta.get("kind") == "transcript" or doc.meta.get("transcript"):
        return Classification("transcript", 10.0, {"transcript": 10.0})
    name = f"{file_name} {doc.title}".lower()
    body = _head(doc, _BODY_CHARS)
    lowered = body.lower()
    scores = {t: _score(t, name, lowered) for t in CUES}
    if speaker_turns(body) >= 6:
        scores["transcript"] += 8
    _disambiguate(scores, name)
    best = max(scores, key=lambda t: scores[t])
    if scores[best] < _MIN_SCORE:
        return Classification("other", scores[best], scores)
    return Classification(best, scores[best], scores)


def _head(doc: Document, limit: int) -> str:
    """doc.text[:limit], joining only the blocks that reach into it."""
    parts: list[str] = []
    size = -2  # length of "\n\n".join(parts), the separators included
    for text in filter(None, map(_TEXT, doc.blocks)):  # doc.text's blocks, as doc.text picks them
        parts.append(text)
        size += len(text) + 2
        if size >= limit:  # the rest of doc.text lies past `limit`
            break
    return "\n\n".join(parts)[:limit]


# A turn starts a line. Matching a literal "\n" on "\n" + text (instead of (?m)^ on text) finds
# the same turns, but lets re jump from newline to newline. Consuming that "\n" skips no turn:
# a match ends in \S, so the next line start is never at the very end of the previous match.
_TURN = re.compile(r"\n(?:\[[\d:\- ]+\]\s*)?([^\s：:\[\]|#]{1,12})[：:]\s*\S")


def speaker_turns(text: str) -> int:
    """Lines spoken by a recurring speaker ("张伟：…", "[09:43] Agent: …"): a dialogue's shape."""
    counts = Counter(_TURN.findall("\n" + text))
    recurring = [c for c in counts.values() if c >= 3]
    return sum(recurring) if len(recurring) >= 2 else 0


_FAULT_NAME = re.compile(r"故障|失效|8d|rca|root[- ]cause|failure", re.I)
_ACCEPTANCE_NAME = re.compile(r"验收|acceptance", re.I)
_STAFF_GUIDE_NAME = re.compile(r"员工手册|employee handbook|staff handbook|hr ", re.I)


def _disambiguate(scores: dict[str, float], name: str) -> None:
    """Correct scores the file name contradicts."""
    # "故障分析报告" / "验收报告" are not periodic reports: the qualifier decides.
    if _FAULT_NAME.search(name):
        scores["report"] = min(scores["report"], scores["fault_analysis"] - 1)
    if _ACCEPTANCE_NAME.search(name):
        scores["report"] = min(scores["report"], scores["acceptance"] - 1)
    # Staff handbooks and HR guides are not product manuals.
    if _STAFF_GUIDE_NAME.search(name):
        scores["manual"] = 0
