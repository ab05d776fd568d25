"""Both built-in engines, through the registry, read the same small zh+en image."""

from __future__ import annotations

import pytest

from ebrain.errors import NotFoundError
from ebrain.ingest.ocr import REGISTRY, EngineMissing, OcrEngine, OcrLine, engine
from tests.ingest.ocr.scans import text_image


def _engine(name: str) -> OcrEngine:
    try:
        return REGISTRY.create(name)
    except EngineMissing as exc:
        pytest.skip(f"{name} is not installed here: {exc}")


@pytest.mark.parametrize("name", ["rapidocr", "tesseract"])
def test_engine_conforms(name: str) -> None:
    ocr = _engine(name)
    assert isinstance(ocr, OcrEngine) and ocr.name == name
    image = text_image(["验收证书 编号 2024", "Acceptance passed"])
    lines = ocr.recognize(image)
    assert all(isinstance(ln, OcrLine) for ln in lines)
    text = " ".join(ln.text for ln in sorted(lines, key=lambda ln: ln.box[1]))
    assert "验收" in text and "Acceptance" in text
    for ln in lines:
        x0, y0, x1, y1 = ln.box
        assert 0 <= x0 < x1 <= image.width + 2 and 0 <= y0 < y1 <= image.height + 2
        assert 0.0 <= ln.confidence <= 1.0
    assert lines[0].box[1] < lines[-1].box[1] or len(lines) == 1


def test_engine_names_and_unknown_engine() -> None:
    assert {"rapidocr", "tesseract"} <= set(REGISTRY.names())
    with pytest.raises(NotFoundError) as info:
        REGISTRY.create("nosuchocr")
    assert "rapidocr" in (info.value.hint or "")


def test_a_plugin_engine_registers_through_the_registry() -> None:
    class Fixed:
        name = "fixed"

        def recognize(self, image: object) -> list[OcrLine]:
            return [OcrLine("固定文本 fixed text", (10, 10, 300, 40), 0.9)]

    REGISTRY.register("fixed-test", lambda spec: Fixed())
    assert engine("fixed-test").recognize(None)[0].text == "固定文本 fixed text"
