"""DOCX: headings (styles or outline levels) as heading paths, lists, tables as rows.

Reads word/document.xml with lxml and looks up only the paragraph styles the body uses in
styles.xml (see _StyleFinder), instead of loading the whole package through python-docx.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.archive import Readable
from ebrain.ingest.parsers.base import (
    HeadingTracker,
    clean_inline,
    make_document,
    table_block,
)
from ebrain.ingest.parsers.ooxml import (
    NOT_UTF8,
    W_NS,
    Element,
    Package,
    core_meta,
    package_errors,
    parse_xml,
    picture_blocks,
    to_int,
)

_HEADING_STYLE = re.compile(r"^(?:heading|标题|標題)\s*(\d)$", re.IGNORECASE)
_W = "{" + W_NS + "}"
_P, _R, _T, _TBL, _TR, _TC = (f"{_W}{t}" for t in ("p", "r", "t", "tbl", "tr", "tc"))
_TAB, _PTAB, _BR, _CR, _NO_BREAK_HYPHEN = (
    f"{_W}{t}" for t in ("tab", "ptab", "br", "cr", "noBreakHyphen")
)
_SDT, _SDT_PR, _SDT_CONTENT = f"{_W}sdt", f"{_W}sdtPr", f"{_W}sdtContent"
_PPR, _PSTYLE, _NUMPR, _OUTLINE_LVL = f"{_W}pPr", f"{_W}pStyle", f"{_W}numPr", f"{_W}outlineLvl"
_TCPR, _TRPR, _GRID_SPAN, _VMERGE = f"{_W}tcPr", f"{_W}trPr", f"{_W}gridSpan", f"{_W}vMerge"
_GRID_BEFORE, _DOC_PART_GALLERY = f"{_W}gridBefore", f"{_W}docPartGallery"
_STYLE, _NAME, _BASED_ON = f"{_W}style", f"{_W}name", f"{_W}basedOn"
_VAL, _TYPE, _DEFAULT, _STYLE_ID = f"{_W}val", f"{_W}type", f"{_W}default", f"{_W}styleId"
# Inline wrappers whose runs are part of the paragraph text (w:del / w:moveFrom are not).
_RUN_CONTAINERS = frozenset(
    f"{_W}{t}"
    for t in (
        "hyperlink",
        "ins",
        "smartTag",
        "fldSimple",
        "customXml",
        "moveTo",
        "sdt",
        "sdtContent",
    )
)
_RUN_TEXT = {_TAB: "\t", _PTAB: "\t", _CR: "\n", _NO_BREAK_HYPHEN: "-"}
_W_DECL = b'xmlns:w="' + W_NS.encode() + b'"'
_ROOT_TAG = re.compile(rb"<w:styles[\s>][^>]*>")


@dataclass
class DocxParser:
    """Word 2007+ documents, body in document order."""

    name: str = "docx"
    extensions: tuple[str, ...] = (".docx", ".docm", ".dotx")

    def parse(self, path: Path, data: bytes) -> Document:
        """Parse paragraphs and tables in the order they appear in the body."""
        with package_errors("DOCX"):
            package = Package(data)
            main = package.main_part("word/document.xml")
            body = package.xml(main).find(f"{_W}body")
            if body is None:
                raise ValueError(f"{main} has no w:body")
            styles_part = package.related(main, "styles")
            if styles_part is not None and package.has(styles_part):
                styles = _Styles(_StyleFinder(package.open(styles_part)))
            else:
                styles = _Styles(None)
            blocks = _body_blocks(body, styles)
            pictures, warnings = picture_blocks(package, [(main, None)])
            meta = core_meta(package, utc=True)
        doc = make_document(path, "docx", blocks + pictures, meta.get("title", ""))
        doc.meta, doc.warnings = meta, warnings
        return doc


def _body_blocks(body: Element, styles: _Styles) -> list[Block]:
    """Blocks of the body: headings, paragraphs (list items merged), tables."""
    tracker = HeadingTracker()
    blocks: list[Block] = []
    for item in _block_items(body):
        if item.tag == _P:
            text, props = _paragraph(item)
            _add_paragraph(text, props, styles, tracker, blocks)
        else:
            block = table_block(_table_rows(item), tracker.path)
            blocks += [block] if block else []
    return blocks


def _block_items(parent: Element) -> Iterator[Element]:
    """The w:p and w:tbl children, content controls unwrapped (a table of contents skipped)."""
    for child in parent:
        tag = child.tag
        if tag in (_P, _TBL):
            yield child
        elif tag == _SDT and not _is_toc(child):
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _block_items(content)


def _is_toc(sdt: Element) -> bool:
    """True for a content control holding a table of contents (it repeats the headings)."""
    props = sdt.find(_SDT_PR)
    gallery = props.find(f".//{_DOC_PART_GALLERY}") if props is not None else None
    return gallery is not None and (gallery.get(_VAL) or "").startswith("Table of Contents")


@dataclass(frozen=True)
class _StyleInfo:
    """What a paragraph style says about its paragraphs."""

    name_level: int | None  # 1 for Title, N for a 'Heading N' name, None for other names
    outline: int | None  # the outline level set on the style or inherited
    is_list: bool  # a 'List ...' style


def _style_info(name: str, outline: int | None) -> _StyleInfo:
    """The facts of a paragraph style named `name`."""
    match = _HEADING_STYLE.match(name.strip())
    level = 1 if name.lower() == "title" else int(match.group(1)) if match else None
    return _StyleInfo(level, outline, name.lower().startswith("list"))


class _ParaProps(NamedTuple):
    """What a paragraph's w:pPr says: style id, numbering, outline level."""

    style_id: str | None = None
    numbered: bool = False
    outline: int | None = None


