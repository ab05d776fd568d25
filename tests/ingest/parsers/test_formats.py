"""Each format parsed from real files: headings, pages, tables with every row, meta."""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ebrain.errors import ParseError
from ebrain.ingest.parsers import parse_file
from tests.ingest.parsers.parser_builders import (
    PRICE_ROWS,
    cjk_font,
    make_docx,
    make_epub,
    make_odt,
    make_pdf,
    make_pptx,
    make_xlsx,
)


def test_pdf_pages_outline_tables_and_source_facts(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "report.pdf")
    doc = parse_file(path)
    assert (doc.format, doc.title, doc.pages, doc.lang) == ("pdf", "Quarterly Report", 2, "en")
    assert doc.meta["author"] == "Alice"
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.size == path.stat().st_size and doc.source_path == str(path)
    assert doc.blocks[0].page == 1 and doc.blocks[0].heading_path == ("Introduction",)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1 and tables[0].rows == PRICE_ROWS and tables[0].page == 2
    texts = [b.text for b in doc.blocks if b.page == 2]
    assert texts[0] == "The price list follows." and texts[-1] == "Prices include tax."
    assert "Widget" not in " ".join(t for t in texts if not t.startswith("|"))


def test_pdf_chinese_text(tmp_path: Path) -> None:
    font = cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (fonts-wqy-microhei / fonts-noto-cjk)")
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", fname=str(font))
    pdf.set_font("cjk", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "退货政策：收到商品七天内可以无理由退货。")
    pdf.output(str(tmp_path / "zh.pdf"))
    doc = parse_file(tmp_path / "zh.pdf")
    assert "七天内可以无理由退货" in doc.text and doc.lang == "zh"


def test_docx_heading_paths_lists_and_table_rows(tmp_path: Path) -> None:
    doc = parse_file(make_docx(tmp_path / "handbook.docx"))
    assert doc.title == "Employee Handbook" and doc.meta["author"] == "HR"
    by_text = {b.text: b for b in doc.blocks}
    assert by_text["Bring a doctor's note."].heading_path == ("Leave", "Sick leave")
    assert by_text["- Call your manager\n- Email HR"].heading_path == ("Leave", "Sick leave")
    assert by_text["Book through the portal."].heading_path == ("Travel",)
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == PRICE_ROWS and table.heading_path == ("Travel",)
    assert table.text.splitlines()[0] == "| Product | Price | Stock |"


def test_docx_outline_level_heading(tmp_path: Path) -> None:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    d = docx.Document()
    para = d.add_paragraph("Custom Chapter")
    lvl = OxmlElement("w:outlineLvl")
    lvl.set(qn("w:val"), "0")
    para._p.get_or_add_pPr().append(lvl)
    d.add_paragraph("Body under the chapter.")
    d.save(str(tmp_path / "outline.docx"))
    doc = parse_file(tmp_path / "outline.docx")
    assert doc.blocks[0].kind == "heading"
    assert doc.blocks[1].heading_path == ("Custom Chapter",)


def test_pptx_slides_titles_notes_tables(tmp_path: Path) -> None:
    doc = parse_file(make_pptx(tmp_path / "deck.pptx"))
    assert doc.pages == 3 and doc.title == "Sales Kickoff"
    notes = next(b for b in doc.blocks if b.text.startswith("Notes:"))
    assert notes.page == 2 and notes.heading_path == ("Targets",)
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == PRICE_ROWS and table.page == 3


def test_xlsx_every_row_kept_with_header(tmp_path: Path) -> None:
    doc = parse_file(make_xlsx(tmp_path / "orders.xlsx", rows=500))
    assert doc.meta["sheets"] == ["Orders", "Regions"]
    orders, regions = (b for b in doc.blocks if b.kind == "table")
    assert orders.heading_path == ("Orders",) and orders.rows is not None
    assert len(orders.rows) == 501 and orders.rows[0] == ["Order", "Customer", "Amount"]
    assert orders.rows[-1] == ["A0499", "Customer 499", "748.5"]
    assert len(orders.text.splitlines()) == 502
    assert regions.rows == [["Region", "Manager"], ["North", "李雷"]]


