"""The Milvus index (`index.url: milvus://host:19530`, or `milvus-lite:` embedded): full text
through Milvus's BM25 function over ebrain's own analyzed terms, dense vectors in a COSINE
vector field, and the filters (ACL groups and a public flag, knowledge base, type, tags, date)
as scalar fields inside the search expression.

The catalog stays the source of truth: chunk rows, terms and (float16) vectors are written
there as with the embedded index, and Milvus mirrors them in two collections, `<name>_text`
(terms -> BM25 sparse vector) and `<name>_vectors` (dense vectors; chunks without a vector
yet are simply absent). `flush` reconciles the mirror with the catalog (new chunks pushed,
deleted ones removed) when the catalog's fingerprint moved; `refresh(document_ids)` re-reads
the scalars of documents whose ACL, tags or type changed. Rows, snippets and citations are
read from the catalog, so fusion and answers are the embedded index's, unchanged.

Group and tag names are stored as 64-bit hashes (`_h`): expressions then only ever quote
hex digits, whatever users name their groups; `load` re-checks the ACL exactly in the
catalog. Needs the `milvus` extra (pymilvus, milvus-lite, setuptools<81).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.catalog.db import write_conn
from ebrain.errors import BackendError, ConfigError
from ebrain.index import catalog_rows as rows
from ebrain.index.base import (
    ChunkRow,
    Filters,
    IndexContext,
    IndexedChunk,
    IndexHit,
    LexicalStats,
    SearchIndex,
)
from ebrain.index.fts import fts_queue_chunks, fts_remove_chunks
from ebrain.index.vectors import bump_generation, write_vectors

INSTALL_HINT = "install the extra: pip install 'ebrain[milvus]'"
TOKEN_ENV = "EBRAIN_MILVUS_TOKEN"
MAX_TERMS_BYTES = 65_000  # Milvus VARCHAR holds 65,535 bytes
MAX_LIST = 1024  # groups or tags kept per document (more: the extra groups do not open it)
MAX_TOPK = 16_384  # Milvus's limit on k
PUSH_BATCH = 1000
PAGE = 10_000  # ids per query page (Milvus returns at most 16,384 rows)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")
_SAFE_WORD = re.compile(r"^[\w\-]{1,64}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_IMPOSSIBLE = "id < 0"
CHECK_EVERY_S = 2.0  # a search checks the catalog's fingerprint at most this often


@dataclass(frozen=True)
class Location:
    """Where the collections live: a Milvus URI (server or local .db file), a token, and the
    collections' name prefix."""

    uri: str
    token: str
    name: str

    @property
    def local(self) -> bool:
        return self.uri.endswith(".db")


def parse_url(spec: str, workspace: Path) -> Location:
    """`milvus://host:port[?name=N]`, `milvus+https://…` or `milvus-lite:[PATH.db][?name=N]`
    (default file: `<workspace>/milvus.db`; a relative PATH is inside the workspace)."""
    raw, _, query = spec.strip().partition("?")
    params = parse_qs(query)
    name = params.get("name", ["ebrain"])[0]
    if not _NAME.match(name):
        raise ConfigError(f"invalid Milvus collection name {name!r}",
                          hint="use letters, digits and _ (at most 41), e.g. ?name=acme")  # fmt: skip
    scheme = raw.split(":", 1)[0].lower()
    token = os.environ.get(TOKEN_ENV, "")
    if scheme == "milvus-lite":
        path = Path(raw.split(":", 1)[1] or "milvus.db")
        path = path if path.is_absolute() else workspace / path
        if path.suffix != ".db":
            raise ConfigError(f"a milvus-lite file must end in .db: {spec!r}",
                              hint="e.g. milvus-lite: or milvus-lite:/data/index.db")  # fmt: skip
        return Location(str(path), "", name)
    parts = urlsplit(raw)
    if scheme not in ("milvus", "milvus+https") or not parts.hostname:
        raise ConfigError(f"invalid Milvus URL {spec!r}",
                          hint="milvus://host:19530, milvus+https://host:443 or milvus-lite:")  # fmt: skip
    http = "https" if scheme == "milvus+https" else "http"
    port = parts.port or (443 if http == "https" else 19530)
    return Location(f"{http}://{parts.hostname}:{port}", token, name)


