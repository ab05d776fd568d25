"""The parser process pool: files are prepared in forked workers and come back in order.

Every file is parsed in a worker, never in the calling process. A worker runs at a lower CPU
priority (searches stay responsive during an ingest), under a memory limit (RLIMIT_AS: its
address space at start plus `parse_memory_mb`), and dies with its parent (PR_SET_PDEATHSIG on
Linux, a watcher thread elsewhere), so a killed ingest leaves no orphaned workers.

While waiting, the parent watches the file each worker is on: one that takes longer than
`parse_timeout_s` gets its worker killed and is reported `timeout`. A worker that dies (a
segfault or abort in a native parser library, an out-of-memory kill, a timeout kill) breaks the
pool; the batch at the head of the line is then re-run one file per process, so the file that
kills its process is reported `corrupt` (or `timeout`) and every other file is still prepared.
The batches that were in flight are resubmitted to a fresh pool. A bad file never stops the
batch.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from ebrain.ingest.ocr import progress_scope
from ebrain.ingest.prepare import (
    MEMORY_HINT,
    Failed,
    Prepared,
    PrepareOptions,
    failed,
    memory_message,
    prepare,
)

Result = Prepared | Failed
Item = tuple[int, str]  # (position in the run's file list, path)
PageFn = Callable[[str, int, int], None]  # (path, OCR'd pages done, pages in the file)
ROW = 5  # clock table row per worker: pid, start, file number, OCR page done, OCR pages
WINDOW_PER_WORKER = 4  # batches in flight per worker: keeps workers busy, bounds memory
WORKER_NICE = 10  # workers yield the CPU to searches and to the writer
POLL_S = 0.25  # how often the parent looks at the workers' clocks while it waits
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
CRASH_HINT = (
    "the file is damaged or triggers a bug in a parser library; open it in its application "
    "and save a new copy"
)
TIMEOUT_HINT = "raise ingest.parse_timeout_s, or split the file into smaller ones"

# Set in each worker by _init_worker: its row in the shared clock table.
_slot: dict[str, Any] = {}


def prepare_parallel(
    paths: list[str],
    options: PrepareOptions,
    workers: int,
    batch: int,
    on_page: PageFn | None = None,
) -> Iterator[Result]:
    """Prepared files in the order of `paths`, from `workers` forked processes; `on_page`
    hears of each page OCR'd (long scans), while the caller waits."""
    items = list(enumerate(paths))
    batches = [items[i : i + batch] for i in range(0, len(items), batch)]
    line = _Line(paths, options, workers)
    line.watch.on_page = on_page
    try:
        for _ in batches:
            line.fill(batches)
            yield from line.next_result()
    finally:
        line.close()


class _Watch:
    """The clocks of one pool's workers (shared memory) and the files that ran out of time."""

    def __init__(self, context: Any, paths: list[str], options: PrepareOptions, n: int) -> None:
        self.paths = paths
        self.options = options
        self.clocks = context.Array("d", ROW * n, lock=False)  # a ROW per worker
        self.next_slot = context.Value("i", 0)
        self.forked = context.get_start_method() == "fork"
        self.timed_out: set[int] = set()
        self.on_page: PageFn | None = None
        self._pages: dict[int, float] = {}  # worker row -> OCR page last reported

    def initargs(self) -> tuple[Any, ...]:
        """What `_init_worker` gets in each new worker."""
        # A forkserver's workers are children of the fork server (it exits with us): they watch
        # whichever parent they have (0), a forked worker watches this process.
        parent = os.getpid() if self.forked else 0
        return (parent, self.options.parse_memory_mb, self.clocks, self.next_slot)

    def result(self, future: Future[Any]) -> Any:
        """The future's result; meanwhile, kill workers whose file is over its time."""
        while True:
            try:
                return future.result(timeout=POLL_S)
            except TimeoutError:
                self.check()

    def check(self) -> None:
        """Kill each worker that has been on one file for longer than parse_timeout_s."""
        limit = self.options.parse_timeout_s
        now = time.monotonic()
        for row in range(0, len(self.clocks), ROW):
            pid, started, number, page, pages = self.clocks[row : row + ROW]
            self._page_news(row, int(number), page, pages)
            if limit > 0 and started > 0 and now - started > limit:
                self.timed_out.add(int(number))
                self.clocks[row + 1] = 0.0
                with contextlib.suppress(OSError):
                    os.kill(int(pid), signal.SIGKILL)

    def _page_news(self, row: int, number: int, page: float, pages: float) -> None:
        """Tell `on_page` when a worker has OCR'd another page since the last look."""
        if page <= 0:
            self._pages.pop(row, None)
        if self.on_page is None or page <= 0 or self._pages.get(row) == page:
            return
        self._pages[row] = page
        if 0 <= number < len(self.paths):
            self.on_page(self.paths[number], int(page), int(pages))

    def timeout_result(self, number: int) -> Failed:
        """The result for a file whose worker was killed for taking too long."""
        message = (
            f"parsing took longer than {self.options.parse_timeout_s:g} s "
            "(ingest.parse_timeout_s); the parser process was stopped"
        )
        return failed(self.paths[number], "timeout", message, TIMEOUT_HINT)


def start_context() -> Any:
    """`fork` (fast, shares the parent's pages) when called from the main thread, as the CLI
    does; `forkserver` when called from another thread, as the server's ingest jobs are, where
    forking would copy locks that the other threads may hold."""
    on_main = threading.current_thread() is threading.main_thread()
    if on_main or "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("fork")
    return mp.get_context("forkserver")


