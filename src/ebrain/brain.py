"""Brain: the one public facade. The CLI and the server are thin layers over it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypedDict, Unpack

import sqlalchemy as sa

from ebrain.answer.facade import AnswerMixin
from ebrain.catalog import schema as t
from ebrain.catalog.db import inserted_id, write_conn
from ebrain.catalog.workspace import Workspace, now_iso
from ebrain.embed.base import EmbeddingModel, embedder_for
from ebrain.errors import BackendError, IndexMismatchError, InvalidInputError, NotFoundError
from ebrain.index.base import Filters
from ebrain.index.embedding import (
    DIM_KEY,
    EMBEDDER_KEY,
    check_embedder,
    embed_pending,
    recorded_embedder,
)
from ebrain.index.sqlite import SqliteIndex
from ebrain.index.vectors import bump_generation
from ebrain.ingest.chunk import ChunkerConfig
from ebrain.ingest.classify import DOC_TYPES
from ebrain.ingest.pipeline import IngestPipeline, ProgressFn
from ebrain.ingest.prepare import PrepareOptions, index_text
from ebrain.ingest.report import IngestReport, Progress
from ebrain.ingest.store import delete_documents
from ebrain.rerank.base import reranker_for
from ebrain.retrieve.fusion import FusionConfig
from ebrain.retrieve.hits import Hit
from ebrain.retrieve.searcher import Mode, Searcher, SearchResult

DEFAULT_KB = "default"


class SearchOptions(TypedDict, total=False):
    """Keyword options of Brain.search / search_ex."""

    kb: str | Sequence[str] | None
    doc_type: str | Sequence[str] | None
    tags: Sequence[str]
    since: str | None
    until: str | None
    path_glob: str | None
    groups: Sequence[str] | None
    mode: Mode
    explain: bool


@dataclass
class KnowledgeBase:
    """A named knowledge base inside a workspace."""

    id: int
    name: str
    description: str
    created_at: str
    documents: int = 0


class Brain(AnswerMixin):
    """An opened workspace: ingest, browse, search and ask."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.config = workspace.config
        self.engine = workspace.engine
        self._searcher: Searcher | None = None

    # --- lifecycle -------------------------------------------------------------------
    @classmethod
    def init(cls, path: Path | str) -> Brain:
        """Create (or re-open) a workspace at `path`."""
        return cls(Workspace.create(Path(path)))

    @classmethod
    def open(cls, path: Path | str) -> Brain:
        """Open an existing workspace."""
        return cls(Workspace.open(Path(path)))

    def close(self) -> None:
        """Release the catalog."""
        self.workspace.close()

    def __enter__(self) -> Brain:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- knowledge bases ---------------------------------------------------------------
    def kbs(self) -> list[KnowledgeBase]:
        """Every knowledge base with its document count."""
        count = sa.select(sa.func.count()).where(t.document.c.kb_id == t.kb.c.id).scalar_subquery()
        q = sa.select(t.kb, count.label("documents")).order_by(t.kb.c.name)
        with self.engine.connect() as conn:
            return [KnowledgeBase(**r._mapping) for r in conn.execute(q)]

    def create_kb(self, name: str, description: str = "") -> KnowledgeBase:
        """Create a knowledge base (or return the existing one of that name)."""
        _check_name(name)
        with write_conn(self.engine) as conn, conn.begin():
            kb_id = self._kb_id(conn, name, create=True, description=description)
        return next(k for k in self.kbs() if k.id == kb_id)

    def remove_kb(self, name: str) -> int:
        """Delete a knowledge base and all its documents; return how many were deleted."""
        with write_conn(self.engine) as conn, conn.begin():
            kb_id = self._kb_id(conn, name)
            ids = [
                r[0]
                for r in conn.execute(sa.select(t.document.c.id).where(t.document.c.kb_id == kb_id))
            ]
            if ids:
                delete_documents(conn, ids)
            conn.execute(sa.delete(t.kb).where(t.kb.c.id == kb_id))
        return len(ids)

    def _kb_id(
        self, conn: sa.Connection, name: str, create: bool = False, description: str = ""
    ) -> int:
        row = conn.execute(sa.select(t.kb.c.id).where(t.kb.c.name == name)).first()
        if row is not None:
            return int(row[0])
        if not create:
            known = ", ".join(k.name for k in self.kbs()) or "none yet"
            raise NotFoundError(f"no knowledge base named {name!r}", hint=f"known: {known}")
        values = {"name": name, "description": description, "created_at": now_iso()}
        return inserted_id(conn.execute(sa.insert(t.kb).values(**values)))

    # --- ingest ------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[Path | str],
        kb: str = DEFAULT_KB,
        tags: Iterable[str] = (),
        acl: Iterable[str] = (),
        prune: bool = False,
        jobs: int | None = None,
        strict: bool = False,
        progress: ProgressFn | None = None,
    ) -> IngestReport:
        """Ingest files and folders into `kb` (created if needed); see IngestReport."""
        kb_row = self.create_kb(kb)
        options = self._prepare_options(kb_row.id)
        jobs = int(self.config.get("ingest.jobs", jobs))
        pipeline = IngestPipeline(self.engine, kb_row.id, kb, options, jobs, progress)
        report = pipeline.run([Path(p) for p in paths], tags, acl, prune, strict)
        if self.config.get("ingest.embed") and report.ok:
            report.embedded, note = self._embed_after_ingest(progress)
            if note:
                report.notes.append(note)
        return report

    def _embed_after_ingest(self, progress: ProgressFn | None) -> tuple[int, str]:
        try:
            return self.embed_pending(progress=progress), ""
        except IndexMismatchError as exc:
            return 0, f"{exc.message}; {exc.hint}"
        except BackendError as exc:
            return (
                0,
                f"vectors not made: {exc.message} (lexical search works; run `ebrain index embed`)",
            )

    # --- index and search ----------------------------------------------------------------
    @cached_property
    def analyzer(self) -> Any:
        """The text analyzer, with the workspace's user dictionary."""
        from ebrain.text.analyzer import Analyzer

        return Analyzer(user_words=self.user_words())

    @cached_property
    def embedder(self) -> EmbeddingModel | None:
        """The configured embedder, or None for lexical-only workspaces."""
        spec = str(self.config.get("embed.model"))
        if spec in ("", "none"):
            return None
        return embedder_for(spec)

    @cached_property
    def index(self) -> SqliteIndex:
        """The embedded index (FTS5 + memory-mapped vectors)."""
        dim = self.embedder.dim if self.embedder is not None else 0
        quantize = int(self.config.get("index.ann_threshold"))
        return SqliteIndex(self.engine, self.workspace.path / "vectors", dim, quantize)

    def embed_pending(self, progress: ProgressFn | None = None, limit: int | None = None) -> int:
        """Embed chunks that have no vector yet (resumable); return how many were embedded."""
        if self.embedder is None:
            return 0
        batch = int(self.config.get("embed.batch_size"))

        def report(done: int, total: int) -> None:
            if progress is not None:
                progress(Progress("embed", done, total))

        return embed_pending(self.engine, self.embedder, batch, report, limit)

    def check_index(self) -> None:
        """Raise IndexMismatchError when the vectors were made by another embedder."""
        if self.embedder is None:
            return
        with self.engine.connect() as conn:
            check_embedder(conn, self.embedder)

    @property
    def searcher(self) -> Searcher:
        """The hybrid searcher over this workspace."""
        if self._searcher is None:
            self.check_index()
            fusion = FusionConfig(method=str(self.config.get("search.fusion")))
            spec = str(self.config.get("search.rerank"))
            reranker = None if spec in ("", "none") else reranker_for(spec)
            depth = int(self.config.get("search.rerank_depth"))
            self._searcher = Searcher(
                self.index,
                self.analyzer,
                self.embedder,
                fusion,
                reranker=reranker,
                rerank_depth=depth,
            )
        return self._searcher

    def search(
        self, query: str, k: int | None = None, **options: Unpack[SearchOptions]
    ) -> list[Hit]:
        """Search the knowledge base; see `search_ex` for the options, timings and fusion details."""
        return self.search_ex(query, k, **options).hits

    def search_ex(
        self,
        query: str,
        k: int | None = None,
        *,
        kb: str | Sequence[str] | None = None,
        doc_type: str | Sequence[str] | None = None,
        tags: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        path_glob: str | None = None,
        groups: Sequence[str] | None = None,
        mode: Mode = "hybrid",
        explain: bool = False,
    ) -> SearchResult:
        """Search and return hits with timings, fusion weight and notes."""
        if not query or not query.strip():
            raise InvalidInputError("the query is empty", hint="type what you are looking for")
        if mode not in ("hybrid", "bm25", "dense"):
            raise InvalidInputError(
                f"unknown search mode {mode!r}", hint="use hybrid, bm25 or dense"
            )
        filters = Filters(
            kbs=_tuple(kb),
            doc_types=_tuple(doc_type),
            tags=tuple(tags),
            since=_date(since),
            until=_date(until),
            path_glob=path_glob,
            groups=None if groups is None else tuple(groups),
        )
        k = int(self.config.get("search.k", k))
        return self.searcher.search(query, k, filters, mode, explain)

    def index_status(self) -> dict[str, Any]:
        """Chunks, vectors, pending chunks, and the recorded vs configured embedder."""
        with self.engine.connect() as conn:
            chunks = conn.execute(sa.select(sa.func.count()).select_from(t.chunk)).scalar_one()
            vectors = conn.execute(
                sa.select(sa.func.count()).select_from(t.chunk_vector)
            ).scalar_one()
            name, dim = recorded_embedder(conn)
        configured = self.embedder.name if self.embedder is not None else "none"
        return {
            "chunks": chunks,
            "vectors": vectors,
            "pending": chunks - vectors if self.embedder else 0,
            "embedder": name,
            "dim": dim,
            "configured": configured,
        }

    def rebuild_index(
        self, embed: bool = True, progress: ProgressFn | None = None
    ) -> dict[str, int]:
        """Re-analyze every chunk (user dictionary changes) and re-embed with the configured model."""
        self.__dict__.pop("analyzer", None)
        self._searcher = None
        analyzer = self.analyzer

        def analyze(conn: sa.Connection, chunk_id: int) -> str:
            row = conn.execute(
                sa.select(t.document.c.title, t.chunk.c.heading_path, t.chunk.c.text)
                .join(t.document, t.document.c.id == t.chunk.c.document_id)
                .where(t.chunk.c.id == chunk_id)
            ).one()
            return " ".join(analyzer.terms(index_text(row[0], row[1], row[2])))

        def report(done: int, total: int) -> None:
            if progress is not None:
                progress(Progress("analyze", done, total))

        chunks = self.index.rebuild_fulltext(analyze, report)
        with write_conn(self.engine) as conn, conn.begin():
            conn.execute(sa.delete(t.chunk_vector))
            conn.execute(sa.delete(t.meta).where(t.meta.c.key.in_([EMBEDDER_KEY, DIM_KEY])))
            bump_generation(conn)
        embedded = self.embed_pending(progress) if embed else 0
        return {"chunks": chunks, "embedded": embedded}

    def _prepare_options(self, kb_id: int) -> PrepareOptions:
        chunker = ChunkerConfig(
            int(self.config.get("chunk.target_tokens")),
            int(self.config.get("chunk.overlap_tokens")),
        )
        return PrepareOptions(
            max_bytes=int(float(self.config.get("ingest.max_file_mb")) * 2**20),
            max_inflated=int(float(self.config.get("ingest.max_inflated_mb")) * 2**20),
            libreoffice=str(self.config.get("ingest.libreoffice")),
            chunker=chunker,
            user_words=tuple(self.user_words()),
            type_rules=tuple(self.type_rules(kb_id)),
        )

    def user_words(self) -> list[str]:
        """The workspace's user dictionary (company terms, products, customers)."""
        from ebrain.text.userdict import load_user_words

        return load_user_words(self.workspace.path)

    # --- document types ----------------------------------------------------------------
    def type_rules(self, kb_id: int | None = None) -> list[tuple[str, str]]:
        """Folder/file-name rules (glob pattern, type): catalog rules, then config.yaml."""
        q = sa.select(t.type_rule.c.pattern, t.type_rule.c.doc_type).order_by(t.type_rule.c.id)
        if kb_id is not None:
            q = q.where(sa.or_(t.type_rule.c.kb_id.is_(None), t.type_rule.c.kb_id == kb_id))
        with self.engine.connect() as conn:
            rules = [(r[0], r[1]) for r in conn.execute(q)]
        for rule in self.config.section("type_rules") or []:
            rules.append((str(rule["pattern"]), str(rule["type"])))
        return rules

    def add_type_rule(self, pattern: str, doc_type: str, kb: str | None = None) -> None:
        """Classify files matching `pattern` as `doc_type` from the next ingest on."""
        _check_type(doc_type)
        with write_conn(self.engine) as conn, conn.begin():
            kb_id = self._kb_id(conn, kb) if kb else None
            conn.execute(
                sa.insert(t.type_rule).values(
                    kb_id=kb_id, pattern=pattern, doc_type=doc_type, created_at=now_iso()
                )
            )

    def set_type(self, document_id: int, doc_type: str) -> None:
        """Override one document's type; it sticks across new versions."""
        _check_type(doc_type)
        with write_conn(self.engine) as conn, conn.begin():
            self._require_doc(conn, document_id)
            conn.execute(
                sa.update(t.document)
                .where(t.document.c.id == document_id)
                .values(doc_type=doc_type, type_source="user")
            )
            conn.execute(
                sa.update(t.chunk)
                .where(t.chunk.c.document_id == document_id)
                .values(doc_type=doc_type)
            )

    # --- documents ---------------------------------------------------------------------
    def documents(
        self, kb: str | None = None, doc_type: str | None = None, limit: int = 1000, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Documents with their kb, type, paths, tags and ACL groups."""
        q = (
            sa.select(t.document, t.kb.c.name.label("kb"))
            .join(t.kb, t.kb.c.id == t.document.c.kb_id)
            .order_by(t.document.c.id)
            .limit(limit)
            .offset(offset)
        )
        if kb:
            q = q.where(t.kb.c.name == kb)
        if doc_type:
            q = q.where(t.document.c.doc_type == doc_type)
        with self.engine.connect() as conn:
            return [self._doc_dict(conn, r._mapping) for r in conn.execute(q)]

    def document(self, document_id: int, with_text: bool = False) -> dict[str, Any]:
        """One document; with its current text and chunks when asked."""
        q = (
            sa.select(t.document, t.kb.c.name.label("kb"))
            .join(t.kb, t.kb.c.id == t.document.c.kb_id)
            .where(t.document.c.id == document_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
            if row is None:
                raise NotFoundError(
                    f"no document with id {document_id}", hint="see `ebrain docs list`"
                )
            doc = self._doc_dict(conn, row._mapping)
            doc["chunks"] = self._chunks(conn, document_id)
            if with_text:
                doc["text"] = conn.execute(
                    sa.select(t.version.c.text).where(
                        t.version.c.document_id == document_id, t.version.c.retired_at.is_(None)
                    )
                ).scalar_one_or_none()
        return doc

    def remove_document(self, document_id: int) -> None:
        """Delete a document with its chunks, vectors and paths."""
        with write_conn(self.engine) as conn, conn.begin():
            self._require_doc(conn, document_id)
            delete_documents(conn, [document_id])

    def errors(self, kb: str | None = None) -> list[dict[str, Any]]:
        """Files that could not be ingested, with their reasons."""
        q = (
            sa.select(t.ingest_error, t.kb.c.name.label("kb"))
            .join(t.kb, t.kb.c.id == t.ingest_error.c.kb_id)
            .order_by(t.ingest_error.c.path)
        )
        if kb:
            q = q.where(t.kb.c.name == kb)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def stats(self) -> dict[str, Any]:
        """Documents by type and kb, chunks, bytes, vectors and errors."""
        with self.engine.connect() as conn:
            by = conn.execute(
                sa.select(
                    t.kb.c.name,
                    t.document.c.doc_type,
                    sa.func.count(),
                    sa.func.sum(t.document.c.size),
                )
                .join(t.kb, t.kb.c.id == t.document.c.kb_id)
                .group_by(t.kb.c.name, t.document.c.doc_type)
            ).all()
            chunks = conn.execute(sa.select(sa.func.count()).select_from(t.chunk)).scalar_one()
            vectors = conn.execute(
                sa.select(sa.func.count()).select_from(t.chunk_vector)
            ).scalar_one()
            errors = conn.execute(
                sa.select(sa.func.count()).select_from(t.ingest_error)
            ).scalar_one()
        return _stats_dict(by, chunks, vectors, errors)

    # --- helpers -----------------------------------------------------------------------
    def _require_doc(self, conn: sa.Connection, document_id: int) -> None:
        if (
            conn.execute(sa.select(t.document.c.id).where(t.document.c.id == document_id)).first()
            is None
        ):
            raise NotFoundError(f"no document with id {document_id}", hint="see `ebrain docs list`")

    def _doc_dict(self, conn: sa.Connection, row: Any) -> dict[str, Any]:
        doc = dict(row)
        doc_id = doc["id"]
        doc["meta"] = json.loads(doc["meta"])
        doc["warnings"] = json.loads(doc["warnings"])
        doc["paths"] = _column(
            conn, t.document_path.c.path, t.document_path.c.document_id == doc_id
        )
        doc["tags"] = _column(conn, t.document_tag.c.tag, t.document_tag.c.document_id == doc_id)
        doc["acl"] = _column(conn, t.document_acl.c.grp, t.document_acl.c.document_id == doc_id)
        return doc

    def _chunks(self, conn: sa.Connection, document_id: int) -> list[dict[str, Any]]:
        q = (
            sa.select(
                t.chunk.c.id,
                t.chunk.c.ord,
                t.chunk.c.kind,
                t.chunk.c.text,
                t.chunk.c.heading_path,
                t.chunk.c.page_start,
                t.chunk.c.page_end,
                t.chunk.c.char_start,
                t.chunk.c.char_end,
                t.chunk.c.n_tokens,
            )
            .where(t.chunk.c.document_id == document_id)
            .order_by(t.chunk.c.ord)
        )
        out = []
        for r in conn.execute(q):
            item = dict(r._mapping)
            item["heading_path"] = json.loads(item["heading_path"])
            out.append(item)
        return out


def _column(
    conn: sa.Connection, col: sa.ColumnElement[Any], where: sa.ColumnElement[bool]
) -> list[Any]:
    return sorted(r[0] for r in conn.execute(sa.select(col).where(where)))


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


def _check_name(name: str) -> None:
    if not name or len(name) > 100 or any(c in name for c in "/\\\n\t"):
        raise InvalidInputError(
            f"invalid knowledge base name {name!r}", hint="use 1-100 characters without slashes"
        )


def _check_type(doc_type: str) -> None:
    if doc_type not in DOC_TYPES:
        raise InvalidInputError(
            f"unknown document type {doc_type!r}", hint=f"valid types: {', '.join(DOC_TYPES)}"
        )


def _tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value: str | None) -> str | None:
    if value is None:
        return None
    if not _ISO_DAY.match(value):
        raise InvalidInputError(f"invalid date {value!r}", hint="use YYYY-MM-DD, e.g. 2024-03-01")
    return value