def test_csv_gbk_semicolon(tmp_path: Path) -> None:
    rows = [["产品", "价格"], *[[f"商品{i}", str(i)] for i in range(300)]]
    text = "\n".join(";".join(r) for r in rows) + "\n"
    (tmp_path / "prices.csv").write_bytes(text.encode("gbk"))
    doc = parse_file(tmp_path / "prices.csv")
    table = doc.blocks[0]
    assert table.rows is not None and len(table.rows) == 301
    assert table.rows[0] == ["产品", "价格"] and table.rows[-1] == ["商品299", "299"]
    assert doc.meta["delimiter"] == ";" and doc.lang == "zh"


def test_html_main_content_without_chrome(fixtures: Path) -> None:
    doc = parse_file(fixtures / "warranty.html")
    assert doc.title == "Support Portal"
    for junk in ("SECRET_SCRIPT", "NAVLINK", "FOOTER TEXT", "SITE HEADER", "color:red"):
        assert junk not in doc.text
    claims = next(b for b in doc.blocks if b.text.startswith("Send the receipt"))
    assert claims.heading_path == ("Warranty", "Claims")
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == [["Plan", "Years"], ["Basic", "2"], ["Plus", "3"]]
    assert any(b.text == "- Step one: register" for b in doc.blocks)


def test_markdown_headings_tables_code(fixtures: Path) -> None:
    doc = parse_file(fixtures / "guide.md")
    assert doc.title == "Onboarding Guide" and doc.meta["author"] == "Carol"
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.heading_path == ("Onboarding", "Accounts") and table.rows is not None
    assert len(table.rows) == 4 and table.rows[2] == ["CRM", "Sales Ops", "2 days"]
    code = next(b for b in doc.blocks if b.text.startswith("```"))
    assert "# not a heading" in code.text
    assert not any(b.kind == "heading" and "not a heading" in b.text for b in doc.blocks)
    assert doc.blocks[-1].heading_path == ("Onboarding", "第二部分")


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("notice_gbk.txt", "客户服务中心"),
        ("notice_gb18030.txt", "退货政策"),
        ("notice_big5.txt", "客戶服務中心"),
        ("notice_utf16.txt", "无理由退货"),
    ],
)
def test_text_encodings(fixtures: Path, name: str, needle: str) -> None:
    doc = parse_file(fixtures / name)
    assert needle in doc.text and doc.lang == "zh" and len(doc.blocks) == 2
    assert "\ufffd" not in doc.text


def test_eml_headers_body_and_attachments(fixtures: Path) -> None:
    doc = parse_file(fixtures / "invoice.eml")
    assert doc.title == "Invoice question 发票问题"
    assert doc.meta["from"] == "Alice Zhang <alice@example.com>"
    assert doc.meta["to"] == "support@example.com" and "2024" in doc.meta["date"]
    assert doc.blocks[0].text.startswith("From: Alice Zhang")
    assert "Please check the attached price list." in doc.text
    assert "Hello HTML" not in doc.text  # plain body preferred
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.heading_path == ("Attachment: prices.csv",)
    assert table.rows == [["item", "price"], ["widget", "10"], ["gadget", "20"]]
    assert any("blob.bin" in w and "unsupported" in w for w in doc.warnings)


def test_transcript_object(fixtures: Path) -> None:
    doc = parse_file(fixtures / "refund_call.json")
    assert doc.format == "transcript" and doc.title == "Refund call"
    assert doc.meta["channel"] == "phone" and doc.meta["speakers"] == ["Li Wei", "Amy"]
    assert doc.meta["roles"] == {"Li Wei": "customer", "Amy": "agent"}
    assert doc.blocks[1].text == "Amy (agent) [2024-03-01T09:00:20]: 好的，请提供收货地址。"
    assert doc.lang == "zh"


def test_transcript_jsonl(fixtures: Path) -> None:
    doc = parse_file(fixtures / "sales_chat.jsonl")
    assert doc.meta["messages"] == 3 and doc.meta["roles"]["Tom"] == "sales"
    assert doc.blocks[0].text == "Tom (sales) [10:00]: Our premium plan costs $30 per month."


