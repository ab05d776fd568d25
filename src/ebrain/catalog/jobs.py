"""The API server's tables: ingest jobs and their files, answer feedback, conversation owners."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.catalog.db import write_conn
from ebrain.catalog.workspace import now_iso

UNFINISHED = ("queued", "running")


class JobQueries:
    """Named queries over ingest_job, ingest_job_file, answer_feedback, conversation_owner."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # --- jobs ----------------------------------------------------------------------------
    def create_job(
        self,
        job_id: str,
        kb: str,
        user: str,
        files: Sequence[tuple[str, str, int]],
        acl: Sequence[str] = (),
        tags: Sequence[str] = (),
    ) -> None:
        """A queued job with its files (name, stored path, size), in one transaction."""
        job = {"id": job_id, "kb": kb, "user_name": user, "state": "queued"}
        job |= {"acl": json.dumps(list(acl)), "tags": json.dumps(list(tags))}
        rows = [
            {"job_id": job_id, "name": n, "stored": p, "size": s, "state": "queued"}
            for n, p, s in files
        ]
        with write_conn(self.engine) as conn, conn.begin():
            conn.execute(sa.insert(t.ingest_job).values(**job, created_at=now_iso()))
            if rows:
                conn.execute(sa.insert(t.ingest_job_file), rows)

    def job(self, job_id: str) -> dict[str, Any] | None:
        """One job with its files, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.ingest_job).where(t.ingest_job.c.id == job_id)).first()
            if row is None:
                return None
            return _job_dict(row._mapping, _files(conn, job_id))

    def jobs(self, user: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The latest jobs (of `user` when given), newest first, without their files."""
        q = sa.select(t.ingest_job).order_by(t.ingest_job.c.created_at.desc()).limit(limit)
        if user is not None:
            q = q.where(t.ingest_job.c.user_name == user)
        with self.engine.connect() as conn:
            return [_job_dict(r._mapping, None) for r in conn.execute(q)]

    def unfinished(self) -> list[str]:
        """Ids of queued or running jobs, oldest first (resumed after a restart)."""
        j = t.ingest_job.c
        q = sa.select(j.id).where(j.state.in_(UNFINISHED)).order_by(j.created_at, j.id)
        with self.engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(q)]

    def set_job(self, job_id: str, state: str, error: str | None = None) -> None:
        """Move a job to `state` (timestamps follow)."""
        values: dict[str, Any] = {"state": state}
        if state == "running":
            values["started_at"] = now_iso()
        elif state not in UNFINISHED:
            values["finished_at"] = now_iso()
        if error is not None:
            values["error"] = error
        self._update(t.ingest_job, t.ingest_job.c.id == job_id, values)

    def pending_files(self, job_id: str) -> list[dict[str, Any]]:
        """The job's files not finished yet (queued or running), in upload order."""
        f = t.ingest_job_file.c
        with self.engine.connect() as conn:
            rows = _files(conn, job_id, f.state.in_(UNFINISHED))
        return rows

    def set_file(self, file_id: int, **values: Any) -> None:
        """Update one job file (state, status, reason, message, document_id, chunks)."""
        self._update(t.ingest_job_file, t.ingest_job_file.c.id == file_id, values)

    def cancel_files(self, job_id: str) -> int:
        """Mark the job's queued files cancelled; return how many."""
        f = t.ingest_job_file.c
        where = (f.job_id == job_id) & (f.state == "queued")
        return self._update(t.ingest_job_file, where, {"state": "cancelled"})

    def _update(self, table: sa.Table, where: Any, values: dict[str, Any]) -> int:
        with write_conn(self.engine) as conn, conn.begin():
            return int(conn.execute(sa.update(table).where(where).values(**values)).rowcount)

    # --- feedback and conversation owners --------------------------------------------------
    def add_feedback(self, trace_id: str, user: str, rating: int, comment: str) -> int:
        """Store one thumbs up (+1) or down (-1) with a comment; return its id."""
        values = {"trace_id": trace_id, "user_name": user, "rating": rating, "comment": comment}
        with write_conn(self.engine) as conn, conn.begin():
            result = conn.execute(
                sa.insert(t.answer_feedback).values(**values, created_at=now_iso())
            )
            key = result.inserted_primary_key
        return int(key[0]) if key else 0

    def feedback(self, trace_id: str) -> list[dict[str, Any]]:
        """The feedback given on one answer."""
        fb = t.answer_feedback
        q = sa.select(fb).where(fb.c.trace_id == trace_id).order_by(fb.c.id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def own_conversation(self, conversation_id: str, user: str) -> None:
        """Record who started a conversation."""
        values = {"conversation_id": conversation_id, "user_name": user}
        with write_conn(self.engine) as conn, conn.begin():
            conn.execute(sa.insert(t.conversation_owner).values(**values))

    def conversation_owner(self, conversation_id: str) -> str | None:
        """Who started the conversation (None when unknown or started outside the server)."""
        o = t.conversation_owner.c
        q = sa.select(o.user_name).where(o.conversation_id == conversation_id)
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return None if row is None else str(row[0])

    def conversation_assistant(self, conversation_id: str) -> str | None:
        """The assistant a conversation was started with (None when unknown)."""
        c = t.conversation.c
        q = sa.select(c.assistant).where(c.id == conversation_id)
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return None if row is None or not row[0] else str(row[0])

    def conversations(self, user: str, limit: int = 100) -> list[dict[str, Any]]:
        """The user's conversations, newest first."""
        c, o = t.conversation.c, t.conversation_owner.c
        q = (
            sa.select(c.id, c.assistant, c.title, c.created_at)
            .join(t.conversation_owner, o.conversation_id == c.id)
            .where(o.user_name == user)
            .order_by(c.created_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]


def _files(conn: sa.Connection, job_id: str, extra: Any = None) -> list[dict[str, Any]]:
    f = t.ingest_job_file.c
    q = sa.select(t.ingest_job_file).where(f.job_id == job_id).order_by(f.id)
    if extra is not None:
        q = q.where(extra)
    return [dict(r._mapping) for r in conn.execute(q)]


def _job_dict(row: Any, files: list[dict[str, Any]] | None) -> dict[str, Any]:
    job = dict(row)
    job["acl"] = json.loads(job["acl"])
    job["tags"] = json.loads(job["tags"])
    if files is not None:
        job["files"] = files
        counts: dict[str, int] = {}
        for f in files:
            counts[f["state"]] = counts.get(f["state"], 0) + 1
        job["counts"] = counts
    return job
