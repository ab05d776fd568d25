"""Page layout from OCR lines: deskew, tables from ruling lines, reading order across columns
(a recursive XY cut), headings by line height, paragraphs by line spacing."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from ebrain.ingest.document import Block, OcrSource
from ebrain.ingest.ocr import OcrLine
from ebrain.ingest.parsers.base import HeadingTracker, table_block
from ebrain.text import is_cjk

HEADING_RATIO = 1.3  # a line this much taller than the body text is a heading
TOP_HEADING_RATIO = 1.8  # ... and this much taller, a top-level heading
MAX_HEADING_CHARS = 60
MAX_SKEW = 8.0  # degrees: larger estimates are not trusted
DARK = 140  # grey level under which a pixel is ink, for ruling lines
LINE_FILL = 0.9  # share of a ruling-line window that must be ink


@dataclass
class Item:
    """A line (deskewed box, original box) or a table, as the layout moves it around."""

    x0: float
    y0: float
    x1: float
    y1: float
    line: OcrLine | None = None
    cells: list[Item] = field(default_factory=list)
    grid: tuple[list[float], list[float]] = field(default_factory=lambda: ([], []))

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Page:
    """What the layout needs to know about one page image."""

    number: int | None
    width: int
    height: int
    angle: float = 0.0

    def source(self, lines: list[OcrLine]) -> OcrSource:
        """Provenance of text read from `lines`: mean confidence, boxes as page fractions."""
        w, h = max(1, self.width), max(1, self.height)
        boxes = [
            (
                self.number or 1,
                round(ln.box[0] / w, 4),
                round(ln.box[1] / h, 4),
                round(ln.box[2] / w, 4),
                round(ln.box[3] / h, 4),
            )
            for ln in lines
        ]
        conf = sum(ln.confidence for ln in lines) / len(lines) if lines else 0.0
        return OcrSource(round(conf, 4), boxes)


def page_blocks(
    lines: list[OcrLine], image: Any, number: int | None, tracker: HeadingTracker
) -> list[Block]:
    """The blocks of one OCR'd page in reading order; `tracker` carries headings across pages."""
    lines = [ln for ln in lines if ln.text.strip()]
    if not lines:
        return []
    angle = skew(lines) if any(ln.angle for ln in lines) else ink_skew(image)
    page = Page(number, image.width, image.height, angle)
    items = [_deskewed(ln, page) for ln in lines]
    tables = find_tables(image, page.angle)
    items = _with_tables(items, tables)
    body = statistics.median([i.h for i in items if i.line is not None] or [1.0])
    blocks: list[Block] = []
    for leaf in reading_order(items, 1.5 * body):
        blocks += _leaf_blocks(leaf, page, body, tracker)
    return blocks


def skew(lines: list[OcrLine]) -> float:
    """The page's skew in degrees: the median angle of its long lines (0 when unknown)."""
    angles = [
        ln.angle for ln in lines if ln.box[2] - ln.box[0] > 3 * max(1.0, ln.box[3] - ln.box[1])
    ]
    angle = statistics.median(angles) if angles else 0.0
    return angle if abs(angle) <= MAX_SKEW else 0.0


def ink_skew(image: Any, limit: float = 3.0, step: float = 0.5) -> float:
    """The skew of a page whose engine gave no line angles (Tesseract's boxes): the rotation
    under which the rows of a small copy of the page have the sharpest ink profile."""
    import numpy as np

    small = image.convert("L")
    small = small.resize((600, max(1, round(600 * small.height / max(1, small.width)))))

    def sharpness(angle: float) -> float:
        turned = np.asarray(small.rotate(-angle, fillcolor=255)) < DARK
        return float(np.square(np.diff(turned.sum(axis=1).astype(np.float64))).sum())

    best, best_score = 0.0, sharpness(0.0)  # level unless another angle is clearly sharper
    for n in range(round(-limit / step), round(limit / step) + 1):
        score = sharpness(n * step) if n else 0.0
        if score > 1.05 * best_score:
            best, best_score = n * step, score
    return best


