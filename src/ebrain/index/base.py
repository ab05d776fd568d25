"""The index protocol: upsert and delete chunks, lexical and vector search, with filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Filters:
    """What a search may return. `groups=None` means no ACL restriction (workspace owner);
    a tuple means: public documents plus those readable by one of these groups."""

    kbs: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    path_glob: str | None = None
    groups: tuple[str, ...] | None = None

    @property
    def restricts(self) -> bool:
        """True when any filter is set."""
        return bool(
            self.kbs
            or self.doc_types
            or self.tags
            or self.since
            or self.until
            or self.path_glob
            or self.groups is not None
        )


@dataclass(frozen=True)
class IndexHit:
    """A chunk and its score from one side of the search (higher is better)."""

    chunk_id: int
    score: float


@dataclass(frozen=True)
class IndexedChunk:
    """What an index stores for a chunk that already exists in the catalog."""

    chunk_id: int
    terms: str
    vector: npt.NDArray[np.float32] | None = None


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
