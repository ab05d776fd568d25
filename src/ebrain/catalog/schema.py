"""SQLAlchemy Core tables of the catalog, each defined once: the migrations create them from
these definitions (with their keys, defaults, indexes and cascades) for the connection's dialect,
and every module that reads or writes a table imports it from here."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

ZERO = sa.text("0")


def _kb_id(nullable: bool = False) -> sa.Column[int]:
    return sa.Column(
        "kb_id", sa.Integer, sa.ForeignKey("kb.id", ondelete="CASCADE"), nullable=nullable
    )


def _document_id(primary_key: bool = False) -> sa.Column[int]:
    ref = sa.ForeignKey("document.id", ondelete="CASCADE")
    return sa.Column("document_id", sa.Integer, ref, nullable=False, primary_key=primary_key)


kb = sa.Table(
    "kb",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("description", sa.Text, nullable=False, default="", server_default=""),
    sa.Column("created_at", sa.Text, nullable=False),
)

document = sa.Table(
    "document",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _kb_id(),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("doc_type", sa.Text, nullable=False),
    sa.Column("type_source", sa.Text, nullable=False, server_default="auto"),
    sa.Column("type_score", sa.Float, nullable=False, server_default=ZERO),
    sa.Column("lang", sa.Text, nullable=False, server_default=""),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("pages", sa.Integer),
    sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
    sa.Column("n_chunks", sa.Integer, nullable=False, server_default=ZERO),
    sa.Column("meta", sa.Text, nullable=False, server_default="{}"),
    sa.Column("warnings", sa.Text, nullable=False, server_default="[]"),
    sa.Column("doc_date", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.UniqueConstraint("kb_id", "content_hash"),
)

document_path = sa.Table(
    "document_path",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _kb_id(),
    _document_id(),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("mtime", sa.Float, nullable=False),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("seen_at", sa.Text, nullable=False),
    sa.UniqueConstraint("kb_id", "path"),
    sa.Index("document_path_doc", "document_id"),
)

version = sa.Table(
    "version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _document_id(),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("retired_at", sa.Text),
    sa.UniqueConstraint("document_id", "number"),
)

chunk = sa.Table(
    "chunk",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),  # AUTOINCREMENT: ids are never reused
    _document_id(),
    sa.Column(
        "version_id",
        sa.Integer,
        sa.ForeignKey("version.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("kb_id", sa.Integer, nullable=False),
    sa.Column("ord", sa.Integer, nullable=False),
    sa.Column("kind", sa.Text, nullable=False, server_default="text"),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("terms", sa.Text, nullable=False, server_default=""),
    sa.Column("heading_path", sa.Text, nullable=False, server_default="[]"),
    sa.Column("page_start", sa.Integer),
    sa.Column("page_end", sa.Integer),
    sa.Column("char_start", sa.Integer, nullable=False),
    sa.Column("char_end", sa.Integer, nullable=False),
    sa.Column("n_tokens", sa.Integer, nullable=False),
    sa.Column("doc_type", sa.Text, nullable=False),
    sa.UniqueConstraint("document_id", "ord"),
    sa.Index("chunk_kb", "kb_id"),
    sqlite_autoincrement=True,
)

document_tag = sa.Table(
    "document_tag",
    metadata,
    _document_id(primary_key=True),
    sa.Column("tag", sa.Text, primary_key=True),
)

document_acl = sa.Table(
    "document_acl",
    metadata,
    _document_id(primary_key=True),
    sa.Column("grp", sa.Text, primary_key=True),
)

ingest_error = sa.Table(
    "ingest_error",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _kb_id(),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("size", sa.Integer),
    sa.Column("mtime", sa.Float),
    sa.Column("at", sa.Text, nullable=False),
    sa.UniqueConstraint("kb_id", "path"),
)

type_rule = sa.Table(
    "type_rule",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _kb_id(nullable=True),
    sa.Column("pattern", sa.Text, nullable=False),
    sa.Column("doc_type", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

chunk_vector = sa.Table(
    "chunk_vector",
    metadata,
    sa.Column(
        "chunk_id",
        sa.Integer,
        sa.ForeignKey("chunk.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("vec", sa.LargeBinary, nullable=False),
)

# --- answers (ebrain.answer): prompt template versions, conversations and their messages ---
prompt_version = sa.Table(
    "prompt_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("source", sa.Text, nullable=False, server_default="user"),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.UniqueConstraint("name", "version"),
)

conversation = sa.Table(
    "conversation",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("assistant", sa.Text, nullable=False, server_default=""),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.Text, nullable=False),
)

message = sa.Table(
    "message",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "conversation_id",
        sa.Text,
        sa.ForeignKey("conversation.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("query", sa.Text, nullable=False, server_default=""),
    sa.Column("trace_id", sa.Text, nullable=False, server_default=""),
    sa.Column("answer", sa.Text, nullable=False, server_default="{}"),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Index("message_conversation", "conversation_id", "id"),
)

# --- the AI firewall's append-only decisions (ebrain.guard.events) ---
guard_event = sa.Table(
    "guard_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("scanner", sa.Text, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("lang", sa.Text),
    sa.Column("excerpt", sa.Text),
    sa.Column("trace_id", sa.Text),
    sa.Column("user_name", sa.Text),
    sa.Column("assistant", sa.Text),
    sa.Index("guard_event_trace", "trace_id"),
)

# --- one row per model call: tokens, cost, latency, outcome (ebrain.models.usage) ---
model_usage = sa.Table(
    "model_usage",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("model", sa.String(255), nullable=False),
    sa.Column("alias", sa.String(255), nullable=False),
    sa.Column("role", sa.String(32), nullable=False, server_default=""),
    sa.Column("prompt_tokens", sa.Integer, nullable=False, server_default=ZERO),
    sa.Column("completion_tokens", sa.Integer, nullable=False, server_default=ZERO),
    sa.Column("cost", sa.Float, nullable=False, server_default=ZERO),
    sa.Column("latency_ms", sa.Float, nullable=False, server_default=ZERO),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("trace_id", sa.String(64)),
    sa.Index("ix_model_usage_at", "at"),
)

# --- enrichers (ebrain.ingest.enrich): which enricher ran on which document version ---
enrichment = sa.Table(
    "enrichment",
    metadata,
    sa.Column(
        "version_id",
        sa.Integer,
        sa.ForeignKey("version.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("enricher", sa.Text, primary_key=True),
    sa.Column("enricher_version", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # running, done or failed
    sa.Column("error", sa.Text),
    sa.Column("done_at", sa.Text),
)

# --- firewall (ebrain.guard.learned): the injection score of each chunk, made at ingest ---
chunk_guard = sa.Table(
    "chunk_guard",
    metadata,
    sa.Column(
        "chunk_id",
        sa.Integer,
        sa.ForeignKey("chunk.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("score", sa.Float, nullable=False),  # learned head on the chunk's stored vector
    sa.Column("rule", sa.Text),  # the fast-path rule that matched the chunk's text, if any
    sa.Column("head", sa.Text, nullable=False),  # data hash (prefix) of the head that scored it
)
