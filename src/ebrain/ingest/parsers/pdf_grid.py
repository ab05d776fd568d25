"""Ruled tables found with pypdfium2 alone: grid lines from path objects, cell text in boxes.

The geometry follows pdfplumber's "lines" strategy (snap, join, intersections, smallest cells,
tables as groups of cells sharing corners) so the rows come out the same, without re-parsing the
page through pdfminer. Coordinates are PDF user space with y negated, so sorting runs top-down.
"""

from __future__ import annotations

import codecs
import ctypes
import functools
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

SNAP = 3.0  # pdfplumber's snap / join / intersection tolerance and minimum edge length
CELL_INSET = 1.0  # shrink cell boxes so glyphs touching a neighbour's border stay out
MAX_CROSSINGS = 250_000  # horizontal x vertical edge pairs tried before handing over
_LINETO, _MOVETO = 0, 2  # FPDF_SEGMENT_*
_PATH, _FORM = 2, 5  # FPDF_PAGEOBJ_*

Edge = tuple[float, float, float]  # (position, start, end): y for horizontal, x for vertical
Point = tuple[float, float]
Box = tuple[float, float, float, float]  # (x0, top, x1, bottom) with top = -y
PathObject = tuple[int, int]  # (form nesting level, FPDF_PAGEOBJECT address of a path)
SegmentPoint = tuple[float, float, int, int]  # x, y, FPDF_SEGMENT_* type, closes the figure


class NeedsFallback(Exception):
    """The page's drawing is beyond this finder (paths inside form objects, huge grids)."""


@dataclass
class Grid:
    """One table: its bounding box and its rows of cell boxes (None where a cell is merged)."""

    bbox: Box
    rows: list[list[Box | None]]


class Api(NamedTuple):
    """The pdfium calls made per page object and path segment, bound with plain void* handles:
    cheaper per call than pypdfium2.raw's typed wrappers (which build pointer objects)."""

    count_objects: Callable[..., int]
    get_object: Callable[..., int | None]
    form_count: Callable[..., int]
    form_object: Callable[..., int | None]
    object_type: Callable[..., int]
    bounds: Callable[..., int]
    matrix: Callable[..., int]
    count_segments: Callable[..., int]
    segment: Callable[..., int | None]
    point: Callable[..., int]
    segment_type: Callable[..., int]
    closes: Callable[..., int]
    bounded_text: Callable[..., int]


@functools.cache
def api() -> Api:
    """The pdfium functions of Api, bound once."""
    import pypdfium2.raw as raw

    p, i, d = ctypes.c_void_p, ctypes.c_int, ctypes.c_double

    def bind(fn: Any, restype: Any, *argtypes: Any) -> Callable[..., Any]:
        # cdecl, as pypdfium2 loads pdfium (ctypes.CDLL) on every platform
        return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(fn, p).value or 0)

    return Api(
        bind(raw.FPDFPage_CountObjects, i, p),
        bind(raw.FPDFPage_GetObject, p, p, i),
        bind(raw.FPDFFormObj_CountObjects, i, p),
        bind(raw.FPDFFormObj_GetObject, p, p, ctypes.c_ulong),
        bind(raw.FPDFPageObj_GetType, i, p),
        bind(raw.FPDFPageObj_GetBounds, i, p, p, p, p, p),
        bind(raw.FPDFPageObj_GetMatrix, i, p, p),
        bind(raw.FPDFPath_CountSegments, i, p),
        bind(raw.FPDFPath_GetPathSegment, p, p, i),
        bind(raw.FPDFPathSegment_GetPoint, i, p, p, p),
        bind(raw.FPDFPathSegment_GetType, i, p),
        bind(raw.FPDFPathSegment_GetClose, i, p),
        bind(raw.FPDFText_GetBoundedText, i, p, d, d, d, d, p, i),
    )


def path_objects(page: Any) -> list[PathObject]:
    """The page's path objects in content order, those inside form objects one level deep."""
    fn = api()
    get_object, object_type = fn.get_object, fn.object_type
    handle = ctypes.cast(page.raw, ctypes.c_void_p).value  # page.raw: an FPDF_PAGE
    out: list[PathObject] = []
    for index in range(fn.count_objects(handle)):
        obj = get_object(handle, index)
        if not obj:
            continue
        kind = object_type(obj)
        if kind == _PATH:
            out.append((0, obj))
        elif kind == _FORM:
            for inner_index in range(max(fn.form_count(obj), 0)):
                inner = fn.form_object(obj, inner_index)
                if inner and fn.object_type(inner) == _PATH:
                    out.append((1, inner))
    return out


