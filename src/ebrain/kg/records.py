"""Structured records of the enterprise document types, from cue words and the entities found.

- contract: number, parties (甲方/乙方, "by and between X and Y"), amount, signing date, term,
  payment terms, acceptance conditions, governing law;
- meeting minutes: date, decisions, action items (owner, task, due date);
- fault analysis: id, product, symptom, cause, fix;
- customer-service transcript: customer, product, issue category, sentiment, resolved.

Every field value comes with the [start, end) span of the text it was read from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ebrain.kg.entities import Mention

RECORD_TYPES = ("contract", "meeting_minutes", "fault_analysis", "transcript")
_VALUE_CHARS = 300


@dataclass
class Record:
    """One structured record: fields, and the span each field was read from."""

    type: str
    fields: dict[str, Any] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)

    def put(self, name: str, value: Any, start: int, end: int) -> None:
        """Set a field (first value wins) with its source span."""
        if name not in self.fields and value not in (None, "", []):
            self.fields[name] = value
            self.spans[name] = (start, end)


def _after(text: str, cue: str, flags: int = 0) -> re.Match[str] | None:
    """The text after a cue up to the end of its clause (a line, or a sentence)."""
    return re.search(rf"(?:{cue})\s*[:：]?\s*(?P<v>[^\n。；;]{{2,{_VALUE_CHARS}}})", text, flags)


def _first(mentions: Sequence[Mention], kind: str, start: int, end: int) -> Mention | None:
    return next((m for m in mentions if m.type == kind and start <= m.start < end), None)


# --- contracts --------------------------------------------------------------------------
_PARTY_ZH = re.compile(
    r"(?P<role>甲方|乙方|丙方)\s*(?:[（(][^）)]{1,6}[）)])?\s*[:：]\s*(?P<v>[^\n，,；;。（(地]{2,60})"
)
_BETWEEN = re.compile(
    r"by\s+and\s+between\s+(?P<a>.{3,200}?)(?:\s*\([^)]{0,120}\))?,?\s+and\s+(?P<b>.{3,200}?)(?:\s*\(|,|\.\s)",
    re.I | re.S,
)
_CONTRACT_AMOUNT_CUE = (
    r"合同总金额|合同总价|合同金额|合同价款|总金额|总价款|总价|Contract\s+Price|Total\s+(?:Contract\s+)?"
    r"(?:Price|Amount|Value)|aggregate\s+amount|purchase\s+price|amount\s+of"
)
_SIGN_CUE = r"签订日期|签约日期|签署日期|签订时间|签约时间|Date\s+of\s+Signing|Signing\s+Date|Effective\s+Date|entered\s+into\s+(?:as\s+of|on)|dated\s+as\s+of|made\s+(?:as\s+of|on)"
_TERM_CUE = (
    r"合同期限|有效期限?|服务期限?|期限为|term\s+of\s+this\s+Agreement|Term\b|initial\s+term"
)
_PAY_CUE = r"付款方式|付款条件|支付方式|结算方式|Payment\s+Terms?|Payment\b"
_ACCEPT_CUE = r"验收标准|验收条件|验收方式|第[一二三四五六七八九十]+条\s*验收|Acceptance(?:\s+(?:Criteria|Tests?|Conditions?))?"
_LAW_ZH = re.compile(r"适用(?P<v>[^\n，。；;《》]{2,30}?法律)")
_LAW_ZH2 = re.compile(r"(?P<v>中华人民共和国[^\n，。；;《》]{0,12}法律)")
_LAW_EN = re.compile(
    r"governed\s+by[^.]{0,60}?laws?\s+of\s+(?:the\s+)?(?P<v>[A-Z][\w ,'-]{2,60}?)(?=[,.;(]|\s+without|\s+excluding)",
    re.S,
)


def contract_record(text: str, mentions: Sequence[Mention]) -> Record:
    """The contract's number, parties, amount, dates and key clauses."""
    rec = Record("contract")
    number = next((m for m in mentions if m.type == "contract"), None)
    if number is not None:
        rec.put("number", number.name, number.start, number.end)
    _parties(text, mentions, rec)
    _contract_amount(text, mentions, rec)
    _signed(text, mentions, rec)
    for name, cue in (
        ("term", _TERM_CUE),
        ("payment_terms", _PAY_CUE),
        ("acceptance", _ACCEPT_CUE),
    ):
        m = _after(text, cue, re.I)
        if m is not None:
            rec.put(name, m.group("v").strip(" •·-"), m.start("v"), m.end("v"))
    _law(text, rec)
    return rec


def _parties(text: str, mentions: Sequence[Mention], rec: Record) -> None:
    parties: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _PARTY_ZH.finditer(text):
        org = _first(mentions, "org", m.start("v"), m.end("v"))
        name = org.name if org is not None else m.group("v").strip()
        if name not in parties and len(parties) < 4:
            parties.append(name)
            spans.append((m.start("v"), m.start("v") + len(name)))
    between = _BETWEEN.search(text[:20_000])
    if not parties and between is not None:
        for g in ("a", "b"):
            org = _first(mentions, "org", between.start(g), between.end(g))
            name = org.name if org is not None else between.group(g).strip(" ,")
            parties.append(name)
            spans.append((between.start(g), between.end(g)))
    if parties:
        rec.put("parties", parties, spans[0][0], spans[-1][1])


