"""A PDF page as a PNG with a passage marked: pypdfium2 renders the page and finds the passage's
rectangles through its text page search; Pillow draws the marks."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

MAX_SIDE_PX = 2000  # a rendered page is at most this many pixels on its longer side
SCALE = 1.6  # 72 dpi points -> about 115 dpi
MAX_SEARCHES = 40
MAX_PAGES_SEARCHED = 50
PIECE_WORDS = 6
PIECE_CJK = 12
MARK_RGBA = (255, 214, 0, 110)
EDGE_RGBA = (200, 120, 0, 255)
_LOCK = threading.Lock()  # pdfium is not thread-safe
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")

Rect = tuple[float, float, float, float]  # left, bottom, right, top in PDF points


def page_count(path: Path) -> int:
    """The number of pages of a PDF."""
    import pypdfium2 as pdfium

    with _LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            return len(pdf)
        finally:
            pdf.close()


def find_page(path: Path, passage: str, pages: list[int]) -> int | None:
    """The first of `pages` (1-based) whose text holds the passage's start (None: none does)."""
    import pypdfium2 as pdfium

    probe = _pieces(passage)[:2]
    if not probe:
        return None
    with _LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            for number in pages[:MAX_PAGES_SEARCHED]:
                if 1 <= number <= len(pdf) and _holds(pdf[number - 1], probe):
                    return number
        finally:
            pdf.close()
    return None


def _holds(page: object, probe: list[str]) -> bool:
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        return any(_search(textpage, text) for text in probe)
    finally:
        textpage.close()


def render_page(path: Path, page_no: int, passage: str = "") -> bytes:
    """Page `page_no` (1-based) of the PDF as PNG bytes, the passage's text marked."""
    import pypdfium2 as pdfium

    with _LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            page = pdf[page_no - 1]
            width, height = page.get_size()
            scale = min(SCALE, MAX_SIDE_PX / max(width, height, 1.0))
            rects = _find(page, passage) if passage.strip() else []
            image = page.render(scale=scale).to_pil().convert("RGBA")
        finally:
            pdf.close()
    return _png(_mark(image, rects, height, scale))


def _pieces(passage: str) -> list[str]:
    """The passage to look for: whole first, then in short pieces (PDF text breaks lines and
    hyphenates differently from the parsed text)."""
    text = _SPACE.sub(" ", passage).strip()[:600]
    if _CJK.search(text):
        compact = text.replace(" ", "")
        parts = [compact[i : i + PIECE_CJK] for i in range(0, len(compact), PIECE_CJK)]
    else:
        words = text.split(" ")
        parts = [" ".join(words[i : i + PIECE_WORDS]) for i in range(0, len(words), PIECE_WORDS)]
    return [text, *[p for p in parts if len(p) >= 3]][:MAX_SEARCHES]


def _find(page: object, passage: str) -> list[Rect]:
    """Rectangles of the passage on the page (the whole text, else its pieces)."""
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        found: list[Rect] = []
        for i, piece in enumerate(_pieces(passage)):
            found.extend(_search(textpage, piece))
            if found and i == 0:
                break
        return found
    finally:
        textpage.close()


def _search(textpage: object, text: str) -> list[Rect]:
    searcher = textpage.search(text, match_case=False)  # type: ignore[attr-defined]
    try:
        hit = searcher.get_next()
        if not hit:
            return []
        index, count = hit
        n = textpage.count_rects(index, count)  # type: ignore[attr-defined]
        return [tuple(textpage.get_rect(j)) for j in range(n)]  # type: ignore[attr-defined,misc]
    finally:
        searcher.close()


def _mark(image: object, rects: list[Rect], height: float, scale: float) -> object:
    from PIL import Image, ImageDraw

    assert isinstance(image, Image.Image)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for left, bottom, right, top in rects:
        box = (
            left * scale - 2,
            (height - top) * scale - 2,
            right * scale + 2,
            (height - bottom) * scale + 2,
        )
        draw.rectangle(box, fill=MARK_RGBA, outline=EDGE_RGBA, width=2)
    return Image.alpha_composite(image, overlay)


def _png(image: object) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=False)  # type: ignore[attr-defined]
    return out.getvalue()
