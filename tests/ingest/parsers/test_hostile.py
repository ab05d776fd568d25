"""Hostile files: compression bombs, lying zip headers, deep HTML, stray bytes, growing files.

Every fixture is generated here, small: bombs are judged against a budget of 1 MiB.
"""

from __future__ import annotations

import io
import os
import struct
import tracemalloc
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest

from ebrain.errors import ParseError
from ebrain.ingest.parsers import parse_file
from ebrain.ingest.parsers.dispatch import read_bounded
from tests.ingest.parsers.parser_builders import (
    make_docx,
    make_epub,
    make_odt,
    make_pptx,
    make_xlsx,
)

MIB = 2**20
PADDING = b" " * (2 * MIB)  # deflates to ~2 KB, inflates past a 1 MiB budget


def rewrite(path: Path, edits: dict[str, Callable[[bytes], bytes]], method: int = 8) -> Path:
    """Rewrite parts of a zip package in place, each edited part stored with `method`."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts:
            if name in edits:
                zout.writestr(name, edits[name](data), compress_type=method)
            else:
                zout.writestr(name, data)
    return path


def padded(xml: bytes) -> bytes:
    """Well-formed XML grown by 2 MiB of blanks before its last end tag."""
    cut = xml.rstrip().rfind(b"</")
    return xml[:cut] + PADDING + xml[cut:]


def too_large_of(path: Path) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_file(path, max_inflated=MIB)
    return info.value


BOMBS = {
    "docx": (make_docx, "word/document.xml"),
    "pptx": (make_pptx, "ppt/slides/slide1.xml"),
    "xlsx": (make_xlsx, "docProps/core.xml"),
    "xlsx-styles": (make_xlsx, "xl/styles.xml"),  # read by calamine only
    "odt": (make_odt, "content.xml"),
    "epub": (make_epub, "OEBPS/text/ch2.xhtml"),
}


@pytest.mark.parametrize("fmt", sorted(BOMBS))
def test_a_part_inflating_past_the_budget_is_too_large(tmp_path: Path, fmt: str) -> None:
    build, part = BOMBS[fmt]
    path = rewrite(build(tmp_path / f"bomb.{fmt.split('-')[0]}"), {part: padded})
    assert path.stat().st_size < 100_000
    err = too_large_of(path)
    assert err.reason == "too_large"
    assert "expands to more than 1 MiB when unpacked" in err.message
    assert "ingest.max_inflated_mb" in err.hint
    assert parse_file(path).blocks, "within the default budget the same file is fine"


def test_the_budget_counts_all_parts_of_a_file(tmp_path: Path) -> None:
    half = b" " * (600 * 1024)
    path = make_docx(tmp_path / "two.docx")
    path = rewrite(path, {n: (lambda x: x[:-1] + half + x[-1:]) for n in _xml_parts(path)[:2]})
    assert too_large_of(path).reason == "too_large"


def _xml_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [
            n for n in zf.namelist() if n.endswith((".xml", ".rels")) and n != "[Content_Types].xml"
        ]


def _lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """The zip `data` with member `name` declaring `size` bytes uncompressed."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    struct.pack_into("<I", out, info.header_offset + 22, size)
    central = out.rfind(name.encode(), 0) - 46
    assert out[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", out, central + 24, size)
    return bytes(out)


def test_a_bzip2_part_lying_about_its_size_is_inflated_in_bounded_steps(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "liar.docx")
    zeros = b"\0" * (16 * MIB)
    with zipfile.ZipFile(path) as zin:
        parts = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts:
            method = zipfile.ZIP_BZIP2 if name == "word/document.xml" else zipfile.ZIP_DEFLATED
            zout.writestr(name, data + zeros if method == zipfile.ZIP_BZIP2 else data, method)
    del zeros
    path.write_bytes(_lie_about_size(buf.getvalue(), "word/document.xml", 3000))
    assert path.stat().st_size < 50_000
    tracemalloc.start()
    try:
        with pytest.raises(ParseError) as info:
            parse_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.reason in ("corrupt", "too_large")
    assert peak < 8 * MIB, f"inflated {peak / MIB:.1f} MiB at once"


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_parts_in_every_zip_method_are_read(tmp_path: Path, method: int) -> None:
    parts = dict.fromkeys(["word/document.xml", "word/styles.xml"], bytes)
    path = rewrite(make_docx(tmp_path / "m.docx"), parts, method)
    assert "annual leave" in parse_file(path).text


def test_a_part_whose_bytes_were_changed_fails_its_crc(tmp_path: Path) -> None:
    path = rewrite(make_docx(tmp_path / "crc.docx"), {"word/styles.xml": bytes}, 0)
    data = bytearray(path.read_bytes())
    at = data.find(b"w:styleId=") + 3
    data[at] = ord("X") if data[at] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))
    with pytest.raises(ParseError) as info:
        parse_file(path)
    assert info.value.reason == "corrupt" and "CRC" in info.value.message


