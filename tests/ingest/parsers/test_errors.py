"""Bad files get a specific ParseError reason; mislabeled files are detected."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from ebrain.errors import NotFoundError, ParseError
from ebrain.ingest.ocr import OcrOptions
from ebrain.ingest.parsers import parse_file
from tests.ingest.parsers.parser_builders import make_docx, make_pdf

OCR_OFF = OcrOptions(enabled=False)


def reason_of(path: Path, **kwargs: object) -> ParseError:
    """The ParseError parse_file raises for `path`."""
    with pytest.raises(ParseError) as info:
        parse_file(path, **kwargs)  # type: ignore[arg-type]
    assert info.value.hint, "every parse error tells the user what to do"
    return info.value


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    assert reason_of(tmp_path / "empty.txt").reason == "empty"


def test_whitespace_only_text_is_empty(tmp_path: Path) -> None:
    (tmp_path / "blank.md").write_text("  \n\n \n")
    assert reason_of(tmp_path / "blank.md").reason == "empty"


def test_oversize(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("hello world " * 100)
    err = reason_of(tmp_path / "big.txt", max_bytes=100)
    assert err.reason == "too_large"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        parse_file(tmp_path / "nope.pdf")


def test_corrupt_pdf(tmp_path: Path) -> None:
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.7\n" + random.Random(1).randbytes(3000))
    assert reason_of(tmp_path / "bad.pdf").reason == "corrupt"


def test_encrypted_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    src = make_pdf(tmp_path / "plain.pdf", table=False)
    writer = PdfWriter(clone_from=PdfReader(src))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    with (tmp_path / "locked.pdf").open("wb") as fh:
        writer.write(fh)
    assert reason_of(tmp_path / "locked.pdf").reason == "encrypted"


def test_pdf_without_any_text_needs_ocr(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 80, 80, style="F")
    pdf.output(str(tmp_path / "scan.pdf"))
    assert reason_of(tmp_path / "scan.pdf", ocr=OCR_OFF).reason == "needs_ocr"
    assert reason_of(tmp_path / "scan.pdf").reason == "empty"  # OCR ran: no text on the page


def test_pdf_page_without_text_is_a_warning(tmp_path: Path) -> None:
    doc = parse_file(make_pdf(tmp_path / "mixed.pdf", blank_page=True))
    assert doc.pages == 3
    assert doc.warnings == ["page 3 has no text layer (needs OCR)"]


def test_encrypted_docx(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    src = make_docx(tmp_path / "plain.docx")
    with src.open("rb") as fh, (tmp_path / "locked.docx").open("wb") as out:
        OOXMLFile(fh).encrypt("secret", out)
    assert reason_of(tmp_path / "locked.docx").reason == "encrypted"


def test_corrupt_docx(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "ok.docx").read_bytes()
    (tmp_path / "cut.docx").write_bytes(data[: len(data) // 2])
    assert reason_of(tmp_path / "cut.docx").reason == "corrupt"


def test_zip_renamed_pdf_is_reported(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes/readme.txt", "hello")
    (tmp_path / "fake.pdf").write_bytes(buf.getvalue())
    err = reason_of(tmp_path / "fake.pdf")
    assert err.reason == "corrupt" and "ZIP archive" in err.message


def test_docx_renamed_pdf_is_parsed_as_docx(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "real.docx").read_bytes()
    (tmp_path / "renamed.pdf").write_bytes(data)
    doc = parse_file(tmp_path / "renamed.pdf")
    assert doc.format == "docx" and "annual leave" in doc.text
    assert "Word (.docx)" in doc.warnings[0]


def test_unsupported_binary(tmp_path: Path) -> None:
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02" + random.Random(2).randbytes(2000))
    assert reason_of(tmp_path / "blob.bin").reason == "unsupported"


def test_undecodable_text(tmp_path: Path) -> None:
    (tmp_path / "noise.txt").write_bytes(random.Random(3).randbytes(4000))
    assert reason_of(tmp_path / "noise.txt").reason == "undecodable"


@pytest.mark.parametrize("name", ["photo.png", "scan.jpg", "fax.tiff", "pic.webp"])
def test_images_need_ocr(tmp_path: Path, name: str) -> None:
    magic = {
        ".png": b"\x89PNG\r\n\x1a\n",
        ".jpg": b"\xff\xd8\xff\xe0",
        ".tiff": b"II*\x00",
        ".webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    }[Path(name).suffix]
    (tmp_path / name).write_bytes(magic + bytes(200))
    assert reason_of(tmp_path / name, ocr=OCR_OFF).reason == "needs_ocr"
    assert reason_of(tmp_path / name).reason == "corrupt"  # OCR on: not a readable image


def test_legacy_format_without_libreoffice_needs_converter(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet

    OpenDocumentSpreadsheet().save(str(tmp_path / "sheet.ods"))
    err = reason_of(tmp_path / "sheet.ods", libreoffice="ebrain-no-such-soffice")
    assert err.reason == "needs_converter" and "libreoffice" in err.hint.lower()


def test_json_without_text_is_unsupported(fixtures: Path) -> None:
    assert reason_of(fixtures / "numbers.json").reason == "unsupported"


def test_broken_json_is_corrupt(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"messages": [')
    assert reason_of(tmp_path / "bad.json").reason == "corrupt"


@pytest.mark.parametrize(
    ("drop", "replace"),
    [
        ("xl/workbook.xml", None),
        (None, ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row><c")),
        (None, ("docProps/core.xml", b"<cp:coreProperties")),
    ],
)
def test_damaged_xlsx_parts_are_corrupt(
    tmp_path: Path, drop: str | None, replace: tuple[str, bytes] | None
) -> None:
    from tests.ingest.parsers.parser_builders import make_xlsx

    data = make_xlsx(tmp_path / "ok.xlsx", rows=3).read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            if name == drop:
                continue
            dst.writestr(name, replace[1] if replace and name == replace[0] else src.read(name))
    (tmp_path / "bad.xlsx").write_bytes(out.getvalue())
    assert reason_of(tmp_path / "bad.xlsx").reason == "corrupt"


def test_sheet_stretched_by_a_stray_far_cell_is_too_large(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"], book.active["ZZ200000"] = "data", "stray"
    book.save(str(tmp_path / "stretched.xlsx"))
    err = reason_of(tmp_path / "stretched.xlsx")
    assert err.reason == "too_large" and "200,000 rows x 702 columns" in err.message
    assert "stray cells" in err.hint
