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


def _chunk_pk() -> sa.Column[int]:
    """The key of a table that holds one row per chunk (removed with its chunk)."""
    ref = sa.ForeignKey("chunk.id", ondelete="CASCADE")
    return sa.Column("chunk_id", sa.Integer, ref, primary_key=True)


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
    _chunk_pk(),
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

# --- the API server (ebrain.server): ingest jobs, answer feedback, conversation owners ---
ingest_job = sa.Table(
    "ingest_job",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("kb", sa.Text, nullable=False),
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),  # queued, running, done, failed, cancelled
    sa.Column("acl", sa.Text, nullable=False, server_default="[]"),  # JSON list of groups
    sa.Column("tags", sa.Text, nullable=False, server_default="[]"),  # JSON list of tags
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("started_at", sa.Text),
    sa.Column("finished_at", sa.Text),
    sa.Index("ingest_job_state", "state", "created_at"),
)

ingest_job_file = sa.Table(
    "ingest_job_file",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "job_id", sa.Text, sa.ForeignKey("ingest_job.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.Text, nullable=False),  # the uploaded file name (sanitised)
    sa.Column("stored", sa.Text, nullable=False),  # where the upload waits in the workspace
    sa.Column("size", sa.Integer, nullable=False, server_default=ZERO),
    sa.Column("state", sa.Text, nullable=False),  # queued, running, done, failed, cancelled
    sa.Column("status", sa.Text),  # the CLI's status: added, updated, unchanged, duplicate ...
    sa.Column("reason", sa.Text),  # the CLI's reason when it failed
    sa.Column("message", sa.Text),
    sa.Column("document_id", sa.Integer),
    sa.Column("chunks", sa.Integer, nullable=False, server_default=ZERO),
    sa.Index("ingest_job_file_job", "job_id", "id"),
)

answer_feedback = sa.Table(
    "answer_feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("trace_id", sa.Text, nullable=False),
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Column("rating", sa.Integer, nullable=False),  # +1 thumbs up, -1 thumbs down
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Index("answer_feedback_trace", "trace_id"),
)

conversation_owner = sa.Table(
    "conversation_owner",
    metadata,
    sa.Column(
        "conversation_id",
        sa.Text,
        sa.ForeignKey("conversation.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Index("conversation_owner_user", "user_name"),
)

# --- identity (ebrain.identity): users, their groups, API keys, web sessions ---
app_user = sa.Table(
    "app_user",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("role", sa.Text, nullable=False, server_default="viewer"),  # admin, editor, viewer
    sa.Column("password_hash", sa.Text),  # argon2id; NULL = no password login
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("oidc_sub", sa.Text, unique=True),  # the OIDC subject this user logs in as
    sa.Column("email", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
)

user_group = sa.Table(
    "user_group",
    metadata,
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("app_user.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("grp", sa.Text, primary_key=True),
    sa.Index("user_group_grp", "grp"),
)

api_key = sa.Table(
    "api_key",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),  # the public part shown in listings
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("key_hash", sa.Text, nullable=False, unique=True),  # SHA-256 of the whole key
    sa.Column("kbs", sa.Text, nullable=False, server_default="[]"),  # JSON; [] = every kb
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("revoked_at", sa.Text),
    sa.Column("last_used", sa.Text),
    sa.Index("api_key_user", "user_id"),
)

web_session = sa.Table(
    "web_session",
    metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),  # SHA-256 of the cookie's token
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Text, nullable=False),
    sa.Index("web_session_user", "user_id"),
    sa.Index("web_session_expires", "expires_at"),
)

# --- the hash-chained, append-only audit log (ebrain.audit) ---
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("target", sa.Text),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),  # canonical JSON
    sa.Column("prev_hash", sa.Text, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
    sa.Index("audit_log_at", "at"),
)

# --- knowledge graph (ebrain.kg): entities, aliases, mentions, relations, records ---
kg_entity = sa.Table(
    "kg_entity",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),  # normalized name (ebrain.kg.resolve.name_key)
    sa.Column("name", sa.Text, nullable=False),  # display name
    sa.UniqueConstraint("type", "key"),
)