def test_generic_json_values(fixtures: Path) -> None:
    doc = parse_file(fixtures / "config.json")
    assert doc.format == "json"
    assert "product.description: A sturdy widget for workshops." in doc.text


def test_rtf_with_gbk_codepage(fixtures: Path) -> None:
    doc = parse_file(fixtures / "policy.rtf")
    assert "Items can be returned within 7 days." in doc.text
    assert "退货政策" in doc.text and "中文" in doc.text


def test_odt_headings_list_table(tmp_path: Path) -> None:
    doc = parse_file(make_odt(tmp_path / "manual.odt"))
    assert doc.title == "Safety Manual"
    items = next(b for b in doc.blocks if b.text.startswith("- "))
    assert items.text == "- Pull the alarm\n- Leave the building"
    assert items.heading_path == ("Safety", "Fire")
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == [["Role", "Phone"], ["Guard", "110"], ["Nurse", "120"]]


def test_epub_spine_order(tmp_path: Path) -> None:
    doc = parse_file(make_epub(tmp_path / "tea.epub"))
    assert doc.title == "The Tea Book" and doc.meta["author"] == "Lu Yu"
    texts = [b.text for b in doc.blocks]
    assert texts == ["Origins", "Tea began in China.", "Brewing", "Use water at 80 C."]
    assert doc.blocks[3].heading_path == ("Brewing",)


def test_file_without_extension_parsed_as_text(tmp_path: Path, fixtures: Path) -> None:
    shutil.copy(fixtures / "notice_gbk.txt", tmp_path / "README")
    assert "客户服务中心" in parse_file(tmp_path / "README").text


def test_xlsx_cell_values_sheets_and_properties(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl
    from openpyxl.chart import BarChart, Reference

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Values"
    ws["B2"], ws["C2"], ws["D2"] = "What", "When", "Value"
    ws.append([None, "midnight", dt.datetime(2024, 1, 2), 2.0])
    ws.append([None, "afternoon", dt.datetime(2024, 1, 2, 13, 45), 2.5])
    ws.append([None, "flag", dt.time(10, 30), True])
    ws.append([None, "big", None, float(2**53)])
    ws.append([None, "lookup", "#N/A", "#DIV/0!"])  # error cells keep their codes
    chart = wb.create_chartsheet("Chart")  # not a worksheet: no table, not listed
    bars = BarChart()
    bars.add_data(Reference(ws, min_col=4, min_row=2, max_row=6))
    chart.add_chart(bars)
    wb.create_sheet("Empty")
    wb.properties.title, wb.properties.creator = "Stock values", "Dana"
    wb.properties.created = dt.datetime(2023, 5, 6, 7, 8, 9)
    wb.save(str(tmp_path / "values.xlsx"))
    doc = parse_file(tmp_path / "values.xlsx")
    assert doc.meta["sheets"] == ["Values", "Empty"] and doc.title == "Stock values"
    assert doc.meta["author"] == "Dana" and doc.meta["created"] == "2023-05-06T07:08:09"
    (table,) = (b for b in doc.blocks if b.kind == "table")
    assert table.heading_path == ("Values",)
    assert table.rows == [
        ["", "What", "When", "Value"],
        ["", "midnight", "2024-01-02", "2"],
        ["", "afternoon", "2024-01-02T13:45:00", "2.5"],
        ["", "flag", "10:30:00", "True"],
        ["", "big", "", "9007199254740992"],
        ["", "lookup", "#N/A", "#DIV/0!"],
    ]


def test_xlsx_properties_without_dates_or_core_part(tmp_path: Path) -> None:
    import io
    import zipfile

    data = make_xlsx(tmp_path / "a.xlsx", rows=2).read_bytes()
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms='
        '"http://purl.org/dc/terms/"><dc:title>Orders</dc:title><dcterms:created>2024-03-01'
        "</dcterms:created><dcterms:modified>2024-03-02T10:11:12.250Z</dcterms:modified>"
        "</cp:coreProperties>"
    )
    for name, replacement in (("dates.xlsx", core), ("bare.xlsx", None)):
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.namelist():
                if item != "docProps/core.xml":
                    dst.writestr(item, src.read(item))
                elif replacement is not None:
                    dst.writestr(item, replacement)
        (tmp_path / name).write_bytes(out.getvalue())
    meta = parse_file(tmp_path / "dates.xlsx").meta
    assert (meta["title"], meta["created"]) == ("Orders", "2024-03-01")
    assert meta["modified"] == "2024-03-02T10:11:12.250000" and "author" not in meta
    assert parse_file(tmp_path / "bare.xlsx").meta == {"sheets": ["Orders", "Regions"]}


