"""The model extractor: entities from a configured model, when the user chooses to pay for it.

Each chunk is sent once per model with a JSON schema to follow; the answer is validated (types
from ENTITY_TYPES, names that occur in the chunk: nothing the text does not say is kept) and
cached per (chunk hash, model) in the catalog, so a re-run or a re-ingested unchanged chunk costs
nothing. `estimate` gives the tokens and the cost before a run (prices from `models:` in
config.yaml); a run stops before the call that would pass the token budget.

The model's entities are stored as mentions marked `{"by": "model"}`, next to the offline ones;
re-ingesting a document clears them with the rest of its facts (a re-run reads the cache).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ebrain.catalog import kg_queries as q
from ebrain.catalog import schema as t
from ebrain.catalog.db import write_conn
from ebrain.kg.entities import ENTITY_TYPES
from ebrain.kg.resolve import name_key

MODEL_TYPES = tuple(x for x in ENTITY_TYPES if x not in ("amount", "date"))
MAX_ENTITIES = 200
OUTPUT_TOKENS = 300  # expected completion tokens per chunk, for the estimate
SCHEMA = {
    "type": "object",
    "properties": {
        "entities": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"enum": list(MODEL_TYPES)},
                    "name": {"type": "string", "minLength": 1, "maxLength": 200},
                },
                "required": ["type", "name"],
            },
        }
    },
    "required": ["entities"],
}
SYSTEM = (
    "Extract the named entities of the user's text. Answer with JSON only, following this JSON "
    "schema: " + json.dumps(SCHEMA) + ". Write each name exactly as the text writes it. Types: "
    "org (companies, organizations), person, product (products and models), project, department, "
    "location, contract (contract numbers), case (fault-analysis or ticket numbers)."
)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")
_CJK = re.compile(r"[\u3400-\u9fff]")


def chunk_hash(text: str) -> str:
    """The cache key of a chunk's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def estimate_tokens(text: str) -> int:
    """Prompt tokens of one chunk's request, roughly: one per CJK character, one per 4 others."""
    full = SYSTEM + text
    cjk = len(_CJK.findall(full))
    return cjk + (len(full) - cjk) // 4 + 8


def validate(answer: str, chunk: str) -> list[tuple[str, str]] | None:
    """(type, name) pairs of a schema-valid answer whose names occur in the chunk; None when the
    answer is not valid JSON of the schema."""
    try:
        data = json.loads(_FENCE.sub("", answer.strip()))
    except ValueError:
        return None
    items = data.get("entities") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    out: list[tuple[str, str]] = []
    for item in items[:MAX_ENTITIES]:
        if not isinstance(item, dict):
            return None
        kind, name = item.get("type"), item.get("name")
        if kind not in MODEL_TYPES or not isinstance(name, str) or not 0 < len(name) <= 200:
            return None
        if name.strip() and name.strip() in chunk:
            out.append((str(kind), name.strip()))
    return out


