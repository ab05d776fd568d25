"""Each format parsed from real files: headings, pages, tables with every row, meta."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

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