def create(spec: str) -> Any:
    """Entry points `milvus`, `milvus+https` and `milvus-lite`: the opener of this spec."""

    def opener(context: IndexContext) -> SearchIndex:
        location = parse_url(spec, context.folder.parent)
        return MilvusIndex(connect(location), context.engine, location.name, context.dim)

    return opener


_clients: dict[tuple[str, str], Any] = {}
_clients_lock = threading.Lock()


def connect(location: Location) -> Any:
    """A MilvusClient for the location, shared per process (milvus-lite runs one server per
    file and process; its log goes to `<file>.log`, not to the terminal)."""
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise ConfigError("the Milvus index needs pymilvus", hint=INSTALL_HINT) from exc
    key = (location.uri, location.token)
    with _clients_lock:
        if key not in _clients:
            if location.local:
                _start_lite(Path(location.uri))
            try:
                _clients[key] = MilvusClient(uri=location.uri, token=location.token)
            except Exception as exc:
                raise BackendError(f"cannot reach Milvus at {location.uri}: {exc}",
                                   hint="check index.url and that Milvus is running") from exc  # fmt: skip
        return _clients[key]


def _start_lite(path: Path) -> None:
    try:
        with warnings.catch_warnings():  # milvus-lite 2.5 imports pkg_resources (deprecated)
            warnings.simplefilter("ignore", UserWarning)
            from milvus_lite.server_manager import server_manager_instance
    except ImportError as exc:
        raise ConfigError("the milvus-lite index needs milvus-lite", hint=INSTALL_HINT) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    with _output_to(path.with_suffix(".log")):
        uri = server_manager_instance.start_and_get_uri(str(path))
    if uri is None:
        raise BackendError(f"milvus-lite could not open {path}",
                           hint="another process may hold it: milvus-lite serves one process")  # fmt: skip


@contextlib.contextmanager
def _output_to(log: Path) -> Iterator[None]:
    """Point fds 1 and 2 at `log` while a child process starts (it inherits them)."""
    saved = [os.dup(1), os.dup(2)]
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for f in (*saved, fd):
            os.close(f)


def _h(value: str) -> str:
    """The stored form of a group or tag name: 16 hex digits."""
    return hashlib.blake2b(value.encode("utf-8"), digest_size=8).hexdigest()


