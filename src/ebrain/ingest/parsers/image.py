"""Images: recognised, but their text needs OCR, which ebrain does not run itself."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ebrain.errors import ParseError
from ebrain.ingest.document import Document


@dataclass
class ImageParser:
    """Reports every image as 'needs_ocr'."""

    name: str = "image"
    extensions: tuple[str, ...] = (
        ".png",
        ".jpg",
        ".jpeg",
        ".tif",
        ".tiff",
        ".bmp",
        ".gif",
        ".webp",
    )

    def parse(self, path: Path, data: bytes) -> Document:
        """Always raise ParseError('needs_ocr')."""
        raise ParseError(
            "needs_ocr",
            f"{path.name} is an image; its text needs OCR",
            hint="run OCR first (e.g. `tesseract IMAGE out -l chi_sim+eng pdf`) and ingest "
            "the resulting PDF",
        )


PARSER = ImageParser()
