"""Fill in vectors for chunks that have none: resumable, batch by batch, one writer."""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.catalog.db import write_conn
from ebrain.embed.base import EmbeddingModel
from ebrain.errors import IndexMismatchError
from ebrain.index.vectors import write_vectors

EMBEDDER_KEY = "embed.model"
DIM_KEY = "embed.dim"

EmbedProgress = Callable[[int, int], None]


def embed_text(title: str, heading_path: str, text: str) -> str:
    """What the embedder sees for a chunk: title and headings give it context (never twice)."""
    head = [h for h in [title, *json.loads(heading_path)] if h and h not in text[:200]]
    return "\n".join([" > ".join(dict.fromkeys(head)), text]) if head else text


def recorded_embedder(conn: sa.Connection) -> tuple[str | None, int]:
    """The embedder (name, dim) the stored vectors were made with."""
    rows = dict(
        conn.execute(
            sa.select(t.meta.c.key, t.meta.c.value).where(t.meta.c.key.in_([EMBEDDER_KEY, DIM_KEY]))
        ).all()
    )
    return rows.get(EMBEDDER_KEY), int(rows.get(DIM_KEY, 0))


def check_embedder(conn: sa.Connection, embedder: EmbeddingModel) -> None:
    """Refuse to mix vectors of two models: the recorded one must match the configured one."""
    name, dim = recorded_embedder(conn)
    if name is not None and (name != embedder.name or (dim and dim != embedder.dim)):
        raise IndexMismatchError(
            f"the vectors were made with {name} ({dim} dimensions) but {embedder.name} is configured",
            hint="run `ebrain index rebuild` to re-embed with the new model, or set embed.model back",
        )


def _record(conn: sa.Connection, embedder: EmbeddingModel) -> None:
    for key, value in ((EMBEDDER_KEY, embedder.name), (DIM_KEY, str(embedder.dim))):
        conn.execute(sa.delete(t.meta).where(t.meta.c.key == key))
        conn.execute(sa.insert(t.meta).values(key=key, value=value))


def pending_count(conn: sa.Connection) -> int:
    """Chunks without a vector."""
    q = (
        sa.select(sa.func.count())
        .select_from(t.chunk)
        .where(~sa.exists().where(t.chunk_vector.c.chunk_id == t.chunk.c.id))
    )
    return int(conn.execute(q).scalar_one())


def _pending_batch(conn: sa.Connection, after: int, limit: int) -> list[tuple[int, str]]:
    q = (
        sa.select(t.chunk.c.id, t.document.c.title, t.chunk.c.heading_path, t.chunk.c.text)
        .join(t.document, t.document.c.id == t.chunk.c.document_id)
        .where(t.chunk.c.id > after, ~sa.exists().where(t.chunk_vector.c.chunk_id == t.chunk.c.id))
        .order_by(t.chunk.c.id)
        .limit(limit)
    )
    return [(int(r[0]), embed_text(r[1], r[2], r[3])) for r in conn.execute(q)]


def embed_pending(
    engine: sa.Engine,
    embedder: EmbeddingModel,
    batch_size: int = 32,
    progress: EmbedProgress | None = None,
    limit: int | None = None,
) -> int:
    """Embed chunks that have no vector; each batch commits, so a kill loses one batch at most."""
    if embedder.dim <= 0:
        return 0
    with write_conn(engine) as conn:
        with conn.begin():
            check_embedder(conn, embedder)
            total = pending_count(conn)
        total = min(total, limit) if limit is not None else total
        done, last = 0, 0
        while done < total:
            with conn.begin():
                batch = _pending_batch(conn, last, min(batch_size, total - done))
            if not batch:
                break
            vecs = embedder.embed_batch([text for _, text in batch], kind="passage")
            with conn.begin():
                check_embedder(conn, embedder)
                _record(conn, embedder)
                write_vectors(conn, [cid for cid, _ in batch], vecs)
            done += len(batch)
            last = batch[-1][0]
            if progress:
                progress(done, total)
    return done
