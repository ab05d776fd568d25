"""Structure-aware chunking: sentences for prose, whole rows for tables, offsets kept."""

from __future__ import annotations

from dataclasses import dataclass

from ebrain.ingest.document import Block, Document, table_to_markdown
from ebrain.text import estimate_tokens, normalize_text, split_sentences


@dataclass(frozen=True)
class ChunkerConfig:
    """Chunk size and overlap, in (estimated) tokens."""

    target_tokens: int = 380
    overlap_tokens: int = 40


@dataclass
class Chunk:
    """A retrievable span of a document's normalized text."""

    ord: int
    text: str
    char_start: int
    char_end: int
    heading_path: tuple[str, ...]
    page_start: int | None
    page_end: int | None
    kind: str
    n_tokens: int


@dataclass(slots=True)
class Placed:
    """A block with its normalized text and its offsets in the document text."""

    block: Block
    text: str
    start: int
    end: int


def layout(doc: Document) -> tuple[str, list[Placed]]:
    """Normalize every block and join them with blank lines; return text and placements."""
    parts: list[str] = []
    placed: list[Placed] = []
    pos = 0
    for block in doc.blocks:
        # A table block's text is already its Markdown (Block contract); render only if missing.
        raw = block.text or (table_to_markdown(block.rows) if block.rows else "")
        text = normalize_text(raw)
        if not text:
            continue
        if parts:
            pos += 2
        placed.append(Placed(block, text, pos, pos + len(text)))
        parts.append(text)
        pos += len(text)
    return "\n\n".join(parts), placed


@dataclass(slots=True)
class _Piece:
    """An unsplittable unit: a sentence, a table row group, or a heading."""

    start: int
    end: int
    tokens: int
    block: Block
    text: str | None = None  # set when the text is not a plain slice (table with header)


class Chunker:
    """Split a document into chunks of about `target_tokens`, never inside a table row."""

    def __init__(self, config: ChunkerConfig | None = None) -> None:
        self.config = config or ChunkerConfig()

    def __call__(self, doc: Document) -> tuple[str, list[Chunk]]:
        """Return the normalized document text and its chunks."""
        text, placed = layout(doc)
        chunks: list[Chunk] = []
        prose: list[_Piece] = []
        for item in placed:
            if item.block.kind == "table":
                self._flush(text, prose, chunks)
                prose = []
                chunks.extend(self._table_chunks(item, len(chunks)))
            else:
                if prose and _heading_changed(prose[-1].block, item.block):
                    prose = self._maybe_break(text, prose, chunks)
                prose.extend(self._sentences(item))
        self._flush(text, prose, chunks)
        return text, chunks

    def _sentences(self, item: Placed) -> list[_Piece]:
        pieces: list[_Piece] = []
        add, target = pieces.append, self.config.target_tokens
        text, base, block = item.text, item.start, item.block
        for s, e in split_sentences(text):
            tokens = estimate_tokens(text[s:e])
            if tokens <= target:
                add(_Piece(base + s, base + e, tokens or 1, block))
                continue
            for a, b in self._hard_split(s, e, tokens):
                tokens = estimate_tokens(text[a:b]) or 1
                pieces.append(_Piece(base + a, base + b, tokens, block))
        return pieces

    def _hard_split(self, start: int, end: int, tokens: int) -> list[tuple[int, int]]:
        """Cut a sentence of `tokens` (over the target) into target-sized character windows."""
        step = max(1, int((end - start) * self.config.target_tokens / tokens))
        return [(a, min(a + step, end)) for a in range(start, end, step)]

    def _maybe_break(self, text: str, prose: list[_Piece], chunks: list[Chunk]) -> list[_Piece]:
        """At a new heading, close the current chunk if it is already substantial."""
        if sum(p.tokens for p in prose) >= self.config.target_tokens // 3:
            self._flush(text, prose, chunks)
            return []
        return prose

    def _flush(self, text: str, pieces: list[_Piece], chunks: list[Chunk]) -> None:
        """Pack sentences greedily into chunks, carrying an overlap of trailing sentences."""
        target, overlap = self.config.target_tokens, self.config.overlap_tokens
        i = 0
        while i < len(pieces):
            j, total = i, 0
            while j < len(pieces) and (j == i or total + pieces[j].tokens <= target):
                total += pieces[j].tokens
                j += 1
            chunks.append(_make_chunk(text, pieces[i:j], len(chunks), "text"))
            if j >= len(pieces):
                break
            i = _overlap_start(pieces, i, j, overlap)

    def _table_chunks(self, item: Placed, first_ord: int) -> list[Chunk]:
        whole = _make_chunk(item.text, [_whole(item)], first_ord, "table", item.start)
        if whole.n_tokens <= self.config.target_tokens:  # fits: rows are not looked at
            return [whole]
        lines = item.text.split("\n")
        header_n = 2 if len(lines) > 1 and lines[1].startswith("|-") else 1
        header = "\n".join(lines[:header_n])
        rows = _line_spans(item.text)[header_n:]
        if not rows:
            return [whole]
        return self._row_groups(item, header, rows, first_ord)

    def _row_groups(
        self, item: Placed, header: str, rows: list[tuple[int, int]], first_ord: int
    ) -> list[Chunk]:
        budget = max(1, self.config.target_tokens - estimate_tokens(header))
        groups: list[list[tuple[int, int]]] = [[]]
        used = 0
        for span in rows:
            cost = estimate_tokens(item.text[span[0] : span[1]]) or 1
            if groups[-1] and used + cost > budget:
                groups.append([])
                used = 0
            groups[-1].append(span)
            used += cost
        return [_table_group(item, header, g, first_ord + n) for n, g in enumerate(groups)]


def _heading_changed(prev: Block, cur: Block) -> bool:
    return prev.heading_path != cur.heading_path or cur.kind == "heading"


def _overlap_start(pieces: list[_Piece], i: int, j: int, overlap: int) -> int:
    """Index where the next chunk starts so that it repeats about `overlap` tokens."""
    k, carried = j, 0
    while k - 1 > i and carried + pieces[k - 1].tokens <= overlap:
        k -= 1
        carried += pieces[k].tokens
    return k


def _whole(item: Placed) -> _Piece:
    return _Piece(0, len(item.text), estimate_tokens(item.text), item.block)


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _table_group(item: Placed, header: str, group: list[tuple[int, int]], ord_: int) -> Chunk:
    body = "\n".join(item.text[a:b] for a, b in group)
    text = f"{header}\n{body}"
    start, end = item.start + group[0][0], item.start + group[-1][1]
    piece = _Piece(start, end, estimate_tokens(text), item.block, text)
    return _make_chunk("", [piece], ord_, "table")


def _make_chunk(text: str, pieces: list[_Piece], ord_: int, kind: str, offset: int = 0) -> Chunk:
    first, last = pieces[0], pieces[-1]
    body = first.text if first.text is not None else text[first.start : last.end]
    pages = [p.block.page for p in pieces if p.block.page is not None]
    return Chunk(
        ord=ord_,
        text=body,
        char_start=first.start + offset,
        char_end=last.end + offset,
        heading_path=first.block.heading_path,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        kind=kind,
        n_tokens=sum(p.tokens for p in pieces),
    )
