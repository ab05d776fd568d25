"""OCR of degraded scans: ebrain (RapidOCR + ebrain's layout) against Tesseract 5 on the same pages.

Pages are generated here: Chinese (cmrc2018_dev paragraphs) and English (qmsum utterances, speaker
labels and {tags} removed) rendered with PIL and the WenQuanYi Micro Hei font on A4 at 300 dpi in
four designs (text, ruled table, two columns, a certificate with a red stamp over its text), then
degraded as scanners do: skew (uniform +-3 degrees), blur, scaling to 150 or 300 dpi, Gaussian
noise and JPEG compression (quality 70). Reported on the *test* split (page seeds 1000+); no
parameter was fitted on these pages (the layout constants were set on the unit-test images).

Metrics: character error rate (edit distance / reference length, over the characters without
white space and table pipes, NFKC-folded) against the text in reading order; table cell accuracy
(share of reference cells found, exactly, at their row and column); pages per second and CPU
seconds a page at 150 dpi; peak memory (max RSS) of the process running ebrain's OCR.

    nice .venv/bin/python bench/ocr.py --variants 1    # writes bench/results/ocr.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
CACHE = ROOT / "bench" / ".cache" / "ocr"
RESULTS = ROOT / "bench" / "results" / "ocr.json"
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
A4 = (2480, 3508)  # 300 dpi
MARGIN = 220
BODY, HEAD = 44, 72  # 10.5 pt and 17 pt at 300 dpi
DESIGNS = ("text", "table", "columns", "stamp")
TEST_SEED = 1000


# --- source text ------------------------------------------------------------------------


def _corpus(name: str) -> list[str]:
    rows = []
    with (DATA / name / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line)["text"])
            if len(rows) >= 400:
                break
    return rows


def _clean_en(text: str) -> str:
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"(^|\n)[^:\n]{1,20}: ", " ", text)
    text = re.sub(r"\s+([,.?!])", r"\1", text)
    return " ".join(text.split())


def sentences(lang: str, rng: random.Random, chars: int) -> str:
    """About `chars` characters of running text."""
    pool = _corpus("cmrc2018_dev") if lang == "zh" else _corpus("qmsum")
    text = ""
    while len(text) < chars:
        part = pool[rng.randrange(len(pool))]
        text += (part if lang == "zh" else _clean_en(part) + " ")[: chars - len(text) + 40]
    return text[:chars].strip()


# --- rendering --------------------------------------------------------------------------


def _font(size: int) -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(FONT, size)


def wrap(text: str, font: Any, width: int, lang: str) -> list[str]:
    """Lines of at most `width` px: by character for Chinese, by word for English."""
    units = list(text) if lang == "zh" else text.split(" ")
    glue = "" if lang == "zh" else " "
    lines, cur = [], ""
    for unit in units:
        trial = cur + glue + unit if cur else unit
        if font.getlength(trial) > width and cur:
            lines.append(cur)
            cur = unit
        else:
            cur = trial
    return [*lines, cur] if cur else lines


class Page:
    """A white A4 page being drawn, with its reference text in reading order."""

    def __init__(self, lang: str) -> None:
        from PIL import Image, ImageDraw

        self.lang = lang
        self.image = Image.new("RGB", A4, "white")
        self.draw = ImageDraw.Draw(self.image)
        self.reference: list[str] = []
        self.table: list[list[str]] = []
        self.y = MARGIN

    def heading(self, text: str) -> None:
        self.draw.text((MARGIN, self.y), text, font=_font(HEAD), fill="black")
        self.reference.append(text)
        self.y += int(HEAD * 2)

    def paragraph(self, text: str, x: int = MARGIN, width: int = A4[0] - 2 * MARGIN) -> int:
        lines = wrap(text, _font(BODY), width, self.lang)
        y = self.y
        for line in lines:
            self.draw.text((x, y), line, font=_font(BODY), fill="black")
            y += int(BODY * 1.6)
        self.reference.append("".join(lines) if self.lang == "zh" else " ".join(lines))
        return y + BODY

    def ruled_table(self, rows: list[list[str]]) -> None:
        cols = len(rows[0])
        width = (A4[0] - 2 * MARGIN) // cols
        height = int(BODY * 2.2)
        xs = [MARGIN + c * width for c in range(cols + 1)]
        ys = [self.y + r * height for r in range(len(rows) + 1)]
        for y in ys:
            self.draw.line([(xs[0], y), (xs[-1], y)], fill="black", width=4)
        for x in xs:
            self.draw.line([(x, ys[0]), (x, ys[-1])], fill="black", width=4)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                self.draw.text((xs[c] + 24, ys[r] + 30), cell, font=_font(BODY), fill="black")
        self.reference += [cell for row in rows for cell in row]
        self.table = rows
        self.y = ys[-1] + 2 * BODY

    def stamp(self, x: int, y: int) -> None:
        r = 230
        self.draw.ellipse([x - r, y - r, x + r, y + r], outline=(210, 30, 40), width=14)
        star = [(x, y - 90), (x + 26, y - 28), (x + 92, y - 28), (x + 40, y + 12), (x + 58, y + 78)]
        star += [
            (x, y + 38),
            (x - 58, y + 78),
            (x - 40, y + 12),
            (x - 92, y - 28),
            (x - 26, y - 28),
        ]
        self.draw.polygon(star, fill=(210, 30, 40))


TABLE_WORDS = {
    "zh": ("服务器", "交换机", "存储阵列", "防火墙", "不间断电源", "机柜", "光纤模块", "监控终端"),
    "en": (
        "Server",
        "Switch",
        "Storage array",
        "Firewall",
        "UPS unit",
        "Rack",
        "Fibre module",
        "Camera",
    ),
}
TABLE_HEAD = {
    "zh": ["设备名称", "数量", "单价（元）", "验收结果"],
    "en": ["Item", "Qty", "Unit price", "Result"],
}
RESULT = {"zh": ("合格", "不合格", "待复检"), "en": ("Passed", "Failed", "Retest")}
CERT = {
    "zh": (
        "设备验收证书",
        "项目编号：HX-{n}-{m:03d}",
        "验收日期：{d}",
        "验收单位（盖章）：华川智能装备有限公司",
    ),
    "en": (
        "Acceptance Certificate",
        "Project no.: HX-{n}-{m:03d}",
        "Date of acceptance: {d}",
        "Accepted by (seal): Huachuan Intelligent Equipment Co.",
    ),
}


def build(design: str, lang: str, seed: int) -> Page:
    """One clean page of `design` in `lang`."""
    rng = random.Random(f"{seed}:{design}:{lang}")
    page = Page(lang)
    n = 900 if lang == "zh" else 1800
    if design == "text":
        page.heading(sentences(lang, rng, 12 if lang == "zh" else 30).rstrip(".,"))
        for _ in range(3):
            page.y = page.paragraph(sentences(lang, rng, n // 2))
    elif design == "table":
        page.heading(TABLE_HEAD[lang][0] + (" 清单" if lang == "zh" else " list"))
        page.y = page.paragraph(sentences(lang, rng, n // 3))
        rows = [TABLE_HEAD[lang]]
        for item in rng.sample(TABLE_WORDS[lang], 5):
            rows.append(
                [
                    item,
                    str(rng.randint(1, 40)),
                    f"{rng.randint(2, 90) * 100}",
                    rng.choice(RESULT[lang]),
                ]
            )
        page.ruled_table(rows)
        page.y = page.paragraph(sentences(lang, rng, n // 3))
    elif design == "columns":
        page.heading(sentences(lang, rng, 12 if lang == "zh" else 30).rstrip(".,"))
        half = (A4[0] - 2 * MARGIN - 120) // 2
        top = page.y
        page.paragraph(sentences(lang, rng, n // 2), MARGIN, half)
        page.y = top
        page.paragraph(sentences(lang, rng, n // 2), MARGIN + half + 120, half)
    else:
        title, number, date, seal = CERT[lang]
        page.heading(title)
        for line in (
            number.format(n=2020 + seed % 6, m=seed % 997),
            date.format(d=f"2024-0{1 + seed % 9}-1{seed % 10}"),
        ):
            page.y = page.paragraph(line) - BODY // 2
        page.y = page.paragraph(sentences(lang, rng, n // 2))
        page.y = page.paragraph(seal)
        page.stamp(A4[0] - MARGIN - 420, page.y - int(BODY * 2.5))
    return page


def degrade(image: Any, dpi: int, rng: random.Random) -> Any:
    """Skew, blur, scale to `dpi`, noise, JPEG: as a scanner would."""
    import io

    import numpy as np
    from PIL import Image, ImageFilter

    out = image.rotate(rng.uniform(-3, 3), resample=Image.BICUBIC, fillcolor="white")
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.2)))
    if dpi != 300:
        out = out.resize((A4[0] * dpi // 300, A4[1] * dpi // 300), Image.LANCZOS)
    noisy = np.asarray(out, dtype=np.float32) + np.random.default_rng(rng.randrange(2**32)).normal(
        0, 8, (out.height, out.width, 1)
    )
    out = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    out.save(buffer, format="JPEG", quality=70, dpi=(dpi, dpi))
    return Image.open(io.BytesIO(buffer.getvalue()))


def generate(variants: int) -> list[dict[str, Any]]:
    """Write the degraded pages to bench/.cache/ocr; their descriptions."""
    CACHE.mkdir(parents=True, exist_ok=True)
    pages = []
    for v in range(variants):
        seed = TEST_SEED + v
        for lang in ("zh", "en"):
            for design in DESIGNS:
                page = build(design, lang, seed)
                for dpi in (150, 300):
                    name = f"{lang}-{design}-{seed}-{dpi}.jpg"
                    if not (CACHE / name).exists():  # deterministic: made once
                        scan = degrade(
                            page.image, dpi, random.Random(f"{seed}:{design}:{lang}:skew")
                        )
                        scan.save(CACHE / name, quality=95, dpi=(dpi, dpi))
                    pages.append(
                        {
                            "file": name,
                            "lang": lang,
                            "design": design,
                            "dpi": dpi,
                            "reference": page.reference,
                            "table": page.table,
                        }
                    )
    return pages


# --- metrics ----------------------------------------------------------------------------


def levenshtein(a: str, b: str) -> int:
    """Edit distance (Myers / Hyyro bit-parallel, Python integers as bit vectors)."""
    if not a or not b:
        return len(a) or len(b)
    peq: dict[str, int] = {}
    for i, ch in enumerate(a):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask, last = (1 << len(a)) - 1, 1 << (len(a) - 1)
    pv, mv, score = mask, 0, len(a)
    for ch in b:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"^\|?(-+\|)+-*$", "", text, flags=re.M)
    return "".join(ch for ch in text if not ch.isspace() and ch != "|")


def cer(reference: list[str], hypothesis: str) -> float:
    ref = norm("".join(reference))
    return levenshtein(ref, norm(hypothesis)) / max(1, len(ref))


def cell_accuracy(reference: list[list[str]], rows: list[list[str]] | None) -> float:
    if not reference:
        return float("nan")
    found = rows or []
    hits = total = 0
    for r, row in enumerate(reference):
        for c, cell in enumerate(row):
            total += 1
            got = found[r][c] if r < len(found) and c < len(found[r]) else ""
            hits += norm(got) == norm(cell)
    return hits / total


# --- the systems ------------------------------------------------------------------------


def run_ebrain(pages: list[dict[str, Any]]) -> dict[str, Any]:
    """ebrain with RapidOCR, in this process (run as a child: its max RSS is the peak)."""
    from ebrain.ingest.ocr import OcrOptions
    from ebrain.ingest.parsers import parse_file

    options = OcrOptions(engine="rapidocr", max_pages=10)
    parse_file(CACHE / pages[0]["file"], ocr=options)  # load the models before timing
    out = []
    for page in pages:
        wall, cpu = time.perf_counter(), time.process_time()
        doc = parse_file(CACHE / page["file"], ocr=options)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        table = next((b.rows for b in doc.blocks if b.kind == "table"), None)
        out.append(
            {"file": page["file"], "text": doc.text, "table": table, "wall": wall, "cpu": cpu}
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"pages": out, "peak_rss_mib": rss}


def run_tesseract(pages: list[dict[str, Any]]) -> dict[str, Any]:
    """Tesseract 5 (chi_sim+eng, psm 3): its own text order, and its lines through ebrain's layout."""
    from PIL import Image

    from ebrain.ingest.ocr.engines import tsv_lines
    from ebrain.ingest.ocr.layout import page_blocks
    from ebrain.ingest.parsers.base import HeadingTracker

    out = []
    for page in pages:
        path = CACHE / page["file"]
        wall = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            ["tesseract", str(path), "stdout", "-l", "chi_sim+eng", "--psm", "3", "tsv"],
            capture_output=True,
            check=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter() - wall
        tsv = done.stdout.decode("utf-8", "replace")
        blocks = page_blocks(tsv_lines(tsv), Image.open(path), 1, HeadingTracker())
        table = next((b.rows for b in blocks if b.kind == "table"), None)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        out.append(
            {
                "file": page["file"],
                "text": _tsv_text(tsv),
                "layout_text": "\n".join(b.text for b in blocks),
                "table": table,
                "wall": wall,
                "cpu": cpu,
            }
        )
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"pages": out, "peak_rss_mib": rss}