def _contract_amount(text: str, mentions: Sequence[Mention], rec: Record) -> None:
    amounts = [m for m in mentions if m.type == "amount"]
    for cue in re.finditer(_CONTRACT_AMOUNT_CUE, text, re.I):
        near = _first(amounts, "amount", cue.end(), cue.end() + 80)
        if near is not None:
            rec.put("amount", near.value, near.start, near.end)
            return
    if amounts:
        best = max(amounts, key=lambda m: float((m.value or {}).get("amount", 0)))
        rec.put("amount", best.value, best.start, best.end)


def _signed(text: str, mentions: Sequence[Mention], rec: Record) -> None:
    for cue in re.finditer(_SIGN_CUE, text, re.I):
        near = _first(mentions, "date", cue.end(), cue.end() + 40)
        if near is not None and (near.value or {}).get("kind") == "day":
            rec.put("signed", near.value["start"], near.start, near.end)  # type: ignore[index]
            return


def _law(text: str, rec: Record) -> None:
    zh = _LAW_ZH.search(text) or _LAW_ZH2.search(text)
    en = _LAW_EN.search(text)
    if zh is not None:
        rec.put("governing_law", zh.group("v"), zh.start("v"), zh.end("v"))
    elif en is not None:
        rec.put("governing_law", en.group("v").strip(), en.start("v"), en.end("v"))


# --- meeting minutes --------------------------------------------------------------------
_ACTIONS_HEAD = re.compile(
    r"(?:行动项|行动计划|待办事项|后续工作|下一步工作|跟进事项|任务分工|工作安排"
    r"|Action\s+items?|Action\s+plan|Next\s+steps|To-?dos?|Follow-?ups?)"
    # or a table whose header names an owner column and a due column (8D D6, action plans)
    r"|(?m:^\|[^\n]*(?:负责人|责任人|Owner|Responsible)[^\n]*(?:期限|截止|完成时间|日期|Due|Deadline)[^\n]*$)",
    re.I,
)
_DECISION = re.compile(
    r"(?:^|\n)[^\n]{0,20}?(?:决定|决议|一致同意|会议确定|Decision|Decided|Agreed)[^\n]{0,300}", re.I
)


def minutes_record(text: str, mentions: Sequence[Mention]) -> Record:
    """Decisions and action items (owner, task, due date)."""
    rec = Record("meeting_minutes")
    dates = [m for m in mentions if m.type == "date"]
    if dates:
        rec.put("date", dates[0].value["start"], dates[0].start, dates[0].end)  # type: ignore[index]
    decisions = [
        (m.group(0).strip(" \n-•*"), m.start(), m.end()) for m in _DECISION.finditer(text)
    ][:20]
    if decisions:
        rec.put("decisions", [d[0] for d in decisions], decisions[0][1], decisions[-1][2])
    items = action_items(text, mentions)
    if items:
        rec.put("action_items", [i[0] for i in items], items[0][1], items[-1][2])
    return rec


def action_items(text: str, mentions: Sequence[Mention]) -> list[tuple[dict[str, Any], int, int]]:
    """Lines of the action-item section with an owner: (item, start, end)."""
    head = _ACTIONS_HEAD.search(text)
    if head is None:
        return []
    out: list[tuple[dict[str, Any], int, int]] = []
    pos = head.end()
    lines = text[head.end() : head.end() + 8000].split("\n")
    for n, line in enumerate(lines):
        start, end = pos, pos + len(line)
        pos = end + 1
        if (
            out
            and re.match(r"\s*#{1,6}\s|\s*\d+\.\s+[A-Z\u4e00-\u9fff]", line)
            and not _first(mentions, "person", start, end)
        ):
            break
        owner = _first(mentions, "person", start, end)
        if owner is None or len(line.strip()) < 6:
            continue
        due = _day_in(mentions, start, end)
        nxt = lines[n + 1] if n + 1 < len(lines) else ""
        below = (end + 1, end + 1 + len(nxt))  # the due date on its own line ("截止：3月15日")
        if due is None and len(nxt.strip()) <= 40 and not _first(mentions, "person", *below):
            due = _day_in(mentions, *below)
        task = _task_text(line, owner.name)
        item = {
            "owner": owner.name,
            "task": task,
            "due": due.value["start"] if due is not None and due.value else None,
        }
        out.append((item, start, end))
    return out[:50]


def _day_in(mentions: Sequence[Mention], start: int, end: int) -> Mention | None:
    """The first day-precise date mentioned in [start, end)."""
    return next(
        (
            m
            for m in mentions
            if m.type == "date" and start <= m.start < end and (m.value or {}).get("kind") == "day"
        ),
        None,
    )


