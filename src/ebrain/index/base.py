"""The index protocol: upsert and delete chunks, lexical and vector search, with filters.

Backends are chosen by URL (`index.url`, e.g. `sqlite:`) through the `ebrain.indexes`
entry-point group: the entry point is `create(spec) -> IndexOpener`, and the opener builds the
index for one workspace from an `IndexContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from ebrain.auth import Principal
from ebrain.registry import Registry

DEFAULT_URL = "sqlite:"


@dataclass(frozen=True)
class Filters:
    """What a search may return. The principal is required: the owner reads everything, a
    user reads public documents plus those whose ACL names one of its groups."""

    principal: Principal
    kbs: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    path_glob: str | None = None

    @property
    def restricts(self) -> bool:
        """True when any filter (the ACL of a non-owner included) is set."""
        return bool(
            self.kbs
            or self.doc_types
            or self.tags
            or self.since
            or self.until
            or self.path_glob
            or not self.principal.is_owner
        )


@dataclass(frozen=True)
class IndexHit:
    """A chunk and its score from one side of the search (higher is better)."""

    chunk_id: int
    score: float


@dataclass(frozen=True)
class IndexedChunk:
    """What an index stores for a chunk that already exists in the catalog. `terms=None`
    keeps the chunk's terms (a vector-only update); `vector=None` keeps its vector."""

    chunk_id: int
    terms: str | None
    vector: npt.NDArray[np.float32] | None = None


@dataclass(frozen=True)
class LexicalStats:
    """Corpus statistics of a query's terms (the ones BM25 scores with) and which of them each
    given chunk contains: the lexical side's evidence for fusion."""

    chunks: int
    df: dict[str, int]  # every query term, 0 where no chunk has it
    hit_terms: dict[int, frozenset[str]]


# A chunk as the searcher shows it: id, document_id, text, page_start, page_end, heading_path
# (JSON), char_start, char_end, ord, doc_type, title, doc_date, kb, path.
ChunkRow = dict[str, Any]


class SearchIndex(Protocol):
    """A search backend over catalog chunks (embedded SQLite, or an external engine)."""

    def upsert(self, chunks: Sequence[IndexedChunk]) -> None:
        """Add or replace chunks' terms and vectors."""
        ...

    def delete(self, chunk_ids: Sequence[int]) -> None:
        """Remove chunks from the index."""
        ...

    def lexical(self, terms: Sequence[str], k: int, filters: Filters) -> list[IndexHit]:
        """Top-k chunks by BM25 over analyzed terms, filters applied inside the query."""
        ...

    def vector(self, query: npt.NDArray[np.float32], k: int, filters: Filters) -> list[IndexHit]:
        """Top-k chunks by cosine similarity, filters applied before truncation to k."""
        ...

    def lexical_stats(self, terms: Sequence[str], chunk_ids: Sequence[int]) -> LexicalStats:
        """Document frequencies of `terms` over the index, and the terms each chunk of
        `chunk_ids` (lexical hits the caller may read) contains."""
        ...

    def load(self, chunk_ids: Sequence[int], filters: Filters) -> dict[int, ChunkRow]:
        """The rows of these chunks that the filters allow (missing ids are left out)."""
        ...

    def text_span(self, document_id: int, start: int, end: int) -> str | None:
        """Characters [start, end) of a document's current text (to merge adjacent hits)."""
        ...

    def vector_count(self) -> int:
        """How many chunks the vector side can search now."""
        ...

    def flush(self) -> int:
        """Index what the catalog has queued (chunks stored since the last flush)."""
        ...

    def refresh(self, document_ids: Sequence[int]) -> None:
        """Follow catalog changes to these documents' ACL, tags or type (a backend that
        copies them beside its chunks re-reads them; one that joins the catalog does nothing)."""
        ...


@dataclass(frozen=True)
class IndexContext:
    """What an index backend gets to open one workspace's index. `dim` is the vectors'
    dimension when known (0: take it from the first vectors upserted or stored)."""

    spec: str
    engine: sa.Engine
    folder: Path
    dim: int = 0
    ann_threshold: int = 200_000


IndexOpener = Callable[[IndexContext], SearchIndex]
registry: Registry[IndexOpener] = Registry("index", "ebrain.indexes")


def index_for(context: IndexContext) -> SearchIndex:
    """The index for `context.spec` (`sqlite:` = the workspace catalog), via the registry."""
    return registry.create(context.spec.strip() or DEFAULT_URL)(context)
