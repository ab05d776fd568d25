"""A small embedded workspace for search tests: four documents with ACL groups, tags, dates."""

from __future__ import annotations

from pathlib import Path

from ebrain.brain import Brain
from tests.fakes.embedder import register

DOCS = {
    "public/ht2000-manual.md": (
        "# HT-2000 手册\n\n安装时保持通风，风扇每半年检查一次。",
        [],
        ["manual"],
        "2024-01-10",
    ),
    "legal/contract.md": (
        "# 采购合同 HT2023-015\n\n甲方东方机械，乙方华川，金额 480000 元。",
        ["legal"],
        ["contract"],
        "2023-11-02",
    ),
    "hr/salary.md": ("# 薪酬调整\n\nHT-2000 项目组奖金方案，保密。", ["hr"], [], "2024-03-01"),
    "public/report.md": (
        "# Weekly report\n\nThe HT-2000 fan issue was fixed this week.",
        [],
        ["weekly"],
        "2024-02-20",
    ),
}


def build_brain(tmp: Path) -> Brain:
    """A workspace with four small documents, ACL groups, tags and dates, embedded."""
    register()
    ws = tmp / "ws"
    Brain.init(ws).close()
    (ws / "config.yaml").write_text("embed:\n  model: fakehash\n", encoding="utf-8")
    brain = Brain.open(ws)
    for rel, (text, acl, tags, date) in DOCS.items():
        path = tmp / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("\n\n", f"\n\n日期：{date}\n\n", 1), encoding="utf-8")
        kb = "legal" if rel.startswith("legal") else "main"
        brain.ingest([path], kb=kb, acl=acl, tags=tags, jobs=1)
    return brain
