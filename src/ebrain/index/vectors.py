"""Dense vectors: stored in the catalog (float16 blobs), searched from a memory-mapped cache.

The catalog table `chunk_vector` is the source of truth. For search, the vectors are exported
once per change into `<workspace>/vectors/` as .npy files (ids, float16, and above a size
threshold int8) that are memory-mapped. Up to `ann_threshold` (setting `index.ann_threshold`)
vectors, `exact_search` scans float16 with usearch's SIMD kernels; above it the export also
writes int8 vectors and an HNSW graph, and `graph_search` (unfiltered) or `exact_search` over
the allowed rows (filtered, int8) find candidates that are rescored in float16. `vector_search`
picks the path. A `VectorCache` is immutable: a newer generation is a new object.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from ebrain.catalog import schema as t

GEN_KEY = "vectors_gen"
HNSW_FILE = "hnsw.usearch"
RESCORE = 8  # int8 candidates per wanted result, rescored in float16


def bump_generation(conn: sa.Connection) -> None:
    """Mark every vector cache stale (call in the transaction that changes vectors)."""
    conn.execute(
        sa.text("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = :k"),
        {"k": GEN_KEY},
    )


def generation(conn: sa.Connection) -> int:
    """The current vector generation."""
    value = conn.execute(sa.select(t.meta.c.value).where(t.meta.c.key == GEN_KEY)).scalar()
    return int(value or 0)


def stored_dim(conn: sa.Connection) -> int:
    """The dimension of the stored vectors (0 when there are none)."""
    size = conn.execute(sa.select(sa.func.length(t.chunk_vector.c.vec)).limit(1)).scalar()
    return int(size or 0) // 2


def to_blob(vec: npt.NDArray[np.float32]) -> bytes:
    """A vector as float16 bytes."""
    return np.asarray(vec, dtype=np.float16).tobytes()


def write_vectors(conn: sa.Connection, ids: list[int], vecs: npt.NDArray[np.float32]) -> None:
    """Store vectors of chunks (replacing existing ones)."""
    conn.execute(sa.delete(t.chunk_vector).where(t.chunk_vector.c.chunk_id.in_(ids)))
    conn.execute(
        sa.insert(t.chunk_vector),
        [{"chunk_id": i, "vec": to_blob(v)} for i, v in zip(ids, vecs, strict=True)],
    )
    bump_generation(conn)


@dataclass(frozen=True)
class VectorCache:
    """Memory-mapped vectors of one generation."""

    gen: int
    ids: npt.NDArray[np.int64]
    f16: npt.NDArray[np.float16]
    i8: npt.NDArray[np.int8] | None
    graph: Any = None  # HNSW over the int8 vectors, above the threshold

    def __len__(self) -> int:
        return len(self.ids)


def _export(conn: sa.Connection, folder: Path, gen: int, dim: int, ann_threshold: int) -> None:
    """Write ids/f16(/i8) .npy files for generation `gen` atomically (temp folder + rename)."""
    n = int(conn.execute(sa.select(sa.func.count()).select_from(t.chunk_vector)).scalar_one())
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}.{threading.get_ident()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    ids = np.lib.format.open_memmap(tmp / "ids.npy", mode="w+", dtype=np.int64, shape=(n,))
    f16 = np.lib.format.open_memmap(tmp / "f16.npy", mode="w+", dtype=np.float16, shape=(n, dim))
    q = sa.select(t.chunk_vector.c.chunk_id, t.chunk_vector.c.vec).order_by(
        t.chunk_vector.c.chunk_id
    )
    for row_no, (cid, blob) in enumerate(conn.execute(q)):
        ids[row_no] = cid
        f16[row_no] = np.frombuffer(blob, dtype=np.float16)
    if n > ann_threshold:
        _quantize(f16, tmp / "i8.npy")
        _build_graph(tmp / "i8.npy", tmp / HNSW_FILE)
    ids.flush()
    f16.flush()
    (tmp / "gen.json").write_text(json.dumps({"gen": gen, "n": n, "dim": dim}), encoding="utf-8")
    del ids, f16
    old = folder.with_name(folder.name + f".old{os.getpid()}.{threading.get_ident()}")
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _quantize(f16: npt.NDArray[np.float16], path: Path) -> None:
    """int8 copy of unit vectors (scaled by 127), written block by block."""
    i8 = np.lib.format.open_memmap(path, mode="w+", dtype=np.int8, shape=f16.shape)
    for start in range(0, len(f16), 65536):
        block = f16[start : start + 65536].astype(np.float32)
        i8[start : start + 65536] = np.clip(np.rint(block * 127), -127, 127).astype(np.int8)
    i8.flush()


def _build_graph(i8_path: Path, out: Path) -> None:
    """An HNSW graph (usearch) over the int8 vectors; keys are row numbers."""
    from usearch.index import Index, MetricKind, ScalarKind  # type: ignore[attr-defined]

    data = np.load(i8_path, mmap_mode="r")
    graph = Index(ndim=data.shape[1], metric=MetricKind.Cos, dtype=ScalarKind.I8,
                  connectivity=16, expansion_add=64, expansion_search=64)  # fmt: skip
    for start in range(0, len(data), 100_000):
        block = np.ascontiguousarray(data[start : start + 100_000])
        graph.add(np.arange(start, start + len(block), dtype=np.uint64), block, threads=0)
    graph.save(str(out))


def load_cache(folder: Path) -> VectorCache | None:
    """Open the exported vectors (memory-mapped), or None when there is no export."""
    meta_file = folder / "gen.json"
    if not meta_file.exists():
        return None
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    ids = np.load(folder / "ids.npy", mmap_mode="r")
    f16 = np.load(folder / "f16.npy", mmap_mode="r")
    i8 = np.load(folder / "i8.npy", mmap_mode="r") if (folder / "i8.npy").exists() else None
    return VectorCache(int(meta["gen"]), ids, f16, i8, _open_graph(folder / HNSW_FILE))


def _open_graph(path: Path) -> Any:
    """The HNSW graph memory-mapped read-only (view), or None."""
    if not path.exists():
        return None
    from usearch.index import Index

    return Index.restore(str(path), view=True)


def fresh_cache(
    engine: sa.Engine, folder: Path, dim: int, ann_threshold: int, current: VectorCache | None
) -> VectorCache | None:
    """The cache of the catalog's current generation, re-exported when stale."""
    with engine.connect() as conn:
        gen = generation(conn)
        if current is not None and current.gen == gen:
            return current
        cached = load_cache(folder)
        if cached is not None and cached.gen == gen:
            return cached
        dim = dim or stored_dim(conn)
        if dim <= 0:
            return None
        _export(conn, folder, gen, dim, ann_threshold)
    return load_cache(folder)


