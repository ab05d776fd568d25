"""Small generated scans for the OCR tests: text drawn with the WenQuanYi font by PIL."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def font(size: int) -> Any:
    """The CJK font at `size` px (the test is skipped without it)."""
    from PIL import ImageFont

    if not FONT.exists():
        pytest.skip("needs fonts-wqy-microhei")
    return ImageFont.truetype(str(FONT), size)


def text_image(lines: list[str], size: int = 28, width: int = 640) -> Any:
    """A white image with one line of black text per entry."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, 30 + len(lines) * int(size * 1.8)), "white")
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((20, 15 + n * int(size * 1.8)), line, font=font(size), fill="black")
    return image


def png_bytes(image: Any, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def image_pdf(path: Path, images: list[Any], garbage: str = "") -> Path:
    """A PDF whose pages are the images; `garbage` adds an invisible mis-encoded text layer."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(images[0].width * 0.75, images[0].height * 0.75))
    for image in images:
        pdf.add_page()
        pdf.image(image, 0, 0, image.width * 0.75, image.height * 0.75)
        if garbage:
            pdf.set_font("helvetica", size=10)
            with pdf.local_context(text_mode="INVISIBLE"):
                pdf.text(10, 20, garbage)
    pdf.output(str(path))
    return path
