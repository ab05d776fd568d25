"""The `kg` enricher: extracts a document version's entities, relations and records into the
catalog at ingest (enable it with `ingest.enrichers: kg`; entry point `ebrain.enrichers: kg`).

Each run replaces the document's own facts (and no others) inside the enricher transaction.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from ebrain.catalog import kg_queries as q
from ebrain.ingest.enrich import EnrichContext
from ebrain.kg.entities import PARTY_ROLES, Gazetteer, Mention, extract_entities, find_aliases
from ebrain.kg.records import Record, extract_records
from ebrain.kg.resolve import name_key, short_names

NAME = "kg"
_NOT_ALIASES = PARTY_ROLES | {"我方", "本公司", "完成", "风扇"}
VERSION = "1"


@dataclass(frozen=True)
class Extraction:
    """What the offline extractor found in one document."""

    mentions: list[Mention]
    aliases: list[tuple[Mention, str]]
    records: list[Record]


def extract(
    text: str, doc_type: str, ref: date | None, gazetteer: Gazetteer | None = None
) -> Extraction:
    """Entities, stated aliases and records of one document text (no model)."""
    mentions = extract_entities(text, ref, gazetteer)
    aliases = find_aliases(text, mentions)
    aliases += _short_aliases(text, mentions)
    return Extraction(mentions, aliases, extract_records(doc_type, text, mentions))


def title_mentions(title: str, body: list[Mention], gazetteer: Gazetteer | None) -> list[Mention]:
    """Entities the title names that the body does not (a chat titled with its customer)."""
    seen = {(m.type, name_key(m.type, m.name)) for m in body}
    out = []
    for m in extract_entities(title[:500], None, gazetteer):
        if m.type not in ("date", "amount") and (m.type, name_key(m.type, m.name)) not in seen:
            seen.add((m.type, name_key(m.type, m.name)))
            out.append(m)
    return out


def _short_aliases(text: str, mentions: list[Mention]) -> list[tuple[Mention, str]]:
    """Chinese company short names the text uses on their own ("恒达" for 江苏恒达...有限公司)."""
    out: list[tuple[Mention, str]] = []
    seen: set[str] = set()
    for m in mentions:
        if m.type != "org" or m.name in seen:
            continue
        seen.add(m.name)
        for short in short_names(m.name):
            if text.count(short) > text.count(m.name):
                out.append((m, short))
                break
    return out


class KgEnricher:
    """Registered as `kg` in the `ebrain.enrichers` group."""

    name = NAME
    version = VERSION

    def enrich(self, ctx: EnrichContext) -> None:
        """Replace the document's facts with what its current version says."""
        conn = ctx.conn
        before = q.document_entities(conn, ctx.document_id)
        q.clear_document(conn, ctx.document_id)
        doc_type, doc_date = q.document_info(conn, ctx.document_id)
        gazetteer = _cached_names(conn)
        found = extract(ctx.text, doc_type, _day(doc_date), gazetteer)
        writer = Writer(conn, ctx.document_id, q.chunk_spans(conn, ctx.version_id))
        writer.write(found)
        writer.write_title(title_mentions(ctx.title, found.mentions, gazetteer))
        q.drop_orphans(conn, before)


_REFRESH = 25  # documents enriched between two reloads of the known names
_names_cache: dict[str, tuple[int, Gazetteer]] = {}
_names_lock = threading.Lock()


def _cached_names(conn: sa.Connection) -> Gazetteer:
    """known_names, reloaded every _REFRESH documents per catalog (its regex is compiled once
    per reload; names learnt meanwhile are matched from the next reload, or by `kg extract`)."""
    key = str(conn.engine.url)
    with _names_lock:
        uses, gazetteer = _names_cache.get(key, (_REFRESH, Gazetteer()))
        if uses >= _REFRESH:
            uses, gazetteer = 0, known_names(conn)
        _names_cache[key] = (uses + 1, gazetteer)
        return gazetteer


def known_names(conn: sa.Connection) -> Gazetteer:
    """A gazetteer of the names the graph knows, with the short forms of organizations:
    "Thai Precision Forging" for "Thai Precision Forging Co., Ltd.", "粤海精密铸造" for
    "广东粤海精密铸造有限公司" (short forms of 2 characters only once a text used them)."""
    gazetteer = Gazetteer()
    rows = q.gazetteer_names(conn)
    for name, kind in rows:
        gazetteer.add(name, kind)
    for name, kind in rows:
        if kind == "org":
            for short in _org_forms(name):
                gazetteer.add(short, kind, name)
    return gazetteer


_EN_SUFFIX = re.compile(
    r",?\s+(?:Co\.,?\s*Ltd\.?|Company\s+Limited|Co\.|Ltd\.?|Limited|Inc\.?|LLC|GmbH|AG|PLC|"
    r"Corporation|Corp\.?|Holdings)$"
)


def _org_forms(name: str) -> list[str]:
    """Longer short forms of an organization's name that are safe to match anywhere."""
    bare = _EN_SUFFIX.sub("", name)
    if bare != name and (" " in bare or len(bare) >= 6) and bare[:1].isupper():
        return [bare]
    return [s for s in short_names(name) if len(s) >= 4]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


