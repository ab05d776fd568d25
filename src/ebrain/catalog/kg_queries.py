"""The knowledge graph's SQL: storing one document's facts, and every read (filtered by the
caller's principal: a fact is visible when its document is).

Facts (mentions, relations, records) belong to a document and are replaced as a whole when a
new version of it is enriched; deleting a document deletes them (foreign-key cascade). Entities
and aliases are shared: an entity no fact refers to any more is removed, unless a user alias
keeps it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from ebrain.auth import Principal, require_principal
from ebrain.catalog import schema as t
from ebrain.catalog.db import inserted_id, write_conn

MAX_ROWS = 10_000
GAZETTEER_TYPES = ("org", "person", "product", "project", "contract", "case")


# --- writes (inside the enricher's transaction) ----------------------------------------------
def clear_document(conn: sa.Connection, document_id: int) -> None:
    """Delete the document's mentions, relations and records."""
    for table in (t.kg_mention, t.kg_relation, t.kg_record):
        conn.execute(sa.delete(table).where(table.c.document_id == document_id))


def chunk_spans(conn: sa.Connection, version_id: int) -> list[tuple[int, int, int]]:
    """(chunk id, char_start, char_end) of a version's chunks, in order."""
    c = t.chunk.c
    q = sa.select(c.id, c.char_start, c.char_end).where(c.version_id == version_id).order_by(c.ord)
    return [(int(r[0]), int(r[1]), int(r[2])) for r in conn.execute(q)]


def document_info(conn: sa.Connection, document_id: int) -> tuple[str, str | None]:
    """(doc_type, doc_date) of a document."""
    d = t.document.c
    row = conn.execute(sa.select(d.doc_type, d.doc_date).where(d.id == document_id)).one()
    return str(row[0]), row[1]


def gazetteer_names(conn: sa.Connection, limit: int = 20_000) -> list[tuple[str, str]]:
    """(name, type) of the entities and aliases the graph knows (for exact matching)."""
    e, a = t.kg_entity.c, t.kg_alias.c
    names = sa.select(e.name, e.type).where(e.type.in_(GAZETTEER_TYPES)).limit(limit)
    aliases = sa.select(a.name, a.type).where(a.type.in_(GAZETTEER_TYPES)).limit(limit)
    return [(r[0], r[1]) for q in (names, aliases) for r in conn.execute(q)]


def entity_id(conn: sa.Connection, kind: str, key: str, name: str) -> int:
    """The entity of this key (through an alias first), created when new."""
    a, e = t.kg_alias.c, t.kg_entity.c
    found = conn.execute(sa.select(a.entity_id).where(a.type == kind, a.key == key)).first()
    if found is None:
        found = conn.execute(sa.select(e.id).where(e.type == kind, e.key == key)).first()
    if found is not None:
        return int(found[0])
    return inserted_id(conn.execute(sa.insert(t.kg_entity).values(type=kind, key=key, name=name)))


def add_alias(
    conn: sa.Connection, kind: str, key: str, name: str, target: int, source: str
) -> bool:
    """Record `name` as another name of entity `target`; an existing alias is kept unless the
    user sets it. False when the key is the target's own key or is taken by another entity."""
    e, a = t.kg_entity.c, t.kg_alias.c
    own = conn.execute(sa.select(e.id).where(e.type == kind, e.key == key)).first()
    if own is not None and int(own[0]) == target:
        return False
    existing = conn.execute(
        sa.select(a.entity_id, a.source).where(a.type == kind, a.key == key)
    ).first()
    if existing is not None and (source != "user" or int(existing[0]) == target):
        return False
    if own is not None:
        if source == "auto":
            return False
        merge_entities(conn, target, int(own[0]))
    conn.execute(sa.delete(t.kg_alias).where(a.type == kind, a.key == key))
    conn.execute(
        sa.insert(t.kg_alias).values(type=kind, key=key, name=name, entity_id=target, source=source)
    )
    return True


