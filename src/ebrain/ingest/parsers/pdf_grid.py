"""Ruled tables found with pypdfium2 alone: grid lines from path objects, cell text in boxes.

The geometry follows pdfplumber's "lines" strategy (snap, join, intersections, smallest cells,
tables as groups of cells sharing corners) so the rows come out the same, without re-parsing the
page through pdfminer. Coordinates are PDF user space with y negated, so sorting runs top-down.
"""

from __future__ import annotations

import ctypes
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SNAP = 3.0  # pdfplumber's snap / join / intersection tolerance and minimum edge length
CELL_INSET = 1.0  # shrink cell boxes so glyphs touching a neighbour's border stay out
MAX_CROSSINGS = 250_000  # horizontal x vertical edge pairs tried before handing over
_LINETO, _MOVETO = 0, 2

Edge = tuple[float, float, float]  # (position, start, end): y for horizontal, x for vertical
Point = tuple[float, float]
Box = tuple[float, float, float, float]  # (x0, top, x1, bottom) with top = -y


class NeedsFallback(Exception):
    """The page's drawing is beyond this finder (paths inside form objects, huge grids)."""


@dataclass
class Grid:
    """One table: its bounding box and its rows of cell boxes (None where a cell is merged)."""

    bbox: Box
    rows: list[list[Box | None]]


def find_grids(page: Any) -> list[Grid]:
    """The ruled tables of a pypdfium2 page, top to bottom."""
    horizontal, vertical = _edges(page)
    horizontal, vertical = _merge(horizontal), _merge(vertical)
    if len(horizontal) * len(vertical) > MAX_CROSSINGS:
        raise NeedsFallback("too many lines to cross in Python")
    cells = _cells(_intersections(horizontal, vertical))
    tables = sorted(_group(cells), key=lambda t: min((c[1], c[0]) for c in t))
    return [_grid(t) for t in tables if len(t) > 1]


def cell_text(textpage: Any, box: Box, inset: float = CELL_INSET) -> str:
    """The text inside a cell box (pdfium text-in-rectangle)."""
    x0, top, x1, bottom = box
    if x1 - x0 <= 2 * inset or bottom - top <= 2 * inset:
        inset = 0.0
    return str(textpage.get_text_bounded(x0 + inset, -bottom + inset, x1 - inset, -top - inset))


def _edges(page: Any) -> tuple[list[Edge], list[Edge]]:
    """Axis-parallel straight segments of every path object (lines and rectangle sides)."""
    import pypdfium2.raw as raw

    horizontal: list[Edge] = []
    vertical: list[Edge] = []
    for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_PATH,), max_depth=2):
        if obj.level > 0:
            raise NeedsFallback("path inside a form object")
        for (ax, ay), (bx, by) in _segments(obj.raw, obj.get_matrix().get()):
            if abs(ay - by) < 0.5 and abs(ax - bx) >= 1:
                horizontal.append((-ay, min(ax, bx), max(ax, bx)))
            elif abs(ax - bx) < 0.5 and abs(ay - by) >= 1:
                vertical.append((ax, min(-ay, -by), max(-ay, -by)))
    return horizontal, vertical


def _segments(path: Any, m: tuple[float, ...]) -> Iterable[tuple[Point, Point]]:
    """Straight segments of a path in page space (Bézier pieces are skipped)."""
    import pypdfium2.raw as raw

    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    start = last = (0.0, 0.0)
    for i in range(raw.FPDFPath_CountSegments(path)):
        seg = raw.FPDFPath_GetPathSegment(path, i)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == _MOVETO:
            start = point
        elif kind == _LINETO:
            yield last, point
        if raw.FPDFPathSegment_GetClose(seg) and point != start:
            yield point, start
        last = point


def _merge(edges: list[Edge]) -> list[Edge]:
    """Snap edges on nearly the same line to their mean, join overlapping ones, drop short ones."""
    snapped: list[Edge] = []
    for cluster in _clusters(sorted(edges)):
        pos = sum(e[0] for e in cluster) / len(cluster)
        snapped += [(pos, s, t) for _, s, t in cluster]
    out: list[Edge] = []
    for _pos, group in itertools.groupby(sorted(snapped), key=lambda e: e[0]):
        out += _join(list(group))
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


def _join(group: list[Edge]) -> list[Edge]:
    """Join edges on one line whose gaps are within SNAP."""
    joined = [group[0]]
    for pos, start, end in group[1:]:
        last = joined[-1]
        if start <= last[2] + SNAP:
            joined[-1] = (pos, last[1], max(last[2], end))
        else:
            joined.append((pos, start, end))
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

    def joined(p: Point, q: Point, axis: int) -> bool:
        return bool(points[p][axis] & points[q][axis])

    ordered = sorted(points)
    cells: list[Box] = []
    for i, pt in enumerate(ordered):
        rest = ordered[i + 1 :]
        below = [q for q in rest if q[0] == pt[0] and joined(pt, q, 0)]
        right = [q for q in rest if q[1] == pt[1] and joined(pt, q, 1)]
        cell = next(
            (
                (pt[0], pt[1], r[0], b[1])
                for b in below
                for r in right
                if (r[0], b[1]) in points
                and joined((r[0], b[1]), r, 0)
                and joined((r[0], b[1]), b, 1)
            ),
            None,
        )
        if cell is not None:
            cells.append(cell)
    return cells


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
