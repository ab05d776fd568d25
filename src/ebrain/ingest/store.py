"""The catalog half of ingest: store one prepared file in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from ebrain.catalog import hot
from ebrain.catalog import schema as t
from ebrain.catalog.workspace import now_iso
from ebrain.index.fts import fts_add_documents, fts_remove_documents
from ebrain.index.vectors import bump_generation
from ebrain.ingest.chunk import Chunk
from ebrain.ingest.prepare import Failed, Prepared
from ebrain.ingest.report import Status


@dataclass(frozen=True)
class Known:
    """What the catalog knows of one path: its stat and its document."""

    document_id: int
    size: int
    mtime: float
    content_hash: str


def known_paths(conn: sa.Connection, kb_id: int) -> dict[str, Known]:
    """Every recorded path of a kb with its stat, in one query."""
    q = sa.select(
        t.document_path.c.path,
        t.document_path.c.document_id,
        t.document_path.c.size,
        t.document_path.c.mtime,
        t.document_path.c.content_hash,
    ).where(t.document_path.c.kb_id == kb_id)
    return {r[0]: Known(r[1], r[2], r[3], r[4]) for r in conn.execute(q)}


@dataclass(frozen=True)
class KnownFailure:
    """An earlier failure of one path: the file's stat then, and why it failed."""

    size: int | None
    mtime: float | None
    reason: str
    message: str


def known_failures(conn: sa.Connection, kb_id: int) -> dict[str, KnownFailure]:
    """Every recorded failure of a kb with the stat the file had, in one query."""
    e = t.ingest_error.c
    q = sa.select(e.path, e.size, e.mtime, e.reason, e.message).where(e.kb_id == kb_id)
    return {r[0]: KnownFailure(r[1], r[2], r[3], r[4]) for r in conn.execute(q)}


def touch_path(conn: sa.Connection, kb_id: int, path: str, size: int, mtime: float) -> None:
    """Record a new mtime for a path whose content did not change."""
    conn.execute(
        sa.update(t.document_path)
        .where(t.document_path.c.kb_id == kb_id, t.document_path.c.path == path)
        .values(size=size, mtime=mtime, seen_at=now_iso())
    )


def store_prepared(
    conn: sa.Connection, kb_id: int, prep: Prepared, old: Known | None
) -> tuple[Status, int]:
    """Insert or update the document of `prep`; return (added|updated|duplicate|unchanged,
    the id of the document the path now points to)."""
    same = _doc_by_hash(conn, kb_id, prep.content_hash)
    if same is not None:
        status: Status = "unchanged" if old and old.document_id == same else "duplicate"
        _attach_path(conn, kb_id, prep, same, old)
        return status, same
    if old is not None and _path_count(conn, old.document_id) == 1:
        _new_version(conn, old.document_id, prep)
        _upsert_path(conn, kb_id, prep, old.document_id)
        return "updated", old.document_id
    doc_id = _insert_document(conn, kb_id, prep)
    _upsert_path(conn, kb_id, prep, doc_id, new=old is None)
    return "added", doc_id


def set_tags_acl(
    conn: sa.Connection, document_id: int, tags: Iterable[str], acl: Iterable[str]
) -> bool:
    """Add tags and ACL groups to a document (existing ones are kept); True when any was new."""
    added = False
    for table, col, values in ((t.document_tag, "tag", tags), (t.document_acl, "grp", acl)):
        for value in sorted(set(values)):
            exists = conn.execute(
                sa.select(table.c.document_id).where(
                    table.c.document_id == document_id, table.c[col] == value
                )
            ).first()
            if exists is None:
                conn.execute(sa.insert(table).values(document_id=document_id, **{col: value}))
                added = True
    return added


def record_failure(conn: sa.Connection, kb_id: int, failed: Failed) -> None:
    """Remember why a file failed (replacing an earlier failure of the same path)."""
    clear_failure(conn, kb_id, failed.path)
    values = {
        "kb_id": kb_id,
        "path": failed.path,
        "reason": failed.reason,
        "message": failed.message,
        "size": failed.size,
        "mtime": failed.mtime,
        "at": now_iso(),
    }
    hot.run(conn, _INSERT_ERROR, values)


def clear_failure(conn: sa.Connection, kb_id: int, path: str) -> None:
    """Forget an earlier failure of a path that has now been ingested."""
    hot.run(conn, _DELETE_ERROR, {"kb": kb_id, "p": path})