def find_grids(paths: list[PathObject]) -> list[Grid]:
    """The ruled tables drawn by a page's path objects (see path_objects), top to bottom."""
    horizontal, vertical = _edges(paths)
    horizontal, vertical = _merge(horizontal), _merge(vertical)
    if len(horizontal) * len(vertical) > MAX_CROSSINGS:
        raise NeedsFallback("too many lines to cross in Python")
    cells = _cells(_intersections(horizontal, vertical))
    tables = sorted(_group(cells), key=lambda t: min((c[1], c[0]) for c in t))
    return [_grid(t) for t in tables if len(t) > 1]


class BoxText:
    """Text inside boxes of one pdfium text page (raw FPDF_TEXTPAGE), through one buffer."""

    def __init__(self, textpage: Any) -> None:
        import pypdfium2.raw as raw

        self._raw = ctypes.cast(textpage, ctypes.c_void_p).value
        self._get = api().bounded_text
        self._size = 2 * max(int(raw.FPDFText_CountChars(textpage)), 0) + 256
        self._grow(self._size)

    def _grow(self, size: int) -> None:
        """A fresh buffer of `size` UTF-16 units."""
        self._size = size
        self._buffer = (ctypes.c_ushort * size)()
        self._address = ctypes.addressof(self._buffer)
        self._view = memoryview(self._buffer)

    def text(self, box: Box, inset: float = CELL_INSET) -> str:
        """The text inside `box` shrunk by `inset` on each side (unless too small for that)."""
        x0, top, x1, bottom = box
        if x1 - x0 <= 2 * inset or bottom - top <= 2 * inset:
            inset = 0.0
        rect = (x0 + inset, -top - inset, x1 - inset, -bottom + inset)  # left, top, right, bottom
        count = self._get(self._raw, *rect, self._address, self._size)
        while count >= self._size:  # it did not fit: grow the buffer and ask again
            self._grow(self._size * 4)
            count = self._get(self._raw, *rect, self._address, self._size)
        if count > 0 and self._buffer[count - 1] == 0:  # pdfium counts the terminating NUL
            count -= 1
        return codecs.decode(self._view[:count], "utf-16-le", "ignore")


def _edges(paths: list[PathObject]) -> tuple[list[Edge], list[Edge]]:
    """Axis-parallel straight segments of every path object (lines and rectangle sides)."""
    if any(level > 0 for level, _obj in paths):  # before any reading: the page is handed over
        raise NeedsFallback("path inside a form object")
    fn = api()
    horizontal: list[Edge] = []
    vertical: list[Edge] = []
    for _level, obj in paths:
        for (ax, ay), (bx, by) in _segments(fn, obj):
            if abs(ay - by) < 0.5 and abs(ax - bx) >= 1:
                horizontal.append((-ay, ax, bx) if ax <= bx else (-ay, bx, ax))
            elif abs(ax - bx) < 0.5 and abs(ay - by) >= 1:
                vertical.append((ax, -ay, -by) if -ay <= -by else (ax, -by, -ay))
    return horizontal, vertical


def _segments(fn: Api, path: int) -> list[tuple[Point, Point]]:
    """Straight segments of a path in page space (Bézier pieces are skipped)."""
    a, b, c, d, e, f = _matrix(fn, path)
    out: list[tuple[Point, Point]] = []
    start = last = (0.0, 0.0)
    for sx, sy, kind, closes in _points(fn, path):
        point = (a * sx + c * sy + e, b * sx + d * sy + f)
        if kind == _MOVETO:
            start = point
        elif kind == _LINETO:
            out.append((last, point))
        if closes and point != start:
            out.append((point, start))
        last = point
    return out


def _matrix(fn: Api, obj: int) -> tuple[float, float, float, float, float, float]:
    """The transform matrix of a page object, or NeedsFallback when pdfium cannot tell."""
    m = (ctypes.c_float * 6)()
    if not fn.matrix(obj, ctypes.addressof(m)):
        raise NeedsFallback("unreadable path matrix")
    return m[0], m[1], m[2], m[3], m[4], m[5]


def _points(fn: Api, path: int) -> list[SegmentPoint]:
    """The segment points of a path in its own space, four calls a point."""
    xy = (ctypes.c_float * 2)()  # stays 0, 0 should pdfium not write a point
    at = ctypes.addressof(xy)
    out: list[SegmentPoint] = []
    for index in range(max(fn.count_segments(path), 0)):
        seg = fn.segment(path, index)
        fn.point(seg, at, at + 4)
        out.append((xy[0], xy[1], fn.segment_type(seg), fn.closes(seg)))
    return out


