"""Fill in vectors for chunks that have none: resumable, batch by batch, work done once.

Each batch is first claimed (table `embed_claim`: chunk id, owner token, expiry) in a short
write transaction, so two ingests or `index embed` runs at once share the pending chunks
instead of both embedding all of them; a claim whose owner died expires after
`CLAIM_SECONDS`. The vectors go to the index through `SearchIndex.upsert`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.catalog.db import write_conn
from ebrain.catalog.queries import forget_chunk_scores, store_chunk_scores
from ebrain.embed.base import EmbeddingModel
from ebrain.errors import IndexMismatchError
from ebrain.index.base import IndexedChunk, SearchIndex
from ebrain.index.vectors import bump_generation

EMBEDDER_KEY = "embed.model"
DIM_KEY = "embed.dim"
CLAIM_SECONDS = 600.0

_claims = sa.MetaData()
embed_claim = sa.Table(
    "embed_claim",
    _claims,
    sa.Column("chunk_id", sa.Integer, primary_key=True),
    sa.Column("owner", sa.String(32), nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
)

EmbedProgress = Callable[[int, int], None]


class ChunkScorer(Protocol):
    """Scores embedded chunks from their texts and vectors (the firewall's learned head);
    `score` answers None when it cannot use vectors of this embedder."""

    head: str

    def score(
        self, texts: Sequence[str], vectors: npt.NDArray[np.float32], embedder: str
    ) -> list[tuple[float, str | None]] | None:
        """(score, matched rule) per chunk, or None."""
        ...


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


def vector_status(engine: sa.Engine) -> tuple[int, int, str | None, int]:
    """(chunks, stored vectors, recorded embedder name, recorded dimension)."""
    with engine.connect() as conn:
        chunks = conn.execute(sa.select(sa.func.count()).select_from(t.chunk)).scalar_one()
        vectors = conn.execute(sa.select(sa.func.count()).select_from(t.chunk_vector)).scalar_one()
        name, dim = recorded_embedder(conn)
    return int(chunks), int(vectors), name, dim


def forget_vectors(engine: sa.Engine) -> None:
    """Drop every stored vector and the recorded embedder (before re-embedding)."""
    with write_conn(engine) as conn, conn.begin():
        conn.execute(sa.delete(t.chunk_vector))
        forget_chunk_scores(conn)
        conn.execute(sa.delete(t.meta).where(t.meta.c.key.in_([EMBEDDER_KEY, DIM_KEY])))
        bump_generation(conn)


def pending_count(conn: sa.Connection) -> int:
    """Chunks without a vector."""
    q = (
        sa.select(sa.func.count())
        .select_from(t.chunk)
        .where(~sa.exists().where(t.chunk_vector.c.chunk_id == t.chunk.c.id))
    )
    return int(conn.execute(q).scalar_one())


def _pending_batch(conn: sa.Connection, limit: int) -> list[tuple[int, str]]:
    unclaimed = ~sa.exists().where(embed_claim.c.chunk_id == t.chunk.c.id)
    q = (
        sa.select(t.chunk.c.id, t.document.c.title, t.chunk.c.heading_path, t.chunk.c.text)
        .join(t.document, t.document.c.id == t.chunk.c.document_id)
        .where(~sa.exists().where(t.chunk_vector.c.chunk_id == t.chunk.c.id), unclaimed)
        .order_by(t.chunk.c.id)
        .limit(limit)
    )
    return [(int(r[0]), embed_text(r[1], r[2], r[3])) for r in conn.execute(q)]


def claim_batch(
    engine: sa.Engine, owner: str, limit: int, seconds: float = CLAIM_SECONDS
) -> list[tuple[int, str]]:
    """Claim up to `limit` pending chunks nobody holds for `seconds` (expired claims are
    dropped first); return their ids and embedding texts."""
    with write_conn(engine) as conn, conn.begin():
        embed_claim.create(conn, checkfirst=True)
        now = time.time()
        conn.execute(sa.delete(embed_claim).where(embed_claim.c.expires < now))
        batch = _pending_batch(conn, limit)
        if batch:
            rows = [{"chunk_id": c, "owner": owner, "expires": now + seconds} for c, _ in batch]
            conn.execute(sa.insert(embed_claim), rows)
    return batch


def release_claims(engine: sa.Engine, owner: str) -> None:
    """Drop this owner's claims (its chunks have vectors now, or go back to the pool)."""
    with write_conn(engine) as conn, conn.begin():
        conn.execute(sa.delete(embed_claim).where(embed_claim.c.owner == owner))


def store_batch(
    engine: sa.Engine,
    index: SearchIndex,
    embedder: EmbeddingModel,
    ids: Sequence[int],
    vecs: npt.NDArray[np.float32],
) -> None:
    """Record the embedder (refusing a mix), then hand the vectors to the index."""
    with write_conn(engine) as conn, conn.begin():
        check_embedder(conn, embedder)
        _record(conn, embedder)
    index.upsert([IndexedChunk(cid, None, vec) for cid, vec in zip(ids, vecs, strict=True)])


def score_batch(
    engine: sa.Engine,
    scorer: ChunkScorer,
    embedder: EmbeddingModel,
    batch: Sequence[tuple[int, str]],
    vecs: npt.NDArray[np.float32],
) -> None:
    """Score the batch's stored vectors (float16, as the index keeps them) and record it."""
    stored = vecs.astype(np.float16).astype(np.float32)
    scores = scorer.score([text for _, text in batch], stored, embedder.name)
    if scores is None:
        return
    rows = [(cid, s, rule) for (cid, _), (s, rule) in zip(batch, scores, strict=True)]
    with write_conn(engine) as conn, conn.begin():
        store_chunk_scores(conn, rows, scorer.head)


def embed_pending(
    engine: sa.Engine,
    embedder: EmbeddingModel,
    index: SearchIndex,
    batch_size: int = 32,
    progress: EmbedProgress | None = None,
    limit: int | None = None,
    scorer: ChunkScorer | None = None,
    claim_seconds: float = CLAIM_SECONDS,
) -> int:
    """Embed chunks that have no vector and that no other run holds; each batch is stored
    on its own, so a kill loses one batch at most. With a scorer, each batch's vectors are
    also scored for injection (no extra model call). Returns how many this call embedded."""
    if embedder.dim <= 0:
        return 0
    with engine.connect() as conn:
        check_embedder(conn, embedder)
        total = pending_count(conn)
    total = min(total, limit) if limit is not None else total
    owner, done = uuid.uuid4().hex, 0
    while done < total:
        batch = claim_batch(engine, owner, min(batch_size, total - done), claim_seconds)
        if not batch:
            break
        try:
            vecs = embedder.embed_batch([text for _, text in batch], kind="passage")
            store_batch(engine, index, embedder, [cid for cid, _ in batch], vecs)
            if scorer is not None:
                score_batch(engine, scorer, embedder, batch, vecs)
        finally:
            release_claims(engine, owner)
        done += len(batch)
        if progress:
            progress(done, total)
    return done