@dataclass
class ModelRun:
    """What a model extraction did (or, for an estimate, would do)."""

    model: str
    chunks: int = 0
    cached: int = 0
    called: int = 0
    invalid: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    stopped_at_budget: bool = False
    mentions: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The --json shape."""
        return {**self.__dict__, "cost": round(self.cost, 6), "errors": self.errors[:20]}


Complete = Callable[[str, str], tuple[str, int, int]]  # (system, text) -> (answer, in, out)


def current_chunks(engine: sa.Engine) -> list[tuple[int, int, str]]:
    """(chunk id, document id, text) of every current version, in order."""
    c, v = t.chunk.c, t.version.c
    query = (
        sa.select(c.id, c.document_id, c.text)
        .join(t.version, v.id == c.version_id)
        .where(v.retired_at.is_(None))
        .order_by(c.document_id, c.ord)
    )
    with engine.connect() as conn:
        return [(int(r[0]), int(r[1]), str(r[2])) for r in conn.execute(query)]


def cached(engine: sa.Engine, model: str) -> set[str]:
    """Chunk hashes already answered by this model."""
    m = t.kg_model_cache.c
    with engine.connect() as conn:
        return set(conn.execute(sa.select(m.chunk_hash).where(m.model == model)).scalars())


def estimate(engine: sa.Engine, model: str, price: Callable[[int, int], float]) -> ModelRun:
    """Tokens and cost of extracting every chunk not cached yet for `model`."""
    run = ModelRun(model)
    done = cached(engine, model)
    for _cid, _doc, text in current_chunks(engine):
        run.chunks += 1
        if chunk_hash(text) in done:
            run.cached += 1
            continue
        run.prompt_tokens += estimate_tokens(text)
        run.completion_tokens += OUTPUT_TOKENS
    run.cost = price(run.prompt_tokens, run.completion_tokens)
    return run


def extract_with_model(
    engine: sa.Engine,
    model: str,
    complete: Complete,
    budget_tokens: int,
    price: Callable[[int, int], float],
) -> ModelRun:
    """Run the model over every current chunk (cache first); stop before passing the budget."""
    run = ModelRun(model)
    found: dict[int, list[tuple[int, str, str]]] = {}  # document -> (chunk, type, name)
    for cid, doc, text in current_chunks(engine):
        run.chunks += 1
        pairs = _cached_answer(engine, model, text)
        if pairs is None:
            if run.prompt_tokens + run.completion_tokens + estimate_tokens(text) > budget_tokens:
                run.stopped_at_budget = True
                break
            pairs = _call(engine, model, complete, text, run)
        else:
            run.cached += 1
        found.setdefault(doc, []).extend((cid, k, n) for k, n in pairs or [])
    run.cost = price(run.prompt_tokens, run.completion_tokens)
    run.mentions = _store(engine, found)
    return run


def _cached_answer(engine: sa.Engine, model: str, text: str) -> list[tuple[str, str]] | None:
    m = t.kg_model_cache.c
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(m.output).where(m.chunk_hash == chunk_hash(text), m.model == model)
        ).first()
    return None if row is None else [(k, n) for k, n in json.loads(row[0])]


def _call(
    engine: sa.Engine, model: str, complete: Complete, text: str, run: ModelRun
) -> list[tuple[str, str]]:
    try:
        answer, p_tokens, c_tokens = complete(SYSTEM, text)
    except Exception as exc:  # a failed call is reported, never fatal to the run
        run.errors.append(f"{type(exc).__name__}: {exc}"[:300])
        return []
    run.called += 1
    run.prompt_tokens += p_tokens
    run.completion_tokens += c_tokens
    pairs = validate(answer, text)
    if pairs is None:
        run.invalid += 1
        return []
    with write_conn(engine) as conn, conn.begin():
        conn.execute(
            sa.insert(t.kg_model_cache).values(
                chunk_hash=chunk_hash(text), model=model, output=json.dumps(pairs)
            )
        )
    return pairs


_BY_MODEL = json.dumps({"by": "model"})


def _store(engine: sa.Engine, found: dict[int, list[tuple[int, str, str]]]) -> int:
    """Replace the model's mentions of these documents; return how many were written."""
    m = t.kg_mention.c
    rows: list[dict[str, Any]] = []
    with write_conn(engine) as conn, conn.begin():
        for doc, items in found.items():
            conn.execute(sa.delete(t.kg_mention).where(m.document_id == doc, m.value == _BY_MODEL))
            texts = dict(
                conn.execute(
                    sa.select(t.chunk.c.id, t.chunk.c.text).where(
                        t.chunk.c.id.in_({c for c, _k, _n in items})
                    )
                ).all()
            )
            for chunk, kind, name in items:
                start = str(texts.get(chunk, "")).find(name)
                entity = q.entity_id(conn, kind, name_key(kind, name), name)
                rows.append(
                    {
                        "entity_id": entity,
                        "document_id": doc,
                        "chunk_id": chunk,
                        "start": max(0, start),
                        "end": max(0, start) + len(name),
                        "text": name,
                        "value": _BY_MODEL,
                    }
                )
        q.insert_mentions(conn, rows)
    return len(rows)
