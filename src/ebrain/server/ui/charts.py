"""Small charts rendered on the server as inline SVG (no script, no chart library): vertical
bars over days, lines with gaps, horizontal bars with names. Every label is escaped (document
titles and model names are hostile input); every chart has a title and a text alternative
(`role="img"` + `<title>`), and each bar or point a tooltip with its exact value.

Colours are SVG presentation attributes (a strict Content-Security-Policy forbids inline
styles); pages may restyle them through the `chart-*` classes.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed")
AXIS = "#6b7280"
MAX_LABEL = 32  # display columns of a name shown beside a horizontal bar


def fmt(value: float | None, unit: str = "") -> str:
    """A short human number: 1234 -> 1,234; 0.1234 -> 0.123; None -> '–'."""
    if value is None or not math.isfinite(value):
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:.3g}"
    return f"{text}{unit}"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _width(ch: str) -> int:
    """Display width: 2 for CJK and full-width characters, else 1."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _short(text: str, most: int = MAX_LABEL) -> str:
    """`text` cut to `most` display columns (a CJK character takes two), with an ellipsis."""
    if sum(_width(c) for c in text) <= most:
        return text
    out, used = [], 0
    for ch in text:
        used += _width(ch)
        if used > most - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def _top(values: Sequence[float | None]) -> float:
    finite = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    return max(finite) if finite else 1.0


def _svg(width: int, height: int, title: str, body: list[str], css: str) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-label="{_e(title)}"><title>{_e(title)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _axes(width: int, height: int, pad: int, top: float, unit: str) -> list[str]:
    base = height - pad
    return [
        f'<line x1="{pad}" y1="{base}" x2="{width - 8}" y2="{base}" stroke="{AXIS}"/>',
        f'<text x="{pad - 4}" y="{14}" text-anchor="end" font-size="11" fill="{AXIS}">'
        f"{_e(fmt(top, unit))}</text>",
        f'<text x="{pad - 4}" y="{base}" text-anchor="end" font-size="11" fill="{AXIS}">0</text>',
    ]


def _x_labels(labels: Sequence[str], x: Callable[[int], float], y: int) -> list[str]:
    """At most ~8 labels under the axis, evenly spaced back from the last (today)."""
    step = max(1, math.ceil(len(labels) / 8))
    shown = set(range(len(labels) - 1, -1, -step))
    return [
        f'<text x="{x(i):.1f}" y="{y}" text-anchor="middle" font-size="10" fill="{AXIS}">'
        f"{_e(_short(labels[i], 12))}</text>"
        for i in sorted(shown)
    ]


def bar_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    height: int = 180,
) -> Markup:
    """Vertical bars, one per (label, value), e.g. questions per day."""
    pad = 44
    top = _top([v for _, v in points])
    slot = (width - pad - 8) / max(len(points), 1)
    usable = height - pad - 18

    def x(i: int) -> float:
        return pad + slot * (i + 0.5)

    body = _axes(width, height, pad, top, unit)
    for i, (label, value) in enumerate(points):
        h = max(0.0, min(value, top)) / top * usable
        body.append(
            f'<rect class="chart-bar" x="{pad + slot * i + slot * 0.1:.1f}" '
            f'y="{height - pad - h:.1f}" width="{slot * 0.8:.1f}" height="{h:.1f}" '
            f'fill="{PALETTE[0]}"><title>{_e(label)}: {_e(fmt(value, unit))}</title></rect>'
        )
    body += _x_labels([p[0] for p in points], x, height - pad + 14)
    return _svg(width, height, title, body, "chart-bars")


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    height: int = 200,
) -> Markup:
    """One line per (name, values) over `labels`; a None value leaves a gap."""
    pad = 44
    top = _top([v for _, values in series for v in values])
    usable = height - pad - 18
    step = (width - pad - 8) / max(len(labels), 1)

    def x(i: int) -> float:
        return pad + step * (i + 0.5)

    body = _axes(width, height, pad, top, unit)
    for n, (name, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        body += _line(values, x, lambda v: height - pad - min(v, top) / top * usable, colour)
        body += _points(labels, name, values, x, height - pad, usable, top, unit, colour)
        body.append(
            f'<text x="{pad + 8 + 110 * n}" y="{height - 6}" font-size="11" fill="{colour}">'
            f"■ {_e(_short(name, 16))}</text>"
        )
    body += _x_labels(labels, x, height - pad + 14)
    return _svg(width, height, title, body, "chart-lines")


def _line(
    values: Sequence[float | None],
    x: Callable[[int], float],
    y: Callable[[float], float],
    colour: str,
) -> list[str]:
    """Polylines through the runs of known values."""
    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v):
            runs.append([])
        else:
            runs[-1].append(f"{x(i):.1f},{y(v):.1f}")
    return [
        f'<polyline class="chart-line" points="{" ".join(r)}" fill="none" '
        f'stroke="{colour}" stroke-width="2"/>'
        for r in runs
        if len(r) > 1
    ]


def _points(
    labels: Sequence[str],
    name: str,
    values: Sequence[float | None],
    x: Callable[[int], float],
    base: int,
    usable: float,
    top: float,
    unit: str,
    colour: str,
) -> list[str]:
    out = []
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v) or i >= len(labels):
            continue
        y = base - min(v, top) / top * usable
        out.append(
            f'<circle cx="{x(i):.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>'
            f"{_e(labels[i])} {_e(name)}: {_e(fmt(v, unit))}</title></circle>"
        )
    return out


def hbar_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
) -> Markup:
    """Horizontal bars with their names on the left, e.g. cost per model, cited documents."""
    row, left = 24, 220
    height = max(row * len(points) + 8, 32)
    top = _top([v for _, v in points])
    usable = width - left - 80
    body = []
    for i, (label, value) in enumerate(points):
        y = 4 + row * i
        w = max(0.0, min(value, top)) / top * usable
        body.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{_e(_short(label))}</text>"
            f'<rect class="chart-bar" x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"><title>{_e(label)}: {_e(fmt(value, unit))}'
            f"</title></rect>"
            f'<text x="{left + w + 6:.1f}" y="{y + 15}" font-size="12">{_e(fmt(value, unit))}</text>'
        )
    if not points:
        body.append(f'<text x="8" y="20" font-size="12" fill="{AXIS}">–</text>')
    return _svg(width, height, title, body, "chart-hbars")
