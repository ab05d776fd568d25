"""OCR for scans: the OcrEngine protocol, its registry (entry-point group `ebrain.ocr`) and the
per-parse options. Engines load lazily, once per worker process; nothing is downloaded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from ebrain.errors import ParseError
from ebrain.registry import Registry

ENTRY_POINT_GROUP = "ebrain.ocr"
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels, y down


@dataclass(frozen=True)
class OcrLine:
    """One recognised line: its text, its box on the image and the engine's confidence (0..1)."""

    text: str
    box: Box
    confidence: float
    angle: float = 0.0  # degrees the line's baseline is rotated (counter-clockwise), if known


@runtime_checkable
class OcrEngine(Protocol):
    """Reads the text lines of one page image (a PIL image)."""

    name: str

    def recognize(self, image: Any) -> list[OcrLine]:
        """The text lines of `image`, in any order."""
        ...


@dataclass(frozen=True)
class OcrOptions:
    """OCR settings of one ingest run (picklable: workers get them with PrepareOptions)."""

    enabled: bool = True
    engine: str = "auto"  # auto: rapidocr if installed, else tesseract if on PATH
    max_pages: int = 50  # pages OCR'd per document; the rest are reported, not read
    dpi: int = 150  # PDF pages are rendered at this resolution for OCR
    min_confidence: float = 0.8  # pages whose mean confidence is lower are warnings
    # Seconds of OCR per document (0: no limit); pages after it are reported, not read. Ingest
    # sets it under ingest.parse_timeout_s, so a long scan keeps what was read in time.
    time_budget_s: float = 0.0


REGISTRY: Registry[OcrEngine] = Registry("OCR engine", ENTRY_POINT_GROUP)
INSTALL_HINT = (
    "install the OCR extra: pip install 'ebrain[ocr]' (on Debian also "
    "`apt-get install libgl1 libglib2.0-0`), or `apt-get install tesseract-ocr "
    "tesseract-ocr-chi-sim` and set ocr.engine to tesseract"
)
DEFAULT_OPTIONS = OcrOptions()
_OPTIONS: ContextVar[OcrOptions] = ContextVar("ebrain_ocr", default=DEFAULT_OPTIONS)
PageProgress = Callable[[int, int], None]  # (pages done, pages to do) of the current file
_PROGRESS: ContextVar[PageProgress | None] = ContextVar("ebrain_ocr_progress", default=None)


def create_rapidocr(spec: str) -> OcrEngine:
    """The RapidOCR engine (entry point `rapidocr`); EngineMissing when not installed."""
    from ebrain.ingest.ocr.engines import RapidOcrEngine

    return RapidOcrEngine()


def create_tesseract(spec: str) -> OcrEngine:
    """The Tesseract engine (entry point `tesseract[:LANGS]`); EngineMissing without it."""
    from ebrain.ingest.ocr.engines import TesseractEngine

    return TesseractEngine.from_spec(spec)


REGISTRY.register("rapidocr", create_rapidocr)
REGISTRY.register("tesseract", create_tesseract)


class EngineMissing(Exception):
    """The configured OCR engine cannot run here (not installed, a system library missing)."""


def options() -> OcrOptions:
    """The OCR options of the parse in progress."""
    return _OPTIONS.get()


@contextmanager
def ocr_scope(opts: OcrOptions | None) -> Iterator[None]:
    """Use `opts` for the parses inside the block."""
    token = _OPTIONS.set(opts or OcrOptions())
    try:
        yield
    finally:
        _OPTIONS.reset(token)


@contextmanager
def progress_scope(progress: PageProgress | None) -> Iterator[None]:
    """Report OCR'd pages to `progress` during the parses inside the block."""
    token = _PROGRESS.set(progress)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def report_page(done: int, total: int) -> None:
    """Tell whoever watches the parse that OCR finished page `done` of `total`."""
    callback = _PROGRESS.get()
    if callback is not None:
        callback(done, total)


@lru_cache(maxsize=4)
def engine(spec: str) -> OcrEngine:
    """The engine for `spec` (auto, rapidocr, tesseract[:langs], or a plugin's name), loaded
    once per process; EngineMissing when it cannot run here."""
    if spec.strip().lower() != "auto":
        return REGISTRY.create(spec)
    problems = []
    for name in ("rapidocr", "tesseract"):
        try:
            return REGISTRY.create(name)
        except EngineMissing as exc:
            problems.append(str(exc))
    raise EngineMissing("; ".join(problems))


def missing_engine(what: str, exc: BaseException) -> ParseError:
    """The actionable `needs_ocr` report for a file that needs OCR when no engine can run."""
    return ParseError(
        "needs_ocr",
        f"{what} needs OCR, but no OCR engine can run here ({exc})",
        hint=INSTALL_HINT,
    )
