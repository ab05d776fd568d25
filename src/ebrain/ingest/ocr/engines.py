"""The built-in OCR engines: RapidOCR (PP-OCR models inside the wheel, onnxruntime) and
Tesseract (the `tesseract` command, e.g. Debian's tesseract-ocr with chi_sim and eng)."""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from ebrain.ingest.ocr import EngineMissing, OcrLine

TESSERACT_TIMEOUT_S = 120.0
MIN_TSV_COLUMNS = 12


@dataclass
class RapidOcrEngine:
    """rapidocr-onnxruntime: PP-OCRv4 detection and recognition for Chinese and English."""

    name: str = "rapidocr"
    _ocr: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except (ImportError, OSError) as exc:  # not installed, or cv2 without libGL
            raise EngineMissing(f"rapidocr: {exc}") from exc
        # One thread: the ingest pool already runs one worker per CPU, and on a busy machine
        # onnxruntime's spinning thread pool cost more CPU than it saved (measured: 1.8 s of
        # CPU a page with one thread, 3.0 s with its default).
        self._ocr = RapidOCR(
            use_cls=False,
            print_verbose=False,
            intra_op_num_threads=1,
            inter_op_num_threads=1,
            det_limit_type="max",
        )

    def recognize(self, image: Any) -> list[OcrLine]:
        """The lines RapidOCR finds on `image` (a PIL image)."""
        import numpy as np

        found, _elapsed = self._ocr(np.asarray(image.convert("RGB")), use_cls=False)
        return [_rapid_line(quad, text, score) for quad, text, score in found or []]


def _rapid_line(quad: list[list[float]], text: str, score: float) -> OcrLine:
    """An OcrLine from RapidOCR's quadrilateral (top-left, top-right, bottom-right, ...)."""
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    (x0, y0), (x1, y1) = quad[0], quad[1]
    angle = -math.degrees(math.atan2(float(y1) - float(y0), float(x1) - float(x0)))
    box = (min(xs), min(ys), max(xs), max(ys))
    return OcrLine(tidy(str(text)), box, float(score), angle)


_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])"
)


def tidy(text: str) -> str:
    """Recognised text without the spaces engines put between Chinese characters."""
    return _CJK_GAP.sub("", text.strip())


@dataclass
class TesseractEngine:
    """Tesseract 5 by its command line (no Python binding), one process per page."""

    name: str = "tesseract"
    langs: str = "chi_sim+eng"
    binary: str = "tesseract"

    @classmethod
    def from_spec(cls, spec: str) -> TesseractEngine:
        """`tesseract` or `tesseract:LANGS` (e.g. tesseract:eng)."""
        langs = spec.split(":", 1)[1] if ":" in spec else "chi_sim+eng"
        binary = shutil.which("tesseract")
        if binary is None:
            raise EngineMissing("tesseract: the tesseract command is not on PATH")
        return cls(langs=langs or "chi_sim+eng", binary=binary)

    def recognize(self, image: Any) -> list[OcrLine]:
        """The lines Tesseract finds on `image` (its TSV output, words joined per line)."""
        buffer = io.BytesIO()
        image.convert("L").save(buffer, format="PNG")
        dpi = image.info.get("dpi", (150, 150))[0]
        command = [self.binary, "stdin", "stdout", "-l", self.langs, "--dpi", str(int(dpi))]
        done = subprocess.run(
            [*command, "--psm", "3", "tsv"],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=TESSERACT_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise EngineMissing(f"tesseract: {done.stderr.decode('utf-8', 'replace')[:200]}")
        return tsv_lines(done.stdout.decode("utf-8", "replace"))


def tsv_lines(tsv: str) -> list[OcrLine]:
    """Tesseract TSV (one row per word) grouped into lines."""
    lines: dict[tuple[str, str, str], list[list[str]]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < MIN_TSV_COLUMNS or cols[0] != "5" or not cols[11].strip():
            continue
        lines.setdefault((cols[2], cols[3], cols[4]), []).append(cols)
    return [_tess_line(part) for words in lines.values() for part in _segments(words)]


def _segments(words: list[list[str]]) -> list[list[list[str]]]:
    """A Tesseract line cut where the gap between two words exceeds twice the line's height
    (table cells and columns that Tesseract put on one line)."""
    words = sorted(words, key=lambda w: int(w[6]))
    height = max(int(w[9]) for w in words)
    parts = [[words[0]]]
    for prev, word in pairwise(words):
        if int(word[6]) - (int(prev[6]) + int(prev[8])) > 2 * height:
            parts.append([])
        parts[-1].append(word)
    return parts


def _tess_line(words: list[list[str]]) -> OcrLine:
    x0 = min(int(w[6]) for w in words)
    y0 = min(int(w[7]) for w in words)
    x1 = max(int(w[6]) + int(w[8]) for w in words)
    y1 = max(int(w[7]) + int(w[9]) for w in words)
    text = tidy(_join_words([w[11].strip() for w in words]))
    conf = sum(max(0.0, float(w[10])) for w in words) / len(words) / 100.0
    return OcrLine(text, (float(x0), float(y0), float(x1), float(y1)), conf)


def _join_words(words: list[str]) -> str:
    """Tesseract splits Chinese into one 'word' per character: join those without spaces."""
    from ebrain.text import is_cjk

    out = words[0]
    for word in words[1:]:
        glue = "" if is_cjk(out[-1]) or is_cjk(word[0]) else " "
        out += glue + word
    return out
