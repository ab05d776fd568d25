"""Context packing: whole chunks, by relevance, within the model's token budget."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ebrain.models import estimate_tokens
from ebrain.retrieve.hits import Hit

MAX_CONTEXT_TOKENS = 6000
MIN_CONTEXT_TOKENS = 256


@dataclass(frozen=True)
class Packed:
    """Source [n] of a prompt: the hit, the (guarded) text the model sees, its token count."""

    n: int
    hit: Hit
    text: str
    tokens: int

    def variables(self) -> dict[str, Any]:
        """What a template sees for this source."""
        return {
            "n": self.n,
            "title": self.hit.title,
            "doc_type": self.hit.doc_type,
            "date": self.hit.doc_date or "",
            "page": _page(self.hit),
            "path": self.hit.path,
            "text": self.text,
        }


def _page(hit: Hit) -> str:
    if hit.page_start is None:
        return ""
    if hit.page_end and hit.page_end != hit.page_start:
        return f"{hit.page_start}-{hit.page_end}"
    return str(hit.page_start)


def context_budget(window: int, max_tokens: int, overhead: int) -> int:
    """Tokens left for sources in a context window after the answer and the template."""
    room = window - max_tokens - overhead - 64
    return max(MIN_CONTEXT_TOKENS, min(MAX_CONTEXT_TOKENS, room))


def pack(
    hits: Sequence[Hit],
    texts: Sequence[str],
    budget: int,
    count: Callable[[str], int] = estimate_tokens,
) -> list[Packed]:
    """Whole chunks in relevance order; a chunk that does not fit is skipped, never cut."""
    out: list[Packed] = []
    used = 0
    for hit, text in zip(hits, texts, strict=True):
        tokens = count(text) + 24  # the source header line
        if used + tokens > budget:
            continue
        out.append(Packed(len(out) + 1, hit, text, tokens))
        used += tokens
    return out
