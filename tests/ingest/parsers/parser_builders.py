"""Builders of real files (made with the real libraries) for the parser tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parsers"
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def cjk_font() -> Path | None:
    """A CJK font installed on this machine, if any."""
    return next((Path(p) for p in CJK_FONTS if Path(p).exists()), None)


def make_pdf(path: Path, *, blank_page: bool = False, table: bool = True) -> Path:
    """An English PDF: metadata, an outline, paragraphs, a ruled table, maybe a blank page."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Quarterly Report")
    pdf.set_author("Alice")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.start_section("Introduction")
    for i in range(3):
        pdf.multi_cell(0, 6, f"Paragraph {i}: revenue grew in the north region. " * 3)
        pdf.ln(4)
    if table:
        pdf.add_page()
        pdf.start_section("Prices")
        pdf.multi_cell(0, 6, "The price list follows.")
        with pdf.table() as t:
            for cells in PRICE_ROWS:
                row = t.row()
                for c in cells:
                    row.cell(c)
        pdf.multi_cell(0, 6, "Prices include tax.")
    if blank_page:
        pdf.add_page()
    pdf.output(str(path))
    return path


PRICE_ROWS = [
    ["Product", "Price", "Stock"],
    ["Widget", "10", "5"],
    ["Gadget", "20", "7"],
    ["Doohickey", "30", "0"],
]


def make_docx(path: Path) -> Path:
    """A DOCX with nested headings, a list, a table and core properties."""
    import docx

    d = docx.Document()
    d.core_properties.title = "Employee Handbook"
    d.core_properties.author = "HR"
    d.add_heading("Leave", level=1)
    d.add_paragraph("Employees get 15 days of annual leave.")
    d.add_heading("Sick leave", level=2)
    d.add_paragraph("Bring a doctor's note.")
    d.add_paragraph("Call your manager", style="List Bullet")
    d.add_paragraph("Email HR", style="List Bullet")
    d.add_heading("Travel", level=1)
    table = d.add_table(rows=0, cols=3)
    for cells in PRICE_ROWS:
        row = table.add_row().cells
        for cell, value in zip(row, cells, strict=True):
            cell.text = value
    d.add_paragraph("Book through the portal.")
    d.save(str(path))
    return path


def make_pptx(path: Path) -> Path:
    """A PPTX: a title slide, a bullet slide with notes, a table slide."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    s1 = prs.slides.add_slide(prs.slide_layouts[0])
    s1.shapes.title.text = "Sales Kickoff"
    s1.placeholders[1].text = "FY2024 plan"
    s2 = prs.slides.add_slide(prs.slide_layouts[1])
    s2.shapes.title.text = "Targets"
    s2.placeholders[1].text_frame.text = "Grow revenue 20%"
    s2.notes_slide.notes_text_frame.text = "Mention the new region."
    s3 = prs.slides.add_slide(prs.slide_layouts[5])
    s3.shapes.title.text = "Price list"
    shape = s3.shapes.add_table(4, 3, Inches(1), Inches(2), Inches(6), Inches(2))
    for r, cells in enumerate(PRICE_ROWS):
        for c, value in enumerate(cells):
            shape.table.cell(r, c).text = value
    prs.save(str(path))
    return path


def make_xlsx(path: Path, rows: int = 500) -> Path:
    """An XLSX with two sheets: a long data sheet and a small one."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(["Order", "Customer", "Amount"])
    for i in range(rows):
        ws.append([f"A{i:04d}", f"Customer {i}", i * 1.5])
    small = wb.create_sheet("Regions")
    small.append(["Region", "Manager"])
    small.append(["North", "李雷"])
    wb.save(str(path))
    return path


def make_odt(path: Path) -> Path:
    """An ODT made with odfpy: headings, a paragraph, a list and a table."""
    from odf import dc
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, List, ListItem, P

    doc = OpenDocumentText()
    doc.meta.addElement(dc.Title(text="Safety Manual"))
    doc.text.addElement(H(outlinelevel=1, text="Safety"))
    doc.text.addElement(P(text="Wear a helmet on site."))
    doc.text.addElement(H(outlinelevel=2, text="Fire"))
    items = List()
    for text in ("Pull the alarm", "Leave the building"):
        item = ListItem()
        item.addElement(P(text=text))
        items.addElement(item)
    doc.text.addElement(items)
    table = Table(name="Contacts")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for cells in (["Role", "Phone"], ["Guard", "110"], ["Nurse", "120"]):
        row = TableRow()
        for value in cells:
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    doc.text.addElement(table)
    doc.save(str(path))
    return path


def make_epub(path: Path) -> Path:
    """A two-chapter EPUB 3 (a zip of XHTML with container.xml and an OPF)."""
    container = (
        '<?xml version="1.0"?><container version="1.0" '
        'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
        '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
        "</rootfiles></container>"
    )
    opf = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Tea Book</dc:title>'
        "<dc:creator>Lu Yu</dc:creator><dc:language>en</dc:language></metadata>"
        '<manifest><item id="c1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="c2" href="text/ch2.xhtml" media-type="application/xhtml+xml"/></manifest>'
        '<spine><itemref idref="c1"/><itemref idref="c2"/></spine></package>'
    )
    chapter = '<html xmlns="http://www.w3.org/1999/xhtml"><body><h1>{}</h1><p>{}</p></body></html>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", container)
        zf.writestr("OEBPS/content.opf", opf)
        zf.writestr("OEBPS/text/ch1.xhtml", chapter.format("Origins", "Tea began in China."))
        zf.writestr("OEBPS/text/ch2.xhtml", chapter.format("Brewing", "Use water at 80 C."))
    path.write_bytes(buf.getvalue())
    return path
