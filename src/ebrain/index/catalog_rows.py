"""Portable catalog reads for index backends that keep only search structures elsewhere
(Milvus): the rows a search shows (`load_rows`), document text spans, the filters as
SQLAlchemy Core conditions, and the scalar fields (kb, type, date, tags, ACL) an external
engine stores beside each chunk. SQLAlchemy Core only: SQLite and PostgreSQL alike."""

from __future__ import annotations

import fnmatch
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.index.base import ChunkRow, Filters

DF_SAMPLE = 20_000  # chunks whose terms give document frequencies (all of them below this)
ID_BATCH = 5000  # ids per IN list (SQLite allows 32766 parameters; keep statements small)


def day_column(document: sa.FromClause = t.document) -> sa.ColumnElement[Any]:
    """A document's date as the filters see it: doc_date, else the day it was updated."""
    d = document.c
    return sa.func.coalesce(d.doc_date, sa.func.substr(d.updated_at, 1, 10))


def glob_documents(conn: sa.Connection, pattern: str) -> list[int]:
    """Documents with a path matching the glob `pattern` (SQLite GLOB semantics: `*`, `?`,
    `[...]`, case-sensitive); the literal prefix narrows the scan in SQL."""
    p = t.document_path.c
    prefix = ""
    for ch in pattern:
        if ch in "*?[":
            break
        prefix += ch
    q = sa.select(p.document_id, p.path)
    if prefix:
        q = q.where(sa.func.substr(p.path, 1, len(prefix)) == prefix)
    return sorted(
        {int(d) for d, path in conn.execute(q) if fnmatch.fnmatchcase(str(path), pattern)}
    )


def filter_clause(f: Filters) -> sa.ColumnElement[bool]:
    """The filters as a condition over `chunk` (ACL included for a non-owner)."""
    c, own = t.chunk.c, t.document.alias("filter_document")  # the alias never auto-correlates
    parts: list[sa.ColumnElement[bool]] = []
    doc = sa.select(own.c.id).where(own.c.id == c.document_id)
    if f.kbs:
        parts.append(c.kb_id.in_(sa.select(t.kb.c.id).where(t.kb.c.name.in_(f.kbs))))
    if f.doc_types:
        parts.append(c.doc_type.in_(f.doc_types))
    for tag in f.tags:
        g = t.document_tag.c
        parts.append(sa.exists().where(g.document_id == c.document_id, g.tag == tag))
    if f.since:
        parts.append(sa.exists(doc.where(day_column(own) >= f.since)))
    if f.until:
        parts.append(sa.exists(doc.where(day_column(own) <= f.until)))
    if not f.principal.is_owner:
        parts.append(_acl_clause(f.principal.groups))
    return sa.and_(sa.true(), *parts)


def _acl_clause(groups: Sequence[str]) -> sa.ColumnElement[bool]:
    a, c = t.document_acl.c, t.chunk.c
    public = ~sa.exists().where(a.document_id == c.document_id)
    if not groups:
        return public
    return sa.or_(public, sa.exists().where(a.document_id == c.document_id, a.grp.in_(groups)))


def _load_query() -> sa.Select[Any]:
    c, d, g, p = t.chunk.c, t.document.c, t.chunk_guard.c, t.document_path.c
    first_path = sa.select(sa.func.min(p.path)).where(p.document_id == d.id).scalar_subquery()
    cols = [c.id, c.document_id, c.text, c.page_start, c.page_end, c.heading_path, c.char_start,
            c.char_end, c.ord, c.doc_type, d.title, d.doc_date, t.kb.c.name.label("kb"),
            first_path.label("path"), g.score.label("injection_score"),
            g.rule.label("injection_rule")]  # fmt: skip
    return (
        sa.select(*cols)
        .select_from(t.chunk)
        .outerjoin(t.chunk_guard, g.chunk_id == c.id)
        .join(t.document, d.id == c.document_id)
        .join(t.kb, t.kb.c.id == c.kb_id)
    )


def load_rows(engine: sa.Engine, chunk_ids: Sequence[int], f: Filters) -> dict[int, ChunkRow]:
    """The chunk rows a search shows, those the filters allow (missing ids are left out)."""
    if not chunk_ids:
        return {}
    q = _load_query().where(t.chunk.c.id.in_(list(chunk_ids)), filter_clause(f))
    with engine.connect() as conn:
        allowed = set(glob_documents(conn, f.path_glob)) if f.path_glob else None
        rows = {int(r[0]): dict(r._mapping) for r in conn.execute(q)}
    if allowed is not None:
        rows = {k: v for k, v in rows.items() if v["document_id"] in allowed}
    return rows


def text_span(engine: sa.Engine, document_id: int, start: int, end: int) -> str | None:
    """Characters [start, end) of a document's current version."""
    v = t.version.c
    q = sa.select(sa.func.substr(v.text, start + 1, end - start)).where(
        v.document_id == document_id, v.retired_at.is_(None)
    )
    with engine.connect() as conn:
        value = conn.execute(q).scalar()
    return None if value is None else str(value)


