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
