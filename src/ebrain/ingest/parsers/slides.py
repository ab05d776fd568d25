"""PPTX: one page per slide, the slide title as heading, body text, tables and notes.

Reads the slide parts with lxml (layouts and masters only when a placeholder's position is
inherited and needed for ordering) instead of loading the whole package through python-pptx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import clean_inline, make_document, table_block
from ebrain.ingest.parsers.ooxml import (
    A_NS,
    P_NS,
    R_NS,
    Element,
    Package,
    child,
    core_meta,
    package_errors,
    parse_excerpt,
    parse_xml,
    picture_blocks,
    to_int,
)

_P, _A = "{" + P_NS + "}", "{" + A_NS + "}"
_SP, _GRP_SP, _GRAPHIC_FRAME, _PIC = f"{_P}sp", f"{_P}grpSp", f"{_P}graphicFrame", f"{_P}pic"
_SHAPE_TAGS = frozenset((_SP, _GRP_SP, _GRAPHIC_FRAME, f"{_P}cxnSp", _PIC, f"{_P}contentPart"))
_TX_BODY, _SP_PR, _GRP_SP_PR, _XFRM = f"{_P}txBody", f"{_P}spPr", f"{_P}grpSpPr", f"{_P}xfrm"
_C_SLD, _SP_TREE, _NV_PR, _PH, _C_NV_PR = (
    f"{_P}{t}" for t in ("cSld", "spTree", "nvPr", "ph", "cNvPr")
)
_SLD_ID_LST, _SLD_ID, _R_ID = f"{_P}sldIdLst", f"{_P}sldId", f"{{{R_NS}}}id"
_A_TX_BODY, _A_P, _A_R, _A_T, _A_BR, _A_FLD, _A_PPR, _A_XFRM, _A_OFF = (
    f"{_A}{t}" for t in ("txBody", "p", "r", "t", "br", "fld", "pPr", "xfrm", "off")
)
_A_GRAPHIC, _A_GRAPHIC_DATA, _A_TBL, _A_TR, _A_TC = (
    f"{_A}{t}" for t in ("graphic", "graphicData", "tbl", "tr", "tc")
)
_UNITS = {"mm": 36000, "cm": 360000, "in": 914400, "pt": 12700, "pc": 152400, "pi": 152400}
_TABLE_URI = "http://schemas.openxmlformats.org/drawingml/2006/table"
# The master placeholder type a layout placeholder takes its position from (python-pptx).
_MASTER_TYPE = {
    "body": "body",
    "chart": "body",
    "clipArt": "body",
    "ctrTitle": "title",
    "dgm": "body",
    "dt": "dt",
    "ftr": "ftr",
    "media": "body",
    "obj": "body",
    "pic": "body",
    "sldNum": "sldNum",
    "subTitle": "body",
    "tbl": "body",
    "title": "title",
}


@dataclass
class PptxParser:
    """PowerPoint 2007+ presentations."""

    name: str = "pptx"
    extensions: tuple[str, ...] = (".pptx", ".pptm", ".ppsx")

    def parse(self, path: Path, data: bytes) -> Document:
        """Parse every slide: title, shapes top-to-bottom, notes."""
        with package_errors("PPTX"):
            deck = _Deck(Package(data))
            slides = deck.slide_parts()
            blocks: list[Block] = []
            for number, part in enumerate(slides, start=1):
                blocks += deck.slide_blocks(part, number)
            numbered = [(part, n) for n, part in enumerate(slides, start=1)]
            pictures, warnings = picture_blocks(deck.package, numbered)
            meta = core_meta(deck.package, utc=False)
        blocks = _in_slide_order(blocks + pictures)
        doc = make_document(path, "pptx", blocks, meta.get("title", ""))
        doc.pages, doc.meta, doc.warnings = len(slides), meta, warnings
        return doc


def _in_slide_order(blocks: list[Block]) -> list[Block]:
    """Blocks sorted by slide (stable: a slide's pictures follow its text)."""
    return sorted(blocks, key=lambda b: b.page or 0)


@dataclass
class _Deck:
    """A presentation package, with the placeholders of its layouts and masters cached."""

    package: Package
    _ph_cache: dict[str, list[_Placeholder]] = field(default_factory=dict)

    def slide_parts(self) -> list[str]:
        """The slide part names in presentation order (p:sldIdLst)."""
        main = self.package.main_part("ppt/presentation.xml")
        targets = {rel.rid: rel.target for rel in self.package.rels(main)}
        raw = self.package.read(main)
        id_list = parse_excerpt(raw, b"p:presentation", b"<p:sldIdLst", b"</p:sldIdLst>")
        if id_list is None or id_list.tag != _SLD_ID_LST:  # (also when it is <p:sldIdLst/>)
            id_list = child(parse_xml(raw), _SLD_ID_LST)
        if id_list is None:
            return []
        return [targets[s.get(_R_ID)] for s in id_list if s.tag == _SLD_ID]

    def slide_blocks(self, part: str, number: int) -> list[Block]:
        """The blocks of one slide; the heading path is the slide title (or 'Slide N')."""
        shapes = _shapes(_sp_tree(self.package.xml(part)))
        title_shape = next((s for s in shapes if _ph_idx(s) == 0), None)
        title = clean_inline(_shape_text(title_shape)) if title_shape is not None else ""
        path = (title or f"Slide {number}",)
        blocks = [Block(title, "heading", path, number)] if title else []
        title_id = _shape_id(title_shape) if title_shape is not None else None
        found = []
        for shape, top_level in _flat_shapes(shapes, top_level=True):
            if title_shape is not None and _shape_id(shape) == title_id:
                continue
            shape_blocks = _shape_blocks(shape, path, number)
            if shape_blocks:
                found.append((shape, top_level, shape_blocks))
        if len(found) > 1:
            found.sort(key=lambda item: self._position(part, item[0], item[1]))
        blocks += [block for _, _, shape_blocks in found for block in shape_blocks]
        notes = self._notes_text(part)
        if notes:
            blocks.append(Block(f"Notes: {notes}", "text", path, number))
        return blocks

    def _position(self, part: str, shape: Element, top_level: bool) -> tuple[int, int]:
        """(top, left) of a shape; slide placeholders inherit them from layout and master."""
        top, left = _offsets(shape)
        ph = _ph(shape) if top_level and shape.tag in (_SP, _PIC) else None
        if ph is not None and (top is None or left is None):
            base_top, base_left = self._layout_offsets(part, ph)
            top = base_top if top is None else top
            left = base_left if left is None else left
        return top or 0, left or 0

    def _layout_offsets(self, part: str, ph: Element) -> tuple[int | None, int | None]:
        """The offsets of the layout placeholder with the same idx (its master's if unset)."""
        layout = self.package.related(part, "slideLayout")
        if layout is None:
            return None, None
        idx = to_int(ph.get("idx", "0"))
        base = next((p for p in self._placeholders(layout) if p.idx == idx), None)
        if base is None or base.tag != _SP or None not in (base.top, base.left):
            return (base.top, base.left) if base is not None else (None, None)
        top, left = self._master_offsets(layout, base.type)
        return (
            base.top if base.top is not None else top,
            base.left if base.left is not None else left,
        )

    def _master_offsets(self, layout: str, ph_type: str) -> tuple[int | None, int | None]:
        """The offsets of the master placeholder a layout placeholder of `ph_type` follows."""
        master = self.package.related(layout, "slideMaster")
        kind = _MASTER_TYPE.get(ph_type)
        if master is None or kind is None:
            return None, None
        found = next((p for p in self._placeholders(master) if p.type == kind), None)
        return (found.top, found.left) if found is not None else (None, None)

    def _placeholders(self, part: str) -> list[_Placeholder]:
        """The placeholders of a layout or master part (parsed once)."""
        found = self._ph_cache.get(part)
        if found is None:
            found = self._ph_cache[part] = []
            for shape in _shapes(_sp_tree(self.package.xml(part))):
                ph = _ph(shape)
                if ph is not None:
                    idx, kind = to_int(ph.get("idx", "0")), ph.get("type") or "obj"
                    found.append(_Placeholder(idx, kind, shape.tag, *_offsets(shape)))
        return found

    def _notes_text(self, part: str) -> str:
        """The speaker notes of a slide (its notes slide's body placeholder), or ''."""
        notes = self.package.related(part, "notesSlide")
        if notes is None or not self.package.has(notes):
            return ""
        for shape in _shapes(_sp_tree(self.package.xml(notes))):
            ph = _ph(shape)
            if ph is not None and ph.get("type") == "body":
                return _shape_text(shape).strip()
        return ""


class _Placeholder(NamedTuple):
    """A layout or master placeholder: idx, type, shape tag and own offsets."""

    idx: int | None
    type: str
    tag: str
    top: int | None
    left: int | None


def _sp_tree(root: Element) -> Element | None:
    """The p:spTree of a slide, layout, master or notes root element."""
    return child(child(root, _C_SLD), _SP_TREE)


def _shapes(tree: Element | None) -> list[Element]:
    """The shape elements directly in a shape tree or group."""
    return [] if tree is None else [e for e in tree if e.tag in _SHAPE_TAGS]


def _flat_shapes(shapes: list[Element], top_level: bool) -> list[tuple[Element, bool]]:
    """(shape, is it a direct child of the slide's tree) with groups expanded."""
    out: list[tuple[Element, bool]] = []
    for shape in shapes:
        if shape.tag == _GRP_SP:
            out += _flat_shapes(_shapes(shape), top_level=False)
        else:
            out.append((shape, top_level))
    return out


def _nv_props(shape: Element) -> Element | None:
    """The non-visual properties of a shape (p:nvSpPr, p:nvPicPr ...): its first child."""
    return next((node for node in shape if isinstance(node.tag, str)), None)


def _ph(shape: Element) -> Element | None:
    """The p:ph of a placeholder shape, None for other shapes."""
    return child(child(_nv_props(shape), _NV_PR), _PH)


def _ph_idx(shape: Element) -> int | None:
    """The placeholder idx (default 0); None for shapes that are no placeholders."""
    ph = _ph(shape)
    return to_int(ph.get("idx", "0")) if ph is not None else None


def _shape_id(shape: Element) -> int | str | None:
    """The p:cNvPr id of a shape."""
    node = child(_nv_props(shape), _C_NV_PR)
    value = node.get("id") if node is not None else None
    number = to_int(value)
    return value if number is None else number


def _offsets(shape: Element) -> tuple[int | None, int | None]:
    """The shape's own a:off (y, x), each None when not given."""
    if shape.tag == _GRAPHIC_FRAME:
        xfrm = child(shape, _XFRM)
    else:
        xfrm = child(child(shape, _GRP_SP_PR if shape.tag == _GRP_SP else _SP_PR), _A_XFRM)
    off = child(xfrm, _A_OFF)
    return (_emu(off.get("y")), _emu(off.get("x"))) if off is not None else (None, None)


def _emu(value: str | None) -> int | None:
    """A coordinate in EMU: an integer, or a universal measure like '2.5cm' (as python-pptx)."""
    number = to_int(value)
    if number is not None or not value or value[-2:] not in _UNITS:
        return number
    try:
        return round(float(value[:-2]) * _UNITS[value[-2:]])
    except (ValueError, OverflowError):  # 'nan', 'inf'
        return None


def _shape_blocks(shape: Element, path: tuple[str, ...], number: int) -> list[Block]:
    """A table block or one text block for a shape with text."""
    if shape.tag == _GRAPHIC_FRAME:
        rows = _table_rows(shape)
        block = table_block(rows, path, number) if rows is not None else None
        return [block] if block else []
    body = child(shape, _TX_BODY) if shape.tag == _SP else None
    if body is None:
        return []
    lines = [_para_text(p) for p in body if p.tag == _A_P]
    text = "\n".join(ln for ln in lines if ln)
    return [Block(text, "text", path, number)] if text else []


def _table_rows(frame: Element) -> list[list[str]] | None:
    """The cell texts of a graphic frame holding a table, None for other frames."""
    data = child(child(frame, _A_GRAPHIC), _A_GRAPHIC_DATA)
    table = child(data, _A_TBL) if data is not None and data.get("uri") == _TABLE_URI else None
    if table is None:
        return None
    rows = [tr for tr in table if tr.tag == _A_TR]
    return [[_body_text(child(tc, _A_TX_BODY)) for tc in tr if tc.tag == _A_TC] for tr in rows]


def _shape_text(shape: Element) -> str:
    """All text of an autoshape's text frame ('' for other shapes)."""
    return _body_text(child(shape, _TX_BODY)) if shape.tag == _SP else ""


def _body_text(body: Element | None) -> str:
    """The paragraphs of a text body, one per line."""
    return "" if body is None else "\n".join([_full_text(p) for p in body if p.tag == _A_P])


def _full_text(para: Element) -> str:
    """A paragraph's runs and fields, a line break as a vertical tab (as python-pptx)."""
    parts = []
    for node in para:
        tag = node.tag
        if tag in (_A_R, _A_FLD):
            parts.append(_run_text(node))
        elif tag == _A_BR:
            parts.append("\v")
    return "".join(parts)


def _run_text(run: Element) -> str:
    """The a:t text of a run or field."""
    for node in run:
        if node.tag == _A_T:
            return node.text or ""
    return ""


def _para_text(para: Element) -> str:
    """A paragraph's text, indented bullets shown as '- '."""
    runs, props = [], None
    for node in para:
        if node.tag == _A_R:
            runs.append(_run_text(node))
        elif node.tag == _A_PPR and props is None:
            props = node
    text = clean_inline("".join(runs) or _full_text(para))
    level = (to_int(props.get("lvl")) or 0) if props is not None else 0
    return f"{'  ' * level}- {text}" if text and level else text


PARSER = PptxParser()
