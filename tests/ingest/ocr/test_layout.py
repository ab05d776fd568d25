"""Layout from OCR lines: columns, headings, tables from ruling lines, deskew (no engine)."""

from __future__ import annotations

from PIL import Image, ImageDraw

from ebrain.ingest.ocr import OcrLine
from ebrain.ingest.ocr.layout import ink_skew, join_lines, page_blocks, skew
from ebrain.ingest.parsers.base import HeadingTracker


def _line(text: str, x: float, y: float, w: float, h: float = 24, conf: float = 0.9) -> OcrLine:
    return OcrLine(text, (x, y, x + w, y + h), conf)


def _blank(width: int = 1000, height: int = 800) -> Image.Image:
    return Image.new("RGB", (width, height), "white")


def test_two_columns_are_read_column_by_column_under_a_full_width_heading() -> None:
    lines = [_line("年度报告", 100, 20, 300, 48)]
    for n in range(4):
        y = 120 + n * 36 + (40 if n >= 2 else 0)  # both columns break at the same height
        lines.append(_line(f"左{n}", 50, y, 400))
        lines.append(_line(f"右{n}", 550, y, 400))
    blocks = page_blocks(lines, _blank(), 1, HeadingTracker())
    assert blocks[0].kind == "heading" and blocks[0].text == "年度报告"
    body = "".join(b.text for b in blocks[1:])
    assert body == "左0左1左2左3右0右1右2右3"
    assert all(b.heading_path == ("年度报告",) and b.page == 1 for b in blocks[1:])


def test_heading_levels_by_height_and_paragraphs_by_spacing() -> None:
    lines = [
        _line("Annual Report", 50, 10, 300, 50),
        _line("Sales", 50, 90, 120, 34),
        _line("Sales grew in the first", 50, 140, 600),
        _line("quarter of the year.", 50, 170, 300),
        _line("Costs fell.", 50, 240, 200),
    ]
    blocks = page_blocks(lines, _blank(), 2, HeadingTracker())
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Annual Report"),
        ("heading", "Sales"),
        ("text", "Sales grew in the first quarter of the year."),
        ("text", "Costs fell."),
    ]
    assert blocks[1].heading_path == ("Annual Report", "Sales")


def test_ruled_table_becomes_a_markdown_table_with_provenance() -> None:
    image = _blank()
    draw = ImageDraw.Draw(image)
    xs, ys = [100, 400, 700], [300, 360, 420]
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill="black", width=2)
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill="black", width=2)
    lines = [
        _line("Item", 120, 318, 80),
        _line("Qty", 420, 318, 60),
        _line("Server", 120, 378, 100),
        _line("12", 420, 378, 30, conf=0.5),
        _line("Before the table.", 100, 200, 300),
    ]
    blocks = page_blocks(lines, image, 3, HeadingTracker())
    assert blocks[0].text == "Before the table."
    table = blocks[1]
    assert table.kind == "table" and table.rows == [["Item", "Qty"], ["Server", "12"]]
    assert table.text.startswith("| Item | Qty |\n|---|---|")
    assert table.ocr is not None and table.ocr.confidence == 0.8
    assert table.ocr.boxes[0] == (3, 0.12, 318 / 800, 0.2, 342 / 800)


def test_skew_is_the_median_angle_of_long_lines() -> None:
    lines = [OcrLine("a long line of text", (0, 0, 400, 40), 0.9, angle=a) for a in (2, 3, 2.5)]
    assert skew(lines) == 2.5
    assert skew([OcrLine("x", (0, 0, 20, 20), 0.9, angle=30)]) == 0.0


def test_join_lines_keeps_chinese_tight_and_english_spaced() -> None:
    assert join_lines(["验收结论：", "合格"]) == "验收结论：合格"
    assert join_lines(["accept-", "ance test", "passed"]) == "acceptance test passed"


def test_ink_skew_finds_the_rotation_of_a_page_without_line_angles() -> None:
    image = _blank(1000, 800)
    draw = ImageDraw.Draw(image)
    for y in range(100, 700, 40):
        draw.rectangle([100, y, 900, y + 14], fill="black")  # rows of "text"
    assert ink_skew(image.rotate(2, fillcolor="white")) == 2.0
    assert ink_skew(image) == 0.0 and ink_skew(_blank()) == 0.0
