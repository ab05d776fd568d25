"""Support insights from the transcript records (customer-service and sales conversations): the
top issue categories per product and month, the share of negative sentiment, unresolved cases,
and emerging complaints (categories growing month over month), as JSON and as a self-contained
offline HTML report (sandboxed Jinja2 with autoescape; charts as matplotlib PNG data URIs when
the `charts` extra is installed, inline SVG otherwise).

The records come from `KnowledgeGraph.records`, already filtered by the caller's principal.
"""

from __future__ import annotations

import base64
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment

from ebrain.i18n import say

UNKNOWN = "unknown"
MAX_MONTHS = 120
MAX_CASES = 200
TOP = 3
CATEGORY_ZH = {
    "overheating": "过热",
    "communication": "通讯",
    "data": "数据",
    "hardware": "硬件",
    "software": "软件",
    "pricing": "价格",
    "installation": "安装",
    UNKNOWN: "未分类",
}


# --- the figures --------------------------------------------------------------------------
def _month(record: dict[str, Any]) -> str | None:
    day = str(record.get("doc_date") or "")
    return day[:7] if len(day) >= 7 and day[4] == "-" else None


def _months_between(first: str, last: str) -> list[str]:
    """Every calendar month from `first` to `last` (YYYY-MM), at most MAX_MONTHS (the last)."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out[-MAX_MONTHS:]


def _case(record: dict[str, Any]) -> dict[str, Any]:
    f = record["fields"]
    return {
        "document_id": record["document_id"],
        "title": record["title"],
        "path": record["path"],
        "date": record.get("doc_date"),
        "month": _month(record),
        "customer": f.get("customer"),
        "product": f.get("product") or UNKNOWN,
        "issue_category": f.get("issue_category") or UNKNOWN,
        "sentiment": f.get("sentiment") or "neutral",
        "resolved": bool(f.get("resolved")),
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _top(counts: Counter[str], n: int = TOP) -> list[dict[str, Any]]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [{"category": c, "count": k} for c, k in ranked]


def _group(cases: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in cases:
        out[str(c[key])].append(c)
    return out


def _summary(cases: list[dict[str, Any]]) -> dict[str, Any]:
    negative = sum(1 for c in cases if c["sentiment"] == "negative")
    unresolved = sum(1 for c in cases if not c["resolved"])
    return {
        "transcripts": len(cases),
        "negative": negative,
        "negative_share": _share(negative, len(cases)),
        "unresolved": unresolved,
        "unresolved_share": _share(unresolved, len(cases)),
        "categories": _top(Counter(c["issue_category"] for c in cases), 100),
    }


def _by_month(cases: list[dict[str, Any]], months: list[str]) -> list[dict[str, Any]]:
    groups = _group([c for c in cases if c["month"]], "month")
    return [{"month": m, **_summary(groups.get(m, []))} for m in months]


def _by_product(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for product, group in sorted(_group(cases, "product").items(), key=lambda kv: -len(kv[1])):
        months = _group([c for c in group if c["month"]], "month")
        per_month = [
            {
                "month": m,
                "transcripts": len(g),
                "categories": _top(Counter(c["issue_category"] for c in g)),
            }
            for m, g in sorted(months.items())
        ]
        out.append({"product": product, **_summary(group), "months": per_month})
    return out


def _emerging(cases: list[dict[str, Any]], months: list[str], min_count: int) -> list[Any]:
    """Categories counted more often in the latest month than in the month before (and at
    least `min_count` times in the latest month)."""
    if len(months) < 2:
        return []
    last, before = months[-1], months[-2]
    now = Counter(c["issue_category"] for c in cases if c["month"] == last)
    then = Counter(c["issue_category"] for c in cases if c["month"] == before)
    grown = [
        {"category": cat, "month": last, "count": n, "previous": then[cat], "growth": n - then[cat]}
        for cat, n in now.items()
        if n >= min_count and n > then[cat]
    ]
    return sorted(grown, key=lambda g: (-g["growth"], -g["count"], g["category"]))


def support_insights(
    records: Iterable[dict[str, Any]], since: str | None = None, min_count: int = 2
) -> dict[str, Any]:
    """The support report of transcript records (see docs/cli/kg.md for the JSON shape)."""
    cases = [_case(r) for r in records]
    if since:
        cases = [c for c in cases if c["date"] and str(c["date"]) >= since]
    dated = sorted(c["month"] for c in cases if c["month"])
    months = _months_between(dated[0], dated[-1]) if dated else []
    unresolved = [c for c in cases if not c["resolved"]]
    unresolved.sort(key=lambda c: (str(c["date"] or ""), c["document_id"]), reverse=True)
    return {
        "report": "support",
        "since": since,
        "min_count": min_count,
        **_summary(cases),
        "undated": sum(1 for c in cases if not c["month"]),
        "months": months,
        "by_month": _by_month(cases, months),
        "by_product": _by_product(cases),
        "emerging": _emerging(cases, months, min_count),
        "unresolved_cases": unresolved[:MAX_CASES],
    }


# --- the HTML report ----------------------------------------------------------------------
def _labels(lang: str | None) -> dict[str, str]:
    pairs = {
        "title": ("Support insights", "客服洞察报告"),
        "transcripts": ("Transcripts", "会话数"),
        "negative_share": ("Negative sentiment", "负面情绪占比"),
        "unresolved": ("Unresolved", "未解决"),
        "undated": ("Undated", "无日期"),
        "since": ("Since", "起始日期"),
        "by_month": ("By month", "按月"),
        "month": ("Month", "月份"),
        "negative": ("Negative", "负面"),
        "by_product": ("Top issue categories per product and month", "各产品各月主要问题类别"),
        "product": ("Product", "产品"),
        "categories": ("Top categories", "主要类别"),
        "emerging": ("Emerging complaints", "新出现的投诉"),
        "none_emerging": (
            "No category grew from the month before.",
            "没有比上月增长的问题类别。",
        ),
        "category": ("Category", "类别"),
        "previous": ("Month before", "上月"),
        "count": ("Count", "数量"),
        "cases": ("Unresolved cases", "未解决的案例"),
        "customer": ("Customer", "客户"),
        "document": ("Document", "文档"),
        "date": ("Date", "日期"),
        "sentiment": ("Sentiment", "情绪"),
        "chart_months": ("Transcripts and negative ones per month", "每月会话数与负面会话数"),
        "chart_categories": ("Issue categories", "问题类别"),
        "empty": ("No transcript records you may read.", "没有您可读取的会话记录。"),
    }
    return {k: say(en, zh, lang) for k, (en, zh) in pairs.items()}


def category_label(category: str, lang: str | None = None) -> str:
    """A category in the user's language."""
    return say(category, CATEGORY_ZH.get(category, category), lang)


