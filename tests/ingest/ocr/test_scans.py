"""Real OCR (the auto engine) on small generated scans, through parse_file and ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from ebrain.brain import Brain
from ebrain.errors import ParseError
from ebrain.ingest.ocr import REGISTRY, EngineMissing, OcrOptions, engine
from ebrain.ingest.ocr.run import garbage_text
from ebrain.ingest.parsers import parse_file
from tests.ingest.ocr.scans import image_pdf, png_bytes, text_image

ZH = "验收结论：合格"
EN = "Acceptance passed"


@pytest.fixture(autouse=True)
def _needs_an_engine() -> None:
    try:
        engine("auto")
    except EngineMissing as exc:
        pytest.skip(f"no OCR engine here: {exc}")


def test_png_in_chinese_and_english(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    text_image([ZH, EN]).save(path)
    doc = parse_file(path)
    assert doc.format == "image" and doc.pages == 1
    assert ZH in doc.text and EN in doc.text
    block = doc.blocks[0]
    assert block.page == 1 and block.ocr is not None and block.ocr.confidence > 0.8
    page, x0, y0, x1, y1 = block.ocr.boxes[0]
    assert page == 1 and 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1


@pytest.mark.parametrize("fmt", ["JPEG", "BMP", "WEBP"])
def test_other_image_formats(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"scan.{fmt.lower()}"
    path.write_bytes(png_bytes(text_image([ZH]), fmt))
    assert ZH in parse_file(path).text


def test_multi_page_tiff_keeps_page_numbers(tmp_path: Path) -> None:
    path = tmp_path / "fax.tiff"
    first, second = text_image(["第一页 page one"]), text_image(["第二页 page two"])
    first.save(path, save_all=True, append_images=[second])
    doc = parse_file(path)
    assert doc.pages == 2
    assert [(b.page, b.text) for b in doc.blocks] == [
        (1, "第一页 page one"),
        (2, "第二页 page two"),
    ]


def test_tiff_frames_over_the_page_limit_are_not_read(tmp_path: Path) -> None:
    path = tmp_path / "fax.tiff"
    frames = [text_image([f"第{n}页"]) for n in range(1, 4)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    doc = parse_file(path, ocr=OcrOptions(max_pages=1))
    assert doc.pages == 3 and [b.page for b in doc.blocks] == [1]
    assert any("2 scanned page(s) not OCR'd (2, 3)" in w for w in doc.warnings)


def test_scanned_pdf_and_born_digital_text_is_never_replaced(tmp_path: Path) -> None:
    from tests.ingest.parsers.parser_builders import make_pdf

    scan = image_pdf(tmp_path / "scan.pdf", [text_image([ZH])])
    doc = parse_file(scan)
    assert ZH in doc.text and doc.blocks[0].ocr is not None
    digital = parse_file(make_pdf(tmp_path / "digital.pdf"))
    assert all(b.ocr is None for b in digital.blocks)


def test_garbage_text_layer_is_read_by_ocr(tmp_path: Path) -> None:
    mojibake = "ÃÄÅÆ ÇÈÉÊ ËÌÍÎ ÏÐÑÒ ÓÔÕÖ"
    path = image_pdf(tmp_path / "garbled.pdf", [text_image([ZH, EN])], garbage=mojibake)
    doc = parse_file(path)
    assert ZH in doc.text and "Ã" not in doc.text
    assert any("garbage" in w for w in doc.warnings)
    assert garbage_text("\ue000\ue001\ue002\ue003\ue004\ue005\ue006\ue007\ue008")
    assert not garbage_text("验收结论：合格，同意交付") and not garbage_text(
        "The contract is signed"
    )


def test_docx_with_an_embedded_text_image(tmp_path: Path) -> None:
    import docx

    picture = tmp_path / "pic.png"
    text_image(["图片中的文字 text in a picture"]).save(picture)
    document = docx.Document()
    document.add_paragraph("Born-digital paragraph.")
    document.add_picture(str(picture))
    document.save(str(tmp_path / "report.docx"))
    doc = parse_file(tmp_path / "report.docx")
    assert doc.blocks[0].text == "Born-digital paragraph." and doc.blocks[0].ocr is None
    assert "图片中的文字" in doc.text and doc.blocks[-1].ocr is not None


def test_pptx_picture_is_read_on_its_slide(tmp_path: Path) -> None:
    import pptx
    from pptx.util import Inches

    picture = tmp_path / "pic.png"
    text_image(["幻灯片图片 slide picture"]).save(picture)
    deck = pptx.Presentation()
    deck.slides.add_slide(deck.slide_layouts[6])
    deck.slides.add_slide(deck.slide_layouts[6]).shapes.add_picture(
        str(picture), Inches(1), Inches(1)
    )
    deck.save(str(tmp_path / "deck.pptx"))
    doc = parse_file(tmp_path / "deck.pptx")
    assert [b.page for b in doc.blocks if "幻灯片图片" in b.text] == [2]


def test_page_limit_reads_the_first_pages_and_says_so(tmp_path: Path) -> None:
    pages = [text_image([f"第{n}页 page {n}"]) for n in range(1, 5)]
    path = image_pdf(tmp_path / "long.pdf", pages)
    doc = parse_file(path, ocr=OcrOptions(max_pages=2))
    assert "page 2" in doc.text and "page 3" not in doc.text
    assert any(
        "2 scanned page(s) not OCR'd (3, 4)" in w and "ocr.max_pages" in w for w in doc.warnings
    )


def test_time_budget_keeps_the_pages_read_in_time(tmp_path: Path) -> None:
    path = image_pdf(tmp_path / "long.pdf", [text_image([f"第{n}页"]) for n in range(1, 4)])
    doc = parse_file(path, ocr=OcrOptions(time_budget_s=1e-9))  # out of time after page 1
    assert [b.page for b in doc.blocks] == [1]
    assert any("2 scanned page(s) not OCR'd (2, 3)" in w and "time" in w for w in doc.warnings)


def test_off_switch(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    text_image([ZH]).save(path)
    with pytest.raises(ParseError) as info:
        parse_file(path, ocr=OcrOptions(enabled=False))
    assert info.value.reason == "needs_ocr" and "ocr.enabled" in info.value.hint


def test_missing_engine_is_an_actionable_needs_ocr(tmp_path: Path) -> None:
    def missing(spec: str) -> object:
        raise EngineMissing("gone-ocr: No module named 'gone_ocr'")

    REGISTRY.register("gone-ocr", missing)  # type: ignore[arg-type]
    path = image_pdf(tmp_path / "scan.pdf", [text_image([ZH])])
    with pytest.raises(ParseError) as info:
        parse_file(path, ocr=OcrOptions(engine="gone-ocr"))
    assert info.value.reason == "needs_ocr" and "gone_ocr" in info.value.message
    assert "pip install 'ebrain[ocr]'" in info.value.hint


def test_low_confidence_pages_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    text_image([ZH]).save(path)
    doc = parse_file(path, ocr=OcrOptions(min_confidence=1.0))
    assert any(w.startswith("low OCR confidence on page(s) 1") for w in doc.warnings)


def test_ingest_stores_provenance_and_a_long_scan_does_not_stop_the_others(
    brain: Brain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EBRAIN_OCR_MAX_PAGES", "3")
    folder = tmp_path / "in"
    folder.mkdir()
    blank = text_image([""])
    pages = [text_image([ZH]), text_image([EN]), text_image(["第三页"])]
    image_pdf(folder / "long-scan.pdf", [*pages, *[blank] * 97])
    (folder / "note.txt").write_text("A plain note about the warehouse.", encoding="utf-8")
    events: list[tuple[str, int, int]] = []
    report = brain.ingest(
        [folder], jobs=1, progress=lambda e: events.append((e.stage, e.done, e.total))
    )
    assert report.counts == {"added": 2}
    scan = next(f for f in report.files if f.path.endswith("long-scan.pdf"))
    assert any("97 scanned page(s) not OCR'd" in w for w in scan.warnings)
    with brain.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT c.page_start, o.confidence, o.boxes FROM chunk_ocr o "
                "JOIN chunk c ON c.id = o.chunk_id"
            )
        ).all()
    assert rows and rows[0][0] == 1 and all(r[1] > 0.8 for r in rows)
    assert json.loads(rows[0][2])[0][0] == 1
    assert any(stage == "ocr" and total == 100 for stage, _done, total in events)
