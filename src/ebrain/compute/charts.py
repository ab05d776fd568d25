"""Charts: training days against GPU count, memory breakdown bars; PNG (matplotlib) or HTML."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebrain.errors import BackendError, InvalidInputError

COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1")
W, H, PAD = 640, 360, 56


@dataclass(frozen=True)
class Series:
    """One line (x, y points) or one stacked bar (named parts)."""

    label: str
    points: tuple[tuple[float, float], ...] = ()
    parts: tuple[tuple[str, float], ...] = ()


def _kind(path: Path) -> str:
    """'png' or 'html' from the file suffix."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("htm", "html"):
        return "html"
    if suffix == "png":
        return "png"
    raise InvalidInputError(f"chart file must end in .png or .html, got {path.name!r}")


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, or BackendError with an install hint."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise BackendError(
            "PNG charts need matplotlib", hint="pip install 'ebrain[charts]' or use FILE.html"
        ) from exc
    return plt


def line_chart(path: Path, title: str, xlabel: str, ylabel: str, series: Sequence[Series]) -> Path:
    """A log-log line chart (e.g. training days against GPU count)."""
    path = Path(path)
    if _kind(path) == "html":
        return _write_html(path, title, _svg_lines(title, xlabel, ylabel, series))
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for s in series:
        ax.plot([p[0] for p in s.points], [p[1] for p in s.points], marker="o", label=s.label)
    ax.set(xscale="log", yscale="log", title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return _save(fig, plt, path)


def bar_chart(path: Path, title: str, unit: str, bars: Sequence[Series]) -> Path:
    """Horizontal stacked bars (e.g. memory breakdown per configuration)."""
    path = Path(path)
    if _kind(path) == "html":
        return _write_html(path, title, _svg_bars(title, unit, bars))
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.6 * len(bars)))
    names = sorted({n for b in bars for n, _ in b.parts}, key=_part_order(bars))
    for i, name in enumerate(names):
        left = [sum(v for n, v in b.parts if names.index(n) < i) for b in bars]
        width = [dict(b.parts).get(name, 0.0) for b in bars]
        ax.barh([b.label for b in bars], width, left=left, label=name, color=COLORS[i % 7])
    ax.set(title=title, xlabel=unit)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    return _save(fig, plt, path)


def _part_order(bars: Sequence[Series]) -> Any:
    """Sort key keeping parts in first-seen order."""
    order = [n for b in bars for n, _ in b.parts]
    return order.index


def _save(fig: Any, plt: Any, path: Path) -> Path:
    """Write a matplotlib figure and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _write_html(path: Path, title: str, svg: str) -> Path:
    """A self-contained HTML page around one inline SVG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    t = html.escape(title)
    page = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{t}</title></head>'
        f'<body style="font-family:sans-serif">{svg}</body></html>\n'
    )
    path.write_text(page, "utf-8")
    return path


def _log_scale(values: Sequence[float], lo_px: float, hi_px: float) -> Any:
    """A function mapping values to pixels on a log scale."""
    import math

    lo, hi = math.log10(min(values)), math.log10(max(values))
    span = (hi - lo) or 1.0
    return lambda v: lo_px + (math.log10(v) - lo) / span * (hi_px - lo_px)


def _text(x: float, y: float, s: str, anchor: str = "middle", size: int = 11) -> str:
    """An SVG text element."""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}">'
        f"{html.escape(s)}</text>"
    )


def _svg_lines(title: str, xlabel: str, ylabel: str, series: Sequence[Series]) -> str:
    """Inline SVG for a log-log line chart."""
    pts = [p for s in series for p in s.points if p[0] > 0 and p[1] > 0]
    if not pts:
        raise InvalidInputError("nothing to chart")
    fx = _log_scale([p[0] for p in pts], PAD, W - PAD)
    fy = _log_scale([p[1] for p in pts], H - PAD, PAD)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}">',
        _text(W / 2, 20, title, size=14),
        _text(W / 2, H - 12, xlabel),
        _text(14, H / 2, ylabel, "start"),
        f'<rect x="{PAD}" y="{PAD}" width="{W - 2 * PAD}" height="{H - 2 * PAD}" '
        'fill="none" stroke="#999"/>',
    ]
    for i, s in enumerate(series):
        color = COLORS[i % len(COLORS)]
        coords = " ".join(f"{fx(x):.1f},{fy(y):.1f}" for x, y in s.points)
        out.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in s.points:
            out.append(f'<circle cx="{fx(x):.1f}" cy="{fy(y):.1f}" r="3" fill="{color}"/>')
            out.append(_text(fx(x), fy(y) - 6, f"{x:g}: {y:.3g}", size=9))
    return "".join([*out, "</svg>"])


def _svg_bars(title: str, unit: str, bars: Sequence[Series]) -> str:
    """Inline SVG for horizontal stacked bars with a legend."""
    total = max((sum(v for _, v in b.parts) for b in bars), default=0.0) or 1.0
    height = PAD * 2 + 30 * len(bars)
    scale = (W - 2 * PAD - 100) / total
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}">',
        _text(W / 2, 20, title, size=14),
    ]
    names: list[str] = []
    for row, b in enumerate(bars):
        x, y = PAD + 100.0, PAD + 30.0 * row
        out.append(_text(PAD + 95, y + 15, b.label, "end"))
        for name, value in b.parts:
            names += [name] if name not in names else []
            color = COLORS[names.index(name) % len(COLORS)]
            tip = f"<title>{html.escape(name)}: {value:.3g} {unit}</title>"
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{value * scale:.1f}" height="20" '
                f'fill="{color}">{tip}</rect>'
            )
            x += value * scale
        out.append(_text(x + 4, y + 15, f"{sum(v for _, v in b.parts):.3g} {unit}", "start"))
    legend = "  ".join(f"■ {n}" for n in names)
    out.append(_text(W / 2, height - 12, f"{legend}   ({unit})"))
    return "".join([*out, "</svg>"])