def test_epub_entities_are_not_expanded(tmp_path: Path) -> None:
    dtd = b'<!DOCTYPE package [<!ENTITY t "EXPANDED">]>'
    path = rewrite(
        make_epub(tmp_path / "ent.epub"),
        {
            "OEBPS/content.opf": lambda x: x.replace(b"?>", b"?>" + dtd, 1).replace(
                b"The Tea Book", b"&t;"
            )
        },
    )
    doc = parse_file(path)
    assert "EXPANDED" not in doc.title and "Origins" in doc.text


# --- e-mail attachments share the budget of the message ---------------------------------------


def _docx_bytes(tmp_path: Path, name: str, pad: int) -> bytes:
    blank = b" " * pad

    def grow(xml: bytes) -> bytes:
        return xml.replace(b"</w:body>", blank + b"</w:body>")

    return rewrite(make_docx(tmp_path / name), {"word/document.xml": grow}).read_bytes()


def _message(attachments: list[tuple[str, bytes]], subject: str = "Quarterly") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.com", "b@example.com", subject
    msg.set_content("Please find the files attached.")
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


def test_attachments_share_the_budget_of_their_message(tmp_path: Path) -> None:
    one = _docx_bytes(tmp_path, "one.docx", 600 * 1024)
    (tmp_path / "two.eml").write_bytes(_message([("a.docx", one), ("b.docx", one)]))
    doc = parse_file(tmp_path / "two.eml", max_inflated=MIB)
    assert "Please find" in doc.text
    attached = {b.heading_path[0] for b in doc.blocks if b.heading_path}
    assert attached == {"Attachment: a.docx"}
    assert any("'b.docx' skipped" in w and "expands to more than 1 MiB" in w for w in doc.warnings)


def test_a_bomb_in_a_nested_message_is_skipped_and_the_message_kept(tmp_path: Path) -> None:
    bomb = rewrite(make_docx(tmp_path / "bomb.docx"), {"word/document.xml": padded}).read_bytes()
    inner = _message([("bomb.docx", bomb)], "inner")
    (tmp_path / "outer.eml").write_bytes(_message([("inner.eml", inner)], "outer"))
    doc = parse_file(tmp_path / "outer.eml", max_inflated=MIB)
    assert doc.title == "outer" and "Please find" in doc.text
    assert any("'bomb.docx' skipped" in w and "expands to more" in w for w in doc.warnings)


# --- XLSX used range ---------------------------------------------------------------------------


def _sheet(tmp_path: Path, sheet_xml: bytes) -> Path:
    path = make_xlsx(tmp_path / "s.xlsx", rows=3)
    return rewrite(path, {"xl/worksheets/sheet1.xml": lambda _: sheet_xml})


SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


def _cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def test_a_stretched_sheet_without_a_dimension_tag_is_refused_before_loading(
    tmp_path: Path,
) -> None:
    xml = SHEET + b'<row r="1">' + _cell("A1", "a") + b'</row><row r="40000">'
    xml += _cell("CV40000", "far") + b"</row></sheetData></worksheet>"
    with pytest.raises(ParseError) as info:
        parse_file(_sheet(tmp_path, xml))
    assert info.value.reason == "too_large"
    assert "40,000 rows x 100 columns" in info.value.message


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    far = b'<row r="40000"><c t="inlineStr"><is><t>x</t></is></c></row>'
    xml = SHEET + b'<row r="1">' + _cell("A1", "a") + _cell("CV1", "b") + b"</row>" + far
    with pytest.raises(ParseError) as info:
        parse_file(_sheet(tmp_path, xml + b"</sheetData></worksheet>"))
    assert "40,000 rows x 100 columns" in info.value.message


