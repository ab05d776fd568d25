"""Ingest on a Ray cluster (`ebrain ingest --ray [ADDRESS]`, `pip install 'ebrain[ray]'`).

Parse → chunk → analyze run as Ray tasks (a few files each); embedding runs as Ray tasks too,
one batch of chunks each, on a GPU where the cluster has one. The driver (the process that runs
`ebrain ingest`) stays the only writer: it stores every prepared file through the local
pipeline's own path (`IngestPipeline._store_one`, one transaction per document, content hashes)
and every batch of vectors through the embedding claims (`embed_claim`). So the run is
exactly-once and resumable exactly as the local one is:

- a killed Ray worker: Ray runs its task again (`max_retries`); a task only computes, so running
  it twice stores nothing twice;
- a killed driver: the files it stored stay stored (the next run finds them unchanged and skips
  them); its embedding claims expire after `embed.claim_seconds`, then the next run embeds those
  chunks, and chunks that already have a vector are never claimed again.

Inside a task each file is still parsed in a forked child under the pool's memory and time
limits (`ingest.parse_memory_mb`, `ingest.parse_timeout_s`), so a parser crash or a
decompression bomb costs one file, not the Ray worker. The files must be readable at the same
path on every Ray node (a shared or replicated file system); ebrain must be installed on every
node.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa

from ebrain.embed.base import EmbeddingModel, embedder_for
from ebrain.errors import BackendError, ConfigError
from ebrain.index.base import SearchIndex
from ebrain.index.embedding import (
    ChunkScorer,
    EmbedProgress,
    check_embedder,
    claim_batch,
    pending_count,
    release_claims,
    score_batch,
    store_batch,
)
from ebrain.ingest.pipeline import IngestPipeline, prepare_files
from ebrain.ingest.prepare import Failed, Prepared, PrepareOptions, failed

INSTALL_HINT = "install the extra: pip install 'ebrain[ray]'"
LOCAL = "local"  # --ray local: start a Ray instance on this machine for this run
TASKS_PER_CPU = 2  # tasks in flight per cluster CPU: keeps workers busy, bounds driver memory
# Files per parse task: each task forks its own limited parser process, which costs about as
# much as parsing 8 small files (bench/scale_ray.py: 11-12 ms a file with 8 files a task), so
# tasks take up to 32 files; fewer when there are few files per CPU, to keep every CPU busy.
MAX_FILES_PER_TASK = 32
TASK_RETRIES = 3  # Ray re-runs a task whose worker died this many times


def ray_module() -> Any:
    """The `ray` package, or a ConfigError with the install hint."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigError("ingest on Ray needs the ray package", hint=INSTALL_HINT) from exc
    return ray


