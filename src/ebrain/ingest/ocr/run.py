"""OCR inside a parse: pages of one document through the configured engine and the layout,
within the per-document page limit, with progress, confidence warnings and provenance."""

from __future__ import annotations

import io
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ebrain.errors import ParseError
from ebrain.ingest.document import Block
from ebrain.ingest.ocr import (
    EngineMissing,
    OcrOptions,
    engine,
    missing_engine,
    options,
    report_page,
)
from ebrain.ingest.ocr.layout import page_blocks
from ebrain.ingest.parsers.base import HeadingTracker
from ebrain.text import is_cjk

MAX_SIDE = 2400  # larger images are scaled down before OCR (time and memory stay bounded)
MIN_EMBEDDED = (200, 40)  # embedded images smaller than this (width, height) are not read
MIN_EMBEDDED_CHARS = 4  # an embedded image "holds text" from this many recognised characters
GARBAGE_SHARE = 0.3  # a text layer with more suspicious characters than this is garbage
MIN_LAYER_CHARS = 8  # shorter text layers are judged empty-ish, not garbage
SCALE_HINT = "scale the image down (e.g. to 300 dpi) and ingest it again"
RESAVE_HINT = "open the image in an image viewer and save it again as PNG or JPEG"
OFF_HINT = "OCR is switched off (ocr.enabled); turn it on to read scans"


@dataclass
class DocumentOcr:
    """The OCR of one document's pages: counts them against `ocr.max_pages`, collects the
    warnings, carries the heading path from page to page."""

    what: str  # "the PDF", "the image": for messages
    opts: OcrOptions = field(default_factory=options)
    tracker: HeadingTracker = field(default_factory=HeadingTracker)
    done: int = 0
    skipped: list[int] = field(default_factory=list)
    low: list[tuple[int, float]] = field(default_factory=list)
    missing: EngineMissing | None = None
    late: list[int] = field(default_factory=list)  # pages left when the time budget ran out
    started: float = field(default_factory=time.monotonic)

    @property
    def active(self) -> bool:
        """True while pages may still be OCR'd (switched on, an engine, under the limit)."""
        return self.opts.enabled and self.missing is None

    def wants_page(self) -> bool:
        """True when the next page would be OCR'd (so it is worth rendering)."""
        return self.active and self.done < self.opts.max_pages and not self._late()

    def _late(self) -> bool:
        budget = self.opts.time_budget_s
        return budget > 0 and self.done > 0 and time.monotonic() - self.started > budget

    def skip(self, number: int | None) -> list[Block]:
        """Note a page left unread (over the page limit or the time budget); no blocks."""
        if self.active and self.done < self.opts.max_pages:
            self.late.append(number or 0)
        elif self.active:
            self.skipped.append(number or 0)
        return []

    def page(self, image: Any, number: int | None, total: int) -> list[Block]:
        """The blocks of one page image (nothing once the page limit is reached)."""
        if not self.wants_page():
            return self.skip(number)
        try:
            ocr = engine(self.opts.engine)
        except EngineMissing as exc:
            self.missing = exc
            return []
        image = bounded(image)
        lines = ocr.recognize(image)
        self.done += 1
        report_page(number or self.done, total)
        blocks = page_blocks(lines, image, number, self.tracker)
        self._check_confidence(blocks, number or self.done)
        return blocks

    def _check_confidence(self, blocks: list[Block], number: int) -> None:
        sources = [b.ocr for b in blocks if b.ocr is not None]
        if sources:
            mean = sum(s.confidence for s in sources) / len(sources)
            if mean < self.opts.min_confidence:
                self.low.append((number, mean))

    def warnings(self) -> list[str]:
        """What the document's reader should know: skipped pages, low confidence, no engine."""
        out = []
        if self.skipped:
            out.append(
                f"{len(self.skipped)} scanned page(s) not OCR'd ({_pages(self.skipped)}): over "
                f"the limit of {self.opts.max_pages} pages (ocr.max_pages)"
            )
        if self.late:
            out.append(
                f"{len(self.late)} scanned page(s) not OCR'd ({_pages(self.late)}): the file's "
                f"OCR time ({self.opts.time_budget_s:g} s, under ingest.parse_timeout_s) ran out"
            )
        if self.low:
            worst = min(c for _, c in self.low)
            out.append(
                f"low OCR confidence on page(s) {_pages([n for n, _ in self.low])} (lowest "
                f"{worst:.2f}, under ocr.min_confidence {self.opts.min_confidence:g}): check them"
            )
        if self.missing is not None:
            out.append(f"scanned pages were not OCR'd: no OCR engine ({self.missing})")
        return out

    def failure(self) -> ParseError:
        """The `needs_ocr` error for a document none of whose text could be read."""
        if self.missing is not None:
            return missing_engine(self.what, self.missing)
        if not self.opts.enabled:
            return ParseError("needs_ocr", f"{self.what} is a scan or an image", hint=OFF_HINT)
        return ParseError(
            "empty", f"OCR found no text in {self.what}", hint="check the scan's quality"
        )