def merge_entities(conn: sa.Connection, keep: int, gone: int) -> None:
    """Move every fact and alias of entity `gone` to `keep`, keep its name as an alias, delete it."""
    e = t.kg_entity.c
    row = conn.execute(sa.select(e.type, e.key, e.name).where(e.id == gone)).one()
    for table, col in (
        (t.kg_mention, "entity_id"),
        (t.kg_relation, "src_id"),
        (t.kg_relation, "dst_id"),
        (t.kg_alias, "entity_id"),
    ):
        conn.execute(sa.update(table).where(table.c[col] == gone).values({col: keep}))
    conn.execute(sa.delete(t.kg_entity).where(e.id == gone))
    conn.execute(
        sa.insert(t.kg_alias).values(
            type=row[0], key=row[1], name=row[2], entity_id=keep, source="user"
        )
    )


def insert_mentions(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert mention rows (entity_id, document_id, chunk_id, start, end, text, value)."""
    if rows:
        conn.execute(sa.insert(t.kg_mention), list(rows))


def insert_relations(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert relation rows (src_id, rel, dst_id, document_id, chunk_id, start, end, at)."""
    if rows:
        conn.execute(sa.insert(t.kg_relation), list(rows))


def insert_record(
    conn: sa.Connection,
    document_id: int,
    kind: str,
    fields: dict[str, Any],
    sources: dict[str, Any],
) -> None:
    """Insert one structured record."""
    conn.execute(
        sa.insert(t.kg_record).values(
            document_id=document_id,
            type=kind,
            fields=json.dumps(fields, ensure_ascii=False),
            sources=json.dumps(sources),
        )
    )


def document_entities(conn: sa.Connection, document_id: int) -> list[int]:
    """Entities the document's facts refer to now."""
    m, r = t.kg_mention.c, t.kg_relation.c
    q = sa.union(
        sa.select(m.entity_id).where(m.document_id == document_id),
        sa.select(r.src_id).where(r.document_id == document_id),
        sa.select(r.dst_id).where(r.document_id == document_id),
    )
    return [int(x) for x in conn.execute(q).scalars()]


def drop_orphans(conn: sa.Connection, candidates: Sequence[int] | None = None) -> int:
    """Delete entities no mention, relation or user alias refers to (among `candidates`, or
    all); return how many."""
    e, a = t.kg_entity.c, t.kg_alias.c
    used = sa.union(
        sa.select(t.kg_mention.c.entity_id),
        sa.select(t.kg_relation.c.src_id),
        sa.select(t.kg_relation.c.dst_id),
        sa.select(a.entity_id).where(a.source == "user"),
    )
    gone = sa.delete(t.kg_entity).where(e.id.not_in(used))
    if candidates is not None:
        if not candidates:
            return 0
        gone = gone.where(e.id.in_(list(candidates)))
    return int(conn.execute(gone).rowcount or 0)


# --- reads --------------------------------------------------------------------------------
def visible_documents(principal: Principal, kbs: Sequence[str] | None = None) -> sa.Select[Any]:
    """Ids of the documents `principal` may read (public ones, or shared with its groups),
    within the knowledge bases `kbs` when given (an API key limited to some)."""
    who = require_principal(principal)
    d, acl = t.document.c, t.document_acl.c
    q = sa.select(d.id)
    if kbs is not None:
        q = q.where(d.kb_id.in_(sa.select(t.kb.c.id).where(t.kb.c.name.in_(list(kbs)))))
    if who.is_owner:
        return q
    public = ~sa.exists().where(acl.document_id == d.id)
    member = sa.exists().where(acl.document_id == d.id, acl.grp.in_(who.groups or ("",)))
    return q.where(sa.or_(public, member))


class KgQueries:
    """Named reads and user edits over the graph tables of one catalog engine."""

    def __init__(self, engine: sa.Engine, kbs: Sequence[str] | None = None) -> None:
        self.engine = engine
        self.kbs = None if kbs is None else tuple(kbs)  # limited to these knowledge bases

    def _visible(self, principal: Principal) -> sa.Select[Any]:
        return visible_documents(principal, self.kbs)

    def visible_texts(
        self, entity_ids: Sequence[int], principal: Principal
    ) -> dict[int, list[str]]:
        """entity id -> the names its visible mentions use, most used first."""
        m = t.kg_mention.c
        n = sa.func.count()
        q = (
            sa.select(m.entity_id, m.text, n)
            .where(m.entity_id.in_(list(entity_ids)), m.document_id.in_(self._visible(principal)))
            .group_by(m.entity_id, m.text)
            .order_by(m.entity_id, n.desc(), m.text)
        )
        out: dict[int, list[str]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(q):
                out.setdefault(int(r[0]), []).append(str(r[1]))
        return out

    def find(
        self, kind: str | None, keys: Iterable[tuple[str, str]], principal: Principal
    ) -> list[int]:
        """Visible entity ids whose key or alias key is one of (type, key)."""
        e, a, m = t.kg_entity.c, t.kg_alias.c, t.kg_mention.c
        ids: set[int] = set()
        with self.engine.connect() as conn:
            for k_type, key in keys:
                if kind and k_type != kind:
                    continue
                q1 = sa.select(e.id).where(e.type == k_type, e.key == key)
                q2 = sa.select(a.entity_id).where(a.type == k_type, a.key == key)
                ids.update(int(r[0]) for q in (q1, q2) for r in conn.execute(q))
            if not ids:
                return []
            seen = sa.select(m.entity_id).where(
                m.entity_id.in_(ids), m.document_id.in_(self._visible(principal))
            )
            return sorted({int(r[0]) for r in conn.execute(seen.distinct())})

    def search_names(self, needle: str, principal: Principal, limit: int = 20) -> list[int]:
        """Visible entity ids whose name or alias contains `needle` (escaped LIKE)."""
        e, a, m = t.kg_entity.c, t.kg_alias.c, t.kg_mention.c
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        names = sa.select(e.id).where(e.name.like(pattern, escape="\\"))
        aliases = sa.select(a.entity_id).where(a.name.like(pattern, escape="\\"))
        q = (
            sa.select(m.entity_id, sa.func.count())
            .where(
                m.entity_id.in_(sa.union(names, aliases)),
                m.document_id.in_(self._visible(principal)),
            )
            .group_by(m.entity_id)
            .order_by(sa.func.count().desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [int(r[0]) for r in conn.execute(q)]

    def entities(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Entity rows with their aliases."""
        e, a = t.kg_entity.c, t.kg_alias.c
        with self.engine.connect() as conn:
            rows = {
                int(r.id): {"id": int(r.id), "type": r.type, "name": r.name, "aliases": []}
                for r in conn.execute(sa.select(t.kg_entity).where(e.id.in_(list(ids))))
            }
            for r in conn.execute(
                sa.select(a.entity_id, a.name, a.source).where(a.entity_id.in_(list(ids)))
            ):
                rows[int(r[0])]["aliases"].append({"name": r[1], "source": r[2]})
        return rows

    def mentions(
        self, entity_ids: Sequence[int], principal: Principal, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Visible mentions of the entities with their document title and path."""
        m, d = t.kg_mention.c, t.document.c
        path = _first_path()
        q = (
            sa.select(
                m.entity_id,
                m.document_id,
                m.chunk_id,
                m.start,
                m.end,
                m.text,
                m.value,
                d.title,
                d.doc_type,
                path.label("path"),
            )
            .join(t.document, d.id == m.document_id)
            .where(m.entity_id.in_(list(entity_ids)), m.document_id.in_(self._visible(principal)))
            .order_by(m.document_id, m.chunk_id, m.start)
            .limit(min(limit, MAX_ROWS))
        )
        with self.engine.connect() as conn:
            return [
                {**dict(r._mapping), "value": json.loads(r.value) if r.value else None}
                for r in conn.execute(q)
            ]

    def co_mentions(
        self, entity_ids: Sequence[int], principal: Principal, limit: int = 50
    ) -> list[tuple[int, int, int]]:
        """(entity id, shared documents, shared chunks) of the entities mentioned with these,
        dates and amounts left out, most shared first."""
        m1, m2, e = t.kg_mention.alias("m1"), t.kg_mention.alias("m2"), t.kg_entity.c
        visible = self._visible(principal)
        docs = sa.func.count(sa.distinct(m2.c.document_id))
        chunks = sa.func.count(
            sa.distinct(sa.case((m2.c.chunk_id == m1.c.chunk_id, m2.c.chunk_id)))
        )
        q = (
            sa.select(m2.c.entity_id, docs, chunks)
            .join(m2, m2.c.document_id == m1.c.document_id)
            .join(t.kg_entity, e.id == m2.c.entity_id)
            .where(m1.c.entity_id.in_(list(entity_ids)), m1.c.document_id.in_(visible))
            .where(m2.c.entity_id.not_in(list(entity_ids)), e.type.not_in(("date", "amount")))
            .group_by(m2.c.entity_id)
            .order_by(docs.desc(), chunks.desc(), m2.c.entity_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(int(r[0]), int(r[1]), int(r[2])) for r in conn.execute(q)]

    def relations(
        self, entity_ids: Sequence[int], principal: Principal, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Visible relations from or to the entities, with their provenance."""
        r = t.kg_relation.c
        ids = list(entity_ids)
        q = (
            sa.select(t.kg_relation)
            .where(
                sa.or_(r.src_id.in_(ids), r.dst_id.in_(ids)),
                r.document_id.in_(self._visible(principal)),
            )
            .order_by(r.id)
            .limit(min(limit, MAX_ROWS))
        )
        with self.engine.connect() as conn:
            return [dict(x._mapping) for x in conn.execute(q)]

    def chunks_of(
        self, entity_ids: Sequence[int], principal: Principal, limit: int = 200
    ) -> list[tuple[int, int]]:
        """(chunk id, how many of the entities it mentions) of visible chunks, most first."""
        m = t.kg_mention.c
        n = sa.func.count(sa.distinct(m.entity_id))
        q = (
            sa.select(m.chunk_id, n)
            .where(
                m.entity_id.in_(list(entity_ids)),
                m.chunk_id.is_not(None),
                m.document_id.in_(self._visible(principal)),
            )
            .group_by(m.chunk_id)
            .order_by(n.desc(), sa.func.count().desc(), m.chunk_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(int(x[0]), int(x[1])) for x in conn.execute(q)]

    def documents_of(
        self, entity_ids: Sequence[int], principal: Principal, limit: int = 500
    ) -> dict[int, tuple[int, int]]:
        """document id -> (how many of the entities it mentions, the chunk mentioning most)."""
        m = t.kg_mention.c
        ids = list(entity_ids)
        visible = self._visible(principal)
        per_chunk = (
            sa.select(m.document_id, m.chunk_id, sa.func.count(sa.distinct(m.entity_id)))
            .where(m.entity_id.in_(ids), m.chunk_id.is_not(None), m.document_id.in_(visible))
            .group_by(m.document_id, m.chunk_id)
        )
        per_doc = (
            sa.select(m.document_id, sa.func.count(sa.distinct(m.entity_id)))
            .where(m.entity_id.in_(ids), m.document_id.in_(visible))
            .group_by(m.document_id)
        )
        with self.engine.connect() as conn:
            chunks = conn.execute(per_chunk).all()
            counts = {int(r[0]): int(r[1]) for r in conn.execute(per_doc)}
        out: dict[int, tuple[int, int]] = {}
        for doc, chunk, _n in sorted(chunks, key=lambda r: (-int(r[2]), int(r[1]))):
            if int(doc) not in out and len(out) < limit:
                out[int(doc)] = (counts.get(int(doc), 0), int(chunk))
        return out

    def relation_partners(self, entity_ids: Sequence[int], principal: Principal) -> list[int]:
        """Entities in a visible relation with these (either direction), most related first."""
        ids = set(entity_ids)
        counts: dict[int, int] = {}
        for r in self.relations(sorted(ids), principal):
            for other in (r["src_id"], r["dst_id"]):
                if other not in ids:
                    counts[other] = counts.get(other, 0) + 1
        return sorted(counts, key=lambda e: (-counts[e], e))

    def records(
        self, kind: str, principal: Principal, limit: int = MAX_ROWS
    ) -> list[dict[str, Any]]:
        """Visible records of a type, with their document's title and path."""
        rc, d = t.kg_record.c, t.document.c
        path = _first_path()
        q = (
            sa.select(
                rc.id,
                rc.document_id,
                rc.type,
                rc.fields,
                rc.sources,
                d.title,
                d.doc_date,
                path.label("path"),
            )
            .join(t.document, d.id == rc.document_id)
            .where(rc.type == kind, rc.document_id.in_(self._visible(principal)))
            .order_by(rc.document_id, rc.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [
                {
                    **dict(r._mapping),
                    "fields": json.loads(r.fields),
                    "sources": json.loads(r.sources),
                }
                for r in conn.execute(q)
            ]

    def visible_entities(self, principal: Principal, limit: int = MAX_ROWS) -> list[dict[str, Any]]:
        """Every visible entity (for export)."""
        e, m = t.kg_entity.c, t.kg_mention.c
        seen = sa.select(m.entity_id).where(m.document_id.in_(self._visible(principal)))
        q = sa.select(e.id, e.type, e.name).where(e.id.in_(seen)).order_by(e.id).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def co_mention_edges(
        self, principal: Principal, limit: int = MAX_ROWS
    ) -> list[tuple[int, int, int]]:
        """(a, b, shared documents) for visible entity pairs, a < b, dates and amounts left out."""
        m1, m2 = t.kg_mention.alias("m1"), t.kg_mention.alias("m2")
        e1, e2 = t.kg_entity.alias("e1"), t.kg_entity.alias("e2")
        n = sa.func.count(sa.distinct(m1.c.document_id))
        skip = ("date", "amount")
        q = (
            sa.select(m1.c.entity_id, m2.c.entity_id, n)
            .join(
                m2, sa.and_(m2.c.document_id == m1.c.document_id, m2.c.entity_id > m1.c.entity_id)
            )
            .join(e1, e1.c.id == m1.c.entity_id)
            .join(e2, e2.c.id == m2.c.entity_id)
            .where(
                m1.c.document_id.in_(self._visible(principal)),
                e1.c.type.not_in(skip),
                e2.c.type.not_in(skip),
            )
            .group_by(m1.c.entity_id, m2.c.entity_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(int(r[0]), int(r[1]), int(r[2])) for r in conn.execute(q)]

    # --- user edits ----------------------------------------------------------------------
    def alias(self, kind: str, key: str, name: str, target: int) -> bool:
        """Record a user alias (it also merges an entity that had this key)."""
        with write_conn(self.engine) as conn, conn.begin():
            return add_alias(conn, kind, key, name, target, "user")

    def merge(self, keep: int, gone: int) -> None:
        """Merge entity `gone` into `keep`."""
        with write_conn(self.engine) as conn, conn.begin():
            merge_entities(conn, keep, gone)


def _first_path() -> Any:
    """A document's first path (alphabetically), as a correlated scalar subquery."""
    p = t.document_path.c
    return sa.select(sa.func.min(p.path)).where(p.document_id == t.document.c.id).scalar_subquery()