def _deskewed(line: OcrLine, page: Page) -> Item:
    """The line's box rotated back by the page's skew (about the page centre)."""
    x0, y0, x1, y1 = line.box
    cx, cy = rotate_point((x0 + x1) / 2, (y0 + y1) / 2, page)
    rad = math.radians(abs(page.angle))
    w = (x1 - x0) * math.cos(rad)
    h = max(1.0, (y1 - y0) - (x1 - x0) * math.sin(rad))
    return Item(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, line)


def rotate_point(x: float, y: float, page: Page) -> tuple[float, float]:
    """A point of the scan in the deskewed page's coordinates (y down)."""
    rad = math.radians(page.angle)
    ox, oy = page.width / 2, page.height / 2
    dx, dy = x - ox, y - oy
    return ox + dx * math.cos(rad) - dy * math.sin(rad), oy + dx * math.sin(rad) + dy * math.cos(
        rad
    )


# --- ruling lines and tables -------------------------------------------------------------


def find_tables(image: Any, angle: float) -> list[tuple[list[float], list[float]]]:
    """Tables drawn with ruling lines: (row edges y, column edges x) in deskewed coordinates."""
    import numpy as np

    grey = image.convert("L")
    if abs(angle) > 0.05:
        grey = grey.rotate(-angle, fillcolor=255)
    ink = np.asarray(grey) < DARK
    height, width = ink.shape
    rows = _rulings(ink, max(30, width // 12))
    cols = _rulings(ink.T, max(30, height // 40))
    return [grid for grid in _grids(rows, cols, height) if len(grid[0]) >= 3]


def _rulings(ink: Any, span: int) -> list[tuple[float, float, float]]:
    """Ruling lines along axis 1 of `ink`: (position, start, end), merged over adjacent rows."""
    import numpy as np

    if ink.shape[1] <= span:
        return []
    sums = np.cumsum(ink, axis=1, dtype=np.int32)
    full = (sums[:, span:] - sums[:, :-span]) >= LINE_FILL * span
    hit = np.flatnonzero(full.any(axis=1))
    out: list[tuple[float, float, float]] = []
    for run in np.split(hit, np.flatnonzero(np.diff(hit) > 1) + 1) if hit.size else []:
        cover = np.flatnonzero(full[run].any(axis=0))
        inked = np.flatnonzero(ink[run, cover[0] : cover[-1] + span].any(axis=0)) + cover[0]
        out.append((float(run.mean()), float(inked[0]), float(inked[-1])))
    return out


def _grids(
    rows: list[tuple[float, float, float]], cols: list[tuple[float, float, float]], height: int
) -> list[tuple[list[float], list[float]]]:
    """Group horizontal rulings that share an extent into tables; columns from the vertical
    rulings crossing each table."""
    groups: list[list[tuple[float, float, float]]] = []
    for line in rows:
        last = groups[-1][-1] if groups else None
        if last and line[0] - last[0] < height / 4 and _overlap(last[1:], line[1:]) > 0.5:
            groups[-1].append(line)
        else:
            groups.append([line])
    out = []
    for group in groups:
        top, bottom = group[0][0], group[-1][0]
        x0, x1 = min(g[1] for g in group), max(g[2] for g in group)
        xs = [c[0] for c in cols if x0 - 5 <= c[0] <= x1 + 5 and _spans(c, top, bottom)]
        out.append(([g[0] for g in group], _dedupe(sorted([x0, *xs, x1]))))
    return out


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return max(0.0, shared) / max(1.0, min(a[1] - a[0], b[1] - b[0]))


def _spans(col: tuple[float, float, float], top: float, bottom: float) -> bool:
    return (col[1] <= top + 5 and col[2] >= bottom - 5) or (col[2] - col[1]) > 0.5 * (bottom - top)


def _dedupe(xs: list[float], tolerance: float = 8.0) -> list[float]:
    out: list[float] = []
    for x in xs:
        if not out or x - out[-1] > tolerance:
            out.append(x)
    return out


def _with_tables(items: list[Item], tables: list[tuple[list[float], list[float]]]) -> list[Item]:
    """Lines inside a table become its cells; the table becomes one item in their place."""
    rest = items
    out: list[Item] = []
    for ys, xs in tables:
        inside = [i for i in rest if xs[0] <= i.cx <= xs[-1] and ys[0] <= i.cy <= ys[-1]]
        if not inside:
            continue
        rest = [i for i in rest if i not in inside]
        out.append(Item(xs[0], ys[0], xs[-1], ys[-1], cells=inside, grid=(ys, xs)))
    return rest + out


def _columns(table: Item) -> list[float]:
    """Column edges: the vertical rulings, else the gaps between the cells' text."""
    _ys, xs = table.grid
    if len(xs) > 2:
        return list(xs)
    gaps = split(table.cells, "x", 0.8 * statistics.median([c.h for c in table.cells]))
    edges = [min(c.x0 for c in g) - 1 for g in gaps[1:]]
    return [xs[0], *edges, xs[-1]]


def table_rows(table: Item) -> list[list[str]]:
    """The table's cells as rows of texts."""
    ys, _xs = table.grid
    xs = _columns(table)
    grid: list[list[list[Item]]] = [[[] for _ in xs[1:]] for _ in ys[1:]]
    for cell in table.cells:
        r = _slot(ys, cell.cy)
        c = _slot(xs, cell.cx)
        grid[r][c].append(cell)
    return [[_cell_text(parts) for parts in row] for row in grid]


def _slot(edges: list[float], v: float) -> int:
    for n in range(1, len(edges)):
        if v < edges[n]:
            return n - 1
    return len(edges) - 2


def _cell_text(parts: list[Item]) -> str:
    rows = _rows(parts)
    return join_lines([row_text(row) for row in rows])


# --- reading order ----------------------------------------------------------------------


def split(items: list[Item], axis: str, gap: float) -> list[list[Item]]:
    """Items split at empty stripes along `axis` (x: columns, y: bands) wider than `gap`."""
    lo, hi = ("x0", "x1") if axis == "x" else ("y0", "y1")
    ordered = sorted(items, key=lambda i: getattr(i, lo))
    groups: list[list[Item]] = []
    reach = -math.inf
    for item in ordered:
        if not groups or getattr(item, lo) > reach + gap:
            groups.append([])
        groups[-1].append(item)
        reach = max(reach, getattr(item, hi))
    return groups


def reading_order(items: list[Item], gap: float) -> list[list[Item]]:
    """Leaves of a recursive XY cut: columns left to right, bands top to bottom; neighbouring
    bands that share a gutter are cut into columns together (text of two columns whose
    paragraphs happen to break at the same height is still read column by column)."""
    columns = split(items, "x", gap)
    if len(columns) > 1:
        return [leaf for col in columns for leaf in reading_order(col, gap)]
    bands = _merge_gutters(split(items, "y", 0.0), gap)
    if not any(_columned(band, gap) for band in bands):
        return [items]
    return [leaf for band in bands for leaf in reading_order(band, gap)]


def _merge_gutters(bands: list[list[Item]], gap: float) -> list[list[Item]]:
    out: list[list[Item]] = []
    for band in bands:
        if out and _columned(out[-1], gap) and _columned(band, gap):
            out[-1] = out[-1] + band
        else:
            out.append(band)
    return out


def _columned(band: list[Item], gap: float) -> bool:
    return len(split(band, "x", gap)) > 1


# --- blocks -------------------------------------------------------------------------------


def _rows(items: list[Item]) -> list[list[Item]]:
    """Items grouped into rows (centres within half a line height), each sorted by x."""
    rows: list[list[Item]] = []
    for item in sorted(items, key=lambda i: i.cy):
        if rows and abs(item.cy - rows[-1][0].cy) < 0.5 * max(item.h, rows[-1][0].h):
            rows[-1].append(item)
        else:
            rows.append([item])
    return [sorted(r, key=lambda i: i.x0) for r in rows]


def _leaf_blocks(leaf: list[Item], page: Page, body: float, tracker: HeadingTracker) -> list[Block]:
    """Blocks of one column: headings, paragraphs and tables, top to bottom."""
    blocks: list[Block] = []
    para: list[list[Item]] = []
    right = max(i.x1 for i in leaf)
    for row in _rows(leaf):
        tables = [i for i in row if i.line is None]
        if tables:
            blocks += _paragraph(para, page, tracker) + _table(tables[0], page, tracker)
            para = []
            continue
        if _is_heading(row, body):
            blocks += _paragraph(para, page, tracker) + _heading(row, page, body, tracker)
            para = []
            continue
        if para and _new_paragraph(para[-1], row, body, right):
            blocks += _paragraph(para, page, tracker)
            para = []
        para.append(row)
    return blocks + _paragraph(para, page, tracker)


def _is_heading(row: list[Item], body: float) -> bool:
    text = row_text(row)
    return max(i.h for i in row) >= HEADING_RATIO * body and len(text) <= MAX_HEADING_CHARS


def _new_paragraph(prev: list[Item], row: list[Item], body: float, right: float) -> bool:
    """A gap of more than a line, or a previous line that stops short after a sentence end."""
    gap = min(i.y0 for i in row) - max(i.y1 for i in prev)
    text = prev[-1].line.text if prev[-1].line else ""
    short = max(i.x1 for i in prev) < right - 2 * body
    return gap > 0.8 * body or (short and text.rstrip().endswith(tuple(".!?:;。！？：；")))


def _paragraph(rows: list[list[Item]], page: Page, tracker: HeadingTracker) -> list[Block]:
    if not rows:
        return []
    text = join_lines([row_text(row) for row in rows])
    lines = [i.line for row in rows for i in row if i.line]
    return [Block(text, "text", tracker.path, page.number, ocr=page.source(lines))]


def _heading(row: list[Item], page: Page, body: float, tracker: HeadingTracker) -> list[Block]:
    text = row_text(row).strip()
    level = 1 if max(i.h for i in row) >= TOP_HEADING_RATIO * body else 2
    path = tracker.push(level, text)
    lines = [i.line for i in row if i.line]
    return [Block(text, "heading", path, page.number, ocr=page.source(lines))]


def _table(table: Item, page: Page, tracker: HeadingTracker) -> list[Block]:
    block = table_block(table_rows(table), tracker.path, page.number)
    if block is None:
        return []
    block.ocr = page.source([c.line for c in table.cells if c.line])
    return [block]


def row_text(row: list[Item]) -> str:
    """The texts of one row's boxes, left to right: spaced, except between Chinese."""
    out = ""
    for item in row:
        text = item.line.text.strip() if item.line else ""
        if text and out and not (_tight(out[-1]) and _tight(text[0])):
            out += " "
        out += text
    return out


def _tight(ch: str) -> bool:
    return is_cjk(ch) or not ch.isascii()


def join_lines(lines: list[str]) -> str:
    """Wrapped lines joined: no space between CJK characters, hyphenated words re-joined."""
    lines = [ln.strip() for ln in lines if ln.strip()]
    if not lines:
        return ""
    out = lines[0]
    for line in lines[1:]:
        if out.endswith("-") and line[:1].islower():
            out = out[:-1] + line
        elif is_cjk(out[-1]) or is_cjk(line[0]) or not out[-1].isascii():
            out += line
        else:
            out += " " + line
    return out