def _merge(edges: list[Edge]) -> list[Edge]:
    """Snap edges on nearly the same line to their mean, join overlapping ones, drop short ones."""
    out: list[Edge] = []
    for cluster in _clusters(sorted(edges)):  # cluster means rise with the clusters
        pos = sum(e[0] for e in cluster) / len(cluster)
        out += _join(pos, sorted([(s, t) for _, s, t in cluster]))
    return [e for e in out if e[2] - e[1] >= SNAP]


def _clusters(edges: list[Edge]) -> Iterable[list[Edge]]:
    """Runs of edges whose positions lie within SNAP of the previous one."""
    run: list[Edge] = []
    for edge in edges:
        if run and edge[0] - run[-1][0] > SNAP:
            yield run
            run = []
        run.append(edge)
    if run:
        yield run


def _join(pos: float, spans: list[tuple[float, float]]) -> list[Edge]:
    """Join the (start, end) spans on the line at `pos` whose gaps are within SNAP."""
    joined: list[Edge] = []
    low, high = spans[0]
    for start, end in spans[1:]:
        if start <= high + SNAP:
            if end > high:  # max(high, end), without the call
                high = end
        else:
            joined.append((pos, low, high))
            low, high = start, end
    joined.append((pos, low, high))
    return joined


def _intersections(
    horizontal: list[Edge], vertical: list[Edge]
) -> dict[Point, tuple[set[Edge], set[Edge]]]:
    """Crossing points of vertical and horizontal edges, with the edges through each."""
    points: dict[Point, tuple[set[Edge], set[Edge]]] = {}
    for v in vertical:
        for h in horizontal:
            if v[1] <= h[0] + SNAP and v[2] >= h[0] - SNAP and h[1] - SNAP <= v[0] <= h[2] + SNAP:
                vs, hs = points.setdefault((v[0], h[0]), (set(), set()))
                vs.add(v)
                hs.add(h)
    return points


def _cells(points: dict[Point, tuple[set[Edge], set[Edge]]]) -> list[Box]:
    """The smallest rectangles whose four corners are intersections joined by edges."""
    columns: dict[float, list[Point]] = {}
    rows: dict[float, list[Point]] = {}
    for pt in sorted(points):  # each column top-down, each row left to right
        columns.setdefault(pt[0], []).append(pt)
        rows.setdefault(pt[1], []).append(pt)
    after = {pt: i for row in rows.values() for i, pt in enumerate(row, start=1)}
    cells: list[Box] = []
    for column in columns.values():
        for i, pt in enumerate(column, start=1):
            down, across = points[pt]
            below = [q for q in column[i:] if not down.isdisjoint(points[q][0])]
            right = [q for q in rows[pt[1]][after[pt] :] if not across.isdisjoint(points[q][1])]
            cell = _smallest_cell(points, pt, below, right)
            if cell is not None:
                cells.append(cell)
    return cells


def _smallest_cell(
    points: dict[Point, tuple[set[Edge], set[Edge]]],
    pt: Point,
    below: list[Point],
    right: list[Point],
) -> Box | None:
    """The first cell from `pt` to a point below and one to the right that close a rectangle."""
    for b in below:
        for r in right:
            corner = points.get((r[0], b[1]))
            if (
                corner is not None
                and not corner[0].isdisjoint(points[r][0])
                and not corner[1].isdisjoint(points[b][1])
            ):
                return pt[0], pt[1], r[0], b[1]
    return None


def _group(cells: list[Box]) -> list[list[Box]]:
    """Cells grouped into tables: a cell joins a table when it shares a corner with it."""
    remaining = list(cells)
    tables: list[list[Box]] = []
    while remaining:
        table = [remaining.pop(0)]
        corners = set(_corners(table[0]))
        grew = True
        while grew:
            grew = False
            for cell in list(remaining):
                if any(c in corners for c in _corners(cell)):
                    table.append(cell)
                    corners |= set(_corners(cell))
                    remaining.remove(cell)
                    grew = True
        tables.append(table)
    return tables


def _corners(box: Box) -> tuple[Point, Point, Point, Point]:
    x0, top, x1, bottom = box
    return (x0, top), (x0, bottom), (x1, top), (x1, bottom)


def _grid(cells: list[Box]) -> Grid:
    """Rows of a table's cells, aligned on the table's column starts (pdfplumber's layout)."""
    xs = sorted({c[0] for c in cells})
    rows: list[list[Box | None]] = []
    for _top, row in itertools.groupby(sorted(cells, key=lambda c: (c[1], c[0])), lambda c: c[1]):
        by_x = {c[0]: c for c in row}
        rows.append([by_x.get(x) for x in xs])
    bbox = (
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        max(c[3] for c in cells),
    )
    return Grid(bbox, rows)