_NO_PROPS = _ParaProps()


def _add_paragraph(
    text: str, props: _ParaProps, styles: _Styles, tracker: HeadingTracker, blocks: list[Block]
) -> None:
    """Append a paragraph as a heading, a list item (merged into the list) or text."""
    text = text.strip()
    if not text:
        return
    style = styles.info(props.style_id)
    level = _heading_level(props, style)
    if level:
        path = tracker.push(level, clean_inline(text))
        blocks.append(Block(clean_inline(text), "heading", path))
        return
    if props.numbered or style.is_list:
        item = f"- {text}"
        last = blocks[-1] if blocks else None
        if last and last.kind == "text" and last.text.startswith("- "):
            last.text += "\n" + item
            return
        text = item
    blocks.append(Block(text, "text", tracker.path))


def _paragraph(p: Element) -> tuple[str, _ParaProps]:
    """The text of a paragraph and its properties (its first w:pPr).

    (Element lookups with find() cost ~2 us each in lxml; walking the children is cheaper.)
    """
    props = next((_para_props(child) for child in p if child.tag == _PPR), _NO_PROPS)
    parts: list[str] = []
    _collect_runs(p, parts)
    return "".join(parts), props


def _collect_runs(parent: Element, parts: list[str]) -> None:
    """Append the text of the runs under `parent`, through hyperlinks, insertions, fields."""
    for child in parent:
        tag = child.tag
        if tag == _R:
            _run_text(child, parts)
        elif tag in _RUN_CONTAINERS:
            _collect_runs(child, parts)


def _run_text(run: Element, parts: list[str]) -> None:
    """Append the text of one w:r (page and column breaks add nothing)."""
    for child in run:
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _BR:
            parts.append("\n" if child.get(_TYPE, "textWrapping") == "textWrapping" else "")
        elif tag in _RUN_TEXT:
            parts.append(_RUN_TEXT[tag])