def _pages(numbers: list[int], shown: int = 8) -> str:
    text = ", ".join(str(n) for n in numbers[:shown])
    return text + (f" and {len(numbers) - shown} more" if len(numbers) > shown else "")


def bounded(image: Any) -> Any:
    """`image` as RGB, scaled down so that its longer side is at most MAX_SIDE pixels."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    side = max(image.width, image.height)
    if side > MAX_SIDE:
        scale = MAX_SIDE / side
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size)
    return image


def open_frames(data: bytes) -> Iterator[Any]:
    """Every frame of an image file (all pages of a multi-page TIFF), as loaded PIL images;
    ParseError 'corrupt' for data PIL cannot read, 'too_large' for a decompression bomb."""
    from PIL import Image, ImageSequence

    try:
        with Image.open(io.BytesIO(data)) as image:
            for frame in ImageSequence.Iterator(image):
                yield frame.copy()
    except Image.DecompressionBombError as exc:
        raise ParseError(
            "too_large", f"the image is too large to read: {exc}", hint=SCALE_HINT
        ) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ParseError("corrupt", f"the image cannot be read: {exc}", hint=RESAVE_HINT) from exc


def count_frames(data: bytes) -> int:
    """How many frames (pages) an image file holds (1 when unknown)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return int(getattr(image, "n_frames", 1))
    except Exception:
        return 1


def garbage_text(text: str) -> bool:
    """True for a text layer that cannot be the page's real text (mis-encoded fonts): mostly
    private-use, control or replacement characters, or Latin-1 letters without any words."""
    chars = [c for c in text if not c.isspace()]
    if len(chars) < MIN_LAYER_CHARS:
        return False
    bad = sum(1 for c in chars if _suspicious(c))
    if bad / len(chars) > GARBAGE_SHARE:
        return True
    return not _has_words(text)


def _suspicious(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category in ("Co", "Cc", "Cn", "Cs") or ch == "\ufffd" or "\u0080" <= ch <= "\u00ff"


def _has_words(text: str) -> bool:
    """True when the text holds Chinese characters or Latin words of two letters or more."""
    if any(is_cjk(c) for c in text):
        return True
    words = [w for w in text.split() if len(w) >= 2 and w.isascii() and w.isalpha()]
    return bool(words)


def embedded_blocks(
    images: list[tuple[str, bytes]], run: DocumentOcr, page: int | None = None
) -> list[Block]:
    """Blocks read from images embedded in a document, for those that hold text."""
    blocks: list[Block] = []
    for _name, data in images:
        if not run.active:
            break
        try:
            frame = next(open_frames(data))
        except (ParseError, StopIteration):
            continue
        if frame.width < MIN_EMBEDDED[0] or frame.height < MIN_EMBEDDED[1]:
            continue
        found = run.page(frame, page, len(images))
        if sum(len(b.text) for b in found) >= MIN_EMBEDDED_CHARS:
            blocks += found
    return blocks