def vector_search(
    cache: VectorCache,
    query: npt.NDArray[np.float32],
    k: int,
    rows: npt.NDArray[np.int64] | None = None,
) -> list[tuple[int, float]]:
    """Top-k (chunk id, cosine): the HNSW graph when there is one and no row restriction,
    else an exact scan (of `rows` only, when given)."""
    if len(cache) == 0 or k <= 0:
        return []
    if rows is None and cache.graph is not None:
        return graph_search(cache, query, k)
    return exact_search(cache, query, k, rows)


def exact_search(
    cache: VectorCache,
    query: npt.NDArray[np.float32],
    k: int,
    rows: npt.NDArray[np.int64] | None = None,
) -> list[tuple[int, float]]:
    """Top-k (chunk id, cosine) by exact scan (int8 + float16 rescoring when quantized);
    `rows` restricts the scan to those row numbers. Never uses the graph."""
    from usearch.index import MetricKind, search  # type: ignore[attr-defined]

    if len(cache) == 0 or k <= 0 or (rows is not None and len(rows) == 0):
        return []
    use_i8 = cache.i8 is not None
    data = cache.i8 if use_i8 else cache.f16
    assert data is not None
    if rows is not None:
        data = data[rows]
    want = min(len(data), k * RESCORE if use_i8 else k)
    found = search(data, _query_as(query, data.dtype), want, MetricKind.Cos, exact=True, threads=0)
    local = np.asarray(found.keys, dtype=np.int64)
    row_no = rows[local] if rows is not None else local
    return _rescore(cache, query, row_no, k)


def graph_search(
    cache: VectorCache, query: npt.NDArray[np.float32], k: int
) -> list[tuple[int, float]]:
    """Approximate top candidates from the HNSW graph, rescored exactly in float16."""
    found = cache.graph.search(_query_as(query, np.dtype(np.int8)), min(len(cache), k * RESCORE))
    return _rescore(cache, query, np.asarray(found.keys, dtype=np.int64), k)


def _query_as(
    query: npt.NDArray[np.float32], dtype: np.dtype[np.generic]
) -> npt.NDArray[np.generic]:
    if dtype == np.int8:
        return np.clip(np.rint(query * 127), -127, 127).astype(np.int8)
    return query.astype(dtype)


def _rescore(
    cache: VectorCache, query: npt.NDArray[np.float32], row_no: npt.NDArray[np.int64], k: int
) -> list[tuple[int, float]]:
    rows = np.sort(row_no)
    vecs = _rows(cache, rows)
    scores = vecs @ query.astype(np.float32)
    best = np.argsort(-scores)[:k]
    return [(int(cache.ids[rows[i]]), float(scores[i])) for i in best]


def _rows(cache: VectorCache, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    """float16 rows as float32. Behind an int8 scan the rows are read with pread, so the
    scattered reads of rescoring do not fault (and keep resident) the whole float16 file."""
    f16 = cache.f16
    if cache.i8 is None or not isinstance(f16, np.memmap) or f16.filename is None:
        return np.asarray(f16[rows], dtype=np.float32)
    width = f16.shape[1] * 2
    out = np.empty((len(rows), f16.shape[1]), dtype=np.float16)
    with open(f16.filename, "rb", buffering=0) as f:
        fd = f.fileno()
        for n, r in enumerate(rows.tolist()):
            out[n] = np.frombuffer(os.pread(fd, width, f16.offset + r * width), dtype=np.float16)
    return out.astype(np.float32)