def _task_text(line: str, owner: str) -> str:
    cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else [line]
    text = max(cells, key=len) if len(cells) > 1 else cells[0]
    text = text.replace(owner, "", 1) if len(cells) == 1 else text
    return re.sub(r"^[\s\-•*:：、，,]+|[；;。\s]+$", "", text)[:200]


# --- fault analyses ---------------------------------------------------------------------
_FAULT_CUES = {
    "symptom": r"问题描述|故障现象|现象|问题现象|D2[^\n]{0,12}|Symptoms?|Problem\s+description",
    "cause": r"根本原因|根因|原因分析|原因|D4[^\n]{0,12}|Root\s+cause|Cause",
    "fix": r"纠正措施|解决方案|处理措施|永久措施|整改措施|D5[^\n]{0,12}|D6[^\n]{0,12}|Corrective\s+actions?|Fix|Resolution|Solution",
}
_FAULT_ID = re.compile(r"\b(?:FA|8D)-[A-Z0-9]{2,6}-?\d{2,4}\b")


def fault_record(text: str, mentions: Sequence[Mention]) -> Record:
    """The fault's id, product, symptom, cause and fix."""
    rec = Record("fault_analysis")
    fid = _FAULT_ID.search(text)
    if fid is not None:
        rec.put("id", fid.group(0), fid.start(), fid.end())
    product = next((m for m in mentions if m.type == "product"), None)
    if product is not None:
        rec.put("product", product.name, product.start, product.end)
    items = action_items(text, mentions)
    if items:
        rec.put("action_items", [i[0] for i in items], items[0][1], items[-1][2])
    for name, cue in _FAULT_CUES.items():
        m = re.search(
            rf"(?:^|\n)[#\s\d.、一二三四五六七八（）()]*(?:{cue})[^\n]{{0,20}}?[:：]?\s*\n*(?P<v>[^\n]{{4,{_VALUE_CHARS}}})",
            text,
            re.I,
        )
        if m is not None:
            rec.put(name, m.group("v").strip(" |•-"), m.start("v"), m.end("v"))
    return rec


# --- transcripts ------------------------------------------------------------------------
_CATEGORIES = (
    ("overheating", r"过热|过温|温度过高|overheat|over-temperature|E-21"),
    ("communication", r"通讯|通信|掉线|断线|Modbus|dropout|disconnect|offline"),
    ("data", r"数据缺失|数据缺口|数据丢失|缺数|missing data|data gap"),
    ("hardware", r"风扇|fan|硬件|损坏|更换|replace"),
    ("software", r"软件|补丁|升级|固件|firmware|patch|upgrade"),
    ("pricing", r"报价|价格|折扣|quote|price|discount"),
    ("installation", r"安装|调试|部署|install|commissioning"),
)
_NEGATIVE = r"不满|投诉|着急|急|影响生产|停产|差|失望|抱怨|严重|unacceptable|frustrat|complain|urgent|angry|disappoint|not happy|losing"
_POSITIVE = r"满意|感谢|谢谢|好的|不错|顺利|thank|great|appreciate|happy|good|resolved"
_RESOLVED = r"已解决|问题解决|恢复正常|已恢复|已修复|关闭工单|resolved|fixed|closed|back to normal|working again"
_UNRESOLVED = r"未解决|仍然|还是有|待处理|跟进中|still|pending|not yet|open issue"


def transcript_record(text: str, mentions: Sequence[Mention]) -> Record:
    """Customer, product, issue category, sentiment and whether it was resolved."""
    rec = Record("transcript")
    for name, kind in (("customer", "org"), ("product", "product")):
        m = next((x for x in mentions if x.type == kind), None)
        if m is not None:
            rec.put(name, m.name, m.start, m.end)
    first = [(h.start(), h.end(), c) for c, p in _CATEGORIES if (h := re.search(p, text, re.I))]
    if first:  # the issue the conversation raises first
        start, end, category = min(first)
        rec.put("issue_category", category, start, end)
    neg, pos = len(re.findall(_NEGATIVE, text, re.I)), len(re.findall(_POSITIVE, text, re.I))
    rec.put(
        "sentiment",
        "negative" if neg > pos else "positive" if pos > neg else "neutral",
        0,
        len(text),
    )
    tail = text[-1500:]
    resolved = len(re.findall(_RESOLVED, tail, re.I)) > len(re.findall(_UNRESOLVED, tail, re.I))
    rec.fields["resolved"] = resolved
    rec.spans["resolved"] = (max(0, len(text) - 1500), len(text))
    return rec


_BUILDERS = {
    "contract": contract_record,
    "meeting_minutes": minutes_record,
    "fault_analysis": fault_record,
    "transcript": transcript_record,
}


def extract_records(doc_type: str, text: str, mentions: Sequence[Mention]) -> list[Record]:
    """The record of a document of one of RECORD_TYPES (none for other types)."""
    builder = _BUILDERS.get(doc_type)
    if builder is None:
        return []
    rec = builder(text, mentions)
    return [rec] if rec.fields else []