def _para_props(ppr: Element | None) -> _ParaProps:
    """Style id, numbering and outline level of w:pPr (the first of each child)."""
    if ppr is None:
        return _NO_PROPS
    style_id, numbered, outline = None, False, None
    for child in ppr:
        tag = child.tag
        if tag == _PSTYLE and style_id is None:
            style_id = child.get(_VAL)
        elif tag == _NUMPR:
            numbered = True
        elif tag == _OUTLINE_LVL and outline is None:
            outline = to_int(child.get(_VAL))
    return _ParaProps(style_id, numbered, outline)


def _heading_level(props: _ParaProps, style: _StyleInfo) -> int:
    """1-9 for a heading (by style name or outline level), 0 otherwise."""
    if style.name_level is not None:
        return style.name_level
    level = props.outline if props.outline is not None else style.outline
    return level + 1 if level is not None and level < 9 else 0


_Cell = tuple[str, str | None, int]  # text, w:vMerge value, grid columns spanned


def _table_rows(tbl: Element) -> list[list[str]]:
    """Cell texts row by row: a merged cell repeats its text in every grid column it covers."""
    grid = [_row(tr) for tr in tbl if tr.tag == _TR]
    return [_row_texts(grid, index) for index in range(len(grid))]


def _row(tr: Element) -> tuple[int, list[_Cell]]:
    """(empty grid columns before the first cell, the cells) of a w:tr."""
    before, cells = 0, []
    for child in tr:
        if child.tag == _TC:
            cells.append(_cell(child))
        elif child.tag == _TRPR:
            node = next((c for c in child if c.tag == _GRID_BEFORE), None)
            before = (to_int(node.get(_VAL)) or 0) if node is not None else 0
    return before, cells


def _cell(tc: Element) -> _Cell:
    """The text (paragraphs joined by newlines), vertical merge and span of a w:tc."""
    texts, merge, span, seen = [], None, 1, False
    for child in tc:
        if child.tag == _P:
            texts.append(_paragraph(child)[0])
        elif child.tag == _TCPR and not seen:
            seen = True
            for prop in child:
                if prop.tag == _GRID_SPAN:
                    value = to_int(prop.get(_VAL))
                    span = 1 if value is None else value
                elif prop.tag == _VMERGE:
                    merge = prop.get(_VAL, "continue")
    return "\n".join(texts), merge, span


def _row_texts(grid: list[tuple[int, list[_Cell]]], index: int) -> list[str]:
    """The texts of row `index`, one per grid column its cells cover."""
    out: list[str] = []
    for position in range(len(grid[index][1])):
        out += _grid_texts(grid, index, position)
    return out


def _grid_texts(grid: list[tuple[int, list[_Cell]]], index: int, position: int) -> list[str]:
    """A cell's text once per spanned column; a continued vertical merge shows the cell above."""
    text, merge, span = grid[index][1][position]
    if merge == "continue":
        above = _cell_above(grid, index, position)
        if above is not None:
            return _grid_texts(grid, index - 1, above)
    return [text] * span


def _cell_above(grid: list[tuple[int, list[_Cell]]], index: int, position: int) -> int | None:
    """The position of the cell in the previous row starting at the same grid column."""
    if index == 0:
        return None
    before, cells = grid[index]
    remaining = before + sum(cell[2] for cell in cells[:position]) - grid[index - 1][0]
    for above, cell in enumerate(grid[index - 1][1]):
        if remaining <= 0:
            return above if remaining == 0 else None
        remaining -= cell[2]
    return None


@dataclass(frozen=True)
class _Style:
    """The facts of one w:style that matter here."""

    kind: str  # w:type: paragraph, character, table or numbering
    name: str
    based_on: str | None
    outline: int | None  # w:pPr/w:outlineLvl


