"""The embedded index (`index.url: sqlite:`): SQLite FTS5 (BM25) over chunk terms in the
workspace catalog, plus memory-mapped dense vectors exported from `chunk_vector`."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from ebrain.catalog.db import write_conn
from ebrain.errors import ConfigError
from ebrain.index.base import (
    ChunkRow,
    Filters,
    IndexContext,
    IndexedChunk,
    IndexHit,
    LexicalStats,
    SearchIndex,
)
from ebrain.index.fts import fts_catch_up, fts_remove_chunks, has_fts
from ebrain.index.vectors import (
    VectorCache,
    bump_generation,
    fresh_cache,
    vector_search,
    write_vectors,
)

_FTS_INSERT = "INSERT INTO chunk_fts(rowid, terms) VALUES (:id, :terms)"


def filter_sql(f: Filters) -> tuple[str, dict[str, Any]]:
    """SQL conditions over chunk `c` and document `d` for these filters, with parameters."""
    parts: list[str] = []
    params: dict[str, Any] = {}

    def add_in(column: str, values: Sequence[str], name: str) -> None:
        keys = [f"{name}{i}" for i in range(len(values))]
        params.update(zip(keys, values, strict=True))
        parts.append(f"{column} IN ({', '.join(':' + k for k in keys)})")

    if f.kbs:
        add_in("c.kb_id IN (SELECT id FROM kb WHERE name", f.kbs, "kb")
        parts[-1] += ")"
    if f.doc_types:
        add_in("c.doc_type", f.doc_types, "ty")
    for i, tag in enumerate(f.tags):
        params[f"tag{i}"] = tag
        parts.append(
            f"EXISTS (SELECT 1 FROM document_tag g WHERE g.document_id = c.document_id AND g.tag = :tag{i})"
        )
    _dates(f, parts, params)
    if f.path_glob:
        params["glob"] = f.path_glob
        parts.append(
            "EXISTS (SELECT 1 FROM document_path p WHERE p.document_id = c.document_id "
            "AND p.path GLOB :glob)"
        )
    if not f.principal.is_owner:
        parts.append(_acl_sql(f.principal.groups, params))
    return (" AND ".join(parts) or "1=1"), params


def _dates(f: Filters, parts: list[str], params: dict[str, Any]) -> None:
    date = "(SELECT COALESCE(d.doc_date, substr(d.updated_at, 1, 10)) FROM document d WHERE d.id = c.document_id)"
    if f.since:
        params["since"] = f.since
        parts.append(f"{date} >= :since")
    if f.until:
        params["until"] = f.until
        parts.append(f"{date} <= :until")


def _acl_sql(groups: Sequence[str], params: dict[str, Any]) -> str:
    keys = [f"grp{i}" for i in range(len(groups))]
    params.update(zip(keys, groups, strict=True))
    public = "NOT EXISTS (SELECT 1 FROM document_acl a WHERE a.document_id = c.document_id)"
    if not groups:
        return public
    allowed = ", ".join(":" + k for k in keys)
    member = f"EXISTS (SELECT 1 FROM document_acl a WHERE a.document_id = c.document_id AND a.grp IN ({allowed}))"
    return f"({public} OR {member})"


def match_query(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression: any of the terms, each quoted."""
    unique = dict.fromkeys(t.replace('"', '""') for t in terms if t)
    return " OR ".join(f'"{t}"' for t in unique)


_LOAD = (
    "SELECT c.id, c.document_id, c.text, c.page_start, c.page_end, c.heading_path, c.char_start, "
    "c.char_end, c.ord, c.doc_type, d.title, d.doc_date, kb.name AS kb, "
    "(SELECT min(p.path) FROM document_path p WHERE p.document_id = d.id) AS path, "
    "g.score AS injection_score, g.rule AS injection_rule "
    "FROM chunk c LEFT JOIN chunk_guard g ON g.chunk_id = c.id JOIN document d ON d.id = c.document_id JOIN kb ON kb.id = c.kb_id "
)
_SPAN = "SELECT substr(text, :s, :n) FROM version WHERE document_id = :d AND retired_at IS NULL"


def create(spec: str) -> Any:
    """Entry point `sqlite`: the index lives in the workspace catalog (`sqlite:`)."""
    if spec.strip().lower() not in ("sqlite", "sqlite:"):
        raise ConfigError(
            f"the sqlite index takes no location: {spec!r}",
            hint="set index.url to `sqlite:` (the workspace's own catalog)",
        )
    return open_sqlite


