"""Enrichers: work that runs on every new document version after ingest has stored it.

An enricher (the knowledge graph, OCR post-processing, the firewall's chunk scoring...) is any
object with a `name`, a `version` and `enrich(ctx)`. It is registered under a name in the
`ebrain.enrichers` entry-point group and chosen by the `ingest.enrichers` setting (none by
default: the default ingest path does not even query the table).

The catalog's `enrichment` table records, per (version, enricher), the enricher version that ran,
its status (running, done, failed), the error and when it finished. At the end of an ingest run,
every current version of the kb that has no `done` row for the configured enricher at its
current version is enriched: new versions, versions whose enricher failed, and versions a kill
interrupted (a `running` row, or none at all). An unchanged file is never enriched twice.

Each enrichment runs in one write transaction that also records `done`: the enricher's own
writes (through `ctx.conn`) and its status commit together or not at all. An exception is
recorded as `failed` with its message, shown as a warning in the ingest report, and never
aborts the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.catalog.db import write_conn
from ebrain.catalog.workspace import now_iso
from ebrain.ingest.report import IngestReport, Progress
from ebrain.registry import Registry

ERROR_CHARS = 500


@dataclass(frozen=True)
class EnrichChunk:
    """One chunk of the version being enriched."""

    id: int
    ord: int
    text: str
    heading_path: str  # JSON list, as stored
    page_start: int | None
    page_end: int | None


@dataclass(frozen=True)
class EnrichContext:
    """What an enricher gets: the document version, its text and chunks, and a catalog
    connection inside the transaction that records the enricher's outcome (write the
    enricher's own tables through it; do not commit or roll it back)."""

    document_id: int
    version_id: int
    kb_id: int
    title: str
    text: str
    chunks: tuple[EnrichChunk, ...]
    conn: sa.Connection


@runtime_checkable
class Enricher(Protocol):
    """Runs once per (document version, enricher version)."""

    name: str
    version: str

    def enrich(self, ctx: EnrichContext) -> None:
        """Enrich one document version; raise to record a failure (retried next ingest)."""
        ...


registry: Registry[Enricher] = Registry("enricher", "ebrain.enrichers")


def enrichers_for(names: Sequence[str]) -> list[Enricher]:
    """The enrichers named by the `ingest.enrichers` setting, in order."""
    return [registry.create(name) for name in names]


@dataclass(frozen=True)
class EnrichFailure:
    """An enricher that raised on one document version."""

    document_id: int
    version_id: int
    enricher: str
    error: str


def enrich_pending(
    engine: sa.Engine,
    kb_id: int,
    enrichers: Sequence[Enricher],
    progress: Callable[[Progress], None] | None = None,
) -> list[EnrichFailure]:
    """Run each enricher on the kb's current versions it has not completed; return failures."""
    failures: list[EnrichFailure] = []
    for enricher in enrichers:
        with engine.connect() as conn:
            todo = _pending(conn, kb_id, enricher)
        for n, (version_id, document_id) in enumerate(todo, start=1):
            error = _run_one(engine, enricher, version_id)
            if error is not None:
                failures.append(EnrichFailure(document_id, version_id, enricher.name, error))
            if progress is not None:
                progress(Progress("enrich", n, len(todo), path=enricher.name))
    return failures


def report_failures(report: IngestReport, failures: Sequence[EnrichFailure]) -> None:
    """Show each failure as a warning of its file in the report (or a note when the document
    was stored by an earlier run)."""
    by_doc = {f.document_id: f for f in report.files if f.document_id is not None}
    for failure in failures:
        text = f"enricher {failure.enricher} failed: {failure.error}"
        found = by_doc.get(failure.document_id)
        if found is not None:
            found.warnings.append(text)
        else:
            report.notes.append(f"document {failure.document_id}: {text}")


def _pending(conn: sa.Connection, kb_id: int, enricher: Enricher) -> list[tuple[int, int]]:
    """(version id, document id) of current versions without a `done` row of this version."""
    e = t.enrichment.c
    done = sa.select(e.version_id).where(
        e.enricher == enricher.name, e.status == "done", e.enricher_version == enricher.version
    )
    q = (
        sa.select(t.version.c.id, t.version.c.document_id)
        .join(t.document, t.document.c.id == t.version.c.document_id)
        .where(t.document.c.kb_id == kb_id, t.version.c.retired_at.is_(None))
        .where(t.version.c.id.not_in(done))
        .order_by(t.version.c.id)
    )
    return [(int(r[0]), int(r[1])) for r in conn.execute(q)]


def _run_one(engine: sa.Engine, enricher: Enricher, version_id: int) -> str | None:
    """Enrich one version; the error text when the enricher raised, else None."""
    with write_conn(engine) as conn:
        with conn.begin():
            _mark(conn, version_id, enricher, "running")
        try:
            with conn.begin():
                enricher.enrich(_context(conn, version_id))
                _mark(conn, version_id, enricher, "done")
            return None
        except Exception as exc:  # an enricher's failure is recorded, never fatal to ingest
            error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
            with conn.begin():
                _mark(conn, version_id, enricher, "failed", error)
            return error


def _mark(
    conn: sa.Connection, version_id: int, enricher: Enricher, status: str, error: str | None = None
) -> None:
    e = t.enrichment.c
    conn.execute(
        sa.delete(t.enrichment).where(e.version_id == version_id, e.enricher == enricher.name)
    )
    values: dict[str, Any] = {
        "version_id": version_id,
        "enricher": enricher.name,
        "enricher_version": str(enricher.version),
        "status": status,
        "error": error,
        "done_at": None if status == "running" else now_iso(),
    }
    conn.execute(sa.insert(t.enrichment).values(**values))


def _context(conn: sa.Connection, version_id: int) -> EnrichContext:
    v, d, c = t.version.c, t.document.c, t.chunk.c
    row = conn.execute(
        sa.select(v.document_id, d.kb_id, d.title, v.text)
        .join(t.document, d.id == v.document_id)
        .where(v.id == version_id)
    ).one()
    chunks = conn.execute(
        sa.select(c.id, c.ord, c.text, c.heading_path, c.page_start, c.page_end)
        .where(c.version_id == version_id)
        .order_by(c.ord)
    )
    return EnrichContext(
        row[0], version_id, row[1], row[2], row[3], tuple(EnrichChunk(*r) for r in chunks), conn
    )
