"""XLSX and CSV: every sheet one table block, every row kept under its header."""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import unescape

from ebrain.errors import ParseError
from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import corrupt, make_document, table_block
from ebrain.ingest.parsers.encoding import decode_text

_DC, _DCTERMS = "{http://purl.org/dc/elements/1.1/}", "{http://purl.org/dc/terms/}"
_CORE_TAGS = (
    ("title", _DC + "title"),
    ("author", _DC + "creator"),
    ("subject", _DC + "subject"),
    ("created", _DCTERMS + "created"),
    ("modified", _DCTERMS + "modified"),
)
Cell = tuple[int, int]  # (row, column), 0-based
MAX_SHEET_CELLS = 3_000_000  # cells of one sheet's used range held in memory at once
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*["']([^"']+)["']""")
_CELL_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_DAMAGED = (zipfile.BadZipFile, ET.ParseError, KeyError, ValueError, OSError)
_ERROR_TYPE = re.compile(rb"""\bt\s*=\s*["']e["']""")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb"""\br\s*=\s*["']([A-Z]+)([0-9]+)["']""")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T?(?:(?P<hm>\d{2}:\d{2})(?::(?P<sec>\d{2})(?P<frac>\.\d{1,3})?)?)?"
)


@dataclass
class XlsxParser:
    """Excel 2007+ workbooks via python-calamine (cached values, not formulas)."""

    name: str = "xlsx"
    extensions: tuple[str, ...] = (".xlsx", ".xlsm")

    def parse(self, path: Path, data: bytes) -> Document:
        """One table block per non-empty sheet, heading path = (sheet name,)."""
        from python_calamine import CalamineError

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                _check_dimensions(zf)
                blocks, names = _sheet_blocks(data, _error_cells(zf))
                meta: dict[str, Any] = {"sheets": names, **_core_props(zf)}
        except (CalamineError, *_DAMAGED) as exc:
            raise corrupt("XLSX", exc) from exc
        doc = make_document(path, "xlsx", blocks, meta.get("title", ""))
        doc.meta = meta
        return doc


