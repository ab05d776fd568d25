"""`ebrain insights support`: figures from transcript records, filtered by the reader's groups,
and the offline HTML report (escaped, self-contained, PNG or SVG charts)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.cli.main import build
from ebrain.errors import InvalidInputError
from ebrain.kg.insights import render_html, support_insights
from tests.kg.test_store import _write

OWNER = Principal.owner()
OVERHEAT_BAD = (
    "客服电话记录\n\n日期：{day}\n客户：江苏恒达汽车零部件有限公司\n产品：HT-2000\n"
    "客户：三号线 HT-2000 又过温报警了，已经影响生产，非常不满。\n客服：我们马上安排工程师。\n"
    "客户：问题仍然没有处理，待处理。\n"
)
OVERHEAT_OK = (
    "客服电话记录\n\n日期：{day}\n客户：浙江金盛热处理有限公司\n产品：HT-2000\n"
    "客户：HT-2000 温度过高报警。\n客服：请清洁风道。\n客户：好的，谢谢，已恢复正常。\n"
)
MODBUS = (
    "Support chat\n\nDate: {day}\nCustomer: Thai Precision Forging Co., Ltd.\nProduct: HT-3000\n"
    "Customer: the HT-3000 keeps going offline on Modbus.\nSupport: please update the switch.\n"
    "Customer: great, thank you, it is working again. Resolved.\n"
)
SECRET = (
    "Support chat\n\nDate: {day}\nCustomer: Wombatix Holdings Ltd.\nProduct: ZX-9000\n"
    "Customer: the ZX-9000 quote is unacceptable, the price is too high.\nSupport: noted.\n"
)


@pytest.fixture
def transcripts(kg_brain: Brain, tmp_path: Path) -> Brain:
    public = _write(
        tmp_path / "pub",
        {
            "客服记录/客服记录_恒达_2024-04-08.txt": OVERHEAT_BAD.format(day="2024-04-08"),
            "客服记录/support_chat_thai_2024-04-20.txt": MODBUS.format(day="2024-04-20"),
            "客服记录/客服记录_恒达_2024-05-02.txt": OVERHEAT_BAD.format(day="2024-05-02"),
            "客服记录/客服记录_恒达_2024-05-09.txt": OVERHEAT_BAD.format(day="2024-05-09"),
            "客服记录/客服记录_金盛_2024-05-21.txt": OVERHEAT_OK.format(day="2024-05-21"),
        },
    )
    secret = _write(
        tmp_path / "vip",
        {"客服记录/support_chat_wombatix_2024-05-22.txt": SECRET.format(day="2024-05-22")},
    )
    kg_brain.ingest([public])
    kg_brain.ingest([secret], acl=["vip"])
    return kg_brain


def test_figures_per_product_month_and_emerging(transcripts: Brain) -> None:
    report = transcripts.insights("support", principal=OWNER)
    assert report["transcripts"] == 6
    assert report["months"] == ["2024-04", "2024-05"]
    may = report["by_month"][1]
    assert may["transcripts"] == 4
    assert {"category": "overheating", "count": 3} in may["categories"]
    (emerging,) = [e for e in report["emerging"] if e["category"] == "overheating"]
    assert (emerging["month"], emerging["count"], emerging["previous"]) == ("2024-05", 3, 1)
    ht2000 = next(p for p in report["by_product"] if p["product"] == "HT-2000")
    assert ht2000["transcripts"] == 4
    assert ht2000["months"][-1]["categories"][0] == {"category": "overheating", "count": 3}
    assert ht2000["negative"] >= 2 and 0 < ht2000["negative_share"] <= 1
    assert report["unresolved"] == len(report["unresolved_cases"]) >= 2
    assert "ZX-9000" in json.dumps(report)


def test_an_outsider_never_counts_an_unreadable_transcript(transcripts: Brain) -> None:
    outsider = transcripts.insights("support", principal=Principal.user("bob", ["sales"]))
    assert outsider["transcripts"] == 5
    text = json.dumps(outsider, ensure_ascii=False) + render_html(outsider, charts="svg")
    assert "ZX-9000" not in text and "Wombatix" not in text and "pricing" not in text
    later = transcripts.insights("support", principal=OWNER, since="2024-05-01")
    assert later["transcripts"] == 4 and later["months"] == ["2024-05"]
    with pytest.raises(InvalidInputError):
        transcripts.insights("support", principal=OWNER, kb="nope")
    with pytest.raises(InvalidInputError):
        transcripts.insights("support", principal=OWNER, since="2024-13-01")


def _record(title: str, day: str | None, **fields: Any) -> dict[str, Any]:
    return {"document_id": 1, "title": title, "path": "/x", "doc_date": day, "fields": fields}


def test_the_html_report_escapes_and_is_self_contained() -> None:
    hostile = "<script>alert(1)</script>"
    report = support_insights(
        [
            _record(hostile, "2024-01-03", product="<b>P</b>", issue_category="data"),
            _record("ok", None, product="P2", sentiment="negative", resolved=True),
        ]
    )
    assert report["undated"] == 1 and report["negative_share"] == 0.5
    page = render_html(report, lang="zh", charts="svg")
    assert hostile not in page and "&lt;script&gt;" in page and "<b>P</b>" not in page
    assert "<svg" in page and "客服洞察报告" in page and "数据" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    empty = render_html(support_insights([]), lang="en", charts="svg")
    assert "No transcript records you may read." in empty


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="charts extra")
def test_png_charts_are_data_uris() -> None:
    report = support_insights([_record("a", "2024-01-03", product="P", issue_category="data")])
    page = render_html(report, charts="auto")
    assert 'src="data:image/png;base64,' in page and "<svg" not in page


def test_cli_json_and_html(transcripts: Brain, tmp_path: Path) -> None:
    ws = str(transcripts.workspace.path)
    target = tmp_path / "report.html"
    args = ["--workspace", ws, "insights", "support", "--json", "--out", str(target)]
    result = CliRunner().invoke(build(), [*args, "--charts", "svg", "--group", "sales"])
    assert result.exit_code == 0, result.stdout
    out = json.loads(result.stdout)
    assert out["report"] == "support" and out["transcripts"] == 5
    assert target.read_text("utf-8").startswith("<!DOCTYPE html>")
    bad = CliRunner().invoke(
        build(), ["--workspace", ws, "insights", "support", "--kb", "x", "--json"]
    )
    assert bad.exit_code == 1 and json.loads(bad.stdout)["error"]["message"]
