"""Schema migrations: named functions, each run once in its own transaction at open time.

The same migrations run on SQLite and PostgreSQL: tables come from their one definition in
schema.py, compiled for the connection's dialect; the embedded full-text index (FTS5 virtual
tables and its queue) exists only on SQLite, where the `sqlite:` index lives in the catalog.
Each runs under the writer lock (catalog.db), so processes opening one catalog at once apply
each migration exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.errors import WorkspaceError

Migration = Callable[[sa.Connection], None]


def _create(conn: sa.Connection, *tables: sa.Table) -> None:
    """Create tables (with their indexes) from their one definition in schema.py, for the
    connection's dialect; a table that already exists is left as it is."""
    for table in tables:
        table.create(conn, checkfirst=True)


def _run(conn: sa.Connection, *statements: str) -> None:
    for statement in statements:
        conn.execute(sa.text(statement))


def m001_catalog(conn: sa.Connection) -> None:
    """Knowledge bases, documents, paths, versions, chunks, tags, ACLs, errors, type rules."""
    _create(
        conn,
        t.kb,
        t.document,
        t.document_path,
        t.version,
        t.chunk,
        t.document_tag,
        t.document_acl,
        t.ingest_error,
        t.type_rule,
        t.meta,
    )


def m002_vectors(conn: sa.Connection) -> None:
    """Dense vectors of chunks, stored with the catalog (float16 bytes)."""
    _create(conn, t.chunk_vector)


# The embedded full-text index: FTS5 over the analyzer's terms, stored once in chunk.terms.
FTS_TOKENIZE = "unicode61 remove_diacritics 0 tokenchars '-_.'"


def m003_fulltext(conn: sa.Connection) -> None:
    """SQLite FTS5 index over chunk.terms (external content: the terms are stored once)."""
    if conn.dialect.name != "sqlite":
        return
    _run(
        conn,
        "CREATE VIRTUAL TABLE chunk_fts USING fts5(terms, content='chunk', "
        f"content_rowid='id', tokenize=\"{FTS_TOKENIZE}\")",
    )


def m004_vector_generation(conn: sa.Connection) -> None:
    """A counter bumped on every vector write or delete, so caches know when they are stale."""
    _run(conn, "INSERT INTO meta (key, value) VALUES ('vectors_gen', '0')")


def m005_answers(conn: sa.Connection) -> None:
    """Prompt template versions, conversations and their messages (ebrain.answer)."""
    _create(conn, t.prompt_version, t.conversation, t.message)


def m006_guard_events(conn: sa.Connection) -> None:
    """The append-only guard_event table of the AI firewall (ebrain.guard.events)."""
    _create(conn, t.guard_event)


def m007_model_usage(conn: sa.Connection) -> None:
    """One row per model call: tokens, cost, latency, outcome (ebrain.models.usage)."""
    _create(conn, t.model_usage)


def m008_fulltext_vocabulary(conn: sa.Connection) -> None:
    """Document frequencies of indexed terms (FTS5 vocabulary), used to prune stop-like terms."""
    if conn.dialect.name == "sqlite":
        _run(conn, "CREATE VIRTUAL TABLE chunk_fts_vocab USING fts5vocab(chunk_fts, 'row')")


def m009_fulltext_pending(conn: sa.Connection) -> None:
    """Chunks stored but not yet in the FTS5 index: ingest adds them to the index in batches
    (one FTS5 segment per batch, not per document); a killed run leaves them listed here."""
    if conn.dialect.name == "sqlite":
        _run(
            conn,
            """CREATE TABLE chunk_fts_pending (
                chunk_id INTEGER PRIMARY KEY REFERENCES chunk(id) ON DELETE CASCADE)""",
        )


def m010_enrichment(conn: sa.Connection) -> None:
    """Which enricher ran on which document version, with its outcome (ebrain.ingest.enrich)."""
    _create(conn, t.enrichment)


def m011_server_jobs(conn: sa.Connection) -> None:
    """The API server's ingest jobs (one row per uploaded file), answer feedback, and who
    started each conversation (ebrain.server)."""
    _create(conn, t.ingest_job, t.ingest_job_file, t.answer_feedback, t.conversation_owner)


def m012_identity_audit(conn: sa.Connection) -> None:
    """Users, groups, API keys and web sessions (ebrain.identity); the hash-chained audit log
    (ebrain.audit)."""
    _create(conn, t.app_user, t.user_group, t.api_key, t.web_session, t.audit_log)


def m013_kg(conn: sa.Connection) -> None:
    """The knowledge graph: entities, aliases, mentions, relations and records (ebrain.kg)."""
    _create(
        conn, t.kg_entity, t.kg_alias, t.kg_mention, t.kg_relation, t.kg_record, t.kg_model_cache
    )


def m014_chunk_guard(conn: sa.Connection) -> None:
    """The firewall's injection score per chunk, made from its vector at ingest (ebrain.guard)."""
    _create(conn, t.chunk_guard)


def m015_acl_rules(conn: sa.Connection) -> None:
    """Folder rules that give matching files ACL groups at ingest (`ebrain docs acl-rule`)."""
    _create(conn, t.acl_rule)


def m016_ocr(conn: sa.Connection) -> None:
    """OCR provenance per chunk: mean confidence and boxes on the page images."""
    _create(conn, t.chunk_ocr)


def m017_ui_prefs(conn: sa.Connection) -> None:
    """The web UI's remembered page language per user (ebrain.server.ui)."""
    _create(conn, t.ui_pref)


MIGRATIONS: list[Migration] = [
    m001_catalog,
    m002_vectors,
    m003_fulltext,
    m004_vector_generation,
    m005_answers,
    m006_guard_events,
    m007_model_usage,
    m008_fulltext_vocabulary,
    m009_fulltext_pending,
    m010_enrichment,
    m011_server_jobs,
    m012_identity_audit,
    m013_kg,
    m014_chunk_guard,
    m015_acl_rules,
    m016_ocr,
    m017_ui_prefs,
]


def register(migration: Migration) -> None:
    """Append a migration (used by optional packages; names must be unique)."""
    if any(m.__name__ == migration.__name__ for m in MIGRATIONS):
        raise ValueError(f"duplicate migration {migration.__name__}")
    MIGRATIONS.append(migration)


def applied(conn: sa.Connection) -> set[str]:
    """Names of the migrations already applied."""
    conn.execute(
        sa.text("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    )
    return {row[0] for row in conn.execute(sa.text("SELECT name FROM _migrations"))}


def migrate(engine: sa.Engine) -> list[str]:
    """Apply every pending migration, each in its own transaction; return their names."""
    from ebrain.catalog.db import write_conn

    done: list[str] = []
    with write_conn(engine) as conn:
        with conn.begin():
            names = applied(conn)
        unknown = names - {m.__name__ for m in MIGRATIONS}
        if unknown:
            raise WorkspaceError(
                f"workspace was written by a newer ebrain (migrations {sorted(unknown)})",
                hint="upgrade ebrain: pip install -U ebrain",
            )
        for migration in MIGRATIONS:
            if migration.__name__ not in names:
                with conn.begin():
                    if migration.__name__ in applied(conn):
                        continue  # another process applied it since (under the writer lock)
                    migration(conn)
                    conn.execute(
                        sa.text("INSERT INTO _migrations VALUES (:n, :t)"),
                        {"n": migration.__name__, "t": datetime.now(UTC).isoformat()},
                    )
                done.append(migration.__name__)
    return done