def _tsv_text(tsv: str) -> str:
    """Tesseract's own text: its words in its block / paragraph / line order."""
    words = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) >= 12 and cols[0] == "5" and cols[11].strip():
            words.append(cols[11].strip())
    return " ".join(words)


# --- report -----------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    values = sorted(v for v in values if v == v)
    if not values:
        return float("nan")
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def _mean(values: list[float]) -> float:
    values = [v for v in values if v == v]
    return sum(values) / len(values) if values else float("nan")


def score(
    pages: list[dict[str, Any]], ours: dict[str, Any], tess: dict[str, Any]
) -> dict[str, Any]:
    rows = []
    for page, o, t in zip(pages, ours["pages"], tess["pages"], strict=True):
        rows.append(
            {
                "file": page["file"],
                "lang": page["lang"],
                "design": page["design"],
                "dpi": page["dpi"],
                "cer_ebrain": cer(page["reference"], o["text"]),
                "cer_tesseract": cer(page["reference"], t["text"]),
                "cer_tesseract_layout": cer(page["reference"], t["layout_text"]),
                "cells_ebrain": cell_accuracy(page["table"], o["table"]),
                "cells_tesseract_layout": cell_accuracy(page["table"], t["table"]),
                "wall_ebrain": o["wall"],
                "cpu_ebrain": o["cpu"],
                "wall_tesseract": t["wall"],
                "cpu_tesseract": t["cpu"],
            }
        )
    peaks = {"ebrain": ours["peak_rss_mib"], "tesseract": tess["peak_rss_mib"]}
    return {"summary": summarize(rows, peaks), "pages": rows}


