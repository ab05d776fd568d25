"""PDF: the text layer page by page (pypdfium2), ruled tables as Markdown (pypdfium2 grid,
pdfplumber for drawings the grid finder hands over)."""

from __future__ import annotations

import codecs
import ctypes
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ebrain.errors import ParseError
from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import corrupt, make_document, table_block
from ebrain.ingest.parsers.pdf_grid import (
    Box,
    BoxText,
    Grid,
    NeedsFallback,
    PathObject,
    api,
    find_grids,
    path_objects,
)
from ebrain.text import is_cjk

if TYPE_CHECKING:
    from ebrain.ingest.ocr.run import DocumentOcr

# Pages drawing more path objects than this are handed to table detection without more ado.
MAX_PATHS_SCANNED = 2000
BAND_INSET = 0.5  # text bands stop this short of a table's border
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")
_PDF_DATE = re.compile(r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?")
_DATE_DEFAULTS = ("0000", "01", "01", "00", "00", "00")
_SENTENCE_END = tuple(".!?:;。！？：；」』”)")
_META_KEYS = {
    "Title": "title",
    "Author": "author",
    "Subject": "subject",
    "Keywords": "keywords",
    "CreationDate": "created",
    "ModDate": "modified",
}
_META_TAGS = {key: (key + "\x00").encode("utf-8") for key in _META_KEYS}
META_BUFFER = 512  # bytes: most info values fit, longer ones take a second call


@dataclass
class PdfParser:
    """Fast text extraction with pdfium; pdfplumber only on pages with ruled lines."""

    name: str = "pdf"
    extensions: tuple[str, ...] = (".pdf",)
    detect_tables: bool = True

    def parse(self, path: Path, data: bytes) -> Document:
        """Parse a PDF, one page at a time, releasing each page after use."""
        pdf = _open(data)
        state = _PdfState(data, self.detect_tables, _outline(pdf))
        try:
            for index in range(len(pdf)):
                state.blocks += state.page_blocks(pdf, index)
            meta, pages = _metadata(pdf), len(pdf)
        finally:
            state.close()
            pdf.close()
        if not any(b.text for b in state.blocks):
            raise state.ocr.failure() if state.ocr.done or state.ocr.missing else _needs_ocr(pages)
        doc = make_document(path, "pdf", state.blocks, meta.get("title", ""))
        doc.pages, doc.meta = pages, meta
        doc.warnings = state.warnings + state.ocr.warnings()
        return doc


@dataclass
class _PdfState:
    """Per-document work state: blocks so far, warnings, the lazily opened pdfplumber doc."""

    data: bytes
    detect_tables: bool
    outline: list[tuple[int, tuple[str, ...]]]
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ocr: DocumentOcr = field(default_factory=lambda: _document_ocr())
    _plumber: Any = None

    def page_blocks(self, pdf: Any, index: int) -> list[Block]:
        """The blocks of page `index` (0-based), in reading order."""
        page = _Page(pdf, index)
        try:
            heading = _heading_at(self.outline, index)
            paths = path_objects(page) if self.detect_tables else []
            if _may_have_table(paths):
                blocks = self._table_blocks(page, paths, index, heading)
                if blocks is not None:
                    return blocks
            text = page.text()
        finally:
            page.close()
        from ebrain.ingest.ocr.run import garbage_text

        garbage = garbage_text(text)
        if not text.strip() or garbage:
            return self._ocr_page(pdf, index, text if garbage else "")
        return [Block(p, "text", heading, index + 1) for p in _paragraphs(text)]

    def _ocr_page(self, pdf: Any, index: int, garbage: str) -> list[Block]:
        """The page read by OCR (a scan, or a text layer of mis-encoded fonts: `garbage`)."""
        number = index + 1
        if self.ocr.wants_page():
            blocks = self.ocr.page(render_page(pdf, index, self.ocr.opts.dpi), number, len(pdf))
        else:
            blocks = self.ocr.skip(number)
        if blocks:
            if garbage:
                self.warnings.append(f"page {number}: its text layer is garbage; read by OCR")
            return blocks
        if garbage:  # OCR could not run: keep what the page said, however odd
            self.warnings.append(f"page {number}: its text layer looks mis-encoded (needs OCR)")
            heading = _heading_at(self.outline, index)
            return [Block(p, "text", heading, number) for p in _paragraphs(garbage)]
        if [number] not in (self.ocr.skipped[-1:], self.ocr.late[-1:]):  # else one warning says
            self.warnings.append(f"page {number} has no text layer (needs OCR)")
        return []

    def _table_blocks(
        self, page: _Page, paths: list[PathObject], index: int, heading: tuple[str, ...]
    ) -> list[Block] | None:
        """Blocks of a page with ruled tables (pdfium grid, else pdfplumber); None: no table."""
        try:
            return _grid_blocks(page, paths, index + 1, heading)
        except NeedsFallback:
            return self._table_page(index, heading)

    def _table_page(self, index: int, heading: tuple[str, ...]) -> list[Block] | None:
        """Blocks of a page with ruled tables via pdfplumber, or None when it finds no table."""
        if self._plumber is None:
            import pdfplumber

            self._plumber = pdfplumber.open(io.BytesIO(self.data))
        page = self._plumber.pages[index]
        try:
            return _plumber_blocks(page, index + 1, heading)
        finally:
            page.close()
            self._plumber.flush_cache()

    def close(self) -> None:
        """Release the pdfplumber document, if one was opened."""
        if self._plumber is not None:
            self._plumber.close()


def _open(data: bytes) -> Any:
    """A pypdfium2 document, or ParseError 'encrypted' / 'corrupt'."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == raw.FPDF_ERR_PASSWORD:
            raise ParseError(
                "encrypted",
                "the PDF is password-protected",
                hint="remove the password (e.g. `qpdf --decrypt --password=PW in.pdf out.pdf`) "
                "and ingest the decrypted copy",
            ) from exc
        raise corrupt("PDF", exc) from exc


def _document_ocr() -> DocumentOcr:
    from ebrain.ingest.ocr.run import DocumentOcr

    return DocumentOcr("the PDF")


def render_page(pdf: Any, index: int, dpi: int) -> Any:
    """Page `index` as a PIL RGB image at `dpi`."""
    page = pdf[index]
    try:
        image = page.render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        page.close()
    image.info["dpi"] = (dpi, dpi)
    return image


def _needs_ocr(pages: int) -> ParseError:
    return ParseError(
        "needs_ocr",
        f"the PDF has no text layer on any of its {pages} page(s); it is a scan or images",
        hint="turn OCR on (ocr.enabled, ocr.max_pages), or run OCR first (e.g. `ocrmypdf "
        "--language chi_sim+eng in.pdf out.pdf`) and ingest the result",
    )


class _Page:
    """One pdfium page and its text page by raw handle (no helper objects), closed together."""

    def __init__(self, pdf: Any, index: int) -> None:
        import pypdfium2.raw as raw

        self.raw = raw.FPDF_LoadPage(pdf.raw, index)
        self._textpage: Any = None
        if not self.raw:
            raise corrupt("PDF", f"page {index + 1} cannot be loaded")

    @property
    def textpage(self) -> Any:
        """The text page, loaded on first use."""
        import pypdfium2.raw as raw

        if self._textpage is None:
            self._textpage = raw.FPDFText_LoadPage(self.raw)
            if not self._textpage:
                raise corrupt("PDF", "a page's text cannot be loaded")
        return self._textpage

    def bbox(self) -> tuple[float, float, float, float]:
        """Left, bottom, right, top of the page (media box within crop box)."""
        import pypdfium2.raw as raw

        rect = raw.FS_RECTF()
        if not raw.FPDF_GetPageBoundingBox(self.raw, rect):
            raise corrupt("PDF", "a page has no bounding box")
        return float(rect.left), float(rect.bottom), float(rect.right), float(rect.top)

    def text(self) -> str:
        """The whole text layer, as pypdfium2's get_text_range() gives it."""
        import pypdfium2.raw as raw

        textpage = self.textpage
        count = int(raw.FPDFText_CountChars(textpage))
        active = _active_range(textpage, count)
        if active is None:
            return ""
        t_start, t_end, lead, trail = active
        buffer = (ctypes.c_ushort * (t_end + 2 - t_start))()
        written = int(raw.FPDFText_GetText(textpage, lead, count - lead - trail, buffer))
        return codecs.decode(memoryview(buffer)[: written - 1], "utf-16-le", "ignore")

    def close(self) -> None:
        """Close the text page (if loaded) and the page."""
        import pypdfium2.raw as raw

        if self._textpage is not None:
            raw.FPDFText_ClosePage(self._textpage)
        raw.FPDF_ClosePage(self.raw)


def _active_range(textpage: Any, count: int) -> tuple[int, int, int, int] | None:
    """(first and last text index, chars skipped before and after) of the chars that have
    text, trimming excluded ones at both ends (pdfium reads past the range otherwise)."""
    import pypdfium2.raw as raw

    start, end, lead, trail = 0, count - 1, 0, 0
    while start <= end:
        t_start = int(raw.FPDFText_GetTextIndexFromCharIndex(textpage, start))
        if t_start == -1:
            start, lead = start + 1, lead + 1
            continue
        t_end = int(raw.FPDFText_GetTextIndexFromCharIndex(textpage, end))
        if t_end == -1:
            end, trail = end - 1, trail + 1
            continue
        return t_start, t_end, lead, trail
    return None


def _may_have_table(paths: list[PathObject]) -> bool:
    """True when the paths draw at least two horizontal and two vertical edges."""
    if len(paths) > MAX_PATHS_SCANNED:
        return True
    bounds = api().bounds
    box = (ctypes.c_float * 4)()  # left, bottom, right, top
    left, bottom, right, top = (ctypes.addressof(box) + 4 * i for i in range(4))
    horizontal = vertical = 0
    for _level, obj in paths:
        if not bounds(obj, left, bottom, right, top):
            continue
        wide, tall = box[2] - box[0] > 5, box[3] - box[1] > 5
        horizontal += 2 if wide and tall else int(wide)
        vertical += 2 if wide and tall else int(tall)
        if horizontal >= 2 and vertical >= 2:
            return True
    return False


def _grid_blocks(
    page: _Page, paths: list[PathObject], number: int, heading: tuple[str, ...]
) -> list[Block] | None:
    """Text bands and tables of a pdfium page, top to bottom; None without tables."""
    grids = find_grids(paths)
    if not grids:
        return None
    left, bottom, right, top = page.bbox()
    boxes = BoxText(page.textpage)
    out: list[Block] = []
    above = -top
    for grid in grids:
        x0, t0, x1, t1 = grid.bbox
        out += _pdfium_band(boxes, (left, above, right, t0), number, heading)
        out += _grid_table(boxes, grid, number, heading)
        out += _pdfium_band(boxes, (left, t0, x0, t1), number, heading)
        out += _pdfium_band(boxes, (x1, t0, right, t1), number, heading)
        above = max(above, t1)
    out += _pdfium_band(boxes, (left, above, right, -bottom), number, heading)
    return out


def _grid_table(boxes: BoxText, grid: Grid, number: int, heading: tuple[str, ...]) -> list[Block]:
    """The table block of one grid (every row), or nothing when its cells hold no text."""
    rows = [[boxes.text(c) if c else "" for c in row] for row in grid.rows]
    block = table_block(rows, heading, number)
    return [block] if block else []


def _pdfium_band(boxes: BoxText, box: Box, number: int, heading: tuple[str, ...]) -> list[Block]:
    """Text blocks inside `box` (x0, top, x1, bottom; top = -y)."""
    x0, top, x1, bottom = box
    if bottom - top < 1 or x1 - x0 < 1:
        return []
    text = boxes.text(box, BAND_INSET)
    return [Block(p, "text", heading, number) for p in _paragraphs(text)]


def _plumber_blocks(page: Any, number: int, heading: tuple[str, ...]) -> list[Block] | None:
    """Text bands and tables of a pdfplumber page, top to bottom; None without tables."""
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    if not tables:
        return None
    boxes = [t.bbox for t in tables]
    rest = page.filter(lambda obj: not _inside_any(obj, boxes))
    out: list[Block] = []
    top = 0.0
    for table in tables:
        out += _band_text(rest, top, table.bbox[1], number, heading)
        rows = [[c or "" for c in row] for row in table.extract()]
        block = table_block(rows, heading, number)
        out += [block] if block else []
        out += _band_text(rest, table.bbox[1], table.bbox[3], number, heading)
        top = table.bbox[3]
    out += _band_text(rest, top, float(page.height), number, heading)
    return out


def _inside_any(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    """True for a character whose centre lies inside one of the boxes."""
    if obj.get("object_type") != "char":
        return False
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _band_text(
    page: Any, top: float, bottom: float, number: int, heading: tuple[str, ...]
) -> list[Block]:
    """Text blocks of the horizontal band between `top` and `bottom`."""
    if bottom - top < 1:
        return []
    band = page.crop((0, top, float(page.width), bottom), strict=False)
    text = band.extract_text() or ""
    return [Block(p, "text", heading, number) for p in _paragraphs(text)]


def _paragraphs(text: str) -> Iterator[str]:
    """Paragraphs from page text: split at blank lines and after sentence-ending short lines."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    short = max(map(len, lines), default=0) * 0.7
    para: list[str] = []
    for line in lines:
        if line:
            para.append(line)
        if para and (not line or (len(line) < short and line.endswith(_SENTENCE_END))):
            yield _join_lines(para)
            para = []
    if para:
        yield _join_lines(para)


def _join_lines(lines: list[str]) -> str:
    """Join wrapped lines: no space between CJK characters, hyphenated words re-joined."""
    out = lines[0]
    for line in lines[1:]:
        if out.endswith("-") and line[:1].islower():
            out = out[:-1] + line
        elif is_cjk(out[-1]) or is_cjk(line[0]):
            out += line
        else:
            out += " " + line
    return out


def _outline(pdf: Any) -> list[tuple[int, tuple[str, ...]]]:
    """(page index, heading path) for each bookmark, in page order."""
    out: list[tuple[int, tuple[str, ...]]] = []
    stack: list[str] = []
    try:
        for item in pdf.get_toc(max_depth=6):
            del stack[item.level :]
            stack.append(" ".join(str(item.get_title()).split()))
            dest = item.get_dest()
            index = dest.get_index() if dest is not None else None
            if index is not None:
                out.append((int(index), tuple(stack)))
    except Exception:  # a broken outline must not lose the text
        return []
    return sorted(out, key=lambda e: e[0])


def _heading_at(outline: list[tuple[int, tuple[str, ...]]], index: int) -> tuple[str, ...]:
    """The heading path of the last bookmark at or before page `index`."""
    path: tuple[str, ...] = ()
    for page_index, heading in outline:
        if page_index > index:
            break
        path = heading
    return path


def _metadata(pdf: Any) -> dict[str, Any]:
    """Title, author, subject, keywords and dates from the PDF info dictionary."""
    buffer = ctypes.create_string_buffer(META_BUFFER)
    try:
        info = {key: _meta_value(pdf.raw, tag, buffer) for key, tag in _META_TAGS.items()}
    except Exception:
        return {}
    meta = {_META_KEYS[k]: str(v).strip() for k, v in info.items() if str(v).strip()}
    for key in ("created", "modified"):
        if key in meta:
            meta[key] = _pdf_date(meta[key])
    return meta


def _meta_value(doc: Any, tag: bytes, buffer: Any) -> str:
    """One info dictionary value as pypdfium2's get_metadata_value reads it, in one call when
    it fits `buffer` (pdfium writes nothing into a buffer too small, and tells the size)."""
    import pypdfium2.raw as raw

    size = int(raw.FPDF_GetMetaText(doc, tag, buffer, len(buffer)))
    if size > len(buffer):
        buffer = ctypes.create_string_buffer(size)
        raw.FPDF_GetMetaText(doc, tag, buffer, size)
    # the helper's buffer holds `size` bytes, of which it decodes all but the last two
    return codecs.decode(memoryview(buffer)[:size][: size - 2], "utf-16-le")


def _pdf_date(value: str) -> str:
    """'D:20240131120000Z' -> '2024-01-31T12:00:00'; other strings unchanged."""
    match = _PDF_DATE.match(value)
    if not match:
        return value
    y, mo, d, h, mi, s = (
        g or default for g, default in zip(match.groups(), _DATE_DEFAULTS, strict=True)
    )
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}"


PARSER = PdfParser()
