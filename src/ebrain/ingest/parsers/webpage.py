"""HTML: the main content with its headings; navigation, scripts, styles and footers dropped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        text, _ = decode_text(data)
        title, blocks = html_blocks(text)
        return make_document(path, "html", blocks, title)


def html_blocks(html: str, page: int | None = None) -> tuple[str, list[Block]]:
    """(<title>, blocks) of an HTML string."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = clean_inline(title_node.text()) if title_node is not None else ""
    tree.strip_tags(list(DROP_TAGS))
    root = tree.css_first("main") or tree.css_first("article") or tree.body or tree.root
    walker = _Walker(page)
    if root is not None:
        walker.walk(root)
    return title, walker.blocks


class _Walker:
    """Depth-first walk that emits headings, paragraphs and tables in document order."""

    def __init__(self, page: int | None) -> None:
        self.page = page
        self.tracker = HeadingTracker()
        self.blocks: list[Block] = []

    def walk(self, node: Any) -> None:
        """Visit the children of `node`."""
        child = node.child
        while child is not None:
            self.visit(child)
            child = child.next

    def visit(self, node: Any) -> None:
        """Emit a block for `node` or descend into it."""
        tag = node.tag
        if tag in _HEADINGS:
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