def isolation() -> dict[str, Any]:
    """A 100-page scanned PDF ingested with three small files: under the page limit (5), and
    with no page limit but a 30 s parse time limit. The other files are added either way."""
    import tempfile

    from fpdf import FPDF

    from ebrain.brain import Brain

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        pdf = FPDF(format="A4")
        for _ in range(100):
            pdf.add_page()
            pdf.image(str(CACHE / "zh-text-1000-150.jpg"), 0, 0, 210, 297)
        pdf.output(str(folder / "scan-100-pages.pdf"))
        for n in range(3):
            (folder / f"note{n}.txt").write_text(
                f"Note {n}: the warehouse opens at 8.", encoding="utf-8"
            )
        for name, settings in (
            ("max_pages=5", "ocr:\n  max_pages: 5\n"),
            (
                "no page limit, parse_timeout_s=30",
                "ocr:\n  max_pages: 100\ningest:\n  parse_timeout_s: 30\n",
            ),
        ):
            ws = Path(tmp) / name.split(",")[0].replace("=", "")
            Brain.init(ws).close()
            (ws / "config.yaml").write_text("embed:\n  model: none\n" + settings, encoding="utf-8")
            started = time.perf_counter()
            with Brain.open(ws) as brain:
                report = brain.ingest([folder], jobs=2)
            scan = next(f for f in report.files if f.path.endswith(".pdf"))
            out[name] = {
                "counts": report.counts,
                "scan": {
                    "status": scan.status,
                    "reason": scan.reason,
                    "chunks": scan.chunks,
                    "warnings": scan.warnings,
                },
                "seconds": round(time.perf_counter() - started, 1),
            }
    return out


