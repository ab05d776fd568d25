"""Ingest orchestration: find files, skip unchanged ones, parse in a process pool, store each
document in its own transaction (one writer), record failures, prune vanished files."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ebrain.catalog.db import write_conn
from ebrain.index.fts import fts_catch_up
from ebrain.ingest import store
from ebrain.ingest.enrich import Enricher, enrich_pending, report_failures
from ebrain.ingest.pool import prepare_parallel
from ebrain.ingest.prepare import Failed, Prepared, PrepareOptions, prepare, warm_up
from ebrain.ingest.report import FileResult, IngestReport, Progress

ProgressFn = Callable[[Progress], None]

_SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
# Failures that depend only on the file's bytes: an unchanged file fails the same way again.
# (needs_converter, too_large, not_found, unreadable depend on the machine or settings: retried.)
REMEMBERED_REASONS = frozenset(
    {"corrupt", "encrypted", "empty", "unsupported", "undecodable", "needs_ocr"}
)
UNCHANGED_FAILURE_HINT = (
    "unchanged since it failed before, so it was not parsed again; fix or replace the file"
)
# Fewer files than this are parsed in-process: forking and loading jieba first costs more.
MIN_POOL_FILES = 4
MAX_CHUNKSIZE = 8  # measured: 8 files per task beat 1 per task on the bench corpus
# Stored documents between two moves of queued chunks into the full-text index. Each move writes
# one FTS5 segment, and FTS5 merges segments as they pile up: 1,000 documents a move cost a sixth
# less store CPU than 200 (measured on the bench corpus). A search indexes the queue first anyway.
FTS_BATCH_DOCS = 1000


@dataclass
class Candidate:
    """A file found on disk with its stat."""

    path: str
    size: int
    mtime: float


def discover(paths: Iterable[Path]) -> tuple[list[Candidate], list[FileResult]]:
    """Every regular file under `paths` (hidden and temp files skipped), sorted; plus misses."""
    found: dict[str, Candidate] = {}
    missing: list[FileResult] = []
    for root in paths:
        root = Path(root).expanduser().absolute()
        if not root.exists():
            missing.append(
                FileResult(
                    str(root), "failed", reason="not_found", message="no such file or folder"
                )
            )
            continue
        for path, size, mtime in _walk(root):
            found[path] = Candidate(path, size, mtime)
    return [found[k] for k in sorted(found)], missing


def _walk(root: Path) -> Iterator[tuple[str, int, float]]:
    """(path, size, mtime) of every regular, non-hidden file: one stat per file (scandir)."""
    if root.is_file():
        st = root.stat()
        yield str(root), st.st_size, st.st_mtime
        return
    folders = [str(root)]
    while folders:
        try:
            with os.scandir(folders.pop()) as scan:
                entries = list(scan)
        except OSError:  # unreadable folder: skipped, like os.walk does
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders += [] if entry.name.startswith(".") else [entry.path]
            elif entry.is_file(follow_symlinks=False) and not _skipped(entry.name):
                st = entry.stat(follow_symlinks=False)
                yield entry.path, st.st_size, st.st_mtime


def _skipped(name: str) -> bool:
    """Hidden, Office lock ('~$') and desktop metadata files."""
    return name.startswith((".", "~$")) or name in _SKIP_NAMES


def file_hash(path: str) -> str:
    """sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def auto_jobs() -> int:
    """Parser processes when none were asked for: one per CPU this process may run on.

    (An earlier rule subtracted the 1-minute load average; that average lags by a minute, so a
    run that started right after other work got one worker on an idle machine.)
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity API on this platform
        return max(1, os.cpu_count() or 1)


class IngestPipeline:
    """One ingest run into one kb. Construction is configuration; `run` takes the paths."""

    def __init__(
        self,
        engine: sa.Engine,
        kb_id: int,
        kb_name: str,
        options: PrepareOptions,
        jobs: int = 0,
        progress: ProgressFn | None = None,
        enrichers: Sequence[Enricher] = (),
    ) -> None:
        self.engine = engine
        self.enrichers = tuple(enrichers)  # run on each new version after it is stored
        self.kb_id = kb_id
        self.kb_name = kb_name
        self.options = options
        self.jobs = jobs or auto_jobs()
        self.progress = progress or (lambda _p: None)
        self._failed_before: set[str] = set()  # paths with an ingest_error row at triage

    def run(
        self,
        paths: Iterable[Path],
        tags: Iterable[str] = (),
        acl: Iterable[str] = (),
        prune: bool = False,
        strict: bool = False,
    ) -> IngestReport:
        """Ingest `paths`; never raises for a bad file (unless `strict`)."""
        started = time.perf_counter()
        roots = [Path(p) for p in paths]
        candidates, missing = discover(roots)
        report = IngestReport(self.kb_name, list(missing))
        with write_conn(self.engine) as conn:
            todo = self._triage(conn, candidates, report, list(tags), list(acl), strict)
            self._parse_and_store(conn, todo, report, list(tags), list(acl), strict)
            if prune and not report.stopped_early:
                self._prune(conn, roots, {c.path for c in candidates}, report)
        if self.enrichers:
            failures = enrich_pending(self.engine, self.kb_id, self.enrichers, self.progress)
            report_failures(report, failures)
        report.seconds = time.perf_counter() - started
        return report

    def _triage(
        self,
        conn: sa.Connection,
        cands: list[Candidate],
        report: IngestReport,
        tags: list[str],
        acl: list[str],
        strict: bool = False,
    ) -> list[Candidate]:
        """Skip unchanged files (same size and mtime, or same hash) and unchanged failures
        (same size and mtime as when they failed; retried under `strict`); return the rest."""
        with conn.begin():
            known = store.known_paths(conn, self.kb_id)
            failures = store.known_failures(conn, self.kb_id)
        self._failed_before = set(failures)
        if strict:
            failures = {}
        todo: list[Candidate] = []
        for cand in cands:
            old, failure = known.get(cand.path), failures.get(cand.path)
            same_stat = old is not None and (old.size, old.mtime) == (cand.size, cand.mtime)
            if failure is not None and not same_stat and _still_failing(failure, cand):
                report.files.append(_remembered_failure(cand, failure))
            elif old is not None and (same_stat or self._same_hash(conn, cand, old)):
                report.files.append(FileResult(cand.path, "unchanged", cand.size, old.document_id))
                if tags or acl:
                    with conn.begin():
                        store.set_tags_acl(conn, old.document_id, tags, acl)
            else:
                todo.append(cand)
        return todo

    def _same_hash(self, conn: sa.Connection, cand: Candidate, old: store.Known) -> bool:
        if cand.size != old.size or file_hash(cand.path) != old.content_hash:
            return False
        with conn.begin():
            store.touch_path(conn, self.kb_id, cand.path, cand.size, cand.mtime)
        return True

    def _parse_and_store(
        self,
        conn: sa.Connection,
        todo: list[Candidate],
        report: IngestReport,
        tags: list[str],
        acl: list[str],
        strict: bool,
    ) -> None:
        known: dict[str, store.Known] = {}
        if todo:
            with conn.begin():
                known = store.known_paths(conn, self.kb_id)
        total_bytes = sum(c.size for c in todo)
        done_bytes = chunks = 0
        self.progress(Progress("parse", 0, len(todo), 0, total_bytes))
        for n, result in enumerate(self._prepared(todo), start=1):
            file_result = self._store_one(conn, result, known.get(result.path), tags, acl)
            report.files.append(file_result)
            if n % FTS_BATCH_DOCS == 0:
                fts_catch_up(self.engine)
            done_bytes += result.size
            chunks += file_result.chunks
            self.progress(
                Progress("parse", n, len(todo), done_bytes, total_bytes, chunks, result.path)
            )
            if strict and file_result.status == "failed":
                report.stopped_early = True
                break
        fts_catch_up(self.engine)  # this run's chunks, and any an interrupted run left

    def _prepared(self, todo: list[Candidate]) -> Iterator[Prepared | Failed]:
        """Prepared files in order, from a fork pool when it pays off."""
        return prepare_files([c.path for c in todo], self.options, self.jobs)

    def _store_one(
        self,
        conn: sa.Connection,
        result: Prepared | Failed,
        old: store.Known | None,
        tags: list[str],
        acl: list[str],
    ) -> FileResult:
        with conn.begin():
            if isinstance(result, Failed):
                store.record_failure(conn, self.kb_id, result)
                return FileResult(
                    result.path,
                    "failed",
                    result.size,
                    reason=result.reason,
                    message=result.message,
                    hint=result.hint,
                )
            status, doc_id = store.store_prepared(conn, self.kb_id, result, old)
            store.set_tags_acl(conn, doc_id, tags, acl)
            if result.path in self._failed_before:
                store.clear_failure(conn, self.kb_id, result.path)
        n = len(result.chunks) if status in ("added", "updated") else 0
        return FileResult(
            result.path,
            status,
            result.size,
            doc_id,
            result.doc_type,
            n,  # type: ignore[arg-type]
            warnings=result.warnings,
        )

    def _prune(
        self, conn: sa.Connection, roots: list[Path], seen: set[str], report: IngestReport
    ) -> None:
        prefixes = [str(Path(r).expanduser().absolute()) for r in roots]
        with conn.begin():
            known = store.known_paths(conn, self.kb_id)
        for path in known:
            under = any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)
            if under and path not in seen:
                with conn.begin():
                    store.remove_path(conn, self.kb_id, path)
                report.files.append(FileResult(path, "pruned"))


def prepare_files(
    paths: list[str], options: PrepareOptions, jobs: int
) -> Iterator[Prepared | Failed]:
    """Parse, classify, chunk and analyze files (ingest's CPU half, nothing stored), in order,
    in a fork pool of `jobs` processes when that pays off."""
    if jobs <= 1 or len(paths) < MIN_POOL_FILES:
        yield from (prepare(p, options) for p in paths)
        return
    warm_up(options)  # load jieba and the parser libraries once; forked workers share them
    workers = min(jobs, len(paths))
    yield from prepare_parallel(paths, options, workers, _chunksize(len(paths), workers))


def _chunksize(files: int, workers: int) -> int:
    """Files per pool task: batches of up to 8 cut IPC round trips, yet keep workers busy."""
    return max(1, min(MAX_CHUNKSIZE, files // (workers * 8)))


def _still_failing(failure: store.KnownFailure, cand: Candidate) -> bool:
    """True when `cand` failed before for a reason of its bytes and has not changed since."""
    return failure.reason in REMEMBERED_REASONS and (failure.size, failure.mtime) == (
        cand.size,
        cand.mtime,
    )


def _remembered_failure(cand: Candidate, failure: store.KnownFailure) -> FileResult:
    """The report line of an unchanged file that failed before (not parsed again)."""
    return FileResult(
        cand.path,
        "failed",
        cand.size,
        reason=failure.reason,
        message=failure.message,
        hint=UNCHANGED_FAILURE_HINT,
    )
