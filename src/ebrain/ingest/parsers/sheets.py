"""XLSX and CSV: every sheet one table block, every row kept under its header."""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import unescape

from ebrain.errors import ParseError
from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.archive import DAMAGED, Archive, open_archive
from ebrain.ingest.parsers.base import corrupt, make_document, table_block
from ebrain.ingest.parsers.encoding import decode_text
from ebrain.ingest.parsers.ooxml import package_errors, parse_xml

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
_CELL_COLUMN = re.compile(rb' r="([A-Z]{1,3})[0-9]')  # the spelling every writer uses, fast
_CELL_ROW = re.compile(rb' r="[A-Z]{1,3}([0-9]{1,7})"')
_CELL_OPENINGS = (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/")  # cells, maybe a few more
_SCAN_CHUNK = 1 << 22
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

        with package_errors("XLSX"):
            book = open_archive(data)
            errors = _scan_parts(book, _sheet_parts(book))
            core = _core_props(book)
        try:
            blocks, names = _sheet_blocks(data, errors)
        except CalamineError as exc:
            raise corrupt("XLSX", exc) from exc
        except DAMAGED as exc:
            raise corrupt("XLSX", exc) from exc
        meta: dict[str, Any] = {"sheets": names, **core}
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
            _check_size(info.name, sheet.height, sheet.width)
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


def _scan_parts(book: Archive, sheets: dict[str, str]) -> dict[str, dict[Cell, str]]:
    """Inflate every XML part once within the budget before calamine (which inflates them out
    of our sight) gets the file; refuse sheets whose used range is too big to hold, and return
    the error cells of the sheets that have any."""
    names = {part: name for name, part in sheets.items()}
    errors: dict[str, dict[Cell, str]] = {}
    for part in book.names():
        if part in names:
            scan = _SheetScan(names[part])
            scan.read(book, part)
            if scan.has_errors:
                errors[names[part]] = _errors_in(book.read(part))
    others = [p for p in book.names() if p.endswith((".xml", ".rels")) and p not in names]
    if not book.fits(others):  # else no need to inflate them twice to know they are safe
        for part in others:
            with book.open(part) as stream:
                while stream.read(_SCAN_CHUNK):
                    pass
    return errors


class _SheetScan:
    """One pass over a worksheet part: its used range (from the cell references, not from
    the `<dimension>` tag it may carry) and whether it has error cells."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.has_errors = False
        self.columns: set[bytes] = set()
        self.rows: set[bytes] = set()
        self.cells = 0
        self.refs = 0

    def read(self, book: Archive, part: str) -> None:
        """Scan the part in chunks, then check the extent (ParseError 'too_large')."""
        carry = b""
        with book.open(part) as stream:
            while chunk := stream.read(_SCAN_CHUNK):
                self._check_dimension(carry, chunk)
                text = carry + chunk
                cut = text.rfind(b">") + 1 if len(text) < 2 * _SCAN_CHUNK else len(text)
                self._scan(text[:cut])  # no reference spans a '>': none is cut in two
                carry = text[cut:]
        self._scan(carry)
        if self.cells > self.refs:
            self._exact(book, part)
        _check_size(self.name, *_span(self.rows, self.columns))

    def _check_dimension(self, carry: bytes, chunk: bytes) -> None:
        """Refuse early on the `<dimension ref="A1:ZZ200000"/>` Excel writes near the top."""
        found = _DIMENSION.search(chunk, 0, 4096) if not self.cells and not carry else None
        extent = _extent(found.group(1).decode("ascii", "replace")) if found else None
        if extent is not None:
            _check_size(self.name, *extent)

    def _scan(self, text: bytes) -> None:
        """Collect the column letters and row numbers of the cell references in `text`."""
        columns = _CELL_COLUMN.findall(text)
        self.columns.update(columns)
        self.rows.update(_CELL_ROW.findall(text))
        self.refs += len(columns)
        self.cells += sum(text.count(opening) for opening in _CELL_OPENINGS)
        if not self.has_errors and (b'"e"' in text or b"'e'" in text):
            self.has_errors = _ERROR_TYPE.search(text) is not None

    def _exact(self, book: Archive, part: str) -> None:
        """Positions of every cell by a real XML parse, placing cells without a reference as
        calamine does (next column, next row); for sheets written in unusual spellings."""
        from lxml import etree

        self.rows, self.columns = set(), set()
        with book.open(part) as stream:
            events = etree.iterparse(
                stream, ("start", "end"), resolve_entities=False, no_network=True
            )
            row, col = 0, 0
            for event, node in events:
                local = node.tag.rpartition("}")[2] if isinstance(node.tag, str) else ""
                if event == "end":
                    if local == "row":
                        node.clear()
                elif local == "row":
                    row, col = _row_number(node.get("r"), row + 1), 0
                elif local == "c":
                    row, col = _cell_position(node.get("r"), row, col + 1)
                    self.rows.add(str(row).encode())
                    self.columns.add(_column_letters(col))


def _row_number(ref: str | None, default: int) -> int:
    return int(ref) if ref and ref.isdigit() else default


def _cell_position(ref: str | None, row: int, col: int) -> tuple[int, int]:
    """(row, column), 1-based, of a cell reference; (row, col) when there is none."""
    found = _CELL_REF.fullmatch(ref.strip().upper()) if ref else None
    if found is None:
        return max(row, 1), col
    return int(found.group(2)), _column_number(found.group(1))


def _column_number(letters: str) -> int:
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return col


def _column_letters(col: int) -> bytes:
    out = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out.encode()


def _span(rows: set[bytes], columns: set[bytes]) -> tuple[int, int]:
    """(rows, columns) of the smallest range holding every cell (0, 0 for none)."""
    if not rows or not columns:
        return 0, 0
    numbers = [int(r) for r in rows]
    letters = [_column_number(c.decode()) for c in columns]
    return max(numbers) - min(numbers) + 1, max(letters) - min(letters) + 1


def _extent(ref: str) -> tuple[int, int] | None:
    """(rows, columns) of a range reference ('A1:C10', or one cell), or None if unreadable."""
    ends = [_CELL_REF.fullmatch(end.strip().upper()) for end in ref.split(":")]
    if not ends or None in ends or len(ends) > 2:
        return None
    rows = [int(end.group(2)) for end in ends if end is not None]
    cols = [_column_number(end.group(1)) for end in ends if end is not None]
    return max(rows) - min(rows) + 1, max(cols) - min(cols) + 1


def _with_errors(rows: list[list[str]], errors: dict[Cell, str]) -> list[list[str]]:
    """`rows` with the error codes put back where calamine left the cells empty."""
    for (row, col), code in errors.items():
        rows += [[] for _ in range(row + 1 - len(rows))]
        rows[row] += [""] * (col + 1 - len(rows[row]))
        rows[row][col] = code
    return rows


def _sheet_parts(archive: Archive) -> dict[str, str]:
    """Sheet name -> worksheet part path, from xl/workbook.xml and its relationships."""
    book = parse_xml(archive.read("xl/workbook.xml"))
    rels = parse_xml(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    out: dict[str, str] = {}
    for sheet in (el for el in book.iter() if str(el.tag).endswith("}sheet")):
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


def _core_props(archive: Archive) -> dict[str, str]:
    """Title / author / subject / created / modified from docProps/core.xml, when present."""
    if not archive.has("docProps/core.xml"):
        return {}
    root = parse_xml(archive.read("docProps/core.xml"))
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
        warnings: list[str] = []
        text, encoding = decode_text(data, warnings)
        dialect = _dialect(text, path.suffix.lower())
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
        block = table_block(rows, ())
        doc = make_document(path, "csv", [block] if block else [])
        doc.meta = {"encoding": encoding, "delimiter": dialect.delimiter}
        doc.warnings = warnings
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
