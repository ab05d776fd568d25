"""The catalog's queries behind small named methods: knowledge bases, documents, type rules,
ingest errors, statistics, conversations and term statistics.

Every statement is SQLAlchemy Core over the tables of `ebrain.catalog.schema` (portable), except
the full-text lookups, which go to SQLite's FTS5 and answer "unknown" on other databases. A
PostgreSQL backend has this one module (and the index layer) to look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.catalog.db import inserted_id, write_conn
from ebrain.catalog.workspace import now_iso
from ebrain.errors import InvalidInputError, NotFoundError

MAX_PAGE = 10_000


@dataclass
class KnowledgeBase:
    """A named knowledge base inside a workspace."""

    id: int
    name: str
    description: str
    created_at: str
    documents: int = 0


class Catalog:
    """Named queries over one catalog engine; each opens its own connection (and a write
    transaction for writes) unless it takes the caller's `conn`."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # --- knowledge bases ---------------------------------------------------------------
    def kbs(self) -> list[KnowledgeBase]:
        """Every knowledge base with its document count, by name."""
        count = sa.select(sa.func.count()).where(t.document.c.kb_id == t.kb.c.id).scalar_subquery()
        q = sa.select(t.kb, count.label("documents")).order_by(t.kb.c.name)
        with self.engine.connect() as conn:
            return [KnowledgeBase(**r._mapping) for r in conn.execute(q)]

    def create_kb(self, name: str, description: str = "") -> KnowledgeBase:
        """Create a knowledge base (or return the existing one of that name)."""
        with write_conn(self.engine) as conn, conn.begin():
            kb_id = self.kb_id(conn, name, create=True, description=description)
        return next(k for k in self.kbs() if k.id == kb_id)

    def remove_kb(self, name: str) -> int:
        """Delete a knowledge base and all its documents; return how many were deleted."""
        from ebrain.ingest.store import delete_documents

        with write_conn(self.engine) as conn, conn.begin():
            kb_id = self.kb_id(conn, name)
            q = sa.select(t.document.c.id).where(t.document.c.kb_id == kb_id)
            ids = [int(r[0]) for r in conn.execute(q)]
            if ids:
                delete_documents(conn, ids)
            conn.execute(sa.delete(t.kb).where(t.kb.c.id == kb_id))
        return len(ids)

    def kb_id(
        self, conn: sa.Connection, name: str, create: bool = False, description: str = ""
    ) -> int:
        """The id of the kb called `name` (created when asked; else NotFoundError)."""
        row = conn.execute(sa.select(t.kb.c.id).where(t.kb.c.name == name)).first()
        if row is not None:
            return int(row[0])
        if not create:
            known = ", ".join(k.name for k in self.kbs()) or "none yet"
            raise NotFoundError(f"no knowledge base named {name!r}", hint=f"known: {known}")
        values = {"name": name, "description": description, "created_at": now_iso()}
        return inserted_id(conn.execute(sa.insert(t.kb).values(**values)))

    # --- document types ----------------------------------------------------------------
    def type_rules(self, kb_id: int | None = None) -> list[tuple[str, str]]:
        """The catalog's (glob pattern, type) rules: global ones and those of `kb_id`."""
        r = t.type_rule.c
        q = sa.select(r.pattern, r.doc_type).order_by(r.id)
        if kb_id is not None:
            q = q.where(sa.or_(r.kb_id.is_(None), r.kb_id == kb_id))
        with self.engine.connect() as conn:
            return [(row[0], row[1]) for row in conn.execute(q)]

    def add_type_rule(self, pattern: str, doc_type: str, kb: str | None = None) -> None:
        """Store a rule (for one kb, or all when `kb` is None)."""
        with write_conn(self.engine) as conn, conn.begin():
            kb_id = self.kb_id(conn, kb) if kb else None
            values = {"kb_id": kb_id, "pattern": pattern, "doc_type": doc_type}
            conn.execute(sa.insert(t.type_rule).values(**values, created_at=now_iso()))

    # --- ACL folder rules -----------------------------------------------------------------
    def acl_rules(self, kb_id: int | None = None) -> list[tuple[str, str]]:
        """The (glob pattern, group) rules: global ones and those of `kb_id`."""
        r = t.acl_rule.c
        q = sa.select(r.pattern, r.grp).order_by(r.id)
        if kb_id is not None:
            q = q.where(sa.or_(r.kb_id.is_(None), r.kb_id == kb_id))
        with self.engine.connect() as conn:
            return [(row[0], row[1]) for row in conn.execute(q)]

    def add_acl_rule(self, pattern: str, groups: Iterable[str], kb: str | None = None) -> None:
        """Store a rule giving files that match `pattern` the `groups` (one kb, or all)."""
        with write_conn(self.engine) as conn, conn.begin():
            kb_id = self.kb_id(conn, kb) if kb else None
            for grp in dict.fromkeys(groups):
                values = {"kb_id": kb_id, "pattern": pattern, "grp": grp, "created_at": now_iso()}
                conn.execute(sa.insert(t.acl_rule).values(**values))

    def set_type(self, document_id: int, doc_type: str) -> None:
        """Override one document's type (and its chunks'); it sticks across new versions."""
        with write_conn(self.engine) as conn, conn.begin():
            self.require_document(conn, document_id)
            d, c = t.document.c, t.chunk.c
            conn.execute(
                sa.update(t.document)
                .where(d.id == document_id)
                .values(doc_type=doc_type, type_source="user")
            )
            conn.execute(
                sa.update(t.chunk).where(c.document_id == document_id).values(doc_type=doc_type)
            )

    # --- documents ---------------------------------------------------------------------
    def documents(
        self,
        kb: str | None = None,
        doc_type: str | None = None,
        limit: int = 1000,
        offset: int = 0,
        *,
        scope: DocScope | None = None,
    ) -> list[dict[str, Any]]:
        """A page of documents (by id) with their kb, paths, tags and ACL groups; with a
        scope, only those it lets through (filtered in the query, so pages are exact)."""
        check_page(limit, offset)
        q = _documents_query().order_by(t.document.c.id).limit(limit).offset(offset)
        q = _doc_filters(q, kb, doc_type, scope)
        with self.engine.connect() as conn:
            return [_doc_dict(conn, r._mapping) for r in conn.execute(q)]

    def document_counts(
        self, kb: str | None = None, doc_type: str | None = None, *, scope: DocScope | None = None
    ) -> list[dict[str, Any]]:
        """Documents and bytes per (kb, type), over the documents the scope lets through."""
        d = t.document.c
        q = sa.select(t.kb.c.name, d.doc_type, sa.func.count(), sa.func.sum(d.size)).join(
            t.kb, t.kb.c.id == d.kb_id
        )
        q = _doc_filters(q, kb, doc_type, scope).group_by(t.kb.c.name, d.doc_type)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        keys = ("kb", "doc_type", "documents", "bytes")
        return [dict(zip(keys, (r[0], r[1], int(r[2]), int(r[3] or 0)), strict=True)) for r in rows]

    def document(self, document_id: int, with_text: bool = False) -> dict[str, Any]:
        """One document with its chunks, and its current text when asked."""
        if not 0 < document_id < 2**63:  # SQLite integers are 64-bit: no such row
            raise _no_document(document_id)
        q = _documents_query().where(t.document.c.id == document_id)
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
            if row is None:
                raise _no_document(document_id)
            doc = _doc_dict(conn, row._mapping)
            doc["chunks"] = _chunks(conn, document_id)
            if with_text:
                doc["text"] = _current_text(conn, document_id)
        return doc

    def remove_document(self, document_id: int) -> None:
        """Delete a document with its versions, chunks, vectors and paths."""
        from ebrain.ingest.store import delete_documents

        with write_conn(self.engine) as conn, conn.begin():
            self.require_document(conn, document_id)
            delete_documents(conn, [document_id])

    def require_document(self, conn: sa.Connection, document_id: int) -> None:
        """NotFoundError unless the document exists."""
        q = sa.select(t.document.c.id).where(t.document.c.id == document_id)
        if conn.execute(q).first() is None:
            raise _no_document(document_id)

    # --- errors and statistics -----------------------------------------------------------
    def errors(self, kb: str | None = None) -> list[dict[str, Any]]:
        """Files that could not be ingested, with their reasons, by path."""
        e = t.ingest_error
        q = (
            sa.select(e, t.kb.c.name.label("kb"))
            .join(t.kb, t.kb.c.id == e.c.kb_id)
            .order_by(e.c.path)
        )
        if kb:
            q = q.where(t.kb.c.name == kb)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def stats(self, flag_threshold: float = 0.5) -> dict[str, Any]:
        """Documents by type and kb, chunks, bytes, vectors, errors and flagged chunks (a
        chunk is flagged when a rule matched it or its stored score reaches the threshold)."""
        d = t.document.c
        by_q = (
            sa.select(t.kb.c.name, d.doc_type, sa.func.count(), sa.func.sum(d.size))
            .join(t.kb, t.kb.c.id == d.kb_id)
            .group_by(t.kb.c.name, d.doc_type)
        )
        with self.engine.connect() as conn:
            by = conn.execute(by_q).all()
            counts = [_count(conn, x) for x in (t.chunk, t.chunk_vector, t.ingest_error)]
            injection = _injection_counts(conn, flag_threshold)
        return {**_stats_dict(by, *counts), "injection": injection}

    def kb_names(self) -> list[str]:
        """Every knowledge base's name, sorted."""
        with self.engine.connect() as conn:
            return sorted(str(r[0]) for r in conn.execute(sa.select(t.kb.c.name)))

    def chunk_texts(self, after: int, limit: int) -> list[tuple[int, str, str, str]]:
        """(chunk id, document title, heading path JSON, text) of the next `limit` chunks
        whose id is above `after`, in id order (for re-analysis in bounded batches)."""
        q = (
            sa.select(t.chunk.c.id, t.document.c.title, t.chunk.c.heading_path, t.chunk.c.text)
            .join(t.document, t.document.c.id == t.chunk.c.document_id)
            .where(t.chunk.c.id > after)
            .order_by(t.chunk.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(int(r[0]), r[1], r[2], r[3]) for r in conn.execute(q)]

    def chunk_count(self) -> int:
        """How many chunks the catalog holds."""
        with self.engine.connect() as conn:
            return _count(conn, t.chunk)

    def fulltext_doc_freq(self, term: str) -> int:
        """Chunks whose indexed terms include `term` (0 without an FTS5 index)."""
        if self.engine.dialect.name != "sqlite":
            return 0
        expr = '"' + term.replace('"', '""') + '"'
        sql = sa.text("SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH :q")
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(sql, {"q": expr}).scalar_one())
        except sa.exc.DBAPIError:
            return 0

    # --- conversations -------------------------------------------------------------------
    def create_conversation(self, conversation_id: str, assistant: str) -> None:
        """Store a new, empty conversation."""
        values = {"id": conversation_id, "assistant": assistant, "created_at": now_iso()}
        with write_conn(self.engine) as conn, conn.begin():
            conn.execute(sa.insert(t.conversation).values(**values, title=""))

    def has_conversation(self, conversation_id: str) -> bool:
        """True when the conversation exists."""
        q = sa.select(t.conversation.c.id).where(t.conversation.c.id == conversation_id)
        with self.engine.connect() as conn:
            return conn.execute(q).first() is not None

    def messages(self, conversation_id: str) -> list[tuple[str, str, str, str, str]]:
        """(role, content, query, trace_id, created_at) of each message, oldest first."""
        m = t.message.c
        q = (
            sa.select(m.role, m.content, m.query, m.trace_id, m.created_at)
            .where(m.conversation_id == conversation_id)
            .order_by(m.id)
        )
        with self.engine.connect() as conn:
            return [(r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(q)]

    def add_messages(self, conversation_id: str, rows: Iterable[dict[str, str]]) -> None:
        """Append messages (role, content, query, trace_id, answer) in one transaction."""
        at = now_iso()
        values = [{**r, "conversation_id": conversation_id, "created_at": at} for r in rows]
        if values:
            with write_conn(self.engine) as conn, conn.begin():
                conn.execute(sa.insert(t.message), values)


class PromptVersions:
    """Append-only versions of named prompt templates (table prompt_version)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def names(self) -> set[str]:
        """Every stored template name."""
        q = sa.select(t.prompt_version.c.name).distinct()
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(q)}

    def summary(self) -> list[tuple[str, int, int]]:
        """(name, latest version, how many versions) of every template, by name."""
        p = t.prompt_version.c
        q = sa.select(p.name, sa.func.max(p.version), sa.func.count()).group_by(p.name)
        with self.engine.connect() as conn:
            return [(r[0], int(r[1]), int(r[2])) for r in conn.execute(q.order_by(p.name))]

    def versions(self, name: str) -> list[dict[str, Any]]:
        """Every version of `name`, oldest first (empty when there is none)."""
        p = t.prompt_version.c
        q = sa.select(t.prompt_version).where(p.name == name).order_by(p.version)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def append(self, items: Iterable[tuple[str, str, str, str]]) -> None:
        """Add (name, template, note, source) as each name's next version, in one transaction."""
        with write_conn(self.engine) as conn, conn.begin():
            for name, text, note, source in items:
                _append_prompt(conn, name, text, note, source)


def _append_prompt(conn: sa.Connection, name: str, text: str, note: str, source: str) -> None:
    p = t.prompt_version.c
    latest = conn.execute(sa.select(sa.func.max(p.version)).where(p.name == name)).scalar()
    values = {"name": name, "version": int(latest or 0) + 1, "template": text}
    conn.execute(
        sa.insert(t.prompt_version).values(**values, note=note, source=source, created_at=now_iso())
    )


def check_page(limit: int, offset: int) -> None:
    """InvalidInputError unless 1 <= limit <= 10000 and offset >= 0."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(
            f"invalid limit {limit}", hint=f"use a limit from 1 to {MAX_PAGE}, e.g. --limit 100"
        )
    if offset < 0:
        raise InvalidInputError(
            f"invalid offset {offset}", hint="use an offset of 0 or more (documents to skip)"
        )


def _no_document(document_id: int) -> NotFoundError:
    return NotFoundError(f"no document with id {document_id}", hint="see `ebrain docs list`")


@dataclass(frozen=True)
class DocScope:
    """Which documents a reader sees: those public or shared with one of `groups` (None: all),
    in one of `kbs` (None: every kb)."""

    groups: tuple[str, ...] | None = None
    kbs: tuple[str, ...] | None = None


def _doc_filters(
    q: sa.Select[Any], kb: str | None, doc_type: str | None, scope: DocScope | None
) -> sa.Select[Any]:
    if kb:
        q = q.where(t.kb.c.name == kb)
    if doc_type:
        q = q.where(t.document.c.doc_type == doc_type)
    if scope is not None and scope.kbs is not None:
        q = q.where(t.kb.c.name.in_(scope.kbs))
    if scope is not None and scope.groups is not None:
        acl = t.document_acl.c
        mine = sa.select(acl.document_id).where(acl.grp.in_(scope.groups))
        public = ~sa.exists().where(acl.document_id == t.document.c.id)
        q = q.where(sa.or_(public, t.document.c.id.in_(mine)))
    return q


def _documents_query() -> sa.Select[Any]:
    return sa.select(t.document, t.kb.c.name.label("kb")).join(
        t.kb, t.kb.c.id == t.document.c.kb_id
    )


def _count(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _current_text(conn: sa.Connection, document_id: int) -> str | None:
    v = t.version.c
    q = sa.select(v.text).where(v.document_id == document_id, v.retired_at.is_(None))
    text = conn.execute(q).scalar_one_or_none()
    return None if text is None else str(text)


def _doc_dict(conn: sa.Connection, row: Any) -> dict[str, Any]:
    doc = dict(row)
    doc_id = doc["id"]
    doc["meta"] = json.loads(doc["meta"])
    doc["warnings"] = json.loads(doc["warnings"])
    doc["paths"] = _column(conn, t.document_path.c.path, t.document_path.c.document_id == doc_id)
    doc["tags"] = _column(conn, t.document_tag.c.tag, t.document_tag.c.document_id == doc_id)
    doc["acl"] = _column(conn, t.document_acl.c.grp, t.document_acl.c.document_id == doc_id)
    return doc


def _column(
    conn: sa.Connection, col: sa.ColumnElement[Any], where: sa.ColumnElement[bool]
) -> list[Any]:
    return sorted(r[0] for r in conn.execute(sa.select(col).where(where)))


def _chunks(conn: sa.Connection, document_id: int) -> list[dict[str, Any]]:
    c, g, o = t.chunk.c, t.chunk_guard.c, t.chunk_ocr.c
    q = (
        sa.select(c.id, c.ord, c.kind, c.text, c.heading_path, c.page_start, c.page_end)
        .add_columns(c.char_start, c.char_end, c.n_tokens)
        .add_columns(g.score.label("injection_score"), g.rule.label("injection_rule"))
        .add_columns(o.confidence.label("ocr_confidence"), o.boxes.label("ocr_boxes"))
        .outerjoin(t.chunk_guard, g.chunk_id == c.id)
        .outerjoin(t.chunk_ocr, o.chunk_id == c.id)
        .where(c.document_id == document_id)
        .order_by(c.ord)
    )
    out = []
    for r in conn.execute(q):
        item = dict(r._mapping)
        item["heading_path"] = json.loads(item["heading_path"])
        item["ocr_boxes"] = json.loads(item["ocr_boxes"]) if item["ocr_boxes"] else None
        out.append(item)
    return out


def ocr_provenance(conn: sa.Connection, chunk_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For the chunks read by OCR among `chunk_ids`: mean confidence and boxes on the page
    images ([page, x0, y0, x1, y1] as page fractions), so a citation can highlight them."""
    o = t.chunk_ocr.c
    rows = conn.execute(
        sa.select(o.chunk_id, o.confidence, o.boxes).where(o.chunk_id.in_(chunk_ids))
    )
    return {r.chunk_id: {"confidence": r.confidence, "boxes": json.loads(r.boxes)} for r in rows}


def _stats_dict(by: Any, chunks: int, vectors: int, errors: int) -> dict[str, Any]:
    by_type: dict[str, int] = {}
    by_kb: dict[str, int] = {}
    total_bytes = 0
    for kb, doc_type, n, size in by:
        by_type[doc_type] = by_type.get(doc_type, 0) + n
        by_kb[kb] = by_kb.get(kb, 0) + n
        total_bytes += int(size or 0)
    return {
        "documents": sum(by_kb.values()),
        "by_type": dict(sorted(by_type.items())),
        "by_kb": dict(sorted(by_kb.items())),
        "chunks": chunks,
        "vectors": vectors,
        "bytes": total_bytes,
        "errors": errors,
    }


# --- the firewall's chunk scores (ebrain.guard.learned; written at ingest, read at ask) ---
def store_chunk_scores(
    conn: sa.Connection, rows: Iterable[tuple[int, float, str | None]], head: str
) -> None:
    """Record (chunk id, learned score, matched rule) rows, replacing earlier scores."""
    items = [{"chunk_id": c, "score": float(s), "rule": r, "head": head} for c, s, r in rows]
    if not items:
        return
    ids = [i["chunk_id"] for i in items]
    conn.execute(sa.delete(t.chunk_guard).where(t.chunk_guard.c.chunk_id.in_(ids)))
    conn.execute(sa.insert(t.chunk_guard), items)


def chunk_scores(
    conn: sa.Connection, chunk_ids: Iterable[int]
) -> dict[int, tuple[float, str | None]]:
    """The stored (score, rule) of each chunk that has one."""
    g = t.chunk_guard.c
    ids = list(chunk_ids)
    q = sa.select(g.chunk_id, g.score, g.rule).where(g.chunk_id.in_(ids))
    return {int(r[0]): (float(r[1]), r[2]) for r in conn.execute(q)} if ids else {}


def forget_chunk_scores(conn: sa.Connection) -> None:
    """Drop every stored chunk score (the vectors they came from are being remade)."""
    conn.execute(sa.delete(t.chunk_guard))


def _injection_counts(conn: sa.Connection, threshold: float) -> dict[str, Any]:
    g = t.chunk_guard.c
    flagged = sa.or_(g.rule.is_not(None), g.score >= threshold)
    q = sa.select(sa.func.count(), sa.func.count().filter(flagged)).select_from(t.chunk_guard)
    scored, hits = conn.execute(q).one()
    return {"scored": int(scored), "flagged": int(hits or 0), "threshold": threshold}
