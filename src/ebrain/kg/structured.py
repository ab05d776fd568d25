"""Structured questions answered from the records, with citations to the source chunks:
"2023年和A公司签的合同总金额是多少?", "How many contracts did we sign with Thai Precision in 2024?".

The question is read for an aggregate (sum / count), a record type (contracts), a period (a
year, quarter, month or day: the signing date must fall in it) and the organizations it names
(a party of the contract must be one of them, by entity key or alias). Amounts are summed per
currency; never converted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ebrain.auth import Principal
from ebrain.kg.normalize import Period, find_dates
from ebrain.kg.resolve import name_key

_SUM = re.compile(r"总金额|总额|合计|总计|一共|多少钱|金额是多少|total|sum|how much", re.I)
_COUNT = re.compile(r"多少份|几份|多少个合同|几个合同|how many|number of", re.I)
_CONTRACT = re.compile(r"合同|协议|contract|agreement", re.I)


def ask_records(
    question: str,
    principal: Principal,
    records: Callable[[str, Principal], list[dict[str, Any]]],
    names_of: Callable[[list[int]], dict[int, dict[str, Any]]],
    org_ids: list[int],
) -> dict[str, Any] | None:
    """The answer from the contract records, or None when the question is not one of these."""
    kind = "sum" if _SUM.search(question) else "count" if _COUNT.search(question) else None
    if kind is None or not _CONTRACT.search(question):
        return None
    periods = [s.value for s in find_dates(question[:500])]
    orgs = names_of(org_ids)
    keys = {name_key("org", o["name"]) for o in orgs.values()}
    keys |= {name_key("org", a["name"]) for o in orgs.values() for a in o["aliases"]}
    chosen = [
        r
        for r in records("contract", principal)
        if _in_periods(r["fields"].get("signed"), periods) and _has_party(r["fields"], keys)
    ]
    return _answer(question, kind, chosen, periods, [o["name"] for o in orgs.values()])


def _in_periods(day: Any, periods: list[Any]) -> bool:
    if not periods:
        return True
    if not isinstance(day, str):
        return False
    return any(isinstance(p, Period) and p.start <= day <= p.end for p in periods)


def _has_party(fields: dict[str, Any], keys: set[str]) -> bool:
    if not keys:
        return True
    parties = {name_key("org", p) for p in fields.get("parties", []) if isinstance(p, str)}
    return bool(parties & keys) or any(k in p for k in keys for p in parties)


def _answer(
    question: str, kind: str, chosen: list[dict[str, Any]], periods: list[Any], orgs: list[str]
) -> dict[str, Any]:
    totals: dict[str, float] = {}
    citations = []
    for r in chosen:
        amount = r["fields"].get("amount")
        if isinstance(amount, dict) and "amount" in amount:
            cur = str(amount.get("currency", ""))
            totals[cur] = totals.get(cur, 0.0) + float(amount["amount"])
        source = r["sources"].get("amount") or r["sources"].get("number") or {}
        citations.append(
            {
                "document_id": r["document_id"],
                "title": r["title"],
                "path": r["path"],
                "number": r["fields"].get("number"),
                "amount": amount,
                "signed": r["fields"].get("signed"),
                "chunk_id": source.get("chunk_id"),
                "start": source.get("start"),
                "end": source.get("end"),
            }
        )
    zh = bool(re.search(r"[\u4e00-\u9fff]", question))
    return {
        "question": question,
        "aggregate": kind,
        "filters": {
            "periods": [p.label for p in periods if isinstance(p, Period)],
            "organizations": orgs,
        },
        "count": len(chosen),
        "totals": {c: _whole(v) for c, v in sorted(totals.items())},
        "answer": _text(kind, len(chosen), totals, zh),
        "citations": citations,
    }


def _whole(value: float) -> float | int:
    return int(value) if value == int(value) else round(value, 2)


def _text(kind: str, n: int, totals: dict[str, float], zh: bool) -> str:
    money = "；".join(f"{c} {_whole(v):,}" for c, v in sorted(totals.items())) or "0"
    if kind == "count":
        return f"共 {n} 份合同。" if zh else f"{n} contract(s)."
    if zh:
        return f"共 {n} 份合同，总金额 {money}。"
    return f"{n} contract(s), total {money.replace('；', '; ')}."
