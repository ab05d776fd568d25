"""Images (PNG, JPEG, TIFF with all its pages, BMP, GIF, WebP): their text read by OCR."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import make_document


@dataclass
class ImageParser:
    """Each frame of the image is one page, OCR'd (ebrain.ingest.ocr)."""

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
        """OCR every frame; ParseError('needs_ocr') when OCR is off or no engine can run."""
        from ebrain.ingest.ocr.run import DocumentOcr, count_frames, open_frames

        run = DocumentOcr(f"the image {path.name}")
        if not run.opts.enabled:
            raise run.failure()
        total = count_frames(data)
        blocks: list[Block] = []
        pages = 0
        for number, frame in enumerate(open_frames(data), start=1):
            pages = number
            if not run.wants_page():  # the rest is not even decoded
                for rest in range(number, max(number, total) + 1):
                    run.skip(rest)
                pages = max(number, total)
                break
            blocks += run.page(frame, number, total)
        if not any(b.text.strip() for b in blocks):
            raise run.failure()
        doc = make_document(path, "image", blocks)
        doc.pages, doc.warnings = pages, run.warnings()
        return doc


PARSER = ImageParser()