def chunk_terms(engine: sa.Engine, chunk_ids: Sequence[int]) -> dict[int, str]:
    """The stored analyzed terms of these chunks."""
    c = t.chunk.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(c.id, c.terms).where(c.id.in_(list(chunk_ids) or [-1])))
        return {int(i): str(x) for i, x in rows}


def chunk_count_hint(engine: sa.Engine) -> int:
    """The corpus size BM25 statistics use (the highest chunk id, as the embedded index)."""
    with engine.connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.chunk.c.id), 0))).scalar_one()
        )


@dataclass(frozen=True)
class Scalars:
    """What an external index stores beside a chunk to filter inside its search."""

    chunk_id: int
    document_id: int
    kb_id: int
    doc_type: str
    day: str
    tags: tuple[str, ...]
    groups: tuple[str, ...]


def scalars(conn: sa.Connection, where: sa.ColumnElement[bool]) -> list[tuple[Scalars, str]]:
    """(scalar fields, terms) of the chunks matching `where` (a condition on `chunk`)."""
    c = t.chunk.c
    q = (
        sa.select(c.id, c.document_id, c.kb_id, c.doc_type, day_column(), c.terms)
        .join(t.document, t.document.c.id == c.document_id)
        .where(where)
        .order_by(c.id)
    )
    rows = conn.execute(q).all()
    docs = sorted({int(r[1]) for r in rows})
    tags = _by_document(conn, t.document_tag.c.tag, docs)
    groups = _by_document(conn, t.document_acl.c.grp, docs)
    return [
        (Scalars(int(r[0]), int(r[1]), int(r[2]), str(r[3]), str(r[4] or ""),
                 tags.get(int(r[1]), ()), groups.get(int(r[1]), ())), str(r[5]))
        for r in rows
    ]  # fmt: skip


def _by_document(
    conn: sa.Connection, column: sa.Column[str], docs: list[int]
) -> dict[int, tuple[str, ...]]:
    table = column.table
    out: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(docs), ID_BATCH):
        part = docs[start : start + ID_BATCH]
        q = sa.select(table.c.document_id, column).where(table.c.document_id.in_(part))
        for d, value in conn.execute(q.order_by(column)):
            out[int(d)].append(str(value))
    return {d: tuple(v) for d, v in out.items()}


def stored_vectors(
    conn: sa.Connection, chunk_ids: Sequence[int]
) -> dict[int, npt.NDArray[np.float32]]:
    """The catalog's (float16) vectors of these chunks, as float32."""
    v = t.chunk_vector.c
    q = sa.select(v.chunk_id, v.vec).where(v.chunk_id.in_(list(chunk_ids) or [-1]))
    return {
        int(i): np.frombuffer(b, dtype=np.float16).astype(np.float32) for i, b in conn.execute(q)
    }


def catalog_ids(conn: sa.Connection, vectors: bool) -> set[int]:
    """Ids of the chunks with terms (or, with `vectors`, of those with a stored vector)."""
    if vectors:
        return {int(r[0]) for r in conn.execute(sa.select(t.chunk_vector.c.chunk_id))}
    c = t.chunk.c
    return {int(r[0]) for r in conn.execute(sa.select(c.id).where(c.terms != ""))}


def signature(conn: sa.Connection) -> tuple[int, ...]:
    """A cheap fingerprint of what an external index mirrors: chunks (count, max id) and
    stored vectors (count, max id), read from the primary keys. Chunk ids are never reused,
    so any insert or delete of chunks or vectors changes it."""
    c, v = t.chunk.c, t.chunk_vector.c
    text = conn.execute(
        sa.select(sa.func.count(c.id), sa.func.coalesce(sa.func.max(c.id), 0))
    ).one()
    vec = conn.execute(
        sa.select(sa.func.count(v.chunk_id), sa.func.coalesce(sa.func.max(v.chunk_id), 0))
    ).one()
    return (int(text[0]), int(text[1]), int(vec[0]), int(vec[1]))


@dataclass(frozen=True)
class TermSample:
    """Document frequencies of every term over the chunks (exact up to DF_SAMPLE chunks,
    estimated from every step-th chunk above), for one catalog fingerprint."""

    sig: tuple[int, ...] | None
    scale: float
    counts: Counter[str]

    def df(self, term: str) -> int:
        """The (estimated) number of chunks that contain `term`."""
        return round(self.counts.get(term, 0) * self.scale)


def term_sample(
    engine: sa.Engine, sig: tuple[int, ...] | None, limit: int = DF_SAMPLE
) -> TermSample:
    """Count, per term, the sampled chunks that contain it (one pass over their terms)."""
    c = t.chunk.c
    with engine.connect() as conn:
        total = int(conn.execute(sa.select(sa.func.count(c.id))).scalar_one())
        step = max(1, math.ceil(total / limit))
        q = sa.select(c.terms).where(c.terms != "")
        if step > 1:
            q = q.where(c.id % step == 0)
        counts: Counter[str] = Counter()
        sampled = 0
        for (terms,) in conn.execute(q):
            counts.update(set(str(terms).split()))
            sampled += 1
    return TermSample(sig, 1.0 if step == 1 else total / max(1, sampled), counts)
