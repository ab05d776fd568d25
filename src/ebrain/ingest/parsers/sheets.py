"""XLSX and CSV: every sheet one table block, every row kept under its header."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import corrupt, make_document, table_block
from ebrain.ingest.parsers.encoding import decode_text


@dataclass
class XlsxParser:
    """Excel 2007+ workbooks via openpyxl in read-only mode (cached values, not formulas)."""

    name: str = "xlsx"
    extensions: tuple[str, ...] = (".xlsx", ".xlsm")

    def parse(self, path: Path, data: bytes) -> Document:
        """One table block per non-empty sheet, heading path = (sheet name,)."""
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise corrupt("XLSX", exc) from exc
        try:
            blocks, names = _sheet_blocks(book)
            meta = _book_meta(book, names)
        finally:
            book.close()
        doc = make_document(path, "xlsx", blocks, meta.get("title", ""))
        doc.meta = meta
        return doc


def _sheet_blocks(book: Any) -> tuple[list[Block], list[str]]:
    """Table blocks of every worksheet, and the sheet names."""
    blocks: list[Block] = []
    names: list[str] = []
    for sheet in book.worksheets:
        names.append(sheet.title)
        rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        block = table_block(rows, (sheet.title,))
        if block is not None:
            blocks.append(block)
    return blocks, names


def _book_meta(book: Any, names: list[str]) -> dict[str, Any]:
    """Sheet names plus title / author / dates from the workbook properties."""
    meta: dict[str, Any] = {"sheets": names}
    props = book.properties
    for key, attr in (("title", "title"), ("author", "creator"), ("subject", "subject")):
        value = getattr(props, attr, None)
        if value:
            meta[key] = str(value)
    for key in ("created", "modified"):
        value = getattr(props, key, None)
        if value is not None:
            meta[key] = value.isoformat()
    return meta


def cell_text(value: object) -> str:
    """A cell value as text: integral floats without '.0', midnight datetimes as dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
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
        return csv.Sniffer().sniff(text[:20000], delimiters=",\t;|")
    except csv.Error:
        return csv.excel_tab if suffix == ".tsv" else csv.excel


PARSER = XlsxParser()


CSV_PARSER = CsvParser()
