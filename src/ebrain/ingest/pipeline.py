"""Ingest orchestration: find files, skip unchanged ones, parse in a process pool, store each
document in its own transaction (one writer), record failures, prune vanished files."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ebrain.catalog.db import write_conn
from ebrain.index.fts import fts_catch_up
from ebrain.ingest import store
from ebrain.ingest.enrich import Enricher, enrich_pending, report_failures
from ebrain.ingest.paths import clean_text, stored_path
from ebrain.ingest.pool import PageFn, prepare_parallel
from ebrain.ingest.prepare import Failed, Prepared, PrepareOptions, rule_groups, warm_up
from ebrain.ingest.report import FileResult, IngestReport, Progress

ProgressFn = Callable[[Progress], None]

_SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
# Failures that depend only on the file's bytes: an unchanged file fails the same way again.
# (needs_converter, needs_ocr, too_large, not_found, unreadable depend on the machine or the
# settings: retried. A scan is `needs_ocr` only while OCR is off or no engine is installed.)
REMEMBERED_REASONS = frozenset({"corrupt", "encrypted", "empty", "unsupported", "undecodable"})
UNCHANGED_FAILURE_HINT = (
    "unchanged since it failed before, so it was not parsed again; fix or replace the file"
)
MAX_CHUNKSIZE = 8  # measured: 8 files per task beat 1 per task on the bench corpus
# Stored documents between two moves of queued chunks into the full-text index. Each move writes
# one FTS5 segment, and FTS5 merges segments as they pile up: 1,000 documents a move cost a sixth
# less store CPU than 200 (measured on the bench corpus). A search indexes the queue first anyway.
FTS_BATCH_DOCS = 1000


@dataclass
class Candidate:
    """A file found on disk with its stat. `path` is its stored form (see ingest.paths);
    `fs` is the file system's name when that differs (a name that is not valid UTF-8)."""

    path: str
    size: int
    mtime: float
    fs: str = ""

    @property
    def os_path(self) -> str:
        """The name to open the file by."""
        return self.fs or self.path


def discover(paths: Iterable[Path]) -> tuple[list[Candidate], list[FileResult]]:
    """Every regular file under `paths` (hidden and temp files skipped), sorted; plus a report
    line for every path given or found that is not ingested (missing, a FIFO, a symlink not
    followed, an unreadable folder). Symlinks inside a folder are followed only to a regular
    file inside that folder; nothing but a regular file is ever opened."""
    found: dict[str, Candidate] = {}
    lines: list[FileResult] = []
    for root in paths:
        for cand in _walk(Path(root).expanduser().absolute(), lines):
            found[cand.path] = cand
    return [found[k] for k in sorted(found)], lines


def _walk(root: Path, lines: list[FileResult]) -> Iterator[Candidate]:
    """Candidates under `root` (a file or a folder given by the user; a symlink is followed)."""
    try:
        st = root.stat()
    except OSError as exc:
        lines.append(_missing(str(root), exc, os.path.lexists(root)))
        return
    if stat.S_ISREG(st.st_mode):
        yield _candidate(str(root), st)
    elif stat.S_ISDIR(st.st_mode):
        yield from _walk_folder(str(root), os.path.realpath(root), lines)
    else:
        lines.append(_skip(str(root), "unsupported", _SPECIAL))


def _walk_folder(root: str, real_root: str, lines: list[FileResult]) -> Iterator[Candidate]:
    """(One stat per file, scandir.) Hidden entries are skipped without a report line."""
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError as exc:
            lines.append(_unreadable_folder(folder, exc))
            continue
        for entry in entries:
            if _skipped(entry.name):
                continue
            if entry.is_symlink():
                yield from _symlink(entry.path, real_root, lines)
            elif entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
            elif entry.is_file(follow_symlinks=False):
                yield _candidate(entry.path, entry.stat(follow_symlinks=False))
            else:
                lines.append(_skip(entry.path, "unsupported", _SPECIAL))


def _symlink(path: str, real_root: str, lines: list[FileResult]) -> Iterator[Candidate]:
    """A symlink found in a folder: followed to a regular file inside the folder, else a
    `skipped` line saying why."""
    try:
        st = os.stat(path)
    except OSError as exc:
        lines.append(_skip(path, "symlink", _link_error(exc)))
        return
    real = os.path.realpath(path)
    if stat.S_ISDIR(st.st_mode):
        lines.append(_skip(path, "symlink", "a symlink to a folder (not followed)"))
    elif not stat.S_ISREG(st.st_mode):
        lines.append(_skip(path, "unsupported", _SPECIAL))
    elif not real.startswith(real_root.rstrip(os.sep) + os.sep):
        lines.append(_skip(path, "symlink", "a symlink to a file outside the ingested folder"))
    else:
        yield _candidate(path, st)


_SPECIAL = "not a regular file (a FIFO, socket or device); it was not opened"
_SKIP_HINTS = {
    "symlink": "ingest the link's target itself if you want it",
    "unsupported": "only regular files and folders are ingested",
}


def _candidate(path: str, st: os.stat_result) -> Candidate:
    key = stored_path(path)
    return Candidate(key, st.st_size, st.st_mtime, "" if key == path else path)


def _skip(path: str, reason: str, message: str) -> FileResult:
    """The report line of something found but not ingested."""
    hint = _SKIP_HINTS.get(reason, "")
    return FileResult(stored_path(path), "skipped", reason=reason, message=message, hint=hint)