class _Styles:
    """Paragraph style facts by style id, as python-docx resolved them (default style fallback)."""

    def __init__(self, finder: _StyleFinder | None) -> None:
        self._finder = finder
        self._infos: dict[str | None, _StyleInfo] = {}

    def info(self, style_id: str | None) -> _StyleInfo:
        """Name and (inherited) outline level of a paragraph style."""
        info = self._infos.get(style_id)
        if info is None:
            info = self._infos[style_id] = self._resolve(style_id)
        return info

    def _resolve(self, style_id: str | None) -> _StyleInfo:
        if self._finder is None:  # no styles part: the id is the best name there is
            return _style_info(style_id or "", None)
        style = self._finder.find(style_id) if style_id else None
        if style is None or style.kind != "paragraph":
            style = self._finder.find(None)
        return _style_info(style.name, self._outline(style)) if style else _style_info("", None)

    def _outline(self, style: _Style | None) -> int | None:
        """The outline level set on the style or inherited through w:basedOn."""
        assert self._finder is not None
        for _ in range(32):  # basedOn chains are short; this also stops cycles
            if style is None or style.outline is not None:
                break
            style = self._finder.find(style.based_on) if style.based_on else None
        return style.outline if style is not None else None


_MORE = object()
_TYPE_ATTR = re.compile(rb'\sw:type="([^"]*)"')
_DEFAULT_ATTR = re.compile(rb'\sw:default="([^"]*)"')
_NAME_VAL = re.compile(rb'<w:name\b[^>]*?\sw:val="([^"]*)"')
_BASED_ON_VAL = re.compile(rb'<w:basedOn\b[^>]*?\sw:val="([^"]*)"')
_PPR_CONTENT = re.compile(rb"<w:pPr\b[^>]*?(?:/>|>(.*?)</w:pPr>)", re.DOTALL)
_OUTLINE_VAL = re.compile(rb'<w:outlineLvl\b[^>]*?\sw:val="([^"]*)"')


class _StyleFinder:
    """Styles of styles.xml by id, inflating and reading as little of the part as possible.

    styles.xml is often 350 KB (Word's latent styles and a hundred unused styles), 7 ms to
    parse. Here it is inflated in growing chunks until the wanted w:style shows up, and the few
    facts needed are read from that element's bytes. A part written in an unexpected way
    (another prefix, encoding or quoting) is parsed whole instead.
    """

    def __init__(self, stream: Readable) -> None:
        self._stream = stream
        self._buf = b""
        self._eof = False
        self._chunk = 1 << 15
        self._raw: bool | None = None
        self._styles: dict[str | None, _Style | None] = {}  # key None: the default style

    def find(self, style_id: str | None) -> _Style | None:
        """The first w:style with this w:styleId (None: the first default paragraph style)."""
        if self._raw is None:
            self._raw = self._check_raw()
        if style_id not in self._styles:
            self._styles[style_id] = self._search(style_id) if self._raw else None
        return self._styles[style_id]

    def _check_raw(self) -> bool:
        """Whether searching the raw bytes is safe; else parse the whole part now."""
        self._more()
        root = _ROOT_TAG.search(self._buf)
        if root and _W_DECL in root.group() and not NOT_UTF8.match(self._buf):
            return True
        self._buf += self._stream.read()
        for element in parse_xml(self._buf).iterchildren(_STYLE):
            style = _element_style(element)
            self._styles.setdefault(element.get(_STYLE_ID), style)
            if _is_default_paragraph(element.get(_TYPE), element.get(_DEFAULT)):
                self._styles.setdefault(None, style)
        return False

    def _search(self, style_id: str | None) -> _Style | None:
        """Find a style element in the raw bytes and read its facts."""
        if style_id is None:
            span = self._scan(b"w:default=", _default_tag)
        else:
            span = self._scan(b'w:styleId="' + _escape(style_id) + b'"')
        return _raw_style(self._buf[span[0] : span[1]]) if span else None

    def _scan(self, needle: bytes, accept: Callable[[bytes], bool] | None = None) -> Any:
        """(begin, end) of the first w:style whose start tag holds `needle` and is accepted."""
        start = 0
        while True:
            pos = self._buf.find(needle, start)
            found = self._style_around(pos) if pos > 0 else None
            if pos < 0 or found is _MORE:
                if self._eof:
                    return None
                start = start if pos >= 0 else max(0, len(self._buf) - len(needle))
                self._more()
            elif found is not None and (accept is None or accept(self._start_tag(found[0]))):
                return found
            else:
                start = pos + 1

    def _start_tag(self, begin: int) -> bytes:
        """The start tag beginning at offset `begin`."""
        return self._buf[begin : self._buf.index(b">", begin) + 1]

    def _style_around(self, pos: int) -> Any:
        """(begin, end) of the w:style whose start tag has an attribute at `pos`; None if it is
        no such attribute; _MORE when the element is not inflated to its end yet."""
        buf = self._buf
        begin = buf.rfind(b"<", 0, pos)
        if buf[pos - 1 : pos] not in b" \t\r\n" or not buf.startswith(b"<w:style", begin):
            return None
        if buf[begin + 8 : begin + 9] not in b" \t\r\n":
            return None
        tag_end = buf.find(b">", pos)
        if tag_end < 0:
            return _MORE
        if buf[tag_end - 1 : tag_end] == b"/":
            return begin, tag_end + 1
        close = buf.find(b"</w:style>", tag_end)
        return _MORE if close < 0 else (begin, close + len(b"</w:style>"))

    def _more(self) -> None:
        """Inflate the next chunk of the part (each twice the size of the last)."""
        data = self._stream.read(self._chunk)
        self._chunk *= 2
        if data:
            self._buf += data
        elif b"</w:styles>" not in self._buf[-4096:]:
            raise ValueError("word/styles.xml is cut short")
        else:
            self._eof = True


