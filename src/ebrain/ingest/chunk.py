"""Structure-aware chunking: sentences for prose, whole rows for tables, offsets kept.

Hard limits, whatever the text: no chunk is longer than `HARD_CHARS_PER_TOKEN` characters per
target token (a run without spaces or sentence ends, CJK or Latin, is cut into windows; a table
row that long is cut too), and a document yields at most `max_chunks` chunks (the rest of its
text is left out; `Chunker.cut_at` says where).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ebrain.ingest.document import Block, Document, table_to_markdown
from ebrain.text import estimate_tokens, normalize_text, split_sentences

# A chunk never exceeds this many characters per target token (3,040 for 380 tokens): well
# above real prose (about 4.5 characters a token in English, 1.4 in Chinese), so only text with
# no spaces or sentence ends is cut by it.
HARD_CHARS_PER_TOKEN = 8


@dataclass(frozen=True)
class ChunkerConfig:
    """Chunk size and overlap, in (estimated) tokens."""

    target_tokens: int = 380
    overlap_tokens: int = 40
    max_chunks: int = 20_000

    @property
    def max_chars(self) -> int:
        """The hard maximum length of a chunk, in characters."""
        return max(1, self.target_tokens) * HARD_CHARS_PER_TOKEN


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
    # Text read by OCR: mean confidence of its lines and their boxes (page, x0, y0, x1, y1 as
    # page fractions); None for born-digital text.
    ocr_confidence: float | None = None
    ocr_boxes: list[tuple[int, float, float, float, float]] | None = None


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
        # Where the last document's chunks stop when it hit `max_chunks` (a text offset).
        self.cut_at: int | None = None

    def __call__(self, doc: Document) -> tuple[str, list[Chunk]]:
        """Return the normalized document text and its chunks."""
        text, placed = layout(doc)
        chunks: list[Chunk] = []
        prose: list[_Piece] = []
        for item in placed:
            if len(chunks) > self.config.max_chunks:
                break
            if item.block.kind == "table":
                self._flush(text, prose, chunks)
                prose = []
                chunks.extend(self._table_chunks(item, len(chunks)))
            else:
                if prose and _heading_changed(prose[-1].block, item.block):
                    prose = self._maybe_break(text, prose, chunks)
                prose.extend(self._sentences(item))
        self._flush(text, prose, chunks)
        return text, self._limited(_within(chunks, self.config.max_chars))

    def _limited(self, chunks: list[Chunk]) -> list[Chunk]:
        """At most `max_chunks` chunks; `cut_at` records where the kept ones end."""
        self.cut_at = None
        if len(chunks) <= self.config.max_chunks:
            return chunks
        kept = chunks[: max(1, self.config.max_chunks)]
        self.cut_at = kept[-1].char_end
        return kept

    def _sentences(self, item: Placed) -> list[_Piece]:
        pieces: list[_Piece] = []
        add, target = pieces.append, self.config.target_tokens
        text, base, block = item.text, item.start, item.block
        for s, e in split_sentences(text):
            tokens = _cost(text[s:e])
            if tokens <= target:
                add(_Piece(base + s, base + e, tokens, block))
                continue
            for a, b in self._hard_split(s, e, tokens):
                pieces.append(_Piece(base + a, base + b, _cost(text[a:b]), block))
        return pieces

    def _hard_split(self, start: int, end: int, tokens: int) -> list[tuple[int, int]]:
        """Cut a sentence of `tokens` (over the target) into target-sized character windows."""
        step = max(1, int((end - start) * self.config.target_tokens / tokens))
        step = min(step, self.config.max_chars)
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
        if _cost(header) > self.config.target_tokens // 2:  # too big to repeat in every group
            header, rows = "", _line_spans(item.text)
        budget = max(1, self.config.target_tokens - _cost(header))
        groups: list[list[tuple[int, int]]] = [[]]
        used = 0
        for span in rows:
            cost = _cost(item.text[span[0] : span[1]])
            if groups[-1] and used + cost > budget:
                groups.append([])
                used = 0
            groups[-1].append(span)
            used += cost
        return [_table_group(item, header, g, first_ord + n) for n, g in enumerate(groups)]


def _cost(text: str) -> int:
    """A piece's size in tokens for packing: estimated, but never under one token per
    `HARD_CHARS_PER_TOKEN` characters (a run with no spaces counts by its length), at least 1."""
    return max(estimate_tokens(text), len(text) // HARD_CHARS_PER_TOKEN, 1)


def _within(chunks: list[Chunk], max_chars: int) -> list[Chunk]:
    """The chunks with any chunk over `max_chars` characters cut into windows (renumbered)."""
    if all(len(c.text) <= max_chars for c in chunks):
        return chunks
    out: list[Chunk] = []
    for chunk in chunks:
        out.extend(_windows(chunk, max_chars) if len(chunk.text) > max_chars else [chunk])
    for n, chunk in enumerate(out):
        chunk.ord = n
    return out


def _windows(chunk: Chunk, size: int) -> list[Chunk]:
    """`chunk` cut into pieces of `size` characters (offsets kept for a plain text slice)."""
    exact = chunk.char_end - chunk.char_start == len(chunk.text)
    out = []
    for a in range(0, len(chunk.text), size):
        part = chunk.text[a : a + size]
        start = chunk.char_start + a if exact else chunk.char_start
        end = start + len(part) if exact else chunk.char_end
        out.append(replace(chunk, text=part, char_start=start, char_end=end, n_tokens=_cost(part)))
    return out


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
    text = f"{header}\n{body}" if header else body
    start, end = item.start + group[0][0], item.start + group[-1][1]
    piece = _Piece(start, end, estimate_tokens(text), item.block, text)
    return _make_chunk("", [piece], ord_, "table")


def _make_chunk(text: str, pieces: list[_Piece], ord_: int, kind: str, offset: int = 0) -> Chunk:
    first, last = pieces[0], pieces[-1]
    body = first.text if first.text is not None else text[first.start : last.end]
    pages = [p.block.page for p in pieces if p.block.page is not None]
    confidence, boxes = _ocr_of(pieces)
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
        ocr_confidence=confidence,
        ocr_boxes=boxes,
    )


def _ocr_of(
    pieces: list[_Piece],
) -> tuple[float | None, list[tuple[int, float, float, float, float]] | None]:
    """Mean OCR confidence and boxes of the pieces' blocks (None, None: no OCR'd block)."""
    found = {id(p.block): p.block.ocr for p in pieces if p.block.ocr is not None}
    sources = [s for s in found.values() if s is not None]
    if not sources:
        return None, None
    mean = sum(s.confidence for s in sources) / len(sources)
    return round(mean, 4), [box for s in sources for box in s.boxes]