def summarize(rows: list[dict[str, Any]], peaks: dict[str, float]) -> dict[str, Any]:
    """Means per language and resolution, speed at 150 dpi, peak memory."""
    summary: dict[str, Any] = {}
    for key in ("zh", "en"):
        for dpi in (150, 300):
            sel = [r for r in rows if r["lang"] == key and r["dpi"] == dpi]
            summary[f"{key}@{dpi}"] = {
                m: _mean([r[m] for r in sel])
                for m in ("cer_ebrain", "cer_tesseract", "cer_tesseract_layout")
            }
            summary[f"{key}@{dpi}"] |= {
                m: _mean([r[m] for r in sel if r["design"] == "table"])
                for m in ("cells_ebrain", "cells_tesseract_layout")
            }
    for lang in ("zh", "en"):
        sel = [r for r in rows if r["lang"] == lang]
        summary[lang] = {
            m: _mean([r[m] for r in sel])
            for m in ("cer_ebrain", "cer_tesseract", "cer_tesseract_layout")
        }
    at150 = [r for r in rows if r["dpi"] == 150]
    summary["speed_150dpi"] = {
        "pages": len(at150),
        "ebrain_pages_per_s": len(at150) / sum(r["wall_ebrain"] for r in at150),
        "ebrain_cpu_s_per_page_median": _median([r["cpu_ebrain"] for r in at150]),
        "tesseract_pages_per_s": len(at150) / sum(r["wall_tesseract"] for r in at150),
        "tesseract_cpu_s_per_page_median": _median([r["cpu_tesseract"] for r in at150]),
    }
    summary["peak_rss_mib"] = peaks
    for lang in ("zh", "en"):
        sel = [r for r in rows if r["lang"] == lang]
        summary[lang + "_median"] = {
            m: _median([r[m] for r in sel]) for m in ("cer_ebrain", "cer_tesseract")
        }
    return summary