def _raw_style(element: bytes) -> _Style:
    """The facts of a w:style element given as bytes (prefix w, double quotes)."""
    kind = _TYPE_ATTR.search(element[: element.index(b">") + 1])
    name = _NAME_VAL.search(element)
    based_on = _BASED_ON_VAL.search(element)
    ppr = _PPR_CONTENT.search(element)
    own = (ppr.group(1) or b"").split(b"<w:pPrChange", 1)[0] if ppr else b""  # not the old one
    outline = _OUTLINE_VAL.search(own)
    return _Style(
        _unescape(kind.group(1)) if kind else "paragraph",
        _unescape(name.group(1)) if name else "",
        _unescape(based_on.group(1)) if based_on else None,
        to_int(_unescape(outline.group(1))) if outline else None,
    )


def _element_style(element: Element) -> _Style:
    """The facts of a parsed w:style element."""
    name = element.find(_NAME)
    based_on = element.find(_BASED_ON)
    return _Style(
        element.get(_TYPE, "paragraph"),
        (name.get(_VAL) if name is not None else None) or "",
        based_on.get(_VAL) if based_on is not None else None,
        _para_props(element.find(_PPR)).outline,
    )


def _default_tag(start_tag: bytes) -> bool:
    """True for the start tag of a default paragraph style."""
    kind = _TYPE_ATTR.search(start_tag)
    default = _DEFAULT_ATTR.search(start_tag)
    return _is_default_paragraph(
        kind.group(1).decode() if kind else None, default.group(1).decode() if default else None
    )


def _is_default_paragraph(kind: str | None, default: str | None) -> bool:
    """True for the w:type and w:default values of the default paragraph style."""
    return default in ("1", "true", "on") and kind in (None, "paragraph")


def _unescape(value: bytes) -> str:
    """An attribute value's text: UTF-8, character and entity references resolved."""
    text = value.decode("utf-8")
    return html.unescape(text) if "&" in text else text


def _escape(value: str) -> bytes:
    """`value` as it appears in a double-quoted XML attribute (UTF-8)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace('"', "&quot;").encode("utf-8")


PARSER = DocxParser()