def test_sheet_size_counts_rows_and_columns_not_last_indexes(tmp_path: Path) -> None:
    # 3,000 x 1,001 = 3,003,000 cells, over the 3,000,000 limit; as last indexes (2,999 x
    # 1,000) it looked under it
    xml = SHEET + b'<row r="1">' + _cell("A1", "a") + b'</row><row r="3000">'
    xml += _cell("ALM3000", "far") + b"</row></sheetData></worksheet>"
    with pytest.raises(ParseError) as info:
        parse_file(_sheet(tmp_path, xml))
    assert "3,000 rows x 1,001 columns" in info.value.message


def test_a_sheet_is_read_whole_when_within_the_limit(tmp_path: Path) -> None:
    rows = b"".join(
        b'<row r="%d">' % r + b"".join(_cell(f"{c}{r}", f"v{r}{c}") for c in "ABCDE") + b"</row>"
        for r in range(1, 11)
    )
    doc = parse_file(_sheet(tmp_path, SHEET + rows + b"</sheetData></worksheet>"))
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows is not None and len(table.rows) == 10 and len(table.rows[0]) == 5


# --- HTML nested beyond reason -----------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<div>" * 100_000 + "deep text" + "</div>" * 100_000,
        "<div><span>" * 100_000 + "deep text",
    ],
)
def test_deeply_nested_html_is_flattened_and_its_text_kept(tmp_path: Path, html: str) -> None:
    (tmp_path / "deep.html").write_text("<html><body>" + html + "</body></html>")
    assert "deep text" in parse_file(tmp_path / "deep.html").text


# --- text with a few stray bytes -----------------------------------------------------------------


def test_a_stray_byte_is_replaced_with_a_warning_giving_its_offset(tmp_path: Path) -> None:
    line = "年度预算与报销规定 annual budget rules\n".encode()
    data = line * 2000 + b"\xff" + line * 2000
    (tmp_path / "stray.txt").write_bytes(data)
    doc = parse_file(tmp_path / "stray.txt")
    assert "annual budget" in doc.text and "\ufffd" in doc.text
    assert any(
        f"byte offsets {len(line) * 2000}" in w and "1 undecodable" in w for w in doc.warnings
    )


# --- reading the file once, bounded ------------------------------------------------------------


def test_the_read_is_bounded_whatever_the_size_said(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 11)
    with pytest.raises(ParseError) as info:
        read_bounded(tmp_path / "big.txt", 10)
    assert info.value.reason == "too_large"
    status = Path("/proc/self/status")  # a file whose stat says 0 bytes but holds more
    if status.exists():
        with pytest.raises(ParseError) as info:
            read_bounded(status, 10)
        assert info.value.reason == "too_large" and "grew past" in info.value.message


def test_size_and_hash_are_those_of_what_was_read(tmp_path: Path) -> None:
    import hashlib

    data = b"The travel policy covers trains.\n" * 3
    (tmp_path / "t.txt").write_bytes(data)
    doc = parse_file(tmp_path / "t.txt")
    assert doc.size == len(data) and doc.content_hash == hashlib.sha256(data).hexdigest()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(ParseError) as info:
        parse_file(tmp_path / "pipe.txt")
    assert info.value.reason == "unsupported"


# --- the setting, end to end ---------------------------------------------------------------------


def test_ingest_max_inflated_mb_reaches_the_parsers(workspace: Path, tmp_path: Path) -> None:
    from ebrain.brain import Brain

    (workspace / "config.yaml").write_text(
        "embed:\n  model: none\ningest:\n  max_inflated_mb: 1\n", encoding="utf-8"
    )
    bomb = rewrite(make_docx(tmp_path / "bomb.docx"), {"word/document.xml": padded})
    with Brain.open(workspace) as brain:
        report = brain.ingest([bomb], jobs=1)
    [failed] = report.failed
    assert failed.reason == "too_large" and "expands to more than 1 MiB" in failed.message