def open_sqlite(context: IndexContext) -> SearchIndex:
    """The embedded index of one workspace."""
    return SqliteIndex(context.engine, context.folder, context.dim, context.ann_threshold)


class SqliteIndex:
    """SearchIndex over the workspace catalog: FTS5 + exact (quantized) vector scan.

    Thread-safe: every call takes its own pooled connection, and the vector cache is an
    immutable snapshot swapped under a lock when the catalog's vector generation moves."""

    def __init__(
        self,
        engine: sa.Engine,
        folder: Path,
        dim: int = 0,
        ann_threshold: int = 200_000,
        prune_above: int = 50_000,
        max_df: float = 0.1,
    ) -> None:
        self.engine = engine
        self.prune_above = prune_above
        self.max_df = max_df
        self.folder = folder
        self.dim = dim
        self.ann_threshold = ann_threshold
        self._cache: VectorCache | None = None
        self._cache_lock = threading.Lock()

    def upsert(self, chunks: Sequence[IndexedChunk]) -> None:
        """Replace the terms and/or vectors of existing catalog chunks."""
        with write_conn(self.engine) as conn, conn.begin():
            self._set_terms(conn, [c for c in chunks if c.terms is not None])
            with_vec = [c for c in chunks if c.vector is not None]
            if with_vec:
                vecs = np.stack([np.asarray(c.vector, dtype=np.float32) for c in with_vec])
                write_vectors(conn, [c.chunk_id for c in with_vec], vecs)

    def _set_terms(self, conn: sa.Connection, chunks: list[IndexedChunk]) -> None:
        if not chunks:
            return
        fts_remove_chunks(conn, [c.chunk_id for c in chunks])
        rows = [{"t": c.terms, "id": c.chunk_id} for c in chunks]
        conn.execute(sa.text("UPDATE chunk SET terms = :t WHERE id = :id"), rows)
        filled = [{"id": c.chunk_id, "terms": c.terms} for c in chunks if c.terms]
        if filled and has_fts(conn):
            conn.execute(sa.text(_FTS_INSERT), filled)

    def delete(self, chunk_ids: Sequence[int]) -> None:
        """Remove chunks from the full-text and vector index."""
        with write_conn(self.engine) as conn, conn.begin():
            self._unindex(conn, list(chunk_ids))
            conn.execute(
                sa.text("UPDATE chunk SET terms = '' WHERE id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"ids": list(chunk_ids)},
            )

    def _unindex(self, conn: sa.Connection, ids: list[int]) -> None:
        if not ids:
            return
        fts_remove_chunks(conn, ids)
        gone = conn.execute(
            sa.text("DELETE FROM chunk_vector WHERE chunk_id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        )
        if gone.rowcount:
            bump_generation(conn)

    def flush(self) -> int:
        """Move the chunks queued in the catalog (`chunk_fts_pending`) into FTS5."""
        return fts_catch_up(self.engine)

    def refresh(self, document_ids: Sequence[int]) -> None:
        """Nothing to do: searches join the catalog's ACL, tag and type rows directly."""

    def load(self, chunk_ids: Sequence[int], filters: Filters) -> dict[int, ChunkRow]:
        """Chunk rows with their document, kb and first path; the filters (ACL) apply again."""
        if not chunk_ids:
            return {}
        where, params = filter_sql(filters)
        sql = sa.text(_LOAD + f"WHERE c.id IN :ids AND {where}").bindparams(
            sa.bindparam("ids", expanding=True)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(sql, {**params, "ids": list(chunk_ids)})
            return {int(r[0]): dict(r._mapping) for r in rows}

    def text_span(self, document_id: int, start: int, end: int) -> str | None:
        """Characters [start, end) of the document's current version."""
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.text(_SPAN), {"s": start + 1, "n": end - start, "d": document_id}
            ).scalar()
        return None if value is None else str(value)

    def lexical(self, terms: Sequence[str], k: int, filters: Filters) -> list[IndexHit]:
        """BM25 top-k; filters (ACL included) are part of the query."""
        if not terms or k <= 0:
            return []
        if self.engine.dialect.name != "sqlite":
            raise ConfigError(
                "full-text search with index.url `sqlite:` needs a SQLite catalog",
                hint="on a PostgreSQL catalog set index.url to a Milvus index (milvus://host:19530)",
            )
        self.flush()  # what an interrupted ingest left queued
        with self.engine.connect() as conn:
            expr = match_query(self._prune(conn, terms))
            if not filters.restricts:
                sql = (
                    "SELECT rowid, -bm25(chunk_fts) FROM chunk_fts WHERE chunk_fts MATCH :q "
                    "ORDER BY bm25(chunk_fts) LIMIT :k"
                )
                rows = conn.execute(sa.text(sql), {"q": expr, "k": k}).all()
            else:
                where, params = filter_sql(filters)
                sql = (
                    "SELECT c.id, -bm25(chunk_fts) AS s FROM chunk_fts JOIN chunk c ON c.id = chunk_fts.rowid "
                    f"WHERE chunk_fts MATCH :q AND {where} ORDER BY bm25(chunk_fts) LIMIT :k"
                )
                rows = conn.execute(sa.text(sql), {**params, "q": expr, "k": k}).all()
        return [IndexHit(int(r[0]), float(r[1])) for r in rows]

    def lexical_stats(self, terms: Sequence[str], chunk_ids: Sequence[int]) -> LexicalStats:
        """Document frequencies of the query terms (FTS5 vocabulary, the statistics BM25 uses)
        and, for each chunk of `chunk_ids`, which of the terms its indexed terms contain."""
        unique = list(dict.fromkeys(t for t in terms if t))
        if not unique:
            return LexicalStats(0, {}, {})
        with self.engine.connect() as conn:
            size = int(conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM chunk")).scalar_one())
            found = self._df(conn, unique)
            df = {t: found.get(t, 0) for t in unique}
            rows = conn.execute(
                sa.text("SELECT id, terms FROM chunk WHERE id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"ids": list(chunk_ids) or [-1]},
            )
            wanted = set(unique)
            hits = {int(i): frozenset(wanted.intersection(str(t).split())) for i, t in rows}
        return LexicalStats(size, df, hits)

    @staticmethod
    def _df(conn: sa.Connection, terms: list[str]) -> dict[str, int]:
        if not has_fts(conn):
            return {}
        rows = conn.execute(
            sa.text("SELECT term, doc FROM chunk_fts_vocab WHERE term IN :t").bindparams(
                sa.bindparam("t", expanding=True)
            ),
            {"t": terms},
        )
        return {str(t): int(n) for t, n in rows}

    def _prune(self, conn: sa.Connection, terms: Sequence[str]) -> list[str]:
        """Above `prune_above` chunks, drop query terms found in more than `max_df` of them:
        their BM25 weight is small, and their long posting lists dominate the query's cost."""
        unique = list(dict.fromkeys(terms))
        size = int(conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM chunk")).scalar_one())
        if size < self.prune_above or len(unique) < 2:
            return unique
        df = self._df(conn, unique)
        kept = [t for t in unique if df.get(t, 0) <= self.max_df * size]
        return kept or sorted(unique, key=lambda t: df.get(t, 0))[:2]

    def vector(self, query: npt.NDArray[np.float32], k: int, filters: Filters) -> list[IndexHit]:
        """Cosine top-k by exact scan over the allowed chunks only."""
        cache = self.cache()
        if cache is None or len(cache) == 0:
            return []
        rows = self._allowed_rows(cache, filters) if filters.restricts else None
        return [IndexHit(cid, s) for cid, s in vector_search(cache, query, k, rows)]

    def cache(self) -> VectorCache | None:
        """The up-to-date memory-mapped vectors: an immutable snapshot; one thread re-exports
        when the generation moved, the others wait for it (and then share the new snapshot)."""
        with self._cache_lock:
            fresh = fresh_cache(self.engine, self.folder, self.dim, self.ann_threshold, self._cache)
            if fresh is not self._cache:
                self._cache = fresh
        return fresh

    def _allowed_rows(self, cache: VectorCache, filters: Filters) -> npt.NDArray[np.int64]:
        where, params = filter_sql(filters)
        with self.engine.connect() as conn:
            ids = np.fromiter(
                (
                    r[0]
                    for r in conn.execute(
                        sa.text(f"SELECT c.id FROM chunk c WHERE {where}"), params
                    )
                ),
                dtype=np.int64,
            )
        pos = np.searchsorted(cache.ids, ids)
        inside = pos < len(cache.ids)
        pos, ids = pos[inside], ids[inside]
        return np.sort(pos[cache.ids[pos] == ids])

    def vector_count(self) -> int:
        """Vectors the vector side searches now (the current snapshot's size)."""
        cache = self.cache()
        return 0 if cache is None else len(cache)
