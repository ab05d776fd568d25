"""The server-side SVG charts: escaped labels, values in tooltips, gaps, empty data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ebrain.server.ui.charts import bar_chart, fmt, hbar_chart, line_chart

EVIL = '<script>alert("x")</script>&'
NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def test_labels_are_escaped_everywhere() -> None:
    for svg in (
        bar_chart([(EVIL, 3)], title=EVIL),
        hbar_chart([(EVIL, 2.5)], title=EVIL, unit=" ¥"),
        line_chart([EVIL], [(EVIL, [1.0])], title=EVIL),
    ):
        assert "<script" not in svg and "&lt;script&gt;" in svg
        root = _parse(str(svg))
        assert root.get("role") == "img" and root.get("aria-label") == EVIL
        assert root.find(f"{NS}title").text == EVIL  # type: ignore[union-attr]


def test_bars_carry_their_values() -> None:
    svg = str(bar_chart([("2026-01-01", 0), ("2026-01-02", 7)], title="q"))
    root = _parse(svg)
    bars = root.findall(f"{NS}rect")
    assert len(bars) == 2
    assert float(bars[0].get("height", "x")) == 0.0 and float(bars[1].get("height", "0")) > 0
    assert [b.find(f"{NS}title").text for b in bars] == ["2026-01-01: 0", "2026-01-02: 7"]  # type: ignore[union-attr]


def test_lines_leave_gaps_for_missing_values() -> None:
    svg = str(
        line_chart(["a", "b", "c", "d", "e"], [("p50", [1.0, 2.0, None, 3.0, 4.0])], title="t")
    )
    root = _parse(svg)
    assert len(root.findall(f"{NS}polyline")) == 2
    assert len(root.findall(f"{NS}circle")) == 4


def test_empty_and_odd_values() -> None:
    for svg in (
        bar_chart([], title="none"),
        hbar_chart([], title="none"),
        line_chart([], [], title="none"),
        bar_chart([("x", float("nan")), ("y", -3)], title="odd"),
    ):
        _parse(str(svg))
    assert fmt(None) == "–" and fmt(1234.0) == "1,234" and fmt(0.01234, " $") == "0.0123 $"


def test_long_names_are_cut_by_display_width() -> None:
    from ebrain.server.ui.charts import _short

    assert _short("short") == "short"
    assert _short("x" * 50) == "x" * 31 + "…"
    cut = _short("季度销售报告" * 10)
    assert cut.endswith("…") and len(cut) == 16  # 15 CJK characters = 30 columns, then …