@contextlib.contextmanager
def connected(address: str) -> Iterator[Any]:
    """Ray, connected to `address` (`auto`, `HOST:PORT`, `ray://HOST:PORT`) or to a local
    instance started for this run (`local`). A connection the process already has is reused
    and left open; one made here is closed at the end."""
    ray = ray_module()
    if ray.is_initialized():
        yield ray
        return
    kwargs: dict[str, Any] = {"log_to_driver": False, "logging_level": "WARNING"}
    try:
        if address == LOCAL:
            ray.init(include_dashboard=False, **kwargs)
        else:
            ray.init(address=address, **kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise BackendError(
            f"cannot connect to the Ray cluster at {address}: {exc}",
            hint="start it with `ray start --head`, or use --ray local",
        ) from exc
    try:
        yield ray
    finally:
        ray.shutdown()


def cluster_cpus(ray: Any) -> int:
    """CPUs the cluster has (at least 1)."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def cluster_gpus(ray: Any) -> int:
    """GPUs the cluster has (0 without)."""
    return int(ray.cluster_resources().get("GPU", 0))


# --- tasks (run on the Ray workers) ------------------------------------------------------
def prepare_task(paths: list[str], options: PrepareOptions) -> list[Prepared | Failed]:
    """Prepare a few files on a Ray worker, each in a forked child under the pool's limits."""
    return list(prepare_files(paths, options, 1))


def embed_task(spec: str, texts: list[str]) -> Any:
    """Embed one batch of passages on a Ray worker (the model is loaded once per worker)."""
    return embedder_for(spec).embed_batch(texts, kind="passage")


# --- parse and chunk ---------------------------------------------------------------------
class RayIngestPipeline(IngestPipeline):
    """The local pipeline with its parse stage on Ray; triage, storing, pruning, full-text
    indexing and enrichers stay in the driver, unchanged."""

    files_per_task = 0  # 0: chosen from the number of files and the cluster's CPUs

    def __init__(self, *args: Any, cluster: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ray = cluster  # the connected `ray` module

    def _prepared(self, todo: Sequence[Any]) -> Iterator[Prepared | Failed]:
        paths = [c.os_path for c in todo]
        if not paths:
            return iter(())
        return prepare_on_ray(self.ray, paths, self.options, self.files_per_task)


def prepare_on_ray(
    ray: Any, paths: list[str], options: PrepareOptions, files_per_task: int = 0
) -> Iterator[Prepared | Failed]:
    """Prepared files in the order of `paths`, from Ray tasks (a window of them in flight)."""
    cpus = cluster_cpus(ray)
    size = files_per_task or max(1, min(MAX_FILES_PER_TASK, len(paths) // (cpus * 4)))
    batches = [paths[i : i + size] for i in range(0, len(paths), size)]
    remote = ray.remote(num_cpus=1, max_retries=TASK_RETRIES)(prepare_task)
    options_ref = ray.put(options)
    window: deque[tuple[list[str], Any]] = deque()
    for batch in batches:
        window.append((batch, remote.remote(batch, options_ref)))
        if len(window) >= cpus * TASKS_PER_CPU:
            yield from _results(ray, *window.popleft())
    while window:
        yield from _results(ray, *window.popleft())


def _results(ray: Any, batch: list[str], ref: Any) -> list[Prepared | Failed]:
    """A task's results; when its Ray worker died more often than Ray retries (a lost node,
    the OOM killer: a file that crashes its parser only kills the forked child), every file
    of the batch is reported `worker_lost`, which the next run retries."""
    try:
        results: list[Prepared | Failed] = ray.get(ref)
    except ray.exceptions.RayError as exc:
        message = f"the Ray worker parsing this file was lost ({type(exc).__name__})"
        return [failed(path, "worker_lost", message, WORKER_LOST_HINT) for path in batch]
    return results


WORKER_LOST_HINT = "run the ingest again; check the Ray cluster's nodes and memory"


# --- embed -------------------------------------------------------------------------------
def embed_on_ray(
    ray: Any,
    engine: sa.Engine,
    embedder: EmbeddingModel,
    spec: str,
    index: SearchIndex,
    batch_size: int = 32,
    progress: EmbedProgress | None = None,
    scorer: ChunkScorer | None = None,
    claim_seconds: float = 600.0,
) -> int:
    """Embed every pending chunk nobody holds, each claimed batch as a Ray task (one GPU each
    where the cluster has GPUs); the driver stores each batch as it returns, then releases its
    claim. Returns how many chunks this call embedded."""
    if embedder.dim <= 0:
        return 0
    with engine.connect() as conn:
        check_embedder(conn, embedder)
        total = pending_count(conn)
    gpus = cluster_gpus(ray)
    resources = {"num_gpus": 1} if gpus else {"num_cpus": 1}
    remote = ray.remote(max_retries=TASK_RETRIES, **resources)(embed_task)
    runner = _EmbedRunner(ray, engine, embedder, index, scorer, claim_seconds)
    width = max(1, gpus or cluster_cpus(ray)) * TASKS_PER_CPU
    done = 0
    while True:
        while len(runner.window) < width and runner.submit(remote, spec, batch_size):
            pass
        if not runner.window:
            return done
        done += runner.collect()
        if progress is not None:
            progress(done, max(total, done))


class _EmbedRunner:
    """Claimed batches in flight (one claim owner each), stored in the order they return."""

    def __init__(
        self,
        ray: Any,
        engine: sa.Engine,
        embedder: EmbeddingModel,
        index: SearchIndex,
        scorer: ChunkScorer | None,
        claim_seconds: float,
    ) -> None:
        self.ray, self.engine, self.embedder = ray, engine, embedder
        self.index, self.scorer, self.claim_seconds = index, scorer, claim_seconds
        self.window: dict[Any, tuple[str, list[tuple[int, str]]]] = {}

    def submit(self, remote: Any, spec: str, batch_size: int) -> bool:
        """Claim a batch and send it to Ray; False when nothing is left to claim."""
        owner = uuid.uuid4().hex
        batch = claim_batch(self.engine, owner, batch_size, self.claim_seconds)
        if not batch:
            return False
        self.window[remote.remote(spec, [text for _, text in batch])] = (owner, batch)
        return True

    def collect(self) -> int:
        """Store the first batch that returns; release its claim (also when it failed)."""
        ready, _ = self.ray.wait(list(self.window), num_returns=1)
        owner, batch = self.window.pop(ready[0])
        try:
            vecs = np.asarray(self.ray.get(ready[0]), dtype=np.float32)
            store_batch(self.engine, self.index, self.embedder, [c for c, _ in batch], vecs)
            if self.scorer is not None:
                score_batch(self.engine, self.scorer, self.embedder, batch, vecs)
        except self.ray.exceptions.RayError as exc:
            self._abandon()
            raise BackendError(f"embedding on Ray failed: {exc}") from exc
        finally:
            release_claims(self.engine, owner)
        return len(batch)

    def _abandon(self) -> None:
        """Give back the claims of the batches still in flight (the next run embeds them)."""
        for ref, (owner, _batch) in list(self.window.items()):
            self.ray.cancel(ref, force=True)
            release_claims(self.engine, owner)
        self.window.clear()