class _Line:
    """The batches in flight, in order, on one (replaceable) process pool."""

    def __init__(self, paths: list[str], options: PrepareOptions, workers: int) -> None:
        self.options = options
        self.workers = workers
        self.context = start_context()
        self.watch = _Watch(self.context, paths, options, workers)
        self.executor = self._new_executor()
        self.pending: deque[tuple[list[Item], list[Item], Future[list[Result]]]] = deque()
        self.submitted = 0

    def _new_executor(self) -> ProcessPoolExecutor:
        self.watch.clocks[:] = [0.0] * len(self.watch.clocks)
        self.watch.next_slot.value = 0
        return ProcessPoolExecutor(self.workers, self.context, _init_worker, self.watch.initargs())

    def fill(self, batches: list[list[Item]]) -> None:
        """Submit the next batches until the window is full."""
        window = self.workers * WINDOW_PER_WORKER
        while self.submitted < len(batches) and len(self.pending) < window:
            try:
                self._submit(batches[self.submitted])
            except BrokenProcessPool:  # a worker died: next_result sorts it out, then we go on
                return
            self.submitted += 1

    def _submit(self, items: list[Item]) -> None:
        sent = [i for i in items if i[0] not in self.watch.timed_out]
        future = self.executor.submit(prepare_batch, sent, self.options)
        self.pending.append((items, sent, future))

    def next_result(self) -> list[Result]:
        """The head batch's results; after a crash, re-run it file by file and restart."""
        items, sent, future = self.pending.popleft()
        try:
            done = dict(zip(sent, self.watch.result(future), strict=True))
        except BrokenProcessPool:
            results = [self._alone(item) for item in items]
            self._restart()
            return results
        except Exception:  # e.g. MemoryError sending a huge result back: one by one
            return [self._alone(item) for item in items]
        return [done[i] if i in done else self.watch.timeout_result(i[0]) for i in items]

    def _alone(self, item: Item) -> Result:
        if item[0] in self.watch.timed_out:
            return self.watch.timeout_result(item[0])
        return isolated(item, self.options, self.context)

    def _restart(self) -> None:
        """A fresh pool, with every batch that was in flight submitted to it again."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._new_executor()
        waiting = [items for items, _sent, _future in self.pending]
        self.pending.clear()
        for items in waiting:
            self._submit(items)

    def close(self) -> None:
        """Stop the workers (also on Ctrl-C or an error in the consumer)."""
        self.executor.shutdown(wait=True, cancel_futures=True)


def prepare_batch(items: list[Item], options: PrepareOptions) -> list[Result]:
    """Prepare a few files in a worker (fewer round trips than one file per task)."""
    results = []
    with progress_scope(_page_clock):
        for number, path in items:
            _clock(number)
            results.append(prepare(path, options))
    _clock(-1)
    return results


def _clock(number: int) -> None:
    """Tell the parent which file this worker is on (-1: none) and since when."""
    if _slot:
        row, clocks = _slot["row"], _slot["clocks"]
        started = time.monotonic() if number >= 0 else 0.0
        clocks[row + 1 : row + ROW] = [started, float(number), 0.0, 0.0]


def _page_clock(done: int, total: int) -> None:
    """Tell the parent how far the OCR of the current file is (pages done, pages)."""
    if _slot:
        row, clocks = _slot["row"], _slot["clocks"]
        clocks[row + 3 : row + ROW] = [float(done), float(total)]


def isolated(item: Item, options: PrepareOptions, context: Any) -> Result:
    """Prepare one file in a process of its own; a crash becomes a `corrupt` result."""
    watch = _Watch(context, [item[1]], options, 1)
    single = (0, item[1])
    with ProcessPoolExecutor(1, context, _init_worker, watch.initargs()) as alone:
        try:
            results: list[Result] = watch.result(alone.submit(prepare_batch, [single], options))
            return results[0]
        except BrokenProcessPool:
            return watch.timeout_result(0) if watch.timed_out else crashed(item[1])
        except MemoryError:
            return failed(item[1], "too_large", memory_message(item[1], options), MEMORY_HINT)
        except Exception as exc:  # the result could not come back: report, go on
            return failed(item[1], "corrupt", f"{type(exc).__name__}: {exc}", CRASH_HINT)


def crashed(path: str) -> Failed:
    """The result for a file whose parser process died."""
    message = "the parser process died on this file (crash or out of memory)"
    return failed(path, "corrupt", message, CRASH_HINT)


def _init_worker(parent: int, memory_mb: int, clocks: Any, next_slot: Any) -> None:
    """Set up a fresh worker: die with the parent, lower priority, memory limit, clock row."""
    _die_with_parent(parent)
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)
    _limit_memory(memory_mb)
    with next_slot.get_lock():
        row = ROW * next_slot.value
        next_slot.value += 1
    clocks[row] = float(os.getpid())
    _slot.update(row=row, clocks=clocks)


def _die_with_parent(parent: int) -> None:
    """Make this worker exit when the process that forked it dies (even by SIGKILL)."""
    parent = parent or os.getppid()
    if not _pdeathsig():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _pdeathsig() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    """Fallback for platforms without PR_SET_PDEATHSIG: poll the parent pid."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _limit_memory(memory_mb: int) -> None:
    """Cap this worker's address space at its current size plus `memory_mb` MiB."""
    if memory_mb <= 0:
        return
    try:
        import resource
    except ImportError:  # not on POSIX
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + memory_mb * 2**20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 where /proc is missing)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")
