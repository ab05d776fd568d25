"""The offline extractor: entities (zh/en), stated aliases, short names, records per type."""

from __future__ import annotations

from datetime import date

from ebrain.kg.enricher import extract
from ebrain.kg.entities import Gazetteer, extract_entities
from ebrain.kg.resolve import name_key, short_names


def _names(text: str, kind: str, ref: date | None = None) -> set[str]:
    return {m.name for m in extract_entities(text, ref) if m.type == kind}


def test_chinese_entities() -> None:
    text = (
        "甲方（买方）：江苏恒达汽车零部件有限公司，乙方：华川智能装备有限公司。"
        "甲方代表：黄建国（设备部部长），参会：王磊、李娜。合同编号：HT2023-015，"
        "采购 HT-2000 温控器和 iFactory V2.3.1，金额 1,250万元，2023年6月18日签订，地点江苏省常州市。"
        "本项目为恒达三号线热处理改造项目。"
    )
    assert _names(text, "org") == {"江苏恒达汽车零部件有限公司", "华川智能装备有限公司"}
    assert {"黄建国", "王磊", "李娜"} <= _names(text, "person")
    assert _names(text, "contract") == {"HT2023-015"}
    assert {"HT-2000", "iFactory V2.3.1"} <= _names(text, "product")
    assert _names(text, "amount") == {"CNY 12,500,000"}
    assert _names(text, "date") == {"2023-06-18"}
    assert "恒达三号线热处理改造项目" in _names(text, "project")
    assert "设备部" in _names(text, "department")
    assert {"江苏省", "常州市"} <= _names(text, "location")


def test_english_entities_and_stated_aliases() -> None:
    text = (
        "This Supply Agreement is entered into as of May 1, 2023, by and between Northwind "
        "Analytics, Inc. and Atlas Robotics GmbH. Chair: Grace Zhao (赵敏). Attendees: Leo Wang "
        "(王磊), Somchai Prasert. Ticket T-2024-0188 and report FA-2024-015 concern the HT-3000."
    )
    found = extract(text, "other", None)
    names = {(m.type, m.name) for m in found.mentions}
    assert {("org", "Northwind Analytics, Inc."), ("org", "Atlas Robotics GmbH")} <= names
    assert {
        ("person", "Grace Zhao"),
        ("person", "Leo Wang"),
        ("person", "Somchai Prasert"),
    } <= names
    assert {("case", "T-2024-0188"), ("case", "FA-2024-015"), ("product", "HT-3000")} <= names
    assert ("date", "2023-05-01") in names
    pairs = {(m.name, other) for m, other in found.aliases}
    assert {("Grace Zhao", "赵敏"), ("Leo Wang", "王磊")} <= pairs


def test_keys_and_short_names() -> None:
    assert name_key("org", "神州数码集团") == name_key("org", "神州数码") == "神州数码"
    assert name_key("org", "Digital China Group Co., Ltd.") == "digital china"
    assert name_key("product", "HT 2000") == name_key("product", "ht-2000")
    assert short_names("江苏恒达汽车零部件有限公司") == ["恒达汽车零部件", "恒达", "恒达"][:2]
    found = extract("江苏恒达汽车零部件有限公司反映：恒达三号线报警。恒达要求更换。", "other", None)
    assert ("江苏恒达汽车零部件有限公司", "恒达") in {(m.name, o) for m, o in found.aliases}


def test_gazetteer_maps_short_forms_to_the_entity() -> None:
    gazetteer = Gazetteer()
    gazetteer.add("Thai Precision Forging", "org", "Thai Precision Forging Co., Ltd.")
    found = extract_entities("Call with Thai Precision Forging about dropouts.", None, gazetteer)
    assert [(m.type, m.name) for m in found if m.type == "org"] == [
        ("org", "Thai Precision Forging Co., Ltd.")
    ]