class Writer:
    """Stores one document's extraction: entities (resolved), mentions, relations, records."""

    def __init__(
        self, conn: sa.Connection, document_id: int, chunks: list[tuple[int, int, int]]
    ) -> None:
        self.conn = conn
        self.document_id = document_id
        self.chunks = chunks
        self._starts = [c[1] for c in chunks]
        self._ids: dict[tuple[str, str], int] = {}

    def write(self, found: Extraction) -> None:
        """Write everything of one extraction."""
        for mention, other in found.aliases:
            if other in _NOT_ALIASES or len(other) < 2:
                continue
            target = self.entity(mention)
            source = "stated" if mention.type == "person" else "auto"  # "Grace Zhao (赵敏)": merge
            q.add_alias(
                self.conn, mention.type, name_key(mention.type, other), other, target, source
            )
        self._ids.clear()  # aliases may have merged names: resolve again
        q.insert_mentions(self.conn, [self._mention_row(m) for m in found.mentions])
        for record in found.records:
            self._record(record, found.mentions)

    def write_title(self, mentions: list[Mention]) -> None:
        """Mentions found only in the title: on the first chunk, at offset 0, marked "title"."""
        if not self.chunks:
            return
        rows = []
        for m in mentions:
            row = self._mention_row(m)
            row.update(
                chunk_id=self.chunks[0][0], start=0, end=0, value=json.dumps({"in": "title"})
            )
            rows.append(row)
        q.insert_mentions(self.conn, rows)

    def entity(self, m: Mention) -> int:
        """The entity id of a mention (created when new)."""
        key = (
            m.type,
            m.value["label"] if m.type == "date" and m.value else name_key(m.type, m.name),
        )
        if key not in self._ids:
            self._ids[key] = q.entity_id(self.conn, key[0], key[1], m.name)
        return self._ids[key]

    def locate(self, start: int) -> tuple[int | None, int]:
        """(chunk id, chunk start) of the chunk holding document offset `start`."""
        i = bisect.bisect_right(self._starts, start) - 1
        if i < 0:
            return None, 0
        return self.chunks[i][0], self.chunks[i][1]

    def _mention_row(self, m: Mention) -> dict[str, Any]:
        chunk, base = self.locate(m.start)
        return {
            "entity_id": self.entity(m),
            "document_id": self.document_id,
            "chunk_id": chunk,
            "start": m.start - base,
            "end": m.end - base,
            "text": m.name[:500],
            "value": json.dumps(m.value) if m.value else None,
        }

    def _record(self, record: Record, mentions: list[Mention]) -> None:
        sources: dict[str, Any] = {}
        for name, (start, end) in record.spans.items():
            chunk, base = self.locate(start)
            sources[name] = {"chunk_id": chunk, "start": start - base, "end": end - base}
        q.insert_record(self.conn, self.document_id, record.type, record.fields, sources)
        q.insert_relations(self.conn, self._relations(record, mentions))

    def _relations(self, record: Record, mentions: list[Mention]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        by_name = {(m.type, m.name): m for m in mentions}
        f = record.fields
        if record.type == "contract":
            parties = [by_name[("org", p)] for p in f.get("parties", []) if ("org", p) in by_name]
            number = next(
                (m for m in mentions if m.type == "contract" and m.name == f.get("number")), None
            )
            at = f.get("signed")
            for a, b in itertools.pairwise(parties):
                out.append(self._rel(a, "signed_with", b, at))
            for p in parties if number is not None else []:
                out.append(self._rel(p, "party_to", number, at))  # type: ignore[arg-type]
            for prod in {m.name: m for m in mentions if m.type == "product"}.values():
                if number is not None:
                    out.append(self._rel(number, "about_product", prod, at))
        if record.type in ("meeting_minutes", "fault_analysis"):
            subject = next((m for m in mentions if m.type in ("project", "contract")), None)
            for item in f.get("action_items", []):
                owner = by_name.get(("person", item["owner"]))
                if owner is not None and subject is not None:
                    out.append(self._rel(owner, "assigned_to", subject, item.get("due")))
        if record.type in ("fault_analysis", "transcript"):
            about = by_name.get(("product", f.get("product", "")))
            cust = by_name.get(("org", f.get("customer", "")))
            if about is not None and cust is not None:
                out.append(self._rel(cust, "about_product", about, None))
        return out

    def _rel(self, a: Mention, rel: str, b: Mention, at: str | None) -> dict[str, Any]:
        chunk, base = self.locate(a.start)
        return {
            "src_id": self.entity(a),
            "rel": rel,
            "dst_id": self.entity(b),
            "document_id": self.document_id,
            "chunk_id": chunk,
            "start": a.start - base,
            "end": a.end - base,
            "at": at,
        }


def create(_spec: str = NAME) -> KgEnricher:
    """Entry point `kg` of the `ebrain.enrichers` group."""
    return KgEnricher()