def remove_path(conn: sa.Connection, kb_id: int, path: str) -> None:
    """Forget a path; delete its document when no other path holds it."""
    row = conn.execute(
        sa.select(t.document_path.c.document_id).where(
            t.document_path.c.kb_id == kb_id, t.document_path.c.path == path
        )
    ).first()
    conn.execute(
        sa.delete(t.document_path).where(
            t.document_path.c.kb_id == kb_id, t.document_path.c.path == path
        )
    )
    if row is not None and _path_count(conn, row[0]) == 0:
        delete_documents(conn, [row[0]])


def delete_documents(conn: sa.Connection, document_ids: list[int]) -> None:
    """Delete documents with their versions, chunks, vectors and index entries."""
    fts_remove_documents(conn, document_ids)
    _forget_vectors(conn, document_ids)
    conn.execute(sa.delete(t.document).where(t.document.c.id.in_(document_ids)))


def _forget_vectors(conn: sa.Connection, document_ids: list[int]) -> None:
    """Delete the documents' vectors, marking vector caches stale when there were any."""
    chunk_ids = sa.select(t.chunk.c.id).where(t.chunk.c.document_id.in_(document_ids))
    gone = conn.execute(sa.delete(t.chunk_vector).where(t.chunk_vector.c.chunk_id.in_(chunk_ids)))
    if gone.rowcount:
        bump_generation(conn)


# Hot statements built once (per-file statement construction cost more than running them).
_DOC_BY_HASH = sa.select(t.document.c.id).where(
    t.document.c.kb_id == sa.bindparam("kb"), t.document.c.content_hash == sa.bindparam("h")
)
_UPDATE_PATH = (
    sa.update(t.document_path)
    .where(
        t.document_path.c.kb_id == sa.bindparam("kb"),
        t.document_path.c.path == sa.bindparam("p"),
    )
    .values(
        document_id=sa.bindparam("document_id"),
        size=sa.bindparam("size"),
        mtime=sa.bindparam("mtime"),
        content_hash=sa.bindparam("content_hash"),
        seen_at=sa.bindparam("seen_at"),
    )
)
_INSERT_PATH = sa.insert(t.document_path)
_INSERT_DOCUMENT = sa.insert(t.document)
_INSERT_VERSION = sa.insert(t.version)
_INSERT_CHUNKS = sa.insert(t.chunk)
_INSERT_ERROR = sa.insert(t.ingest_error)
_DELETE_ERROR = sa.delete(t.ingest_error).where(
    t.ingest_error.c.kb_id == sa.bindparam("kb"), t.ingest_error.c.path == sa.bindparam("p")
)
_PATH_COUNT = sa.select(sa.func.count()).where(t.document_path.c.document_id == sa.bindparam("d"))


def _doc_by_hash(conn: sa.Connection, kb_id: int, content_hash: str) -> int | None:
    row = hot.run(conn, _DOC_BY_HASH, {"kb": kb_id, "h": content_hash}).first
    return None if row is None else int(row[0])


def _path_count(conn: sa.Connection, document_id: int) -> int:
    row = hot.run(conn, _PATH_COUNT, {"d": document_id}).first
    return 0 if row is None else int(row[0])


def _attach_path(
    conn: sa.Connection, kb_id: int, prep: Prepared, doc_id: int, old: Known | None
) -> None:
    _upsert_path(conn, kb_id, prep, doc_id)
    if old is not None and old.document_id != doc_id and _path_count(conn, old.document_id) == 0:
        delete_documents(conn, [old.document_id])


def _upsert_path(
    conn: sa.Connection, kb_id: int, prep: Prepared, doc_id: int, new: bool = False
) -> None:
    """Point the path at `doc_id` with its new stat (`new`: the catalog has no row for it)."""
    values = {
        "document_id": doc_id,
        "size": prep.size,
        "mtime": prep.mtime,
        "content_hash": prep.content_hash,
        "seen_at": now_iso(),
    }
    if new or hot.run(conn, _UPDATE_PATH, {"kb": kb_id, "p": prep.path, **values}).rowcount == 0:
        hot.run(conn, _INSERT_PATH, {"kb_id": kb_id, "path": prep.path, **values})


