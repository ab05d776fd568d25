"""The knowledge graph's reads and edits behind `Brain.kg`: entities, neighbours, paths,
records, export, re-extraction, aliases and merges. Every read takes a principal."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

import sqlalchemy as sa

from ebrain.auth import Principal, require_principal
from ebrain.catalog import schema as t
from ebrain.catalog.db import write_conn
from ebrain.catalog.kg_queries import KgQueries, drop_orphans
from ebrain.errors import InvalidInputError, NotFoundError
from ebrain.kg.entities import ENTITY_TYPES, extract_entities
from ebrain.kg.records import RECORD_TYPES
from ebrain.kg.resolve import name_key
from ebrain.kg.where import parse_where

MAX_NAME = 200
MAX_HOPS = 4
MAX_EXPANDED = 300  # entities a path search expands (one query each): bounded time per request
_BRIDGE_TYPES = ("org", "project", "contract", "person", "case")


class KnowledgeGraph:
    """Graph queries over one workspace catalog."""

    def __init__(
        self,
        engine: sa.Engine,
        gateway: Callable[[], Any] | None = None,
        kbs: Sequence[str] | None = None,
    ) -> None:
        self.engine = engine
        self.q = KgQueries(engine, kbs)
        self._gateway = gateway  # the model gateway, for the model extractor (lazy)

    def scoped(self, kbs: Sequence[str] | None) -> KnowledgeGraph:
        """The same graph read within these knowledge bases only (None: all of them)."""
        return self if kbs is None else KnowledgeGraph(self.engine, self._gateway, kbs)

    def shown(self, ids: Sequence[int], principal: Principal) -> dict[int, dict[str, Any]]:
        """Entity rows as `principal` may see them: names and aliases that only documents it
        may not read use are left out (the owner, unscoped, sees them all)."""
        rows = self.q.entities(ids)
        if require_principal(principal).is_owner and self.q.kbs is None:
            return rows
        texts = self.q.visible_texts(list(rows), principal)
        for eid, row in rows.items():
            names = texts.get(eid, [])
            users = {a["name"] for a in row["aliases"] if a["source"] == "user"}
            row["aliases"] = [a for a in row["aliases"] if a["name"] in users or a["name"] in names]
            if names and row["name"] not in names and row["name"] not in users:
                row["name"] = names[0]
        return rows

    # --- lookup ----------------------------------------------------------------------
    def resolve(self, name: str, principal: Principal, kind: str | None = None) -> list[int]:
        """Visible entity ids named `name` (by key or alias, any type), else by substring."""
        require_principal(principal)
        name = _check_name(name)
        if kind is not None and kind not in ENTITY_TYPES:
            raise InvalidInputError(
                f"unknown entity type {kind!r}", hint=f"types: {', '.join(ENTITY_TYPES)}"
            )
        keys = [(k, name_key(k, name)) for k in ENTITY_TYPES]
        ids = self.q.find(kind, keys, principal)
        return ids or self.q.search_names(name, principal, limit=5)

    def _one(self, name: str, principal: Principal) -> int:
        ids = self.resolve(name, principal)
        if not ids:
            raise NotFoundError(
                f"no entity named {name!r}", hint="try `ebrain kg entity` with part of the name"
            )
        return ids[0]

    def entity(self, name: str, *, principal: Principal) -> dict[str, Any]:
        """The entities named `name`, with aliases, documents (mentions) and relations."""
        ids = self.resolve(name, principal)
        if not ids:
            raise NotFoundError(
                f"no entity named {name!r}",
                hint="check the spelling, or ingest with `ingest.enrichers: kg`",
            )
        rows = self.shown(ids, principal)
        mentions = self.q.mentions(ids, principal)
        relations = self._named_relations(self.q.relations(ids, principal), principal)
        out = []
        for eid in ids:
            docs: dict[int, dict[str, Any]] = {}
            for m in (x for x in mentions if x["entity_id"] == eid):
                doc = docs.setdefault(
                    m["document_id"],
                    {
                        "document_id": m["document_id"],
                        "title": m["title"],
                        "path": m["path"],
                        "mentions": [],
                    },
                )
                doc["mentions"].append(
                    {
                        "chunk_id": m["chunk_id"],
                        "start": m["start"],
                        "end": m["end"],
                        "text": m["text"],
                        "value": m["value"],
                    }
                )
            rel = [r for r in relations if eid in (r["src_id"], r["dst_id"])]
            out.append({**rows[eid], "documents": list(docs.values()), "relations": rel})
        return {"query": name, "entities": out}

    def _named_relations(
        self, rels: list[dict[str, Any]], principal: Principal
    ) -> list[dict[str, Any]]:
        ends = sorted({r["src_id"] for r in rels} | {r["dst_id"] for r in rels})
        names = self.shown(ends, principal)
        return [
            {**r, "src": names[r["src_id"]]["name"], "dst": names[r["dst_id"]]["name"]}
            for r in rels
            if r["src_id"] in names and r["dst_id"] in names
        ]

    # --- neighbourhood ---------------------------------------------------------------
    def neighbors(self, name: str, limit: int = 20, *, principal: Principal) -> dict[str, Any]:
        """Entities linked to `name`: explicit relations, then shared documents and chunks."""
        eid = self._one(name, principal)
        rels = self._named_relations(self.q.relations([eid], principal), principal)
        co = self.q.co_mentions([eid], principal, limit=max(1, min(limit, 500)))
        info = self.shown([c[0] for c in co] + [eid], principal)
        return {
            "entity": info[eid],
            "relations": rels,
            "neighbors": [
                {**info[c], "shared_documents": d, "shared_chunks": k}
                for c, d, k in co
                if c in info
            ],
        }

    def path(self, a: str, b: str, *, principal: Principal) -> dict[str, Any]:
        """The shortest chain of entities from `a` to `b` (shared documents, at most 4 hops and
        MAX_EXPANDED entities searched)."""
        start, goal = self._one(a, principal), self._one(b, principal)
        prev: dict[int, int | None] = {start: None}
        frontier = deque([(start, 0)])
        expanded = 0
        while frontier and goal not in prev and expanded < MAX_EXPANDED:
            node, depth = frontier.popleft()
            if depth >= MAX_HOPS:
                continue
            expanded += 1
            for nxt, _d, _k in self.q.co_mentions([node], principal, limit=100):
                if nxt not in prev:
                    prev[nxt] = node
                    frontier.append((nxt, depth + 1))
        if goal not in prev:
            return {"from": a, "to": b, "found": False, "path": []}
        chain = [goal]
        while (p := prev[chain[-1]]) is not None:
            chain.append(p)
        info = self.shown(chain, principal)
        return {"from": a, "to": b, "found": True, "path": [info[i] for i in reversed(chain)]}

    # --- records ------------------------------------------------------------------------
    def records(
        self, kind: str, where: str = "", limit: int = 1000, *, principal: Principal
    ) -> list[dict[str, Any]]:
        """Records of a type matching the safe `where` filter, with document and chunk sources."""
        if kind not in RECORD_TYPES:
            raise InvalidInputError(
                f"unknown record type {kind!r}", hint=f"types: {', '.join(RECORD_TYPES)}"
            )
        keep = parse_where(where)
        rows = [r for r in self.q.records(kind, principal) if keep(r["fields"])]
        return rows[: max(1, min(limit, 10_000))]

    # --- export ---------------------------------------------------------------------------
    def export(self, fmt: str, *, principal: Principal) -> str:
        """The visible graph as GraphML or JSON-LD text."""
        if fmt not in ("graphml", "jsonld"):
            raise InvalidInputError(f"unknown format {fmt!r}", hint="use graphml or jsonld")
        nodes = self.q.visible_entities(principal)
        ids = {n["id"] for n in nodes}
        shown = self.shown(sorted(ids), principal)
        nodes = [{**n, "name": shown[n["id"]]["name"]} for n in nodes if n["id"] in shown]
        edges = [
            (a, "co_mentioned", b, n)
            for a, b, n in self.q.co_mention_edges(principal)
            if a in ids and b in ids
        ]
        rels = self.q.relations(sorted(ids), principal, limit=10_000)
        edges += [(r["src_id"], r["rel"], r["dst_id"], 1) for r in rels]
        return _graphml(nodes, edges) if fmt == "graphml" else _jsonld(nodes, edges)

    # --- edits ----------------------------------------------------------------------------
    def merge(self, keep: str, gone: str) -> dict[str, Any]:
        """Merge entity `gone` into `keep` (its name stays as an alias)."""
        owner = Principal.owner()
        a, b = self._one(keep, owner), self._one(gone, owner)
        if a == b:
            raise InvalidInputError(
                f"{keep!r} and {gone!r} are already one entity", hint="nothing to merge"
            )
        self.q.merge(a, b)
        return self.q.entities([a])[a]

    def alias(self, name: str, alias: str) -> dict[str, Any]:
        """Make `alias` another name of the entity `name` (from now on, and for its existing
        entity of that name, if any)."""
        eid = self._one(name, Principal.owner())
        kind = self.q.entities([eid])[eid]["type"]
        self.q.alias(kind, name_key(kind, _check_name(alias)), alias, eid)
        return self.q.entities([eid])[eid]

    # --- graph-aware retrieval --------------------------------------------------------
    def question_entities(self, question: str, principal: Principal) -> list[int]:
        """Visible entities named in a question: extracted names, and known names/aliases."""
        from ebrain.kg.enricher import known_names

        with self.engine.connect() as conn:
            gazetteer = known_names(conn)
        found = extract_entities(question[:2000], None, gazetteer)
        keys = [
            (m.type, name_key(m.type, m.name)) for m in found if m.type not in ("date", "amount")
        ]
        return self.q.find(None, keys, principal) if keys else []

    def linked_documents(
        self, question: str, principal: Principal, hops: int = 1, neighbours: int = 5
    ) -> dict[int, tuple[float, int]]:
        """Documents linked to the entities the question names (weight 1) and, with hops, to
        their nearest neighbours (explicit relations first, then organizations, projects,
        contracts, cases, then people, most often mentioned with them; the first weighs 0.5,
        each next one 0.1 less, down to 0.2; a document keeps its best neighbour):
        document id -> (weight, the chunk that mentions most of them)."""
        seeds = self.question_entities(question, principal)
        if not seeds:
            return {}
        out: dict[int, tuple[float, int]] = {
            d: (1.0, chunk) for d, (_n, chunk) in self.q.documents_of(seeds, principal).items()
        }
        if hops <= 0:
            return out
        bonus: dict[int, tuple[float, int]] = {}
        for rank, near in enumerate(self._neighbours(seeds, principal, neighbours)):
            weight = max(0.2, 0.5 - 0.1 * rank)
            for d, (_n, chunk) in self.q.documents_of([near], principal).items():
                if d not in bonus or bonus[d][0] < weight:
                    bonus[d] = (weight, chunk)
        for d, (weight, chunk) in bonus.items():
            base, best = out.get(d, (0.0, chunk))
            out[d] = (base + weight, best)
        return out

    def _neighbours(self, seeds: list[int], principal: Principal, limit: int) -> list[int]:
        partners = self.q.relation_partners(seeds, principal)
        co = [c for c, _d, _k in self.q.co_mentions(seeds, principal, limit=50)]
        both = list(dict.fromkeys(partners + co))  # related first, then the most shared
        info = self.q.entities(both)
        rank = {t: i for i, t in enumerate(_BRIDGE_TYPES)}
        bridges = sorted(
            (c for c in both if info.get(c, {}).get("type") in rank),
            key=lambda c: rank[info[c]["type"]],
        )  # stable within a type
        return bridges[:limit]

    # --- structured questions ---------------------------------------------------------
    def ask(self, question: str, *, principal: Principal) -> dict[str, Any] | None:
        """A structured question answered from the records with citations ("2023年和A公司签的
        合同总金额是多少?"), or None when it is not one (then use search / ask)."""
        from ebrain.kg.structured import ask_records

        require_principal(principal)
        if not question.strip() or len(question) > 2000:
            raise InvalidInputError("invalid question", hint="ask in 1 to 2000 characters")
        ids = self.question_entities(question, principal)
        orgs = [i for i, e in self.q.entities(ids).items() if e["type"] == "org"]
        return ask_records(
            question,
            principal,
            lambda kind, who: self.q.records(kind, who),
            self.q.entities,
            orgs,
        )

    # --- re-extraction ----------------------------------------------------------------------
    def pending_extract(self) -> list[tuple[int, int]]:
        """(kb id, current versions) the next `extract` would process (all current versions)."""
        v, d = t.version.c, t.document.c
        q = (
            sa.select(d.kb_id, sa.func.count())
            .join(t.document, d.id == v.document_id)
            .where(v.retired_at.is_(None))
            .group_by(d.kb_id)
        )
        with self.engine.connect() as conn:
            return [(int(r[0]), int(r[1])) for r in conn.execute(q)]

    def estimate(self) -> dict[str, Any]:
        """What `extract` would process: documents, chunks, characters; no model cost offline."""
        v, d, c = t.version.c, t.document.c, t.chunk.c
        current = sa.select(v.id).where(v.retired_at.is_(None))
        with self.engine.connect() as conn:
            docs = (
                conn.execute(
                    sa.select(sa.func.count()).select_from(t.version).where(v.retired_at.is_(None))
                ).scalar()
                or 0
            )
            chunks, chars = conn.execute(
                sa.select(
                    sa.func.count(), sa.func.coalesce(sa.func.sum(sa.func.length(c.text)), 0)
                ).where(c.version_id.in_(current))
            ).one()
        del d
        return {
            "extractor": "offline",
            "documents": int(docs),
            "chunks": int(chunks),
            "characters": int(chars),
            "model_tokens": 0,
            "cost": 0.0,
        }

    def extract(self, progress: Callable[[Any], None] | None = None) -> dict[str, Any]:
        """Re-run the offline extractor over every current document version."""
        from ebrain.ingest.enrich import enrich_pending
        from ebrain.kg.enricher import NAME, KgEnricher

        with write_conn(self.engine) as conn, conn.begin():
            conn.execute(sa.delete(t.enrichment).where(t.enrichment.c.enricher == NAME))
        failures = []
        for kb_id, _n in self.pending_extract():
            failures += enrich_pending(self.engine, kb_id, [KgEnricher()], progress)
        with write_conn(self.engine) as conn, conn.begin():
            drop_orphans(conn)  # entities of deleted documents too
        return {**self.estimate(), "failures": [f.__dict__ for f in failures]}


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInputError("invalid entity name", hint=f"give 1 to {MAX_NAME} characters")
    return name


def _graphml(nodes: list[dict[str, Any]], edges: list[tuple[int, str, int, int]]) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '<key id="type" for="node" attr.name="type" attr.type="string"/>',
        '<key id="name" for="node" attr.name="name" attr.type="string"/>',
        '<key id="rel" for="edge" attr.name="rel" attr.type="string"/>',
        '<key id="weight" for="edge" attr.name="weight" attr.type="int"/>',
        '<graph id="ebrain" edgedefault="directed">',
    ]
    for n in nodes:
        out.append(
            f'<node id="e{n["id"]}"><data key="type">{escape(n["type"])}</data><data key="name">{escape(n["name"])}</data></node>'
        )
    for a, rel, b, w in edges:
        out.append(
            f'<edge source="e{a}" target="e{b}"><data key="rel">{escape(rel)}</data><data key="weight">{w}</data></edge>'
        )
    out += ["</graph>", "</graphml>"]
    return "\n".join(out) + "\n"


