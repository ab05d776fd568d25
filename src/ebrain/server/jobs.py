"""Background ingest jobs: uploads wait in the workspace, ONE worker thread ingests them
through Brain.ingest (the single writer), and the catalog keeps each file's state, so a
restart resumes what was queued or running. Readers never wait for it (SQLite WAL; PostgreSQL
MVCC). With several API servers, one holds the job lock and runs the jobs, the others queue."""

from __future__ import annotations

import fcntl
import logging
import re
import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ebrain.catalog.db import is_postgres, try_session_lock
from ebrain.catalog.jobs import JobQueries
from ebrain.errors import EbrainError
from ebrain.ingest.report import FileResult

log = logging.getLogger("ebrain.server.jobs")
JOBS_LOCK = "ebrain.server.jobs"
BATCH = 16  # files per Brain.ingest call: cancel takes effect between batches
STAGING = "uploads/.staging"
DONE_STATUSES = {"added", "updated", "unchanged", "duplicate"}
_UNSAFE = re.compile(r"[^\w.\- ()\u3000-\u9fff\uff00-\uffef]+")


def safe_name(name: str) -> str:
    """A file name without folders, controls or odd characters (never empty, never hidden)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = _UNSAFE.sub("_", base).strip(" .")[:200]
    return clean or "upload"


class JobRunner:
    """Runs queued jobs one at a time in a daemon thread. With several server processes, only
    the one holding the workspace's job lock runs them (one writer); the others only queue."""

    def __init__(
        self, brain: Any, on_file: Callable[[dict[str, Any], FileResult | None], None] | None = None
    ) -> None:
        self.brain = brain
        self.queries = JobQueries(brain.engine)
        self.root = Path(brain.workspace.path)
        self.on_file = on_file
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_file: Any = None

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker; unfinished jobs of a previous run are resumed first."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="ebrain-ingest", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Let the current batch finish, then stop (the rest stays queued for next time)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    @property
    def alive(self) -> bool:
        """True while the worker thread runs."""
        return self._thread is not None and self._thread.is_alive()

    # --- jobs ----------------------------------------------------------------------------
    def staging_dir(self, job_id: str) -> Path:
        """Where a job's uploaded files wait until the worker ingests them."""
        path = self.root / STAGING / job_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    @staticmethod
    def new_id() -> str:
        """A fresh job id."""
        return uuid.uuid4().hex[:16]

    def submit(
        self,
        job_id: str,
        kb: str,
        user: str,
        files: list[tuple[str, str, int]],
        acl: list[str],
        tags: list[str],
    ) -> None:
        """Store a queued job (name, stored path, size per file) and wake the worker."""
        self.queries.create_job(job_id, kb, user, files, acl, tags)
        self._wake.set()

    def cancel(self, job_id: str) -> int:
        """Cancel the job's queued files (a batch being ingested finishes); return how many."""
        count = self.queries.cancel_files(job_id)
        job = self.queries.job(job_id)
        if job is not None and job["state"] == "queued":
            self.queries.set_job(job_id, "cancelled")
        return count

    # --- the worker ------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            if not self._hold_lock():
                self._stop.wait(2.0)
                continue
            pending = self.queries.unfinished()
            if not pending:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            self._run_safely(pending[0])

    def _hold_lock(self) -> bool:
        """True when this process is the workspace's one job worker: an flock on the workspace
        folder, or on a PostgreSQL catalog a session advisory lock (servers on many machines)."""
        if self._lock_file is not None:
            return True
        if is_postgres(self.brain.engine):
            self._lock_file = try_session_lock(self.brain.engine, JOBS_LOCK)
            return self._lock_file is not None
        handle = (self.root / "server-jobs.lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lock_file = handle
        return True

    def _run_safely(self, job_id: str) -> None:
        try:
            self._run(job_id)
        except Exception as exc:  # a job never kills the worker
            log.exception("ingest job %s failed", job_id)
            message = exc.message if isinstance(exc, EbrainError) else "internal error"
            self.queries.cancel_files(job_id)
            self.queries.set_job(job_id, "failed", message)

    def _run(self, job_id: str) -> None:
        job = self.queries.job(job_id)
        if job is None:
            return
        self.queries.set_job(job_id, "running")
        while not self._stop.is_set() and (files := self.queries.pending_files(job_id)[:BATCH]):
            self._batch(job, files)
        if self._stop.is_set():
            return  # still running: resumed at the next start
        after = self.queries.job(job_id) or {"counts": {}}
        final = "cancelled" if after["counts"].get("cancelled") else "done"
        self.queries.set_job(job_id, final)

    def _batch(self, job: dict[str, Any], files: list[dict[str, Any]]) -> None:
        paths = {}
        for f in files:
            self.queries.set_file(f["id"], state="running")
            paths[f["id"]] = self._place(job["kb"], job["user_name"], f)
        report = self.brain.ingest(
            [p for p in paths.values() if p is not None],
            kb=job["kb"],
            tags=job["tags"],
            acl=job["acl"],
        )
        results = {str(Path(r.path).resolve()): r for r in report.files}
        for f in files:
            placed = paths[f["id"]]
            found = results.get(str(placed.resolve())) if placed is not None else None
            self._record(f, found)

    def _place(self, kb: str, user: str, f: dict[str, Any]) -> Path | None:
        """The file's final place: an upload moves from staging to uploads/<kb>/<user>/<name>
        (the same user uploading that name again updates the same document; another user's
        upload of the name never touches it); a re-ingest stays put."""
        stored = Path(f["stored"])
        staging = self.root / STAGING
        if not stored.is_relative_to(staging):
            return stored if stored.exists() else None
        target = self.root / "uploads" / safe_name(kb) / safe_name(user) / safe_name(f["name"])
        if stored.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(stored), target)
        return target if target.exists() else None

    def _record(self, f: dict[str, Any], result: FileResult | None) -> None:
        values: dict[str, Any]
        if result is None:
            values = {"state": "failed", "reason": "missing", "message": "the file is gone"}
        else:
            ok = result.status in DONE_STATUSES
            values = {
                "state": "done" if ok else "failed",
                "status": result.status,
                "reason": result.reason,
                "message": result.message,
                "document_id": result.document_id,
                "chunks": result.chunks,
            }
        self.queries.set_file(f["id"], **values)
        if self.on_file is not None:
            self.on_file({**f, **values}, result)
        staged = self.root / STAGING / f["job_id"]
        if staged.is_dir() and not any(staged.iterdir()):
            staged.rmdir()
