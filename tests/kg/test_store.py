"""The graph in the catalog: per-document facts replaced on re-ingest, removed with the document,
entity resolution across documents and languages, user aliases and merges, ACL filtering."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.catalog import schema as t
from ebrain.errors import InvalidInputError, NotFoundError, PermissionDeniedError

OWNER = Principal.owner()

CONTRACT = (
    "采购合同\n合同编号：HT2023-015\n甲方（买方）：江苏恒达汽车零部件有限公司\n"
    "乙方（卖方）：华川智能装备有限公司\n签订日期：2023 年 6 月 18 日\n"
    "第一条 甲方向乙方采购 HT-2000 控制器 12 台，合同总金额为人民币伍拾玖万捌仟元整（¥598,000）。\n"
    "第二条 付款方式：合同生效后 10 日内支付 30%。\n第三条 验收标准：连续运行 72 小时无故障。\n"
    "本合同适用中华人民共和国法律。\n甲方代表：黄建国\n"
)
MINUTES = (
    "# 质量专题会议纪要\n\n日期：2024-01-15\n参会：王磊、张伟、周婷\n\n"
    "恒达三号线的 HT-2000 反复过温报警，涉及合同 HT2023-015。\n\n## 行动项\n\n"
    "- 王磊：1 月 17 日前向恒达发致歉函；\n- 张伟：1 月 19 日前排定风扇更换计划。\n"
)
EMAIL = (
    "Weekly Sales Meeting - Minutes, 8 May 2024\n\nChair: Grace Zhao (赵敏). "
    "Thai Precision Forging Co., Ltd. signed contract HT2024-007 for USD 98,500.\n"
)


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _count(brain: Brain, table: sa.Table, document_id: int | None = None) -> int:
    q = sa.select(sa.func.count()).select_from(table)
    if document_id is not None:
        q = q.where(table.c.document_id == document_id)
    with brain.engine.connect() as conn:
        return int(conn.execute(q).scalar() or 0)


def _doc_id(brain: Brain, name: str) -> int:
    docs = brain.documents(principal=OWNER)
    return next(d["id"] for d in docs if any(name in p for p in d["paths"]))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "c",
        {
            "contracts/恒达合同.txt": CONTRACT,
            "minutes/质量会议纪要.md": MINUTES,
            "en/sales.txt": EMAIL,
        },
    )


def test_ingest_extracts_entities_records_and_relations(kg_brain: Brain, corpus: Path) -> None:
    kg_brain.ingest([corpus])
    found = kg_brain.kg.entity("江苏恒达汽车零部件有限公司", principal=OWNER)["entities"]
    assert found[0]["type"] == "org"
    assert {d["title"] for d in found[0]["documents"]} == {"恒达合同"}
    (rec,) = kg_brain.kg.records("contract", principal=OWNER)
    fields = rec["fields"]
    assert fields["number"] == "HT2023-015"
    assert fields["parties"] == ["江苏恒达汽车零部件有限公司", "华川智能装备有限公司"]
    assert fields["amount"] == {"amount": 598000, "currency": "CNY"}
    assert fields["signed"] == "2023-06-18"
    assert "中华人民共和国" in fields["governing_law"]
    assert rec["sources"]["amount"]["chunk_id"] is not None
    rels = {r["rel"] for r in found[0]["relations"]}
    assert {"signed_with", "party_to"} <= rels


def test_short_names_and_stated_translations_resolve_to_one_entity(
    kg_brain: Brain, corpus: Path
) -> None:
    kg_brain.ingest([corpus])
    # "恒达" is used on its own in the minutes: an alias of the company
    hengda = kg_brain.kg.entity("恒达", principal=OWNER)["entities"][0]
    assert hengda["name"] == "江苏恒达汽车零部件有限公司"
    # "Grace Zhao (赵敏)": one person under both names
    zh = kg_brain.kg.entity("赵敏", principal=OWNER)["entities"][0]
    en = kg_brain.kg.entity("Grace Zhao", principal=OWNER)["entities"][0]
    assert zh["id"] == en["id"]


def test_reingest_replaces_only_that_documents_facts(kg_brain: Brain, corpus: Path) -> None:
    kg_brain.ingest([corpus])
    contract, minutes = _doc_id(kg_brain, "恒达合同"), _doc_id(kg_brain, "质量会议纪要")
    before_minutes = _count(kg_brain, t.kg_mention, minutes)
    path = corpus / "contracts" / "恒达合同.txt"
    path.write_text(
        CONTRACT.replace("¥598,000", "¥600,000").replace("伍拾玖万捌仟", "陆拾万"), "utf-8"
    )
    kg_brain.ingest([corpus])
    (rec,) = kg_brain.kg.records("contract", principal=OWNER)
    assert rec["fields"]["amount"]["amount"] == 600000
    assert _count(kg_brain, t.kg_record, contract) == 1  # replaced, not added
    assert _count(kg_brain, t.kg_mention, minutes) == before_minutes  # untouched
    with kg_brain.engine.connect() as conn:
        old = conn.execute(
            sa.select(sa.func.count())
            .select_from(t.kg_mention)
            .where(t.kg_mention.c.text == "CNY 598,000")
        ).scalar()
    assert old == 0


def test_deleting_a_document_removes_its_facts_and_orphans(kg_brain: Brain, corpus: Path) -> None:
    kg_brain.ingest([corpus])
    contract = _doc_id(kg_brain, "恒达合同")
    kg_brain.remove_document(contract)
    assert _count(kg_brain, t.kg_mention, contract) == 0
    assert _count(kg_brain, t.kg_record, contract) == 0
    assert kg_brain.kg.records("contract", principal=OWNER) == []
    kg_brain.kg.extract()  # a later run sweeps entities no fact refers to
    with pytest.raises(NotFoundError):
        kg_brain.kg.entity("黄建国", principal=OWNER)


def test_reads_are_filtered_by_the_principals_groups(kg_brain: Brain, tmp_path: Path) -> None:
    secret = _write(tmp_path / "s", {"legal/恒达合同.txt": CONTRACT})
    public = _write(tmp_path / "p", {"en/sales.txt": EMAIL})
    kg_brain.ingest([secret], acl=["legal"])
    kg_brain.ingest([public])
    outsider = Principal.user("bob", ["sales"])
    lawyer = Principal.user("ann", ["legal"])
    assert kg_brain.kg.records("contract", principal=outsider) == []
    assert len(kg_brain.kg.records("contract", principal=lawyer)) == 1
    with pytest.raises(NotFoundError):
        kg_brain.kg.entity("黄建国", principal=outsider)
    assert kg_brain.kg.entity("黄建国", principal=lawyer)["entities"]
    exported = kg_brain.kg.export("jsonld", principal=outsider)
    assert "黄建国" not in exported and "Grace Zhao" in exported
    with pytest.raises(PermissionDeniedError):
        kg_brain.kg.records("contract", principal=None)  # type: ignore[arg-type]


def test_user_alias_and_merge(kg_brain: Brain, corpus: Path) -> None:
    kg_brain.ingest([corpus])
    kg_brain.kg.alias("江苏恒达汽车零部件有限公司", "Hengda Auto Parts")
    assert kg_brain.kg.entity("Hengda Auto Parts", principal=OWNER)["entities"][0]["name"] == (
        "江苏恒达汽车零部件有限公司"
    )
    merged = kg_brain.kg.merge("王磊", "张伟")
    assert {"name": "张伟", "source": "user"} in merged["aliases"]
    assert kg_brain.kg.entity("张伟", principal=OWNER)["entities"][0]["name"] == "王磊"
    kg_brain.ingest([corpus])  # unchanged files: nothing re-extracted, the merge holds
    with pytest.raises(InvalidInputError):
        kg_brain.kg.merge("王磊", "张伟")


def test_neighbors_path_and_where(kg_brain: Brain, corpus: Path) -> None:
    kg_brain.ingest([corpus])
    near = kg_brain.kg.neighbors("HT2023-015", principal=OWNER)
    names = {n["name"] for n in near["neighbors"]}
    assert "江苏恒达汽车零部件有限公司" in names and "王磊" in names
    path = kg_brain.kg.path("黄建国", "周婷", principal=OWNER)
    assert path["found"] and 3 <= len(path["path"]) <= 5
    assert kg_brain.kg.records("contract", "amount > 1000000", principal=OWNER) == []
    hits = kg_brain.kg.records(
        "contract", 'amount >= 59.8万 and parties contains "恒达"', principal=OWNER
    )
    assert len(hits) == 1
    with pytest.raises(InvalidInputError):
        kg_brain.kg.records("contract", "amount > 1; DROP TABLE kg_record", principal=OWNER)


def test_structured_question_from_records_with_citations(kg_brain: Brain, tmp_path: Path) -> None:
    second = CONTRACT.replace("HT2023-015", "HT2023-099").replace("¥598,000", "¥402,000")
    second = second.replace("伍拾玖万捌仟", "肆拾万贰仟").replace("2023 年 6 月", "2023 年 9 月")
    other = CONTRACT.replace("HT2023-015", "HT2024-001").replace("2023 年 6 月", "2024 年 2 月")
    corpus = _write(
        tmp_path / "c",
        {"a/1.txt": CONTRACT, "a/2.txt": second, "a/3.txt": other, "b/m.md": MINUTES},
    )
    kg_brain.ingest([corpus])
    out = kg_brain.kg.ask("2023年和恒达签的合同总金额是多少？", principal=OWNER)
    assert out is not None
    assert out["count"] == 2 and out["totals"] == {"CNY": 1_000_000}
    assert {c["number"] for c in out["citations"]} == {"HT2023-015", "HT2023-099"}
    assert all(c["chunk_id"] for c in out["citations"])
    assert "1,000,000" in out["answer"]
    assert kg_brain.kg.ask("恒达的联系人是谁？", principal=OWNER) is None
    outsider = Principal.user("bob", ["x"])
    assert kg_brain.kg.ask("2023年的合同总金额", principal=outsider)["count"] == 2  # public docs


def test_names_stated_only_in_unreadable_documents_stay_hidden(
    kg_brain: Brain, tmp_path: Path
) -> None:
    secret = _write(tmp_path / "s", {"hr/chair.txt": EMAIL})  # states "Grace Zhao (赵敏)"
    public = _write(tmp_path / "p", {"pub/note.txt": "# 周会\n\n主持人：赵敏。会上讨论了排期。\n"})
    kg_brain.ingest([secret], acl=["hr"])
    kg_brain.ingest([public])
    outsider = Principal.user("bob", ["sales"])
    seen = kg_brain.kg.entity("赵敏", principal=outsider)["entities"][0]
    assert seen["name"] == "赵敏"
    assert all("Grace" not in a["name"] for a in seen["aliases"])
    assert "Grace" not in kg_brain.kg.export("graphml", principal=outsider)
    full = kg_brain.kg.entity("赵敏", principal=Principal.user("hr", ["hr"]))["entities"][0]
    assert "Grace Zhao" in {full["name"], *(a["name"] for a in full["aliases"])}
