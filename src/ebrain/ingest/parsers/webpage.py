"""HTML: the main content with its headings; navigation, scripts, styles and footers dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebrain.errors import ParseError
from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import HeadingTracker, clean_inline, make_document, table_block
from ebrain.ingest.parsers.encoding import decode_text

DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "footer",
    "header",
    "aside",
    "form",
    "iframe",
    "svg",
    "template",
    "button",
)
MAX_DEPTH = 200
"""Deepest element nesting kept; deeper tags are dropped (their text stays, flattened)."""
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*>")
# Elements that hold no content, or whose end tag is optional: they do not deepen the nesting.
_FLAT = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rp"}
    | {"rt", "colgroup", "tbody", "thead", "tfoot"}
)
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_LEAF_BLOCKS = {"p", "li", "pre", "blockquote", "dt", "dd", "figcaption", "caption", "address"}
_CONTAINERS = {
    "div",
    "section",
    "article",
    "main",
    "body",
    "ul",
    "ol",
    "dl",
    "figure",
    "details",
    "summary",
    "center",
    "html",
    "fieldset",
    "hgroup",
    "table",
    "tbody",
    "thead",
}


@dataclass
class HtmlParser:
    """HTML pages via selectolax: main/article content, headings as heading paths, tables."""

    name: str = "html"
    extensions: tuple[str, ...] = (".html", ".htm", ".xhtml")

    def parse(self, path: Path, data: bytes) -> Document:
        """Parse an HTML page into blocks."""
        warnings: list[str] = []
        text, _ = decode_text(data, warnings)
        title, blocks = html_blocks(text)
        doc = make_document(path, "html", blocks, title)
        doc.warnings = warnings
        return doc


def html_blocks(html: str, page: int | None = None) -> tuple[str, list[Block]]:
    """(<title>, blocks) of an HTML string."""
    from selectolax.lexbor import LexborHTMLParser

    if html.count("<") > MAX_DEPTH:
        html = limit_depth(html)
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = clean_inline(title_node.text()) if title_node is not None else ""
    tree.strip_tags(list(DROP_TAGS))
    root = tree.css_first("main") or tree.css_first("article") or tree.body or tree.root
    walker = _Walker(page)
    if root is not None:
        try:
            walker.walk(root)
        except RecursionError as exc:
            raise ParseError(
                "corrupt",
                "the HTML is nested too deeply to read",
                hint="save the page again from a browser, or export it as plain text",
            ) from exc
    return title, walker.blocks


def limit_depth(html: str, depth: int = MAX_DEPTH) -> str:
    """`html` with the tags nested deeper than `depth` removed (and their end tags), so the
    HTML parser, slow on deep trees, gets a shallow one; the text is kept."""
    stack: list[bool] = []  # per open element: whether its tags were kept

    def keep(match: re.Match[str]) -> str:
        closing, name = match.group(1), match.group(2).lower()
        if name in _FLAT or match.group(0).endswith("/>"):
            return match.group(0)
        if not closing:
            stack.append(len(stack) < depth)
            return match.group(0) if stack[-1] else " "
        kept = stack.pop() if stack else True
        return match.group(0) if kept else " "

    return _TAG.sub(keep, html)


class _Walker:
    """Depth-first walk that emits headings, paragraphs and tables in document order."""

    def __init__(self, page: int | None) -> None:
        self.page = page
        self.tracker = HeadingTracker()
        self.blocks: list[Block] = []
        self.depth = 0

    def walk(self, node: Any) -> None:
        """Visit the children of `node`."""
        self.depth += 1
        child = node.child
        while child is not None:
            self.visit(child)
            child = child.next
        self.depth -= 1

    def visit(self, node: Any) -> None:
        """Emit a block for `node` or descend into it (flattened below MAX_DEPTH)."""
        tag = node.tag
        if self.depth > MAX_DEPTH:
            self.text(clean_inline(node.text(deep=True) or ""))
        elif tag in _HEADINGS:
            self.heading(_HEADINGS[tag], node)
        elif tag == "table" and node.css_first("tr") is not None:
            self.table(node)
        elif tag == "pre":
            self.text((node.text(deep=True) or "").strip("\n"))
        elif tag == "li" and not _has_block_child(node):
            self.text(f"- {clean_inline(node.text(deep=True) or '')}")
        elif tag in _CONTAINERS and _has_block_child(node):
            self.walk(node)
        elif tag in _LEAF_BLOCKS or tag in _CONTAINERS or tag == "-text":
            self.text(clean_inline(node.text(deep=True) or ""))
        elif not tag.startswith("-") and _has_block_child(node):
            self.walk(node)
        elif not tag.startswith("-"):
            self.text(clean_inline(node.text(deep=True) or ""))

    def heading(self, level: int, node: Any) -> None:
        """Enter a heading."""
        text = clean_inline(node.text(deep=True) or "")
        if text:
            path = self.tracker.push(level, text)
            self.blocks.append(Block(text, "heading", path, self.page))

    def table(self, node: Any) -> None:
        """A table block from the table's rows (th and td cells)."""
        rows = [
            [cell.text(deep=True) or "" for cell in tr.css("th, td")]
            for tr in node.css("tr")
            if _owner_table(tr) == node
        ]
        block = table_block(rows, self.tracker.path, self.page)
        if block is not None:
            self.blocks.append(block)

    def text(self, text: str) -> None:
        """A text block, merged into the previous one when that was inline text too."""
        if text:
            self.blocks.append(Block(text, "text", self.tracker.path, self.page))


def _has_block_child(node: Any) -> bool:
    """True when some child is a block-level element."""
    child = node.child
    while child is not None:
        tag = child.tag
        if tag in _HEADINGS or tag in _LEAF_BLOCKS or tag in _CONTAINERS or tag in ("table", "br"):
            return True
        child = child.next
    return False


def _owner_table(tr: Any) -> Any:
    """The nearest table element above a row."""
    node = tr.parent
    while node is not None and node.tag != "table":
        node = node.parent
    return node


PARSER = HtmlParser()