def _link_error(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symlink loop"
    if isinstance(exc, FileNotFoundError):
        return "a symlink to a missing file"
    return f"a symlink that cannot be followed: {clean_text(exc.strerror or str(exc))}"


def _missing(path: str, exc: OSError, is_link: bool) -> FileResult:
    """The report line of a path given by the user that cannot be read."""
    if is_link and (exc.errno == errno.ELOOP or isinstance(exc, FileNotFoundError)):
        return _skip(path, "symlink", _link_error(exc))
    if isinstance(exc, FileNotFoundError):
        message = "no such file or folder"
        return FileResult(stored_path(path), "failed", reason="not_found", message=message)
    return FileResult(
        stored_path(path),
        "failed",
        reason="unreadable",
        message=clean_text(exc.strerror or str(exc)),
        hint="check the permissions",
    )


def _unreadable_folder(folder: str, exc: OSError) -> FileResult:
    """The report line of a folder that cannot be listed (nothing in it was ingested)."""
    return FileResult(
        stored_path(folder),
        "failed",
        reason="unreadable",
        message=f"cannot list this folder: {clean_text(exc.strerror or str(exc))}",
        hint="check the folder's permissions",
    )


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
        # Drains the catalog's queue of stored chunks into the index (Brain sets SearchIndex.flush).
        self.flush_index: Callable[[], int] = lambda: fts_catch_up(engine)
        # Follows ACL/tag changes of existing documents (Brain sets SearchIndex.refresh).
        self.refresh_index: Callable[[Sequence[int]], None] = lambda _ids: None
        self._touched: set[int] = set()  # documents whose tags or ACL this run changed

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
                groups = self._groups(cand.path, acl)
                if tags or groups:
                    with conn.begin():
                        if store.set_tags_acl(conn, old.document_id, tags, groups):
                            self._touched.add(old.document_id)
            else:
                todo.append(cand)
        return todo

    def _groups(self, path: str, acl: list[str]) -> list[str]:
        """The run's `--acl` groups plus those the kb's folder rules give this path."""
        return list(dict.fromkeys([*acl, *rule_groups(path, self.options.acl_rules)]))

    def _same_hash(self, conn: sa.Connection, cand: Candidate, old: store.Known) -> bool:
        if cand.size != old.size or file_hash(cand.os_path) != old.content_hash:
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
                self._sync_index()
            done_bytes += result.size
            chunks += file_result.chunks
            self.progress(
                Progress("parse", n, len(todo), done_bytes, total_bytes, chunks, result.path)
            )
            if strict and file_result.status == "failed":
                report.stopped_early = True
                break
        self._sync_index()  # this run's chunks, and any an interrupted run left

    def _sync_index(self) -> None:
        """Index the stored chunks, then let the index follow changed tags and ACLs."""
        self.flush_index()
        if self._touched:
            self.refresh_index(sorted(self._touched))
            self._touched.clear()

    def _prepared(self, todo: list[Candidate]) -> Iterator[Prepared | Failed]:
        """Prepared files in order, from a fork pool when it pays off."""
        return prepare_files([c.os_path for c in todo], self.options, self.jobs, self._ocr_page)

    def _ocr_page(self, path: str, done: int, total: int) -> None:
        """Progress of a long scan's OCR, page by page (stage `ocr`)."""
        self.progress(Progress("ocr", done, total, path=stored_path(path)))

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
            # A copy of another path's document never changes who may read that document:
            # adding the copy's groups would open it, adding groups to a public one would close it.
            acl = self._groups(result.path, acl)
            if store.set_tags_acl(conn, doc_id, tags, [] if status == "duplicate" else acl):
                self._touched.add(doc_id)
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
            warnings=result.warnings + _kept_acl_warning(status, doc_id, acl),
        )

    def _prune(
        self, conn: sa.Connection, roots: list[Path], seen: set[str], report: IngestReport
    ) -> None:
        prefixes = [stored_path(str(Path(r).expanduser().absolute())) for r in roots]
        with conn.begin():
            known = store.known_paths(conn, self.kb_id)
        for path in known:
            under = any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)
            if under and path not in seen:
                with conn.begin():
                    store.remove_path(conn, self.kb_id, path)
                report.files.append(FileResult(path, "pruned"))


def prepare_files(
    paths: list[str], options: PrepareOptions, jobs: int, on_page: PageFn | None = None
) -> Iterator[Prepared | Failed]:
    """Parse, classify, chunk and analyze files (ingest's CPU half, nothing stored), in order,
    in a fork pool of `jobs` processes. Even one file is parsed in a worker: a decompression
    bomb or a hanging parser then meets the worker's memory and time limits, not this process.
    """
    if not paths:
        return
    warm_up(options)  # load jieba and the parser libraries once; forked workers share them
    workers = max(1, min(jobs, len(paths)))
    batch = _chunksize(len(paths), workers)
    yield from prepare_parallel(paths, options, workers, batch, on_page)


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


def _kept_acl_warning(status: str, doc_id: int, acl: list[str]) -> list[str]:
    """The note for a duplicate ingested with groups: the existing document's ACL was kept."""
    if status != "duplicate" or not acl:
        return []
    return [f"same content as document {doc_id}: its access groups were kept, --acl not applied"]