def _svg_bars(series: list[tuple[str, list[int]]], height: int = 180) -> dict[str, Any]:
    """Geometry of a grouped vertical bar chart (one group per label, up to two bars each)."""
    top = max([v for _l, vs in series for v in vs] + [1])
    widest = max((len(label) for label, _v in series), default=4)
    group_w = max(44, 7 * widest + 10)
    bars, labels = [], []
    for i, (label, values) in enumerate(series):
        x0 = 30 + i * group_w
        labels.append({"x": x0 + 8 * len(values), "y": height + 16, "text": label})
        for j, v in enumerate(values):
            h = round((height - 20) * v / top, 1)
            bars.append(
                {"x": x0 + j * 16, "y": height - h, "w": 14, "h": h, "v": v, "cls": f"s{j}"}
            )
    return {
        "width": 40 + group_w * max(1, len(series)),
        "height": height + 30,
        "bars": bars,
        "labels": labels,
        "top": top,
    }


def _png_bars(series: list[tuple[str, list[int]]]) -> str | None:
    """The same chart rendered by matplotlib as a PNG data URI (None without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(max(3.0, 0.6 * len(series) + 1.5), 2.6), dpi=100)
    from matplotlib.ticker import MaxNLocator

    xs = range(len(series))
    groups = max(1, max((len(vs) for _l, vs in series), default=1))
    width = 0.8 / groups
    for j, color in enumerate(("#3b6ea5", "#c0392b")[:groups]):
        vals = [vs[j] if j < len(vs) else 0 for _l, vs in series]
        ax.bar([x + j * width for x in xs], vals, width, color=color)
    ax.set_xticks([x + width * (groups - 1) / 2 for x in xs], [lb for lb, _v in series], fontsize=7)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _chart(
    series: list[tuple[str, list[int]]], charts: str, local: list[str] | None = None
) -> dict[str, Any]:
    """A PNG chart (ASCII labels: no CJK font needed) or an SVG one (`local` labels)."""
    png = _png_bars(series) if charts in ("auto", "png") and series else None
    if png is None and charts == "png" and series:
        from ebrain.errors import InvalidInputError

        raise InvalidInputError(
            "PNG charts need matplotlib",
            hint="pip install 'ebrain[charts]', or use --charts svg",
        )
    if png is None and local is not None:
        series = [(name, values) for name, (_l, values) in zip(local, series, strict=True)]
    return {"png": png, "svg": None if png else _svg_bars(series)}


def render_html(report: dict[str, Any], lang: str | None = None, charts: str = "auto") -> str:
    """The report as one self-contained HTML page (no external resources)."""
    env = ImmutableSandboxedEnvironment(autoescape=True)
    month_series = [(m["month"], [m["transcripts"], m["negative"]]) for m in report["by_month"]]
    cat_series = [(c["category"][:14], [c["count"]]) for c in report["categories"][:12]]
    context = {
        "r": report,
        "t": _labels(lang),
        "lang": "zh-CN" if say("en", "zh", lang) == "zh" else "en",
        "cat": lambda c: category_label(str(c), lang),
        "month_chart": _chart(month_series, charts),
        "category_chart": _chart(
            cat_series, charts, [category_label(c, lang) for c, _v in cat_series]
        ),
    }
    return env.from_string(TEMPLATE).render(**context)


TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>{{ t.title }}</title>
<style>
body{font-family:system-ui,"Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
.kpi{display:inline-block;margin-right:2em}.kpi b{font-size:1.6em;display:block}
.s0{fill:#3b6ea5}.s1{fill:#c0392b}svg text{font-size:10px}
</style></head><body>
<h1>{{ t.title }}</h1>
{% if r.since %}<p>{{ t.since }}: {{ r.since }}</p>{% endif %}
<div><span class="kpi"><b>{{ r.transcripts }}</b>{{ t.transcripts }}</span>
<span class="kpi"><b>{{ "%.0f"|format(r.negative_share * 100) }}%</b>{{ t.negative_share }}</span>
<span class="kpi"><b>{{ r.unresolved }}</b>{{ t.unresolved }}</span>
{% if r.undated %}<span class="kpi"><b>{{ r.undated }}</b>{{ t.undated }}</span>{% endif %}</div>
{% if not r.transcripts %}<p>{{ t.empty }}</p>{% endif %}
{% macro chart(c, title) %}{% if c.png or c.svg.bars %}<figure><figcaption>{{ title }}</figcaption>
{% if c.png %}<img alt="{{ title }}" src="{{ c.png }}">{% else %}
<svg xmlns="http://www.w3.org/2000/svg" width="{{ c.svg.width }}" height="{{ c.svg.height }}" role="img"><title>{{ title }}</title>
{% for b in c.svg.bars %}<rect class="{{ b.cls }}" x="{{ b.x }}" y="{{ b.y }}" width="{{ b.w }}" height="{{ b.h }}"><title>{{ b.v }}</title></rect><text x="{{ b.x + 7 }}" y="{{ b.y - 3 }}" text-anchor="middle">{{ b.v }}</text>{% endfor %}
{% for l in c.svg.labels %}<text x="{{ l.x }}" y="{{ l.y }}" text-anchor="middle">{{ l.text }}</text>{% endfor %}
</svg>{% endif %}</figure>{% endif %}{% endmacro %}
<h2>{{ t.by_month }}</h2>
{{ chart(month_chart, t.chart_months) }}
<table><tr><th>{{ t.month }}</th><th>{{ t.transcripts }}</th><th>{{ t.negative }}</th><th>{{ t.unresolved }}</th><th>{{ t.categories }}</th></tr>
{% for m in r.by_month %}<tr><td>{{ m.month }}</td><td>{{ m.transcripts }}</td><td>{{ m.negative }}</td><td>{{ m.unresolved }}</td>
<td>{% for c in m.categories[:3] %}{{ cat(c.category) }} ({{ c.count }}){% if not loop.last %}, {% endif %}{% endfor %}</td></tr>{% endfor %}</table>
{{ chart(category_chart, t.chart_categories) }}
<h2>{{ t.emerging }}</h2>
{% if r.emerging %}<table><tr><th>{{ t.category }}</th><th>{{ t.month }}</th><th>{{ t.count }}</th><th>{{ t.previous }}</th></tr>
{% for e in r.emerging %}<tr><td>{{ cat(e.category) }}</td><td>{{ e.month }}</td><td>{{ e.count }}</td><td>{{ e.previous }}</td></tr>{% endfor %}</table>
{% else %}<p>{{ t.none_emerging }}</p>{% endif %}
<h2>{{ t.by_product }}</h2>
<table><tr><th>{{ t.product }}</th><th>{{ t.transcripts }}</th><th>{{ t.negative_share }}</th><th>{{ t.unresolved }}</th><th>{{ t.month }}: {{ t.categories }}</th></tr>
{% for p in r.by_product %}<tr><td>{{ p.product }}</td><td>{{ p.transcripts }}</td><td>{{ "%.0f"|format(p.negative_share * 100) }}%</td><td>{{ p.unresolved }}</td>
<td>{% for m in p.months %}{{ m.month }}: {% for c in m.categories %}{{ cat(c.category) }} ({{ c.count }}){% if not loop.last %}, {% endif %}{% endfor %}<br>{% endfor %}</td></tr>{% endfor %}</table>
<h2>{{ t.cases }}</h2>
<table><tr><th>{{ t.date }}</th><th>{{ t.customer }}</th><th>{{ t.product }}</th><th>{{ t.category }}</th><th>{{ t.sentiment }}</th><th>{{ t.document }}</th></tr>
{% for c in r.unresolved_cases %}<tr><td>{{ c.date or "" }}</td><td>{{ c.customer or "" }}</td><td>{{ c.product }}</td><td>{{ cat(c.issue_category) }}</td><td>{{ c.sentiment }}</td><td>{{ c.title }}<br><small>{{ c.path or "" }}</small></td></tr>{% endfor %}</table>
</body></html>
"""