def _quoted(values: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _ints(values: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


def _bounded_terms(terms: str) -> str:
    """Terms cut (at a space) to fit a VARCHAR."""
    data = terms.encode("utf-8")
    if len(data) > MAX_TERMS_BYTES:
        terms = data[:MAX_TERMS_BYTES].decode("utf-8", "ignore").rsplit(" ", 1)[0]
    return terms


class MilvusIndex:
    """SearchIndex over Milvus collections mirroring the catalog (thread-safe: writes and
    reconciliation take a lock; searches go straight to Milvus)."""

    def __init__(self, client: Any, engine: sa.Engine, name: str = "ebrain", dim: int = 0) -> None:
        self.client = client
        self.engine = engine
        self.text = f"{name}_text"
        self.vectors = f"{name}_vectors"
        self.dim = dim
        self._lock = threading.RLock()
        self._synced: tuple[int, ...] | None = None
        self._checked = 0.0  # monotonic time of the last fingerprint check by a search
        self._dim = 0  # the vector collection's dimension, once known
        self._count: tuple[float, int] | None = None  # (monotonic time, vectors) cached briefly
        self._sample: rows.TermSample | None = None  # document frequencies (lexical_stats)
        self._sample_lock = threading.Lock()
        self._call(self._ensure_text)

    # --- collections -------------------------------------------------------------------
    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a client call; Milvus errors become BackendError."""
        try:
            return fn(*args, **kwargs)
        except (BackendError, ConfigError):
            raise
        except Exception as exc:
            if type(exc).__name__ != "MilvusException":
                raise
            raise BackendError(
                f"Milvus failed: {exc}", hint="check the Milvus server and index.url"
            ) from exc

    def _scalar_fields(self, schema: Any) -> None:
        from pymilvus import DataType

        schema.add_field("id", DataType.INT64, is_primary=True)
        for field in ("document_id", "kb_id"):
            schema.add_field(field, DataType.INT64)
        schema.add_field("doc_type", DataType.VARCHAR, max_length=64)
        schema.add_field("day", DataType.VARCHAR, max_length=32)
        schema.add_field("public", DataType.BOOL)
        for field in ("groups", "tags"):
            schema.add_field(field, DataType.ARRAY, element_type=DataType.VARCHAR,
                             max_capacity=MAX_LIST, max_length=16)  # fmt: skip

    def _ensure_text(self) -> None:
        from pymilvus import DataType, Function, FunctionType

        if self.client.has_collection(self.text):
            return
        schema = self.client.create_schema(auto_id=False)
        self._scalar_fields(schema)
        schema.add_field("terms", DataType.VARCHAR, max_length=65_535, enable_analyzer=True,
                         analyzer_params={"tokenizer": "whitespace"})  # fmt: skip
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                     input_field_names=["terms"], output_field_names=["sparse"]))  # fmt: skip
        index = self.client.prepare_index_params()
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        self.client.create_collection(self.text, schema=schema, index_params=index,
                                      consistency_level="Strong")  # fmt: skip

    def _vector_dim(self) -> int:
        """The dimension of the vector collection (0 when there is none); remembered once
        found (a dimension change goes through `_ensure_vectors`)."""
        if self._dim or not self.client.has_collection(self.vectors):
            return self._dim
        for field in self.client.describe_collection(self.vectors)["fields"]:
            if field["name"] == "vec":
                self._dim = int(field["params"]["dim"])
        return self._dim

    def _ensure_vectors(self, dim: int) -> None:
        """The vector collection for `dim` (a collection of another dimension is dropped: the
        catalog refuses to mix embedders, so its vectors were forgotten)."""
        from pymilvus import DataType

        current = self._vector_dim()
        if current == dim:
            return
        if current:
            self.client.drop_collection(self.vectors)
            self._dim = 0
        schema = self.client.create_schema(auto_id=False)
        self._scalar_fields(schema)
        schema.add_field("vec", DataType.FLOAT_VECTOR, dim=dim)
        index = self.client.prepare_index_params()
        index.add_index("vec", index_type="AUTOINDEX", metric_type="COSINE")
        self.client.create_collection(self.vectors, schema=schema, index_params=index,
                                      consistency_level="Strong")  # fmt: skip
        self._dim = dim

    # --- writes --------------------------------------------------------------------------
    def upsert(self, chunks: Sequence[IndexedChunk]) -> None:
        """Store terms and/or vectors in the catalog, then mirror those chunks in Milvus."""
        with_terms = [c for c in chunks if c.terms is not None]
        with_vec = [c for c in chunks if c.vector is not None]
        with write_conn(self.engine) as conn, conn.begin():
            if with_terms:
                self._store_terms(conn, with_terms)
            if with_vec:
                vecs = np.stack([np.asarray(c.vector, dtype=np.float32) for c in with_vec])
                write_vectors(conn, [c.chunk_id for c in with_vec], vecs)
        with self._lock:
            self._count = None
            if with_terms:
                self._sample = None  # new terms: document frequencies move
            self._call(self._push_text, [c.chunk_id for c in with_terms])
            given = {c.chunk_id: np.asarray(c.vector, dtype=np.float32) for c in with_vec}
            self._call(self._push_vectors, list(given), given)

    @staticmethod
    def _store_terms(conn: sa.Connection, chunks: list[IndexedChunk]) -> None:
        """New terms in the catalog; a SQLite catalog's FTS5 side only queues them."""
        fts_remove_chunks(conn, [c.chunk_id for c in chunks])
        conn.execute(
            sa.update(t.chunk)
            .where(t.chunk.c.id == sa.bindparam("cid"))
            .values(terms=sa.bindparam("terms")),
            [{"cid": c.chunk_id, "terms": c.terms} for c in chunks],
        )
        fts_queue_chunks(conn, [c.chunk_id for c in chunks if c.terms])

    def delete(self, chunk_ids: Sequence[int]) -> None:
        """Remove chunks from the index (their catalog terms and vectors too)."""
        ids = [int(i) for i in chunk_ids]
        if not ids:
            return
        with write_conn(self.engine) as conn, conn.begin():
            fts_remove_chunks(conn, ids)
            conn.execute(sa.update(t.chunk).where(t.chunk.c.id.in_(ids)).values(terms=""))
            gone = conn.execute(sa.delete(t.chunk_vector).where(t.chunk_vector.c.chunk_id.in_(ids)))
            if gone.rowcount:
                bump_generation(conn)
        with self._lock:
            self._count = None
            self._call(self._drop, ids)

    def _drop(self, ids: list[int]) -> None:
        for start in range(0, len(ids), PUSH_BATCH):
            expr = f"id in {_ints(ids[start : start + PUSH_BATCH])}"
            self.client.delete(self.text, filter=expr)
            if self._vector_dim():
                self.client.delete(self.vectors, filter=expr)

    def _row(self, s: rows.Scalars) -> dict[str, Any]:
        return {
            "id": s.chunk_id,
            "document_id": s.document_id,
            "kb_id": s.kb_id,
            "doc_type": s.doc_type[:64],
            "day": s.day[:32],
            "public": not s.groups,
            "groups": [_h(g) for g in s.groups[:MAX_LIST]],
            "tags": [_h(x) for x in s.tags[:MAX_LIST]],
        }

    def _scalars(self, where: sa.ColumnElement[bool]) -> list[tuple[rows.Scalars, str]]:
        with self.engine.connect() as conn:
            return rows.scalars(conn, where)

    def _push_text(self, ids: Sequence[int]) -> None:
        """Mirror these chunks' terms and scalars (chunks without terms leave the index)."""
        for start in range(0, len(ids), PUSH_BATCH):
            part = list(ids[start : start + PUSH_BATCH])
            found = self._scalars(t.chunk.c.id.in_(part))
            self._write_text(found)
            empty = sorted(set(part) - {s.chunk_id for s, terms in found if terms})
            if empty:
                self.client.delete(self.text, filter=f"id in {_ints(empty)}")

    def _write_text(self, found: list[tuple[rows.Scalars, str]]) -> None:
        data = [self._row(s) | {"terms": _bounded_terms(x)} for s, x in found if x]
        if data:
            self.client.upsert(self.text, data)

    def _push_vectors(
        self, ids: Sequence[int], given: dict[int, npt.NDArray[np.float32]] | None = None
    ) -> None:
        """Mirror these chunks' vectors (from `given`, else from the catalog) and scalars."""
        for start in range(0, len(ids), PUSH_BATCH):
            part = list(ids[start : start + PUSH_BATCH])
            vecs = {i: given[i] for i in part if i in given} if given else {}
            missing = [i for i in part if i not in vecs]
            if missing:
                with self.engine.connect() as conn:
                    vecs.update(rows.stored_vectors(conn, missing))
            self._write_vectors(
                [
                    (s, vecs[s.chunk_id])
                    for s, _ in self._scalars(t.chunk.c.id.in_(part))
                    if s.chunk_id in vecs
                ]
            )

    def _write_vectors(self, found: list[tuple[rows.Scalars, npt.NDArray[np.float32]]]) -> None:
        if not found:
            return
        self._ensure_vectors(len(found[0][1]))
        data = [self._row(s) | {"vec": v.astype(np.float32).tolist()} for s, v in found]
        self.client.upsert(self.vectors, data)

    def refresh(self, document_ids: Sequence[int]) -> None:
        """Re-mirror every chunk of these documents (their ACL, tags or type changed, or they
        were deleted): current rows are upserted, rows of chunks gone are removed."""
        docs = sorted({int(d) for d in document_ids})
        with self._lock:
            self._count = None
            for start in range(0, len(docs), PUSH_BATCH):
                self._call(self._refresh, docs[start : start + PUSH_BATCH])

    def _refresh(self, docs: list[int]) -> None:
        found = self._scalars(t.chunk.c.document_id.in_(docs))
        with_terms = [s.chunk_id for s, x in found if x]
        self._write_text([(s, x) for s, x in found if x])
        self._prune(self.text, docs, with_terms)
        if self._vector_dim():
            with self.engine.connect() as conn:
                vecs = rows.stored_vectors(conn, [s.chunk_id for s, _ in found])
            self._write_vectors([(s, vecs[s.chunk_id]) for s, _ in found if s.chunk_id in vecs])
            self._prune(self.vectors, docs, sorted(vecs))

    def _prune(self, collection: str, docs: list[int], keep: list[int]) -> None:
        expr = f"document_id in {_ints(docs)}"
        if keep:
            expr += f" and id not in {_ints(keep)}"
        self.client.delete(collection, filter=expr)

    def flush(self) -> int:
        """Reconcile the mirror with the catalog when the catalog's fingerprint moved since
        the last reconciliation (this process's, else the one recorded in the catalog's meta
        table): push chunks Milvus lacks, remove those the catalog lost."""
        with self.engine.connect() as conn:
            sig = rows.signature(conn)
            recorded = conn.execute(
                sa.select(t.meta.c.value).where(t.meta.c.key == self._sig_key)
            ).scalar()
        if sig == self._synced:
            return 0
        with self._lock:
            if sig == self._synced:
                return 0
            if self._synced is None and recorded == json.dumps(sig) and self._looks_mirrored(sig):
                self._synced = sig  # an earlier open left Milvus mirroring this very state
                return 0
            self._count = None
            pushed = int(self._call(self._reconcile))
            self._synced = sig
            self._record(sig)
        return pushed

    @property
    def _sig_key(self) -> str:
        return f"index.milvus.{self.text}"

    def _looks_mirrored(self, sig: tuple[int, ...]) -> bool:
        """Milvus still holds rows when the catalog has some (a wiped Milvus is re-filled)."""
        return (int(self._call(self._count_rows, self.text)) > 0) == (sig[0] > 0)

    def _record(self, sig: tuple[int, ...]) -> None:
        with write_conn(self.engine) as conn, conn.begin():
            conn.execute(sa.delete(t.meta).where(t.meta.c.key == self._sig_key))
            conn.execute(sa.insert(t.meta).values(key=self._sig_key, value=json.dumps(sig)))

    def _reconcile(self) -> int:
        with self.engine.connect() as conn:
            text_ids = rows.catalog_ids(conn, vectors=False)
            vec_ids = rows.catalog_ids(conn, vectors=True)
        have = self._ids(self.text)
        self._drop_from(self.text, have - text_ids)
        self._push_text(sorted(text_ids - have))
        vec_have = self._ids(self.vectors) if self._vector_dim() else set()
        if self._vector_dim():
            self._drop_from(self.vectors, vec_have - vec_ids)
        self._push_vectors(sorted(vec_ids - vec_have))
        return len(text_ids - have)

    def _drop_from(self, collection: str, ids: set[int]) -> None:
        gone = sorted(ids)
        for start in range(0, len(gone), PUSH_BATCH):
            self.client.delete(
                collection, filter=f"id in {_ints(gone[start : start + PUSH_BATCH])}"
            )

    def _count_rows(self, collection: str) -> int:
        found = self.client.query(collection, filter="", output_fields=["count(*)"])
        return int(found[0]["count(*)"])

    def _ids(self, collection: str) -> set[int]:
        """Every chunk id in a collection, paged in primary-key order (milvus-lite fails a
        query whose result is empty: pages stop at the row count, and such a failure of a
        page counts as the end)."""
        found: set[int] = set()
        total, last = self._count_rows(collection), -1
        while len(found) < total:
            ids = self._page(collection, last)
            found.update(ids)
            if len(ids) < PAGE:
                break
            last = max(ids)
        return found

    def _page(self, collection: str, after: int) -> list[int]:
        try:
            batch = self.client.query(
                collection, filter=f"id > {after}", output_fields=["id"], limit=PAGE
            )
        except Exception as exc:
            if "Unsupported data type: 0" in str(exc):
                return []
            raise
        return [int(r["id"]) for r in batch]

    # --- search ----------------------------------------------------------------------------
    def expression(self, f: Filters) -> str:
        """The filters as a Milvus boolean expression over the scalar fields ('' = none)."""
        parts: list[str] = []
        if f.kbs:
            parts.append(f"kb_id in {_ints(self._kb_ids(f.kbs))}")
        if f.doc_types:
            safe = [x for x in f.doc_types if _SAFE_WORD.match(x)]
            parts.append(f"doc_type in {_quoted(safe)}" if safe else _IMPOSSIBLE)
        parts += [f'array_contains(tags, "{_h(tag)}")' for tag in f.tags]
        for op, day in ((">=", f.since), ("<=", f.until)):
            if day is not None:
                parts.append(f'day {op} "{day}"' if _DAY.match(day) else _IMPOSSIBLE)
        if f.path_glob:
            parts.append(f"document_id in {_ints(self._glob_docs(f.path_glob))}")
        if not f.principal.is_owner:
            groups = [_h(g) for g in f.principal.groups]
            parts.append(
                f"(public == true or array_contains_any(groups, {_quoted(groups)}))"
                if groups
                else "public == true"
            )
        return " and ".join(p.replace("in []", "in [-1]") for p in parts)

    def _kb_ids(self, names: Sequence[str]) -> list[int]:
        with self.engine.connect() as conn:
            q = sa.select(t.kb.c.id).where(t.kb.c.name.in_(list(names)))
            return [int(r[0]) for r in conn.execute(q)]

    def _glob_docs(self, pattern: str) -> list[int]:
        with self.engine.connect() as conn:
            return rows.glob_documents(conn, pattern)

    def lexical(self, terms: Sequence[str], k: int, filters: Filters) -> list[IndexHit]:
        """BM25 top-k by Milvus over the analyzed terms; filters inside the search."""
        unique = list(dict.fromkeys(x for x in terms if x and not x.isspace()))
        if not unique or k <= 0:
            return []
        if time.monotonic() - self._checked > CHECK_EVERY_S:
            self._checked = time.monotonic()
            self.flush()  # what another process or an interrupted ingest left unmirrored
        found = self._call(self.client.search, self.text, data=[" ".join(unique)], anns_field="sparse",
                           limit=min(k, MAX_TOPK), filter=self.expression(filters),
                           search_params={"metric_type": "BM25"})  # fmt: skip
        return [IndexHit(int(h["id"]), float(h["distance"])) for h in found[0]]

    def vector(self, query: npt.NDArray[np.float32], k: int, filters: Filters) -> list[IndexHit]:
        """Cosine top-k by Milvus; filters inside the search (before truncation to k)."""
        if k <= 0 or not self._call(self._vector_dim):
            return []
        found = self._call(self.client.search, self.vectors, data=[np.asarray(query, np.float32).tolist()],
                           anns_field="vec", limit=min(k, MAX_TOPK), filter=self.expression(filters),
                           search_params={"metric_type": "COSINE"})  # fmt: skip
        return [IndexHit(int(h["id"]), float(h["distance"])) for h in found[0]]

    def lexical_stats(self, terms: Sequence[str], chunk_ids: Sequence[int]) -> LexicalStats:
        """Document frequencies from the catalog's terms (exact up to 20,000 chunks, estimated
        from an even sample above: milvus-lite has no per-term count), corpus size and each
        chunk's terms from the catalog, as the embedded index reports them."""
        unique = list(dict.fromkeys(x for x in terms if x))
        if not unique:
            return LexicalStats(0, {}, {})
        sample = self._term_sample()
        df = {x: sample.df(x) for x in unique}
        wanted = set(unique)
        stored = rows.chunk_terms(self.engine, chunk_ids)
        hits = {i: frozenset(wanted.intersection(x.split())) for i, x in stored.items()}
        return LexicalStats(rows.chunk_count_hint(self.engine), df, hits)

    def _term_sample(self) -> rows.TermSample:
        """The term counts of the last mirrored catalog state (rebuilt when it moved)."""
        sample = self._sample
        if sample is None or sample.sig != self._synced:
            with self._sample_lock:
                sample = self._sample
                if sample is None or sample.sig != self._synced:
                    sample = self._sample = rows.term_sample(self.engine, self._synced)
        return sample

    def load(self, chunk_ids: Sequence[int], filters: Filters) -> dict[int, ChunkRow]:
        """Chunk rows from the catalog; the filters (ACL) apply again there."""
        return rows.load_rows(self.engine, chunk_ids, filters)

    def text_span(self, document_id: int, start: int, end: int) -> str | None:
        """Characters [start, end) of the document's current version (from the catalog)."""
        return rows.text_span(self.engine, document_id, start, end)

    def vector_count(self) -> int:
        """Vectors Milvus searches now (counted at most every CHECK_EVERY_S seconds, and
        after every write through this index)."""
        cached = self._count
        if cached is not None and time.monotonic() - cached[0] < CHECK_EVERY_S:
            return cached[1]
        n = int(self._call(self._count_rows, self.vectors)) if self._call(self._vector_dim) else 0
        self._count = (time.monotonic(), n)
        return n