def test_csv_sniffer_decides_like_the_standard_one() -> None:
    import csv
    import random

    from ebrain.ingest.parsers.sheets import _Sniffer

    rnd = random.Random(5)
    cells = ["a", "b c", "1,2", "x;y", "", '"q"', "中文", "t\tab", "p|q", " lead", "3.5"]
    for _ in range(300):
        sep = rnd.choice([",", ";", "\t", "|", " "])
        lines = [
            sep.join(rnd.choice(cells) for _ in range(rnd.choice([1, 3, 3, 5])))
            for _ in range(rnd.randint(0, 30))
        ]
        sample = "\n".join(lines)
        got: list[object] = []
        want: list[object] = []
        for sniffer, out in ((csv.Sniffer(), want), (_Sniffer(), got)):
            try:
                d = sniffer.sniff(sample, delimiters=",\t;|")
                out.append((d.delimiter, d.quotechar, d.doublequote, d.skipinitialspace))
            except csv.Error as exc:
                out.append(str(exc))
        assert got == want, sample


EML_HEADERS = (
    ("From", "=?utf-8?b?5b2t5b+X5by6?= <peng.zhiqiang@xinhong-power.example.com>"),
    ("From", "Klaus  Becker <klaus@metalworks.example.com>"),
    ("From", '"Li, Wei" <li@x.example.com>, =?utf-8?q?Dr=2E_No?= <no@x.example.com>'),
    ("From", "=?utf-8?b?5byg5LiJLCDmnY7lm5s=?= <zs@x.example.com>"),
    ("To", "a@b.example.com,  Grace <g@h.example.com> , (team) c@d.example.com"),
    ("To", "undisclosed-recipients:;"),
    ("Cc", "=?gb2312?b?zfXO5Q==?= <ww@x.example.com>"),
    ("Subject", "Re: =?utf-8?b?5oql5Lu35Y2V?= 2024"),
    ("Subject", "RE:  two  spaces\tand a tab"),
    ("Date", "20 Feb 2024 15:08 +0800"),
    ("Date", "not a date"),
)


@pytest.mark.parametrize(("name", "value"), EML_HEADERS)
def test_eml_headers_read_as_the_default_policy(tmp_path: Path, name: str, value: str) -> None:
    import email
    import email.policy

    other = "Date" if name != "Date" else "Subject"
    data = f"{name}: {value}\n{other}: x\n\nbody text\n".encode()
    (tmp_path / "m.eml").write_bytes(data)
    doc = parse_file(tmp_path / "m.eml")
    want = email.message_from_bytes(data, policy=email.policy.default)
    assert doc.meta[name.lower()] == str(want[name])


def test_eml_attachment_names_and_html_body(tmp_path: Path) -> None:
    import base64

    table = base64.b64encode(b"item,price\nwidget,10\n").decode()
    parts = [
        'Content-Type: text/html; charset="utf-8"\n\n<h1>Price list</h1><p>See the files.</p>',
        "Content-Type: text/csv\nContent-Transfer-Encoding: base64\nContent-Disposition:"
        " attachment;\n filename*0*=utf-8''%E4%BB%B7%E6%A0%BC%E8%A1%A8;\n"
        f" filename*1*=_2024.csv\n\n{table}",
        'Content-Type: text/csv; name="=?utf-8?b?5oql5Lu3LmNzdg==?="\n'
        f"Content-Transfer-Encoding: base64\nContent-Disposition: attachment\n\n{table}",
    ]
    body = "".join(f"--XX\n{part}\n" for part in parts)
    head = "Subject: Prices\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
    (tmp_path / "m.eml").write_text(f"{head}{body}--XX--\n")
    doc = parse_file(tmp_path / "m.eml")
    assert doc.blocks[1].text == "Price list"
    assert doc.meta["attachments"] == ["价格表_2024.csv", "报价.csv"]
    tables = [b.heading_path for b in doc.blocks if b.kind == "table"]
    assert tables == [("Attachment: 价格表_2024.csv",), ("Attachment: 报价.csv",)]