def test_contract_record_zh_and_en() -> None:
    zh = extract(
        "采购合同\n合同编号：CG2023-101\n甲方（需方）：北京云帆数据科技有限公司\n"
        "乙方（供方）：武汉长江精工机械集团有限公司\n签订日期：二〇二三年五月一日\n"
        "第二条 合同金额\n本合同总金额为人民币1,250万元（大写：壹仟贰佰伍拾万元整）。\n"
        "第三条 付款方式\n预付30%，验收后付60%。\n第四条 合同期限\n本合同有效期为3年。\n"
        "第五条 验收标准\n以技术规格书为准。\n第六条 适用法律\n本合同适用中华人民共和国法律。\n",
        "contract",
        None,
    )
    (rec,) = zh.records
    f = rec.fields
    assert f["number"] == "CG2023-101"
    assert f["parties"] == ["北京云帆数据科技有限公司", "武汉长江精工机械集团有限公司"]
    assert f["amount"] == {"amount": 12_500_000, "currency": "CNY"}
    assert f["signed"] == "2023-05-01"
    assert f["governing_law"] == "中华人民共和国法律"
    assert "预付30%" in f["payment_terms"] and "3年" in f["term"]
    en = extract(
        'SUPPLY AGREEMENT\nAgreement No. SA-2022-017\nThis Supply Agreement (this "Agreement") is '
        "entered into as of the 7th day of October, 2022, by and between Bluewater Logistics LLC, "
        'a Texas limited liability company (the "Company"), and Orion Aerospace Corporation, a '
        'Delaware corporation (the "Supplier").\n\n' + "Boilerplate. " * 2000 + "\nThe Company "
        'shall pay a total contract price of USD 2.4 million (the "Contract Price").\n'
        "This Agreement shall be governed by the laws of the State of New York, without regard "
        "to conflicts of law.\n",
        "contract",
        None,
    )
    (rec,) = en.records
    assert rec.fields["parties"] == ["Bluewater Logistics LLC", "Orion Aerospace Corporation"]
    assert rec.fields["amount"] == {"amount": 2_400_000, "currency": "USD"}
    assert rec.fields["signed"] == "2022-10-07"
    assert rec.fields["governing_law"] == "State of New York"
    start, end = rec.spans["amount"]
    assert end > start > 20_000  # spans point into the long text


def test_minutes_fault_and_transcript_records() -> None:
    minutes = extract(
        "# 项目启动会纪要\n日期：2024-03-20\n参会：马晓东、梁志明\n\n## 决议\n- 会议决定采用方案B。\n\n"
        "## 行动项\n\n- 马晓东：3 月 27 日前提交项目计划；\n- 梁志明：3 月 29 日前提供电气图纸。\n",
        "meeting_minutes",
        date(2024, 3, 20),
    )
    f = minutes.records[0].fields
    assert f["date"] == "2024-03-20"
    assert [(i["owner"], i["due"]) for i in f["action_items"]] == [
        ("马晓东", "2024-03-27"),
        ("梁志明", "2024-03-29"),
    ]
    assert any("方案B" in d for d in f["decisions"])
    fault = (
        extract(
            "# 8D 报告 FA-2024-003\n\n## 问题描述\nHT-2000 反复出现 E-21 过温报警。\n\n"
            "## 根本原因\n风扇润滑脂变更导致轴承卡滞。\n\n## 纠正措施\n更换为 FC-6025B 风扇并升级固件。\n",
            "fault_analysis",
            None,
        )
        .records[0]
        .fields
    )
    assert fault["id"] == "FA-2024-003" and fault["product"] == "HT-2000"
    assert "E-21" in fault["symptom"] and "润滑脂" in fault["cause"] and "FC-6025B" in fault["fix"]
    chat = (
        extract(
            "客户（浙江金盛热处理有限公司）：HT-2000 又过热报警了，影响生产，很着急。\n"
            "客服：已安排更换风扇。\n客户：更换后恢复正常，问题已解决，谢谢。\n",
            "transcript",
            None,
        )
        .records[0]
        .fields
    )
    assert chat["customer"] == "浙江金盛热处理有限公司" and chat["product"] == "HT-2000"
    assert chat["issue_category"] == "overheating" and chat["resolved"] is True


def test_long_hostile_text_is_bounded() -> None:
    text = ("(" * 5000) + ("甲方：" * 5000) + ("A" * 50_000) + ("1" * 50_000)
    found = extract(text, "contract", None)
    assert isinstance(found.mentions, list)


def test_action_items_from_owner_tables_and_next_line_due_dates() -> None:
    report = (
        "8D 报告：HT-2000 过热\n\nD6 措施实施与验证\n\n| 措施 | 负责人 | 完成期限 | 状态 |\n"
        "|---|---|---|---|\n| 固件 V1.8.4 发布 | 孙浩 | 2024-02-09 | 进行中 |\n"
        "| 通知受影响客户 | 张伟 | 2024-01-19 | 已完成 |\n"
    )
    (rec,) = extract(report, "fault_analysis", date(2024, 1, 26)).records
    items = {(i["owner"], i["due"]) for i in rec.fields["action_items"]}
    assert items == {("孙浩", "2024-02-09"), ("张伟", "2024-01-19")}
    minutes = (
        "# 项目周会\n\n日期：2024-03-05\n\n## 行动计划\n\n- 王磊：完成散热改进方案\n"
        "  截止：2024年3月15日\n- 李娜：回访客户\n"
    )
    (rec,) = extract(minutes, "meeting_minutes", date(2024, 3, 5)).records
    items = {(i["owner"], i["due"]) for i in rec.fields["action_items"]}
    assert items == {("王磊", "2024-03-15"), ("李娜", None)}


def test_departments_are_found_from_their_suffix() -> None:
    text = "人事行政部、售后服务部和国际业务中心；质量技术部；Sales Department; 部门：未知部"
    assert _names(text, "department") == {
        "人事行政部",
        "售后服务部",
        "国际业务中心",
        "技术部",
        "Sales Department",
    }
