"""The parser process pool: files are prepared in forked workers and come back in order.

A worker that dies (a segfault or abort in a native parser library, an out-of-memory kill)
breaks the pool; the batch at the head of the line is then re-run one file per process, so the
file that kills its process is reported `corrupt` and every other file is still prepared. The
batches that were in flight are resubmitted to a fresh pool. A bad file never stops the batch.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ebrain.ingest.prepare import Failed, Prepared, PrepareOptions, file_stat, prepare

Result = Prepared | Failed
WINDOW_PER_WORKER = 4  # batches in flight per worker: keeps workers busy, bounds memory
CRASH_HINT = (
    "the file is damaged or triggers a bug in a parser library; open it in its application "
    "and save a new copy"
)


def prepare_parallel(
    paths: list[str], options: PrepareOptions, workers: int, batch: int
) -> Iterator[Result]:
    """Prepared files in the order of `paths`, from `workers` forked processes."""
    batches = [paths[i : i + batch] for i in range(0, len(paths), batch)]
    line = _Line(options, workers)
    try:
        for _ in batches:
            line.fill(batches)
            yield from line.next_result()
    finally:
        line.close()


class _Line:
    """The batches in flight, in order, on one (replaceable) process pool."""

    def __init__(self, options: PrepareOptions, workers: int) -> None:
        self.options = options
        self.workers = workers
        self.context = mp.get_context("fork")
        self.executor = self._new_executor()
        self.pending: deque[tuple[list[str], Future[list[Result]]]] = deque()
        self.submitted = 0

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=self.context)

    def fill(self, batches: list[list[str]]) -> None:
        """Submit the next batches until the window is full."""
        window = self.workers * WINDOW_PER_WORKER
        while self.submitted < len(batches) and len(self.pending) < window:
            try:
                self._submit(batches[self.submitted])
            except BrokenProcessPool:  # a worker died: next_result sorts it out, then we go on
                return
            self.submitted += 1

    def _submit(self, files: list[str]) -> None:
        self.pending.append((files, self.executor.submit(prepare_batch, files, self.options)))

    def next_result(self) -> list[Result]:
        """The head batch's results; after a crash, re-run it file by file and restart."""
        files, future = self.pending.popleft()
        try:
            return future.result()
        except BrokenProcessPool:
            results = [isolated(path, self.options, self.context) for path in files]
            self._restart()
            return results

    def _restart(self) -> None:
        """A fresh pool, with every batch that was in flight submitted to it again."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._new_executor()
        waiting = [files for files, _future in self.pending]
        self.pending.clear()
        for files in waiting:
            self._submit(files)

    def close(self) -> None:
        """Stop the workers (also on Ctrl-C or an error in the consumer)."""
        self.executor.shutdown(wait=True, cancel_futures=True)


def prepare_batch(files: list[str], options: PrepareOptions) -> list[Result]:
    """Prepare a few files in a worker (fewer round trips than one file per task)."""
    return [prepare(path, options) for path in files]


def isolated(path: str, options: PrepareOptions, context: mp.context.BaseContext) -> Result:
    """Prepare one file in a process of its own; a crash becomes a `corrupt` result."""
    with ProcessPoolExecutor(1, mp_context=context) as alone:
        try:
            return alone.submit(prepare, path, options).result()
        except BrokenProcessPool:
            return crashed(path)


def crashed(path: str) -> Failed:
    """The result for a file whose parser process died."""
    size, mtime = file_stat(Path(path))
    message = "the parser process died on this file (crash or out of memory)"
    return Failed(path, size, mtime, "corrupt", message, CRASH_HINT)