# --- Office packages read part by part with lxml (DOCX, PPTX, ODT) ---------------------------


def replace_part(path: Path, name: str, edit: Callable[[bytes], bytes | None]) -> Path:
    """Rewrite one part of a zip package in place (an edit returning None drops the part)."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for filename, data in parts:
            new = edit(data) if filename == name else data
            if new is not None:
                zout.writestr(filename, new)
    return path


def docx_with_body(path: Path, body_xml: str) -> Path:
    """A python-docx document (default styles) whose w:body content is `body_xml`."""
    import docx

    docx.Document().save(str(path))
    body = f"<w:body>{body_xml}</w:body>".encode()
    return replace_part(
        path,
        "word/document.xml",
        lambda xml: re.sub(rb"<w:body>.*</w:body>", lambda _: body, xml, flags=re.S),
    )


def para(text: str, style: str = "") -> str:
    """A w:p with one run, optionally styled."""
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{props}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def test_docx_content_controls_insertions_and_links_count_a_toc_does_not(tmp_path: Path) -> None:
    toc = '<w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr>'
    body = (
        para("Intro", "Heading1")
        + f"<w:sdt>{toc}<w:sdtContent>{para('Intro 1', 'TOC1')}</w:sdtContent></w:sdt>"
        + f"<w:sdt><w:sdtPr/><w:sdtContent>{para('Inside a content control')}</w:sdtContent></w:sdt>"
        + '<w:p><w:r><w:t xml:space="preserve">Kept </w:t></w:r>'
        + '<w:ins w:id="1" w:author="a"><w:r><w:t xml:space="preserve">inserted </w:t></w:r></w:ins>'
        + '<w:del w:id="2" w:author="a"><w:r><w:delText>deleted </w:delText></w:r></w:del>'
        + '<w:hyperlink w:anchor="x"><w:r><w:t>link</w:t><w:tab/><w:t>tab</w:t></w:r></w:hyperlink></w:p>'
    )
    doc = parse_file(docx_with_body(tmp_path / "controls.docx", body))
    assert [b.text for b in doc.blocks] == [
        "Intro",
        "Inside a content control",
        "Kept inserted link\ttab",
    ]
    assert doc.blocks[-1].heading_path == ("Intro",)


def test_docx_merged_cells_repeat_their_text(tmp_path: Path) -> None:
    def cell(text: str, props: str = "") -> str:
        return f"<w:tc><w:tcPr>{props}</w:tcPr>{para(text) if text else '<w:p/>'}</w:tc>"

    table = (
        "<w:tbl><w:tr>"
        + cell("Region", '<w:gridSpan w:val="2"/>')
        + cell("Total", '<w:vMerge w:val="restart"/>')
        + "</w:tr><w:tr>"
        + cell("North")
        + cell("South")
        + cell("", "<w:vMerge/>")
        + "</w:tr></w:tbl>"
    )
    doc = parse_file(docx_with_body(tmp_path / "merged.docx", para("Sales", "Heading1") + table))
    table_block = next(b for b in doc.blocks if b.kind == "table")
    assert table_block.rows == [["Region", "Region", "Total"], ["North", "South", "Total"]]


def test_docx_outline_level_inherited_through_based_on(tmp_path: Path) -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    d = docx.Document()
    chapter = d.styles.add_style("Chapter", WD_STYLE_TYPE.PARAGRAPH)
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    chapter.element.get_or_add_pPr().append(level)
    d.styles.add_style("Appendix", WD_STYLE_TYPE.PARAGRAPH).base_style = chapter
    d.add_paragraph("Appendix A", style="Appendix")
    d.add_paragraph("Tables of rates.")
    d.save(str(tmp_path / "styles.docx"))
    doc = parse_file(tmp_path / "styles.docx")
    assert doc.blocks[0].kind == "heading" and doc.blocks[1].heading_path == ("Appendix A",)


def test_docx_core_dates_in_utc(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "dated.docx")
    stamp = (
        b'<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-01T09:30:00+08:00</dcterms:created>'
    )
    replace_part(
        path,
        "docProps/core.xml",
        lambda xml: re.sub(rb"<dcterms:created[^<]*</dcterms:created>", stamp, xml),
    )
    assert parse_file(path).meta["created"] == "2024-03-01T01:30:00+00:00"


def test_pptx_shapes_in_reading_order_with_groups_flattened(tmp_path: Path) -> None:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    slide.shapes.title.text = "Plan"
    slide.shapes.add_textbox(Inches(1), Inches(5), Inches(4), Inches(1)).text_frame.text = "Last"
    group = slide.shapes.add_group_shape()
    group.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, Inches(1), Inches(3), Inches(2), Inches(1)
    ).text = "Middle"
    slide.shapes.add_textbox(Inches(1), Inches(2), Inches(4), Inches(1)).text_frame.text = "First"
    slide.notes_slide.notes_text_frame.text = "Say hello."
    prs.save(str(tmp_path / "order.pptx"))
    doc = parse_file(tmp_path / "order.pptx")
    assert [b.text for b in doc.blocks] == ["Plan", "First", "Middle", "Last", "Notes: Say hello."]
    assert doc.pages == 1 and {b.heading_path for b in doc.blocks} == {("Plan",)}


def test_odt_spaces_tabs_breaks_and_indented_xml(tmp_path: Path) -> None:
    path = make_odt(tmp_path / "indented.odt")
    text_ns = b"urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    extra = (
        b'<text:p xmlns:text="'
        + text_ns
        + b'">a<text:s text:c="3"/>b<text:tab/>c<text:line-break/>d</text:p>'
    )

    def indent(xml: bytes) -> bytes:
        xml = xml.replace(b"<office:text>", b"<office:text>\n    " + extra)
        return xml.replace(b"<office:body>", b"<office:body>\n  ")

    doc = parse_file(replace_part(path, "content.xml", indent))
    assert doc.blocks[0].text == "a   b\tc\nd" and doc.title == "Safety Manual"
    assert any(b.text == "- Pull the alarm\n- Leave the building" for b in doc.blocks)


def test_office_parsers_do_not_use_python_docx_pptx_or_odfpy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [
        make_docx(tmp_path / "a.docx"),
        make_pptx(tmp_path / "b.pptx"),
        make_odt(tmp_path / "c.odt"),
    ]
    for module in ("docx", "pptx", "odf"):
        monkeypatch.setitem(sys.modules, module, None)  # importing it now fails
    assert [parse_file(p).format for p in paths] == ["docx", "pptx", "odt"]


@pytest.mark.parametrize(
    ("suffix", "part", "edit"),
    [
        (".docx", "word/document.xml", lambda xml: xml[:-40]),
        (".docx", "word/document.xml", lambda xml: None),
        (".docx", "word/styles.xml", lambda xml: xml[:20000]),  # cut before List Bullet
        (".pptx", "ppt/slides/slide2.xml", lambda xml: xml[:-40]),
        (".pptx", "ppt/presentation.xml", lambda xml: None),
        (".odt", "content.xml", lambda xml: xml[:-40]),
    ],
)
def test_broken_office_parts_are_corrupt(
    tmp_path: Path, suffix: str, part: str, edit: Callable[[bytes], bytes | None]
) -> None:
    builder = {".docx": make_docx, ".pptx": make_pptx, ".odt": make_odt}[suffix]
    path = replace_part(builder(tmp_path / f"broken{suffix}"), part, edit)
    with pytest.raises(ParseError) as info:
        parse_file(path)
    assert info.value.reason == "corrupt"


def test_docx_entity_bomb_is_not_expanded(tmp_path: Path) -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>safe &i;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    path = replace_part(make_docx(tmp_path / "bomb.docx"), "word/document.xml", lambda _: xml)
    try:
        doc = parse_file(path)
    except ParseError as err:
        assert err.reason == "corrupt"
    else:
        assert len(doc.text) < 100