def retest_tesseract() -> dict[str, Any]:
    """Run only the Tesseract side again (in a child, for its own peak memory) and update the
    Tesseract figures of bench/results/ocr.json."""
    pages = json.loads((CACHE / "pages.json").read_text(encoding="utf-8"))
    child = subprocess.run(
        [sys.executable, __file__, "--tesseract-child"], capture_output=True, check=True, text=True
    )
    tess = json.loads(child.stdout.strip().splitlines()[-1])
    result = json.loads(RESULTS.read_text(encoding="utf-8"))
    by_file = {r["file"]: r for r in result["pages"]}
    for page, t in zip(pages, tess["pages"], strict=True):
        row = by_file[page["file"]]
        row["cer_tesseract"] = cer(page["reference"], t["text"])
        row["cer_tesseract_layout"] = cer(page["reference"], t["layout_text"])
        row["cells_tesseract_layout"] = cell_accuracy(page["table"], t["table"])
        row["wall_tesseract"], row["cpu_tesseract"] = t["wall"], t["cpu"]
    peaks = {
        "ebrain": result["summary"]["peak_rss_mib"]["ebrain"],
        "tesseract": tess["peak_rss_mib"],
    }
    result["summary"] = summarize(result["pages"], peaks)
    result["tesseract_load_average_after"] = os.getloadavg()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--variants", type=int, default=1, help="page seeds per design and language"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--isolation", action="store_true", help="only the 100-page scan run")
    parser.add_argument("--tesseract-only", action="store_true", help="rerun the Tesseract side")
    parser.add_argument("--tesseract-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tesseract_child:
        pages = json.loads((CACHE / "pages.json").read_text(encoding="utf-8"))
        print(json.dumps(run_tesseract(pages)))
        return
    if args.tesseract_only:
        result = retest_tesseract()
        RESULTS.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
        print(json.dumps(result["summary"], indent=1))
        return
    if args.isolation:
        result = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
        result["isolation"] = isolation()
        RESULTS.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
        print(json.dumps(result["isolation"], indent=1, ensure_ascii=False))
        return
    if args.child:
        pages = json.loads(Path(args.child).read_text(encoding="utf-8"))
        print(json.dumps(run_ebrain(pages)))
        return
    pages = generate(args.variants)
    listing = CACHE / "pages.json"
    listing.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    load = os.getloadavg()
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(listing)],
        capture_output=True,
        check=True,
        text=True,
    )
    ours = json.loads(child.stdout.strip().splitlines()[-1])
    child = subprocess.run(
        [sys.executable, __file__, "--tesseract-child"], capture_output=True, check=True, text=True
    )
    tess = json.loads(child.stdout.strip().splitlines()[-1])
    result = score(pages, ours, tess)
    result["load_average_before"] = load
    result["load_average_after"] = os.getloadavg()
    result["command"] = f"nice .venv/bin/python bench/ocr.py --variants {args.variants}"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(result["summary"], indent=1))


if __name__ == "__main__":
    main()
