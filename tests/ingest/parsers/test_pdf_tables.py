"""PDF ruled tables found from pdfium path objects: every row, merged cells, text around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ebrain.ingest.parsers import parse_file
from ebrain.ingest.parsers import pdf as pdf_parser
from ebrain.ingest.parsers.pdf_grid import NeedsFallback
from tests.ingest.parsers.parser_builders import PRICE_ROWS, make_pdf

COLS = (20.0, 70.0, 120.0, 170.0)  # mm: three columns drawn with single lines
ROW_H = 7.0


def _line_table(path: Path, rows: int) -> Path:
    """A page with text above, a table of single lines (merged first header cell) and text."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    pdf.text(20, 15, "Stock levels for the spring season.")
    top = 25.0
    bottom = top + ROW_H * (rows + 1)
    for i in range(rows + 2):
        pdf.line(COLS[0], top + i * ROW_H, COLS[-1], top + i * ROW_H)
    for j, x in enumerate(COLS):
        pdf.line(x, top + (ROW_H if j == 1 else 0), x, bottom)  # no line under the merged cell
    pdf.text(COLS[0] + 2, top + 5, "Item and size")
    pdf.text(COLS[2] + 2, top + 5, "Count")
    for r in range(rows):
        y = top + (r + 1) * ROW_H + 5
        pdf.text(COLS[0] + 2, y, f"Part {r}")
        pdf.text(COLS[1] + 2, y, f"{r % 3 + 1} cm")
        pdf.text(COLS[2] + 2, y, str(r * 10))
    pdf.text(20, bottom + 10, "Counted on Monday.")
    pdf.output(str(path))
    return path


def test_line_drawn_table_every_row_and_merged_header(tmp_path: Path) -> None:
    doc = parse_file(_line_table(tmp_path / "stock.pdf", rows=30))
    kinds = [b.kind for b in doc.blocks]
    assert kinds == ["text", "table", "text"]
    assert doc.blocks[0].text == "Stock levels for the spring season."
    assert doc.blocks[2].text == "Counted on Monday."
    rows = doc.blocks[1].rows
    assert rows is not None and len(rows) == 31
    assert rows[0] == ["Item and size", "", "Count"]
    assert rows[1] == ["Part 0", "1 cm", "0"] and rows[-1] == ["Part 29", "3 cm", "290"]


