"""A recording enricher for tests, registered through the real enricher registry."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ebrain.ingest.enrich import EnrichContext, registry

# The enricher's own table (a real enricher would add it with a catalog migration).
notes = sa.Table(
    "fake_enrichment_note",
    sa.MetaData(),
    sa.Column("version_id", sa.Integer, primary_key=True),
    sa.Column("chunks", sa.Integer, nullable=False),
)


@dataclass
class RecordingEnricher:
    """Records each version it enriches; raises on texts containing `fail_on`."""

    name: str = "recording"
    version: str = "1"
    fail_on: str | None = None
    seen: list[int] = field(default_factory=list)

    def enrich(self, ctx: EnrichContext) -> None:
        """Write a note row through the context's connection, then maybe fail."""
        self.seen.append(ctx.version_id)
        notes.create(ctx.conn, checkfirst=True)
        ctx.conn.execute(sa.insert(notes).values(version_id=ctx.version_id, chunks=len(ctx.chunks)))
        if self.fail_on is not None and self.fail_on in ctx.text:
            raise ValueError(f"cannot enrich {ctx.title}")


def register(enricher: RecordingEnricher) -> RecordingEnricher:
    """Make `enricher` available under its name to the `ingest.enrichers` setting."""
    registry.register(enricher.name, lambda _spec: enricher)
    return enricher
