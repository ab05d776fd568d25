"""Brain: the one public facade. The CLI and the server are thin layers over it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import sqlalchemy as sa

from ebrain.answer.facade import AnswerMixin
from ebrain.auth import Principal, readable, require_principal, require_read
from ebrain.catalog.dashboard_queries import DashboardQueries, set_document_groups
from ebrain.catalog.queries import Catalog, DocScope, KnowledgeBase
from ebrain.catalog.transfer import Progress as CopyProgress
from ebrain.catalog.transfer import TransferReport
from ebrain.catalog.workspace import Workspace
from ebrain.embed.base import EmbeddingModel, embedder_for
from ebrain.errors import (
    BackendError,
    ConfigError,
    IndexMismatchError,
    InvalidInputError,
    NotFoundError,
)
from ebrain.index.base import (
    DEFAULT_URL,
    Filters,
    IndexContext,
    IndexedChunk,
    SearchIndex,
    index_for,
)
from ebrain.index.embedding import (
    check_embedder,
    embed_pending,
    forget_vectors,
    vector_status,
)
from ebrain.ingest.chunk import ChunkerConfig
from ebrain.ingest.classify import DOC_TYPES
from ebrain.ingest.enrich import enrichers_for
from ebrain.ingest.ocr import OcrOptions
from ebrain.ingest.pipeline import IngestPipeline, ProgressFn
from ebrain.ingest.prepare import PrepareOptions, index_text
from ebrain.ingest.report import IngestReport, Progress
from ebrain.models.types import CompletionRequest
from ebrain.observe.usage import UsageReport, usage_report
from ebrain.rerank.base import reranker_for
from ebrain.retrieve.fusion import FusionConfig
from ebrain.retrieve.hits import Hit
from ebrain.retrieve.searcher import Mode, Searcher, SearchResult

if TYPE_CHECKING:
    from ebrain.audit import AuditLog
    from ebrain.identity import Identity

DEFAULT_KB = "default"
OCR_TIME_SHARE = 0.8  # of ingest.parse_timeout_s: a long scan stops OCR and keeps its pages


class SearchOptions(TypedDict, total=False):
    """Keyword options of Brain.search / search_ex."""

    kb: str | Sequence[str] | None
    doc_type: str | Sequence[str] | None
    tags: Sequence[str]
    since: str | None
    until: str | None
    path_glob: str | None
    mode: Mode
    explain: bool


class Brain(AnswerMixin):
    """An opened workspace: ingest, browse, search and ask."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.config = workspace.config
        self.engine = workspace.engine
        self._searcher: Searcher | None = None
        self._parts: dict[str, Any] = {}
        self._lock = threading.RLock()  # lazy parts are built once, whatever the thread
        self.index.flush()  # what a killed ingest left queued: the index is sound from open on

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

    def migrate_catalog(
        self,
        target_url: str,
        *,
        verify_only: bool = False,
        batch: int = 1000,
        progress: CopyProgress | None = None,
    ) -> TransferReport:
        """Copy the catalog into the empty database at `target_url` (e.g. PostgreSQL) and
        verify counts and content hashes (`ebrain migrate`); the search index is rebuilt on
        the new catalog with `ebrain index rebuild`."""
        return self.workspace.migrate_catalog(
            target_url, verify_only=verify_only, batch=batch, progress=progress
        )

    # --- knowledge bases ---------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        """The catalog's named queries (knowledge bases, documents, rules, errors, stats)."""
        made: Catalog = self._lazy("catalog", lambda: Catalog(self.engine))
        return made

    @property
    def audit(self) -> AuditLog:
        """The hash-chained audit log (ebrain.audit.AuditLog)."""
        from ebrain.audit import AuditLog

        store = bool(self.config.get("audit.store_questions"))
        made: AuditLog = self._lazy("audit", lambda: AuditLog(self.engine, store_questions=store))
        return made

    @property
    def identity(self) -> Identity:
        """Users, groups, API keys and sessions (ebrain.identity.Identity); audited."""
        from ebrain.identity import Identity

        made: Identity = self._lazy("identity", lambda: Identity(self.engine, self.audit))
        return made

    def kbs(self) -> list[KnowledgeBase]:
        """Every knowledge base with its document count."""
        return self.catalog.kbs()

    def create_kb(self, name: str, description: str = "") -> KnowledgeBase:
        """Create a knowledge base (or return the existing one of that name)."""
        _check_name(name)
        return self.catalog.create_kb(name, description)

    def remove_kb(self, name: str) -> int:
        """Delete a knowledge base and all its documents; return how many were deleted."""
        removed = self.catalog.remove_kb(name)
        self.index.flush()
        return removed

    def _kb_id(
        self, conn: sa.Connection, name: str, create: bool = False, description: str = ""
    ) -> int:
        return self.catalog.kb_id(conn, name, create, description)

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
        ray: str | None = None,
    ) -> IngestReport:
        """Ingest files and folders into `kb` (created if needed); see IngestReport. With
        `ray` (a Ray address, `auto` or `local`) parsing and embedding run on that cluster."""
        if ray is None:
            return self._ingest(paths, kb, tags, acl, prune, jobs, strict, progress)
        from ebrain.ingest.ray_runner import connected

        with connected(ray) as cluster:
            return self._ingest(paths, kb, tags, acl, prune, jobs, strict, progress, cluster)

    def _ingest(
        self,
        paths: Iterable[Path | str],
        kb: str,
        tags: Iterable[str],
        acl: Iterable[str],
        prune: bool,
        jobs: int | None,
        strict: bool,
        progress: ProgressFn | None,
        cluster: Any = None,
    ) -> IngestReport:
        pipeline = self._pipeline(kb, jobs, progress, cluster)
        report = pipeline.run([Path(p) for p in paths], tags, acl, prune, strict)
        self.index.flush()  # what --prune removed
        if self.config.get("ingest.embed") and report.ok:
            report.embedded, note = self._embed_after_ingest(progress, cluster)
            if note:
                report.notes.append(note)
        return report

    def _pipeline(
        self, kb: str, jobs: int | None, progress: ProgressFn | None, cluster: Any
    ) -> IngestPipeline:
        """The ingest pipeline for `kb`: local, or with its parse stage on a Ray cluster."""
        kb_row = self.create_kb(kb)
        options = self._prepare_options(kb_row.id)
        jobs = int(self.config.get("ingest.jobs", jobs))
        enrichers = enrichers_for(self.config.get("ingest.enrichers"))
        args = (self.engine, kb_row.id, kb, options, jobs, progress, enrichers)
        pipeline = IngestPipeline(*args)
        if cluster is not None:
            from ebrain.ingest.ray_runner import RayIngestPipeline

            pipeline = RayIngestPipeline(*args, cluster=cluster)
        pipeline.flush_index = self.index.flush
        pipeline.refresh_index = self.index.refresh
        return pipeline

    def _embed_after_ingest(self, progress: ProgressFn | None, cluster: Any) -> tuple[int, str]:
        try:
            return self._embed(progress, None, cluster), ""
        except IndexMismatchError as exc:
            return 0, f"{exc.message}; {exc.hint}"
        except BackendError as exc:
            return (
                0,
                f"vectors not made: {exc.message} (lexical search works; run `ebrain index embed`)",
            )

    # --- index and search ----------------------------------------------------------------
    def _lazy(self, name: str, make: Any) -> Any:
        """The part `name`, built by `make()` on first use (once, under the lock)."""
        part = self._parts.get(name, _MISSING)
        if part is _MISSING:
            with self._lock:
                part = self._parts.get(name, _MISSING)
                if part is _MISSING:
                    part = self._parts[name] = make()
        return part

    @property
    def analyzer(self) -> Any:
        """The text analyzer, with the workspace's user dictionary."""
        from ebrain.text.analyzer import Analyzer

        return self._lazy("analyzer", lambda: Analyzer(user_words=self.user_words()))

    @property
    def embedder(self) -> EmbeddingModel | None:
        """The configured embedder, or None for lexical-only workspaces."""
        made: EmbeddingModel | None = self._lazy("embedder", self._make_embedder)
        return made

    def _make_embedder(self) -> EmbeddingModel | None:
        spec = str(self.config.get("embed.model"))
        return None if spec in ("", "none") else embedder_for(spec)

    @property
    def index(self) -> SearchIndex:
        """The search index chosen by `index.url` (`sqlite:` = FTS5 + vectors in the catalog)."""
        made: SearchIndex = self._lazy("index", self._open_index)
        return made

    def _open_index(self) -> SearchIndex:
        context = IndexContext(
            str(self.config.get("index.url") or DEFAULT_URL),
            self.engine,
            self.workspace.path / "vectors",
            0,  # not known before the embedder loads; sqlite reads it from the stored vectors
            int(self.config.get("index.ann_threshold")),
        )
        return index_for(context)

    def embed_pending(
        self, progress: ProgressFn | None = None, limit: int | None = None, ray: str | None = None
    ) -> int:
        """Embed chunks that have no vector yet (resumable); return how many were embedded.
        With `ray` (a Ray address, `auto` or `local`) the batches are embedded on that cluster."""
        if ray is None:
            return self._embed(progress, limit, None)
        from ebrain.ingest.ray_runner import connected

        with connected(ray) as cluster:
            return self._embed(progress, limit, cluster)

    def _embed(self, progress: ProgressFn | None, limit: int | None, cluster: Any) -> int:
        if self.embedder is None:
            return 0
        batch = int(self.config.get("embed.batch_size"))
        claim_s = float(self.config.get("embed.claim_seconds"))

        def report(done: int, total: int) -> None:
            if progress is not None:
                progress(Progress("embed", done, total))

        scorer = self._chunk_scorer()
        if cluster is None:
            return embed_pending(
                self.engine, self.embedder, self.index, batch, report, limit, scorer, claim_s
            )
        from ebrain.ingest.ray_runner import embed_on_ray

        spec = str(self.config.get("embed.model"))
        args = (self.index, batch, report, scorer, claim_s)
        return embed_on_ray(cluster, self.engine, self.embedder, spec, *args)

    def _chunk_scorer(self) -> Any:
        """The firewall's ingest scorer when `guard.score_chunks` is on (else None)."""
        if not self.config.get("guard.score_chunks") or not self.config.get("guard.learned"):
            return None
        from ebrain.guard.chunks import IngestScorer

        return IngestScorer()

    def check_index(self) -> None:
        """Raise IndexMismatchError when the vectors were made by another embedder."""
        if self.embedder is None:
            return
        with self.engine.connect() as conn:
            check_embedder(conn, self.embedder)

    @property
    def searcher(self) -> Searcher:
        """The hybrid searcher over this workspace (built once, shared by all threads)."""
        if self._searcher is not None:
            return self._searcher
        with self._lock:
            if self._searcher is not None:
                return self._searcher
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
                translator=self._translator(),
            )
            return self._searcher

    def _translator(self) -> Callable[[str], str] | None:
        """Query translation through the chat model (search.translate_query), else None."""
        if not self.config.get("search.translate_query"):
            return None
        from ebrain.retrieve.translate import QueryTranslator

        default = str(self.config.get("model.default"))
        model = None if default in ("", "none") else default

        def complete(request: CompletionRequest) -> str:
            if model is None and not self.gateway.available:
                raise ConfigError(
                    "search.translate_query is on but no chat model is declared",
                    hint="declare one under `models:` in config.yaml, or turn the setting off",
                )
            return self.gateway.complete(request, model=model).text

        return QueryTranslator(complete).translate

    def search(
        self,
        query: str,
        k: int | None = None,
        *,
        principal: Principal,
        **options: Unpack[SearchOptions],
    ) -> list[Hit]:
        """Search the knowledge base as `principal`; see `search_ex` for the options."""
        return self.search_ex(query, k, principal=principal, **options).hits

    def search_ex(
        self,
        query: str,
        k: int | None = None,
        *,
        principal: Principal,
        kb: str | Sequence[str] | None = None,
        doc_type: str | Sequence[str] | None = None,
        tags: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        path_glob: str | None = None,
        mode: Mode = "hybrid",
        explain: bool = False,
    ) -> SearchResult:
        """Search as `principal` (required: the owner sees everything, a user what its groups
        may read) and return hits with timings, fusion weight and notes."""
        who = require_principal(principal)
        _check_query(query, mode)
        k = _check_k(k) if k is not None else int(self.config.get("search.k"))
        filters = Filters(
            who,
            kbs=self._known_kbs(_tuple(kb)),
            doc_types=_known_types(_tuple(doc_type)),
            tags=tuple(tags),
            since=_date(since),
            until=_date(until),
            path_glob=path_glob,
        )
        return self.searcher.search(query, k, filters, mode, explain)

    # --- knowledge graph (ebrain.kg) ----------------------------------------------------
    @property
    def kg(self) -> Any:
        """The knowledge graph: entities, neighbours, paths, records, export (ebrain.kg)."""
        from ebrain.kg.graph import KnowledgeGraph

        return self._lazy("kg", lambda: KnowledgeGraph(self.engine, lambda: self.gateway))

    def search_graph(
        self,
        query: str,
        k: int | None = None,
        *,
        principal: Principal,
        hops: int = 1,
        graph_weight: float | None = None,
        **options: Unpack[SearchOptions],
    ) -> SearchResult:
        """`search_ex`, fused with the chunks linked to the entities the query names and to
        their neighbours (multi-hop); the same filters apply to graph chunks."""
        from ebrain.kg.retrieve import fuse_graph

        k = _check_k(k) if k is not None else int(self.config.get("search.k"))
        result = self.search_ex(query, max(k, 50), principal=principal, **options)
        filters = Filters(
            principal,
            kbs=_tuple(options.get("kb")),
            doc_types=_tuple(options.get("doc_type")),
            tags=tuple(options.get("tags", ())),
            since=options.get("since"),
            until=options.get("until"),
            path_glob=options.get("path_glob"),
        )
        linked = self.kg.linked_documents(query, principal, hops=hops)
        if graph_weight is None:
            return fuse_graph(result, linked, self.index, filters, k)
        return fuse_graph(result, linked, self.index, filters, k, graph_weight)

    def insights(
        self,
        report: str = "support",
        *,
        principal: Principal,
        kb: str | Sequence[str] | None = None,
        since: str | None = None,
        min_count: int = 2,
    ) -> dict[str, Any]:
        """Support insights from the transcript records `principal` may read (ebrain.kg.insights):
        top issue categories per product and month, negative share, unresolved cases, emerging
        complaints; within the knowledge base(s) `kb` when given, from the day `since`
        (YYYY-MM-DD) when given."""
        from ebrain.kg.insights import support_insights

        if report != "support":
            raise InvalidInputError(f"unknown report {report!r}", hint="reports: support")
        if not 1 <= min_count <= 1000:
            raise InvalidInputError("invalid --min-count", hint="give 1 to 1000")
        names = _tuple(kb)
        kbs = list(self._known_kbs(names)) if names else None
        records = self.kg.scoped(kbs).records("transcript", principal=principal, limit=10_000)
        return support_insights(records, _date(since), min_count)

    def _known_kbs(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The kb names, or InvalidInputError naming the known ones."""
        if not names:
            return names
        known = self.catalog.kb_names()
        return _require_known(names, known, "knowledge base", "known knowledge bases")

    def index_status(self) -> dict[str, Any]:
        """Chunks, vectors, pending chunks, and the recorded vs configured embedder."""
        chunks, vectors, name, dim = vector_status(self.engine)
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
        with self._lock:
            self._parts.pop("analyzer", None)
            self._searcher = None
        analyzer = self.analyzer

        chunks = self._reanalyze(analyzer, progress)
        forget_vectors(self.engine)
        self.index.flush()  # an index that mirrors the vectors drops them too
        embedded = self.embed_pending(progress) if embed else 0
        return {"chunks": chunks, "embedded": embedded}

    def _reanalyze(self, analyzer: Any, progress: ProgressFn | None, batch: int = 500) -> int:
        """New terms for every chunk, handed to the index through `upsert`, batch by batch
        (one batch of texts in memory at a time)."""
        total = self.catalog.chunk_count()
        done, last = 0, 0
        while rows := self.catalog.chunk_texts(last, batch):
            terms = [" ".join(analyzer.terms(index_text(*r[1:]))) for r in rows]
            self.index.upsert([IndexedChunk(r[0], x) for r, x in zip(rows, terms, strict=True)])
            done, last = done + len(rows), rows[-1][0]
            if progress is not None:
                progress(Progress("analyze", done, total))
        return done

    def _prepare_options(self, kb_id: int) -> PrepareOptions:
        chunker = ChunkerConfig(
            int(self.config.get("chunk.target_tokens")),
            int(self.config.get("chunk.overlap_tokens")),
            max_chunks=int(self.config.get("ingest.max_chunks")),
        )
        return PrepareOptions(
            max_bytes=int(float(self.config.get("ingest.max_file_mb")) * 2**20),
            max_inflated=int(float(self.config.get("ingest.max_inflated_mb")) * 2**20),
            libreoffice=str(self.config.get("ingest.libreoffice")),
            max_text_bytes=int(float(self.config.get("ingest.max_text_mb")) * 2**20),
            parse_memory_mb=int(self.config.get("ingest.parse_memory_mb")),
            parse_timeout_s=float(self.config.get("ingest.parse_timeout_s")),
            chunker=chunker,
            user_words=tuple(self.user_words()),
            type_rules=tuple(self.type_rules(kb_id)),
            acl_rules=tuple(self.catalog.acl_rules(kb_id)),
            ocr=self._ocr_options(),
        )

    def _ocr_options(self) -> OcrOptions:
        """The OCR settings of an ingest run (ocr.* in config)."""

        return OcrOptions(
            enabled=bool(self.config.get("ocr.enabled")),
            engine=str(self.config.get("ocr.engine")),
            max_pages=int(self.config.get("ocr.max_pages")),
            dpi=int(self.config.get("ocr.dpi")),
            min_confidence=float(self.config.get("ocr.min_confidence")),
            # OCR stops in time for the file to be stored with the pages read so far
            time_budget_s=OCR_TIME_SHARE * float(self.config.get("ingest.parse_timeout_s")),
        )

    def user_words(self) -> list[str]:
        """The workspace's user dictionary (company terms, products, customers)."""
        from ebrain.text.userdict import load_user_words

        return load_user_words(self.workspace.path)

    # --- document types ----------------------------------------------------------------
    def type_rules(self, kb_id: int | None = None) -> list[tuple[str, str]]:
        """Folder/file-name rules (glob pattern, type): catalog rules, then config.yaml."""
        rules = self.catalog.type_rules(kb_id)
        for rule in self.config.section("type_rules") or []:
            rules.append((str(rule["pattern"]), str(rule["type"])))
        return rules

    def add_type_rule(self, pattern: str, doc_type: str, kb: str | None = None) -> None:
        """Classify files matching `pattern` as `doc_type` from the next ingest on."""
        _check_type(doc_type)
        self.catalog.add_type_rule(pattern, doc_type, kb)

    def acl_rules(self, kb: str | None = None) -> list[tuple[str, str]]:
        """The ACL folder rules (glob, group): global ones, and those of `kb` when given."""
        if not kb:
            return self.catalog.acl_rules(None)
        with self.engine.connect() as conn:
            return self.catalog.acl_rules(self._kb_id(conn, kb))

    def add_acl_rule(self, pattern: str, groups: Sequence[str], kb: str | None = None) -> None:
        """Give files matching `pattern` these ACL groups from the next ingest on (added to
        `--acl`; a document's existing groups are kept)."""
        names = [g.strip() for g in groups if g.strip()]
        too_long = len(pattern) > 500 or any(len(g) > 100 for g in names)
        if not pattern.strip() or not names or too_long:
            raise InvalidInputError(
                "an ACL rule needs a pattern (≤ 500 characters) and groups (≤ 100 each)",
                hint="ebrain docs acl-rule '*/hr/*' hr",
            )
        self.catalog.add_acl_rule(pattern, names, kb)

    def set_type(self, document_id: int, doc_type: str) -> None:
        """Override one document's type; it sticks across new versions."""
        _check_type(doc_type)
        self.catalog.set_type(document_id, doc_type)
        self.index.refresh([document_id])

    def set_groups(self, document_id: int, groups: Sequence[str]) -> list[str]:
        """Replace one document's ACL groups (none: readable by everyone); return them. A
        later ingest of its file adds `--acl` groups and folder-rule groups to these."""
        names = list(dict.fromkeys(g.strip() for g in groups if g.strip()))
        if len(names) > 50 or any(len(g) > 100 or "," in g for g in names):
            raise InvalidInputError(
                "a document takes at most 50 groups of at most 100 characters, without commas",
                hint="e.g. sales, hr",
            )
        if not set_document_groups(self.engine, document_id, names):
            raise NotFoundError(f"no document with id {document_id}", hint="see `ebrain docs list`")
        self.index.refresh([document_id])  # an external index keeps the groups it filters by
        return names

    def usage_report(
        self, *, principal: Principal, everyone: bool = False, days: int = 30
    ) -> UsageReport:
        """The usage dashboard over the last `days` days: everyone's questions when
        `everyone` (admins), else only `principal`'s; cited documents only those it may read."""
        who = require_principal(principal)
        actor = None if everyone or who.is_owner else who.name
        return usage_report(self.engine, _scope(who, None), actor=actor, days=days)

    # --- documents ---------------------------------------------------------------------
    def documents(
        self,
        kb: str | None = None,
        doc_type: str | None = None,
        limit: int = 1000,
        offset: int = 0,
        *,
        principal: Principal,
        kbs: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Documents with their kb, type, paths, tags and ACL groups (limit 1..10000), those
        `principal` may read (in `kbs` when given): the page is taken after the filter."""
        scope = _scope(principal, kbs)
        return readable(principal, self.catalog.documents(kb, doc_type, limit, offset, scope=scope))

    def document_counts(
        self,
        kb: str | None = None,
        doc_type: str | None = None,
        *,
        principal: Principal,
        kbs: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Documents and bytes per (kb, type) over what `principal` may read (in `kbs`)."""
        return self.catalog.document_counts(kb, doc_type, scope=_scope(principal, kbs))

    def reader_stats(
        self, *, principal: Principal, kbs: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """Documents, bytes and chunks `principal` may read (in `kbs`), per kb and per type
        (the counts of `stats()`, scoped to one reader inside the catalog query)."""
        scope = _scope(principal, kbs)
        rows = self.catalog.document_counts(scope=scope)
        by_kb: dict[str, int] = {}
        by_type: dict[str, int] = {}
        for row in rows:
            by_kb[row["kb"]] = by_kb.get(row["kb"], 0) + row["documents"]
            by_type[row["doc_type"]] = by_type.get(row["doc_type"], 0) + row["documents"]
        return {
            "documents": sum(by_kb.values()),
            "bytes": sum(r["bytes"] for r in rows),
            "chunks": DashboardQueries(self.engine).chunk_total(scope),
            "by_kb": dict(sorted(by_kb.items())),
            "by_type": dict(sorted(by_type.items())),
        }

    def document(
        self, document_id: int, with_text: bool = False, *, principal: Principal
    ) -> dict[str, Any]:
        """One document; with its current text and chunks when asked (if `principal` may read it)."""
        require_principal(principal)
        doc = self.catalog.document(document_id, with_text)
        require_read(principal, doc["acl"], f"document {document_id}")
        return doc

    def remove_document(self, document_id: int) -> None:
        """Delete a document with its chunks, vectors and paths."""
        self.catalog.remove_document(document_id)
        self.index.refresh([document_id])

    def errors(self, kb: str | None = None) -> list[dict[str, Any]]:
        """Files that could not be ingested, with their reasons."""
        return self.catalog.errors(kb)

    def stats(self) -> dict[str, Any]:
        """Documents by type and kb, chunks, bytes, vectors, errors and flagged chunks."""
        return self.catalog.stats(float(self.config.get("guard.context_threshold")))


def _scope(principal: Principal, kbs: Sequence[str] | None) -> DocScope:
    """The catalog filter for a reader: its groups unless it owns the workspace; its kbs."""
    who = require_principal(principal)
    groups = None if who.is_owner else who.groups
    return DocScope(groups, None if kbs is None else tuple(kbs))


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


_MISSING = object()
MAX_K = 1000


def _date(value: str | None) -> str | None:
    """A real calendar day as YYYY-MM-DD (2024-13-45 is refused), or None."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidInputError(f"invalid date {value!r}", hint="use YYYY-MM-DD, e.g. 2024-03-01")
    return day.isoformat()


def _check_query(query: str, mode: str) -> None:
    if not query or not query.strip():
        raise InvalidInputError("the query is empty", hint="type what you are looking for")
    if mode not in ("hybrid", "bm25", "dense"):
        raise InvalidInputError(f"unknown search mode {mode!r}", hint="use hybrid, bm25 or dense")


def _check_k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise InvalidInputError(
            f"invalid number of results {k}", hint=f"ask for 1 to {MAX_K} results"
        )
    return k


def _known_types(types: tuple[str, ...]) -> tuple[str, ...]:
    return _require_known(types, DOC_TYPES, "document type", "valid types")


def _require_known(
    names: tuple[str, ...], known: Sequence[str], what: str, listed: str
) -> tuple[str, ...]:
    """`names`, or InvalidInputError naming the unknown ones and listing the known ones."""
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidInputError(
            f"unknown {what} {', '.join(map(repr, unknown))}",
            hint=f"{listed}: {', '.join(known) or 'none yet'}",
        )
    return names