def _doc_values(prep: Prepared) -> dict[str, object]:
    return {
        "content_hash": prep.content_hash,
        "title": prep.title,
        "lang": prep.lang,
        "format": prep.format,
        "size": prep.size,
        "pages": prep.pages,
        "n_chunks": len(prep.chunks),
        "meta": json.dumps(prep.meta, ensure_ascii=False, default=str),
        "warnings": json.dumps(prep.warnings, ensure_ascii=False),
        "doc_date": prep.doc_date,
        "updated_at": now_iso(),
    }


def _insert_document(conn: sa.Connection, kb_id: int, prep: Prepared) -> int:
    values = _doc_values(prep) | {
        "kb_id": kb_id,
        "doc_type": prep.doc_type,
        "type_source": prep.type_source,
        "type_score": prep.type_score,
        "version": 1,
        "created_at": now_iso(),
    }
    doc_id = hot.run(conn, _INSERT_DOCUMENT, values).inserted_id()
    _insert_version(conn, doc_id, 1, kb_id, prep, prep.doc_type)
    return doc_id


def _new_version(conn: sa.Connection, doc_id: int, prep: Prepared) -> None:
    row = conn.execute(
        sa.select(
            t.document.c.kb_id,
            t.document.c.version,
            t.document.c.doc_type,
            t.document.c.type_source,
        ).where(t.document.c.id == doc_id)
    ).one()
    keep_type = row.type_source == "user"
    doc_type = row.doc_type if keep_type else prep.doc_type
    fts_remove_documents(conn, [doc_id])
    _forget_vectors(conn, [doc_id])
    conn.execute(sa.delete(t.chunk).where(t.chunk.c.document_id == doc_id))
    conn.execute(
        sa.update(t.version)
        .where(t.version.c.document_id == doc_id, t.version.c.retired_at.is_(None))
        .values(retired_at=now_iso())
    )
    values = _doc_values(prep) | {"version": row.version + 1, "doc_type": doc_type}
    if not keep_type:
        values |= {"type_source": prep.type_source, "type_score": prep.type_score}
    conn.execute(sa.update(t.document).where(t.document.c.id == doc_id).values(**values))
    _insert_version(conn, doc_id, row.version + 1, row.kb_id, prep, doc_type)


def _insert_version(
    conn: sa.Connection, doc_id: int, number: int, kb_id: int, prep: Prepared, doc_type: str
) -> None:
    values = {
        "document_id": doc_id,
        "number": number,
        "content_hash": prep.content_hash,
        "text": prep.text,
        "created_at": now_iso(),
    }
    version_id = hot.run(conn, _INSERT_VERSION, values).inserted_id()
    rows = [
        _chunk_row(doc_id, version_id, kb_id, doc_type, c, terms)
        for c, terms in zip(prep.chunks, prep.terms, strict=True)
    ]
    hot.run_many(conn, _INSERT_CHUNKS, rows)
    _insert_ocr(conn, doc_id, prep.chunks)
    fts_add_documents(conn, [doc_id])


def _insert_ocr(conn: sa.Connection, doc_id: int, chunks: list[Chunk]) -> None:
    """OCR provenance rows of the document's chunks that were read from page images."""
    ocr = {c.ord: c for c in chunks if c.ocr_confidence is not None}
    if not ocr:
        return
    ids = conn.execute(
        sa.select(t.chunk.c.id, t.chunk.c.ord).where(
            t.chunk.c.document_id == doc_id, t.chunk.c.ord.in_(list(ocr))
        )
    )
    rows = [
        {
            "chunk_id": chunk_id,
            "confidence": ocr[ord_].ocr_confidence,
            "boxes": json.dumps([list(b) for b in ocr[ord_].ocr_boxes or []]),
        }
        for chunk_id, ord_ in ids
    ]
    conn.execute(sa.insert(t.chunk_ocr), rows)


def _chunk_row(
    doc_id: int, version_id: int, kb_id: int, doc_type: str, c: Chunk, terms: str
) -> dict[str, object]:
    return {
        "document_id": doc_id,
        "version_id": version_id,
        "kb_id": kb_id,
        "ord": c.ord,
        "kind": c.kind,
        "text": c.text,
        "terms": terms,
        "heading_path": json.dumps(list(c.heading_path), ensure_ascii=False),
        "page_start": c.page_start,
        "page_end": c.page_end,
        "char_start": c.char_start,
        "char_end": c.char_end,
        "n_tokens": c.n_tokens,
        "doc_type": doc_type,
    }
