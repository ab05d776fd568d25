"""Ingest orchestration: find files, skip unchanged ones, parse in a process pool, store each
document in its own transaction (one writer), record failures, prune vanished files."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ebrain.catalog.db import write_conn
from ebrain.ingest import store
from ebrain.ingest.prepare import Failed, Prepared, PrepareOptions, prepare, warm_up
from ebrain.ingest.report import FileResult, IngestReport, Progress

ProgressFn = Callable[[Progress], None]

_SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


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
        for file in _walk(root):
            st = file.stat()
            found[str(file)] = Candidate(str(file), st.st_size, st.st_mtime)
    return [found[k] for k in sorted(found)], missing


def _walk(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not (name.startswith((".", "~$")) or name in _SKIP_NAMES):
                path = Path(dirpath) / name
                if path.is_file() and not path.is_symlink():
                    yield path


def file_hash(path: str) -> str:
    """sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
    ) -> None:
        self.engine = engine
        self.kb_id = kb_id
        self.kb_name = kb_name
        self.options = options
        self.jobs = jobs or os.cpu_count() or 1
        self.progress = progress or (lambda _p: None)

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
            todo = self._triage(conn, candidates, report, list(tags), list(acl))
            self._parse_and_store(conn, todo, report, list(tags), list(acl), strict)
            if prune and not report.stopped_early:
                self._prune(conn, roots, {c.path for c in candidates}, report)
        report.seconds = time.perf_counter() - started
        return report

    def _triage(
        self,
        conn: sa.Connection,
        cands: list[Candidate],
        report: IngestReport,
        tags: list[str],
        acl: list[str],
    ) -> list[Candidate]:
        """Skip unchanged files (same size and mtime, or same hash); return the rest."""
        with conn.begin():
            known = store.known_paths(conn, self.kb_id)
        todo: list[Candidate] = []
        for cand in cands:
            old = known.get(cand.path)
            if old is None:
                todo.append(cand)
            elif (old.size, old.mtime) == (cand.size, cand.mtime) or self._same_hash(
                conn, cand, old
            ):
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
        with conn.begin():
            known = store.known_paths(conn, self.kb_id)
        total_bytes = sum(c.size for c in todo)
        done_bytes = chunks = 0
        self.progress(Progress("parse", 0, len(todo), 0, total_bytes))
        for n, result in enumerate(self._prepared(todo), start=1):
            file_result = self._store_one(conn, result, known.get(result.path), tags, acl)
            report.files.append(file_result)
            done_bytes += result.size
            chunks += file_result.chunks
            self.progress(
                Progress("parse", n, len(todo), done_bytes, total_bytes, chunks, result.path)
            )
            if strict and file_result.status == "failed":
                report.stopped_early = True
                break

    def _prepared(self, todo: list[Candidate]) -> Iterator[Prepared | Failed]:
        """Prepared files in order, from a fork pool when it pays off."""
        paths = [c.path for c in todo]
        if self.jobs <= 1 or len(paths) < 4:
            yield from (prepare(p, self.options) for p in paths)
            return
        warm_up(self.options)  # load jieba once; forked workers share it
        ctx = mp.get_context("fork")
        with ctx.Pool(min(self.jobs, len(paths)), maxtasksperchild=200) as pool:
            yield from pool.imap(_prepare_task, [(p, self.options) for p in paths], chunksize=1)

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
            status = store.store_prepared(conn, self.kb_id, result, old)
            doc_id = store.known_paths_one(conn, self.kb_id, result.path)
            store.set_tags_acl(conn, doc_id, tags, acl)
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


def _prepare_task(args: tuple[str, PrepareOptions]) -> Prepared | Failed:
    return prepare(*args)