def test_pages_the_grid_finder_hands_over_go_to_pdfplumber(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def hand_over(_page: object) -> list[object]:
        raise NeedsFallback("test")

    monkeypatch.setattr(pdf_parser, "find_grids", hand_over)
    doc = parse_file(make_pdf(tmp_path / "report.pdf"))
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1 and tables[0].rows == PRICE_ROWS and tables[0].page == 2


def test_lines_without_a_grid_keep_the_page_text(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    for y in (20, 40, 60):
        pdf.line(20, y, 180, y)  # rules between sections, no verticals
    pdf.line(20, 70, 20, 90)
    pdf.line(180, 70, 180, 90)
    pdf.text(25, 30, "Section one has words.")
    pdf.text(25, 50, "Section two has more words.")
    pdf.output(str(tmp_path / "rules.pdf"))
    doc = parse_file(tmp_path / "rules.pdf")
    assert {b.kind for b in doc.blocks} == {"text"}
    text = " ".join(b.text for b in doc.blocks)
    assert "Section one has words." in text and "Section two has more words." in text


def test_raw_pdfium_reads_match_the_pypdfium2_helpers(tmp_path: Path) -> None:
    """Page text, text in boxes and path objects read through raw handles, as the helpers."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from ebrain.ingest.parsers.pdf_grid import CELL_INSET, BoxText, find_grids, path_objects

    pdf = pdfium.PdfDocument(str(_line_table(tmp_path / "stock.pdf", rows=12)))
    page = pdf_parser._Page(pdf, 0)
    helper = pdf[0]
    textpage = helper.get_textpage()
    try:
        assert page.text() == textpage.get_text_range() and "Part 11" in page.text()
        assert page.bbox() == tuple(helper.get_bbox())
        paths = path_objects(page)
        kinds = (raw.FPDF_PAGEOBJ_PATH,)
        assert len(paths) == len(list(helper.get_objects(filter=kinds, max_depth=2)))
        boxes = BoxText(page.textpage)
        (grid,) = find_grids(paths)
        for cell in (c for row in grid.rows for c in row if c):
            x0, top, x1, bottom = cell
            inner = (x0 + CELL_INSET, -bottom + CELL_INSET, x1 - CELL_INSET, -top - CELL_INSET)
            assert boxes.text(cell) == textpage.get_text_bounded(*inner)
    finally:
        textpage.close()
        helper.close()
        page.close()
        pdf.close()


def _shapes(path: Path) -> Path:
    """A page of every kind of path: lines, rectangles, a closed polygon, curves, a rotation."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    for i in range(4):
        pdf.rect(20 + 30 * i, 20, 30, 10, style="DF" if i % 2 else "D")
        pdf.text(22 + 30 * i, 27, f"cell {i}")
    pdf.line(20, 40, 140, 40)
    pdf.polygon([(20, 50), (60, 50), (60, 70), (20, 70)], style="D")
    pdf.bezier([(20, 90), (50, 80), (80, 100), (110, 90)], closed=True)
    pdf.ellipse(120, 80, 30, 15)
    with pdf.rotation(30, x=100, y=150):
        pdf.rect(80, 140, 40, 20)
    pdf.output(str(path))
    return path


def test_path_points_read_at_once_match_pdfiums_api(tmp_path: Path) -> None:
    """Points read through the bound functions equal pypdfium2's per-point API calls."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from ebrain.ingest.parsers import pdf_grid

    fn = pdf_grid.api()
    pdf = pdfium.PdfDocument(str(_shapes(tmp_path / "shapes.pdf")))
    page = pdf_parser._Page(pdf, 0)
    try:
        paths = pdf_grid.path_objects(page)
        assert len(paths) >= 8
        kinds = set()
        for _level, obj in paths:
            handle = ctypes.cast(obj, raw.FPDF_PAGEOBJECT)
            expected = []
            for index in range(raw.FPDFPath_CountSegments(handle)):
                seg = raw.FPDFPath_GetPathSegment(handle, index)
                x, y = ctypes.c_float(), ctypes.c_float()
                assert raw.FPDFPathSegment_GetPoint(seg, x, y)
                kind, closes = raw.FPDFPathSegment_GetType(seg), raw.FPDFPathSegment_GetClose(seg)
                expected.append((x.value, y.value, kind, closes))
            assert pdf_grid._points(fn, obj) == expected
            kinds |= {p[2] for p in expected}
        assert kinds == {
            raw.FPDF_SEGMENT_MOVETO,
            raw.FPDF_SEGMENT_LINETO,
            raw.FPDF_SEGMENT_BEZIERTO,
        }
    finally:
        page.close()
        pdf.close()


def test_metadata_reads_as_the_pypdfium2_helper_does(tmp_path: Path) -> None:
    """Info values read with one reusable buffer equal get_metadata_value, long ones too."""
    import ctypes

    import pypdfium2 as pdfium
    from fpdf import FPDF

    long_title = "季度经营报告 " * (pdf_parser.META_BUFFER // 4)
    made = FPDF()
    made.set_title(long_title)
    made.set_author("Alice")
    made.set_keywords("  ")
    made.add_page()
    made.output(str(tmp_path / "meta.pdf"))
    pdf = pdfium.PdfDocument(str(tmp_path / "meta.pdf"))
    try:
        buffer = ctypes.create_string_buffer(pdf_parser.META_BUFFER)
        for key, tag in pdf_parser._META_TAGS.items():
            value = pdf_parser._meta_value(pdf.raw, tag, buffer)
            assert value == pdf.get_metadata_value(key)
        meta = pdf_parser._metadata(pdf)
    finally:
        pdf.close()
    assert meta["title"] == long_title.strip() and meta["author"] == "Alice"
    assert "keywords" not in meta and meta["created"].startswith("20")