def _sheet_blocks(data: bytes, errors: dict[str, dict[Cell, str]]) -> tuple[list[Block], list[str]]:
    """Table blocks of every worksheet (chart sheets skipped), and the sheet names."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        if not book.sheets_metadata:
            raise ValueError("the workbook lists no sheets")
        blocks: list[Block] = []
        names: list[str] = []
        for index, info in enumerate(book.sheets_metadata):
            if info.typ in (SheetTypeEnum.ChartSheet, SheetTypeEnum.Vba):
                continue
            names.append(info.name)
            sheet = book.get_sheet_by_index(index)
            _check_size(info.name, sheet.total_height, sheet.total_width)
            values = sheet.to_python(skip_empty_area=False)
            rows = [[cell_text(v) for v in row] for row in values]
            block = table_block(_with_errors(rows, errors.get(info.name, {})), (info.name,))
            blocks += [block] if block is not None else []
    finally:
        book.close()
    return blocks, names


def _check_size(name: str, height: int, width: int) -> None:
    """Refuse a sheet whose used range is too big to hold (a far-away cell stretches the range:
    A1 plus ZZ200000 spans 140 million cells)."""
    if height * width > MAX_SHEET_CELLS:
        raise ParseError(
            "too_large",
            f"sheet {name!r} spans {height:,} rows x {width:,} columns, over the "
            f"{MAX_SHEET_CELLS:,}-cell limit",
            hint="delete stray cells far from the data, or export the sheet to CSV",
        )


def _check_dimensions(zf: zipfile.ZipFile) -> None:
    """Refuse oversized sheets before calamine loads them (it allocates the whole used range,
    densely): the `<dimension ref="A1:ZZ200000"/>` Excel writes near the top of each sheet."""
    for name, part in _sheet_parts(zf).items():
        with zf.open(part) as stream:
            found = _DIMENSION.search(stream.read(4096))
        extent = _extent(found.group(1).decode("ascii", "replace")) if found else None
        if extent is not None:
            _check_size(name, *extent)


def _extent(ref: str) -> tuple[int, int] | None:
    """(rows, columns) from A1 to the last cell of a range reference, or None if unreadable."""
    found = _CELL_REF.fullmatch(ref.split(":")[-1].strip().upper())
    if found is None:
        return None
    col = 0
    for letter in found.group(1):
        col = col * 26 + ord(letter) - 64
    return int(found.group(2)), col


def _with_errors(rows: list[list[str]], errors: dict[Cell, str]) -> list[list[str]]:
    """`rows` with the error codes put back where calamine left the cells empty."""
    for (row, col), code in errors.items():
        rows += [[] for _ in range(row + 1 - len(rows))]
        rows[row] += [""] * (col + 1 - len(rows[row]))
        rows[row][col] = code
    return rows


def _error_cells(zf: zipfile.ZipFile) -> dict[str, dict[Cell, str]]:
    """Error values (#N/A, #DIV/0! ...) by sheet name and (row, column), 0-based; calamine
    reads such cells as empty, openpyxl read the code. Sheets without any are not parsed."""
    out: dict[str, dict[Cell, str]] = {}
    parts = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    flagged = [part for part in parts if _mentions_error(zf, part)]
    if not flagged:
        return out
    for name, part in _sheet_parts(zf).items():
        if part in flagged:
            out[name] = _errors_in(zf.read(part))
    return out


def _mentions_error(zf: zipfile.ZipFile, part: str) -> bool:
    """True when the part has an error-typed cell (t="e"), read in chunks."""
    tail = b""
    with zf.open(part) as stream:
        while chunk := stream.read(1 << 22):
            text = tail + chunk
            if (b'"e"' in text or b"'e'" in text) and _ERROR_TYPE.search(text):
                return True
            tail = chunk[-16:]
    return False


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part path, from xl/workbook.xml and its relationships."""
    book = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    out: dict[str, str] = {}
    for sheet in (el for el in book.iter() if el.tag.endswith("}sheet")):
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid, "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out[sheet.get("name", "")] = posixpath.normpath(path)
    return out


def _errors_in(xml: bytes) -> dict[Cell, str]:
    """The error cells of one worksheet's XML: (row, column) -> code."""
    out: dict[Cell, str] = {}
    for match in _CELL.finditer(xml):
        attrs, inner = match.group(1), match.group(2) or b""
        ref, value = _REF.search(attrs), _VALUE.search(inner)
        if _ERROR_TYPE.search(attrs) and ref and value:
            column = 0
            for letter in ref.group(1).decode():
                column = column * 26 + ord(letter) - 64
            out[int(ref.group(2)) - 1, column - 1] = unescape(value.group(1).decode("utf-8"))
    return out


def _core_props(zf: zipfile.ZipFile) -> dict[str, str]:
    """Title / author / subject / created / modified from docProps/core.xml, when present."""
    try:
        root = ET.fromstring(zf.read("docProps/core.xml"))
    except KeyError:
        return {}
    meta: dict[str, str] = {}
    for key, tag in _CORE_TAGS:
        node = root.find(tag)
        text = node.text if node is not None else None
        if text and key in ("created", "modified"):
            text = _w3c_date(text)
        if text:
            meta[key] = text
    return meta


def _w3c_date(value: str) -> str:
    """A W3CDTF timestamp as ISO text without its zone (openpyxl's reading); else ''."""
    match = _ISO.match(value.strip())
    if match is None:
        return ""
    day, hm, sec, frac = match.group("date", "hm", "sec", "frac")
    if hm is None:
        return day
    micro = int(float(frac) * 1_000_000) if frac else 0
    return f"{day}T{hm}:{sec or '00'}" + (f".{micro:06d}" if micro else "")


def cell_text(value: object) -> str:
    """A cell value as text: integral floats without '.0', midnight datetimes as dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


@dataclass
class CsvParser:
    """CSV / TSV in any encoding decode_text knows; the delimiter is sniffed."""

    name: str = "csv"
    extensions: tuple[str, ...] = (".csv", ".tsv")

    def parse(self, path: Path, data: bytes) -> Document:
        """One table block with every row."""
        text, encoding = decode_text(data)
        dialect = _dialect(text, path.suffix.lower())
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
        block = table_block(rows, ())
        doc = make_document(path, "csv", [block] if block else [])
        doc.meta = {"encoding": encoding, "delimiter": dialect.delimiter}
        return doc


def _dialect(text: str, suffix: str) -> type[csv.Dialect] | csv.Dialect:
    """The sniffed CSV dialect, falling back to comma (tab for .tsv)."""
    try:
        return _Sniffer().sniff(text[:20000], delimiters=",\t;|")
    except csv.Error:
        return csv.excel_tab if suffix == ".tsv" else csv.excel


class _Sniffer(csv.Sniffer):
    """csv.Sniffer counting only the candidate delimiters when it guesses by frequency: the
    standard one tallies all 127 ASCII characters per line, then keeps only candidates."""

    def _guess_delimiter(self, data: str, delimiters: str | None) -> tuple[str, bool]:
        """(delimiter, skip initial space) exactly as csv.Sniffer._guess_delimiter decides."""
        lines = [line for line in data.split("\n") if line]
        chars = [chr(c) for c in range(127) if delimiters is None or chr(c) in delimiters]
        chunk = min(10, len(lines))
        frequency: dict[str, dict[int, int]] = {}
        delims: dict[str, tuple[int, int]] = {}
        for iteration, start in enumerate(range(0, len(lines), chunk or 1), start=1):
            for line in lines[start : start + chunk]:
                for char in chars:
                    counts = frequency.setdefault(char, {})
                    found = line.count(char)
                    counts[found] = counts.get(found, 0) + 1
            total = float(min(chunk * iteration, len(lines)))
            delims = _consistent(_modes(frequency), total, delimiters)
            if delims:  # the standard loop never changes a non-empty candidate set again
                break
        if not delims:
            return "", False
        delim = _preferred(delims, self.preferred)
        return delim, lines[0].count(delim) == lines[0].count(f"{delim} ")


def _modes(frequency: dict[str, dict[int, int]]) -> dict[str, tuple[int, int]]:
    """Per character: its most common count per line, and how many more lines had it."""
    modes: dict[str, tuple[int, int]] = {}
    for char, counts in frequency.items():
        items = list(counts.items())
        if len(items) == 1 and items[0][0] == 0:
            continue
        mode = max(items, key=lambda x: x[1])
        items.remove(mode)
        modes[char] = (mode[0], mode[1] - sum(item[1] for item in items))
    return modes


def _consistent(
    modes: dict[str, tuple[int, int]], total: float, delimiters: str | None
) -> dict[str, tuple[int, int]]:
    """The candidates whose mode holds on the most lines, at 100% down to 90% of them."""
    delims: dict[str, tuple[int, int]] = {}
    consistency = 1.0
    while not delims and consistency >= 0.9:
        for k, v in modes.items():
            wanted = delimiters is None or k in delimiters
            if v[0] > 0 and v[1] > 0 and v[1] / total >= consistency and wanted:
                delims[k] = v
        consistency -= 0.01
    return delims


def _preferred(delims: dict[str, tuple[int, int]], preferred: list[str]) -> str:
    """The only candidate, else the first preferred one, else the most frequent."""
    if len(delims) > 1:
        for d in preferred:
            if d in delims:
                return d
    return max((v, k) for k, v in delims.items())[1]


PARSER = XlsxParser()


CSV_PARSER = CsvParser()