kg_alias = sa.Table(  # another name of an entity: stated in a text (auto) or set by the user
    "kg_alias",
    metadata,
    sa.Column("type", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column(
        "entity_id", sa.Integer, sa.ForeignKey("kg_entity.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),  # auto or user
    sa.Index("kg_alias_entity", "entity_id"),
)

kg_mention = sa.Table(
    "kg_mention",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "entity_id", sa.Integer, sa.ForeignKey("kg_entity.id", ondelete="CASCADE"), nullable=False
    ),
    _document_id(),
    sa.Column("chunk_id", sa.Integer),  # the chunk holding the mention (offsets are the chunk's)
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("value", sa.Text),  # JSON: the normalized amount or date
    sa.Index("kg_mention_entity", "entity_id"),
    sa.Index("kg_mention_document", "document_id"),
)

kg_relation = sa.Table(
    "kg_relation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "src_id", sa.Integer, sa.ForeignKey("kg_entity.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("rel", sa.Text, nullable=False),
    sa.Column(
        "dst_id", sa.Integer, sa.ForeignKey("kg_entity.id", ondelete="CASCADE"), nullable=False
    ),
    _document_id(),
    sa.Column("chunk_id", sa.Integer),
    sa.Column("start", sa.Integer),
    sa.Column("end", sa.Integer),
    sa.Column("at", sa.Text),  # ISO day the relation holds from (a signing date, a meeting)
    sa.Index("kg_relation_src", "src_id"),
    sa.Index("kg_relation_dst", "dst_id"),
    sa.Index("kg_relation_document", "document_id"),
)

kg_record = sa.Table(
    "kg_record",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _document_id(),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("fields", sa.Text, nullable=False),  # JSON object
    sa.Column("sources", sa.Text, nullable=False),  # JSON: field -> {chunk_id, start, end}
    sa.Index("kg_record_type", "type"),
)

kg_model_cache = sa.Table(  # the model extractor's validated answer per (chunk text, model)
    "kg_model_cache",
    metadata,
    sa.Column("chunk_hash", sa.Text, primary_key=True),  # sha256 of the chunk text
    sa.Column("model", sa.Text, primary_key=True),
    sa.Column("output", sa.Text, nullable=False),  # JSON [[type, name], ...]
)

# --- firewall (ebrain.guard.learned): the injection score of each chunk, made at ingest ---
chunk_guard = sa.Table(
    "chunk_guard",
    metadata,
    _chunk_pk(),
    sa.Column("score", sa.Float, nullable=False),  # learned head on the chunk's stored vector
    sa.Column("rule", sa.Text),  # the fast-path rule that matched the chunk's text, if any
    sa.Column("head", sa.Text, nullable=False),  # data hash (prefix) of the head that scored it
)

# --- ACL folder rules: files whose path matches a pattern get the rule's groups at ingest ---
acl_rule = sa.Table(
    "acl_rule",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _kb_id(nullable=True),
    sa.Column("pattern", sa.Text, nullable=False),
    sa.Column("grp", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

# --- OCR provenance (ebrain.ingest.ocr): chunks read from page images, and where on the page ---
chunk_ocr = sa.Table(
    "chunk_ocr",
    metadata,
    _chunk_pk(),
    sa.Column("confidence", sa.Float, nullable=False),  # mean confidence of its OCR'd lines
    # JSON [[page, x0, y0, x1, y1], ...]: line boxes as fractions of the page image, y down
    sa.Column("boxes", sa.Text, nullable=False, server_default="[]"),
)

# --- web UI preferences per user (ebrain.server.ui): the remembered page language ---
ui_pref = sa.Table(
    "ui_pref",
    metadata,
    sa.Column("user_name", sa.Text, primary_key=True),
    sa.Column("locale", sa.Text, nullable=False),  # "en" or "zh"
    sa.Column("updated_at", sa.Text, nullable=False),
)
