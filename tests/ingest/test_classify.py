from __future__ import annotations

import json
from pathlib import Path

import pytest

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.ingest.classify import classify
from ebrain.ingest.document import Block, Document

CASES = [
    (
        "周例会纪要.docx",
        "会议时间：3月5日\n主持人：王芳\n参会人员：张伟\n行动项：张伟负责",
        "meeting_minutes",
    ),
    (
        "minutes.md",
        "Attendees: Bob, Alice\nAgenda\nAction items: Bob to send the plan",
        "meeting_minutes",
    ),
    ("2024年第12周周报.docx", "本周完成情况：交付 3 台。下周计划：验收。", "report"),
    (
        "Q3 quarterly report.pdf",
        "Revenue grew 12% year-over-year this quarter. Highlights",
        "report",
    ),
    ("采购合同.pdf", "甲方：东方机械\n乙方：华川\n第一条 标的\n第二条 违约责任", "contract"),
    ("supply agreement.docx", "Party A and Party B hereinafter agree. Governing law.", "contract"),
    ("验收单.xlsx", "验收结论：合格。验收意见：设备运行正常，签字确认。", "acceptance"),
    (
        "故障分析报告.docx",
        "故障现象：过热。根本原因：风扇失效。纠正措施：更换风扇。",
        "fault_analysis",
    ),
    (
        "8D report.pdf",
        "Symptom: overheating. Root cause: fan. Corrective action: new fan.",
        "fault_analysis",
    ),
    ("用户手册.pdf", "安装步骤：\n注意事项：\n规格参数：\n故障排除", "manual"),
    ("菜单.txt", "周一 红烧肉 米饭", "other"),
]


@pytest.mark.parametrize(("name", "body", "expected"), CASES)
def test_classify(name: str, body: str, expected: str) -> None:
    doc = Document(name.rsplit(".", 1)[0], [Block(body)])
    assert classify(doc, name).doc_type == expected


def test_transcript_structure_wins() -> None:
    doc = Document("chat", [Block("客户：你好")], meta={"transcript": True})
    assert classify(doc, "chat.json").doc_type == "transcript"


def test_head_is_the_start_of_doc_text() -> None:
    import random

    from ebrain.ingest.classify import _head

    rnd = random.Random(3)
    for _ in range(500):
        texts = [rnd.choice(["", "a", "段落", "x" * rnd.randint(1, 40)]) for _ in range(9)]
        doc = Document("t", [Block(t) for t in texts[: rnd.randint(0, 9)]])
        limit = rnd.randint(0, 80)
        assert _head(doc, limit) == doc.text[:limit]


def test_speaker_turns_scan_like_a_multiline_one() -> None:
    import random
    import re
    from collections import Counter

    from ebrain.ingest.classify import speaker_turns

    turn = re.compile(r"(?m)^(?:\[[\d:\- ]+\]\s*)?([^\s：:\[\]|#]{1,12})[：:]\s*\S")

    def reference(text: str) -> int:
        counts = Counter(turn.findall(text))
        recurring = [c for c in counts.values() if c >= 3]
        return sum(recurring) if len(recurring) >= 2 else 0

    rnd = random.Random(7)
    bits = [
        "客户",
        "Agent",
        "[09:43] ",
        "[1-2]",
        "：",
        ":",
        " ",
        "\n",
        "\n\n",
        "好",
        "x",
        "#",
        "\t",
    ]
    for _ in range(3000):
        text = "".join(rnd.choice(bits) for _ in range(rnd.randint(0, 60)))
        assert speaker_turns(text) == reference(text), repr(text)
    assert speaker_turns("甲：好\n乙：好\n甲：嗯\n乙：嗯\n甲：行\n乙：行") == 6


HELDOUT = Path(__file__).resolve().parents[1] / "fixtures" / "heldout_doctypes"


def test_document_type_accuracy_on_held_out_documents(tmp_path: Path) -> None:
    """The honest figure: documents written after the cues were tuned, never tuned on
    (docs/bench/classify.md). The goal is >= 0.90; 15/16 when this test was written."""
    truth = json.loads((HELDOUT / "truth.json").read_text(encoding="utf-8"))["documents"]
    Brain.init(tmp_path / "ws").close()
    (tmp_path / "ws" / "config.yaml").write_text("embed:\n  model: none\n", encoding="utf-8")
    with Brain.open(tmp_path / "ws") as brain:
        brain.ingest([HELDOUT], kb="heldout", jobs=1)
        got = {
            str(Path(p).relative_to(HELDOUT)): d["doc_type"]
            for d in brain.documents(limit=1000, principal=Principal.owner())
            for p in d["paths"]
        }
    assert set(truth) <= set(got)
    correct = sum(got[p] == t for p, t in truth.items())
    assert correct / len(truth) >= 0.9, {p: got[p] for p, t in truth.items() if got[p] != t}