def _jsonld(nodes: list[dict[str, Any]], edges: list[tuple[int, str, int, int]]) -> str:
    links: dict[int, list[dict[str, Any]]] = {}
    for a, rel, b, w in edges:
        links.setdefault(a, []).append({"rel": rel, "target": f"_:e{b}", "weight": w})
    graph = [
        {
            "@id": f"_:e{n['id']}",
            "@type": n["type"],
            "name": n["name"],
            "links": links.get(n["id"], []),
        }
        for n in nodes
    ]
    doc = {
        "@context": {"@vocab": "https://schema.org/", "links": "https://ebrain.example/kg#links"},
        "@graph": graph,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


class ModelExtraction:
    """The model extractor over a workspace's gateway (ebrain.kg.model_extract)."""

    def __init__(self, graph: KnowledgeGraph, model: str) -> None:
        if graph._gateway is None:
            raise InvalidInputError("no model gateway", hint="declare a model under models:")
        self.graph = graph
        self.gateway = graph._gateway()
        self.model = model
        self.spec = self.gateway.catalog.get(model)

    def estimate(self) -> dict[str, Any]:
        """Tokens and cost before a run."""
        from ebrain.kg.model_extract import estimate

        run = estimate(self.graph.engine, self.model, self.spec.price.cost)
        return {"extractor": "model", **run.to_dict()}

    def run(self, budget_tokens: int) -> dict[str, Any]:
        """Extract with the model up to the token budget."""
        from ebrain.kg.model_extract import extract_with_model
        from ebrain.models.types import CompletionRequest

        def complete(system: str, text: str) -> tuple[str, int, int]:
            request = CompletionRequest.from_prompt(text, system, temperature=0.0, max_tokens=800)
            done = self.gateway.complete(request, model=self.model, fallback=False)
            return done.text, done.usage.prompt_tokens, done.usage.completion_tokens

        run = extract_with_model(
            self.graph.engine, self.model, complete, budget_tokens, self.spec.price.cost
        )
        return {"extractor": "model", "budget_tokens": budget_tokens, **run.to_dict()}
