"""Fit the adaptive fusion's gate on tune splits; report it per set and leave-one-set-out.

Replays the raw BM25 and dense lists (and the lexical evidence) dumped by bench/retrieval.py
(bench/results/sides-*.pkl):

    .venv/bin/python bench/tune_fusion.py [--sets ...] [--out bench/results/fusion_fit.json]

The gate is w_bm25 = sigmoid(bias + sum_f coef_f * evidence_f) over the features of
ebrain.retrieve.fusion.FEATURES. The fit, on the tune queries of the chosen sets (each set
weighs the same, whatever its size):

1. every tune query is fused at w = 0, 0.1, ..., 1 and scored (nDCG@10);
2. a logistic regression (L2, standardized features) learns the best w of each query, each
   query weighted by how much the choice matters for it (best minus worst nDCG@10 over w);
3. gradient ascent from there on the mean nDCG@10 itself (piecewise-linear in w between the
   grid points), with the same L2 penalty.

Reported:
- **fit**: fit on the tune splits of every set, scored on each set's *test* split (the shipped
  constants of ebrain.retrieve.fusion: FITTED, FITTED_BIAS);
- **leave-one-set-out**: for each set, fit on the tune splits of the *other* sets only, scored
  on the held-out set's test split;
- reference rows on the same lists: BM25, dense, RRF (k = 60), 0.5/0.5 weighted, the previous
  gate (peakedness + overlap, fit on cmrc2018_dev and drcd_dev only).

qmsum_tune and qmsum_test are both the set "qmsum" (QMSum's val and test splits).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from splits import SEED, describe, select

from ebrain.evaluate import evaluate_run, paired_bootstrap
from ebrain.evaluate.metrics import ndcg_at_k
from ebrain.retrieve.fusion import FEATURES, FusionConfig, evidence, flat, fuse, weighted

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SETS = ["cmrc2018_dev", "drcd_dev", "para_cmrc2018", "xling_en_zh", "para_drcd"]
GRID = np.linspace(0.0, 1.0, 11)
L2 = 0.05
SD_FLOOR = 0.05  # features live in [0, 1] (rank_corr in [-1, 1]): no near-constant feature gets a huge raw slope
PREVIOUS = FusionConfig(bias=0.0, coef=(("peak_bm25", 6.0), ("peak_dense", -6.0), ("overlap", 2.0)))
Config = FusionConfig | str


def family(name: str) -> str:
    """The set a dump belongs to (qmsum_tune and qmsum_test are both qmsum)."""
    return "qmsum" if name.startswith("qmsum") else name


def load(names: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """split -> set family -> {qrels, sides, c2d} restricted to that split's queries."""
    out: dict[str, dict[str, dict[str, Any]]] = {"tune": {}, "test": {}}
    for name in names:
        path = RESULTS / f"sides-{name}.pkl"
        if not path.exists():
            print(f"skipped {name}: no {path.name} (run bench/retrieval.py)", file=sys.stderr)
            continue
        data = pickle.loads(path.read_bytes())
        for split in out:
            keep = select(name, data["sides"], split)
            if keep:
                part = {**data, "sides": {q: data["sides"][q] for q in keep}}
                out[split][family(name)] = part
    return out


def run_of(data: dict[str, Any], cfg: Config) -> dict[str, list[str]]:
    """Ranked document ids of one fusion for every query of a dump."""
    c2d, out = data["c2d"], {}
    for qid, side in data["sides"].items():
        if cfg in ("bm25", "dense"):
            ranking = side[cfg]
        else:
            assert isinstance(cfg, FusionConfig)
            ranking = fuse(side["bm25"], side["dense"], cfg, side.get("stats")).ranking
        out[qid] = list(dict.fromkeys(c2d[c] for c, _ in ranking))
    return out


def per_query(data: dict[str, Any], cfg: Config) -> dict[str, float]:
    """nDCG@10 of one fusion for every query of a dump."""
    return {q: ndcg_at_k(docs, data["qrels"][q], 10) for q, docs in run_of(data, cfg).items()}


def score(data: dict[str, Any], cfg: Config) -> float:
    """Mean nDCG@10 of one fusion over a dump's queries."""
    values = per_query(data, cfg)
    return sum(values.values()) / max(1, len(values))


def table(data: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per query of a dump: its features, its flat-side flags, nDCG@10 at every grid weight."""
    feats, table_, forced = [], [], []
    c2d = data["c2d"]
    for qid, side in data["sides"].items():
        bm25, dense = side["bm25"], side["dense"]
        ev = evidence(bm25, dense, side.get("stats"))
        feats.append([ev[f] for f in FEATURES])
        row = []
        for w in GRID:
            ranking = bm25 if not dense else dense if not bm25 else weighted(bm25, dense, w, 50)
            docs = list(dict.fromkeys(c2d[c] for c, _ in ranking))
            row.append(ndcg_at_k(docs, data["qrels"][qid], 10))
        table_.append(row)
        fb, fd = flat(bm25, 50), flat(dense, 50)
        forced.append(not bm25 or not dense or fb != fd)
    return {"x": np.array(feats), "ndcg": np.array(table_), "forced": np.array(forced)}


def fit_gate(
    tables: list[dict[str, np.ndarray]], used: tuple[str, ...] = FEATURES
) -> tuple[float, dict[str, float]]:
    """Bias and per-feature coefficients (raw feature scale) fit on these sets' tune tables;
    features not in `used` get 0."""
    keep = [FEATURES.index(f) for f in used]
    x = np.vstack([t["x"][:, keep] for t in tables])
    nd = np.vstack([t["ndcg"] for t in tables])
    free = ~np.concatenate([t["forced"] for t in tables])
    share = np.concatenate([np.full(len(t["x"]), 1.0 / len(t["x"])) for t in tables])
    x, nd, share = x[free], nd[free], share[free] * len(tables)
    mu, sd = x.mean(0), np.maximum(x.std(0), SD_FLOOR)
    xs = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    best = (nd == nd.max(1, keepdims=True)).astype(float)
    target = (best * GRID).sum(1) / best.sum(1)
    stake = (nd.max(1) - nd.min(1)) * share
    theta = _logistic(xs, target, stake)
    theta = _ascend(xs, nd, share, theta)
    coef = theta[1:] / sd
    bias = float(theta[0] - (coef * mu).sum())
    out = dict.fromkeys(FEATURES, 0.0)
    out.update({f: float(c) for f, c in zip(used, coef, strict=True)})
    return bias, out


def _logistic(xs: np.ndarray, y: np.ndarray, weight: np.ndarray, steps: int = 50) -> np.ndarray:
    """Weighted logistic regression with soft targets (Newton steps, L2 on the slopes)."""
    theta = np.zeros(xs.shape[1])
    reg = np.full(xs.shape[1], L2)
    reg[0] = 0.0
    total = max(weight.sum(), 1e-9)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xs @ theta))
        grad = xs.T @ (weight * (p - y)) / total + reg * theta
        hess = (xs * (weight * p * (1 - p))[:, None]).T @ xs / total + np.diag(reg + 1e-6)
        theta -= np.linalg.solve(hess, grad)
    return theta


def _ascend(
    xs: np.ndarray, nd: np.ndarray, share: np.ndarray, theta: np.ndarray, steps: int = 400
) -> np.ndarray:
    """Gradient ascent on the share-weighted mean nDCG@10, linear in w between grid points."""
    reg = np.full(xs.shape[1], L2)
    reg[0] = 0.0
    slope = np.diff(nd, axis=1) / (GRID[1] - GRID[0])
    rows = np.arange(len(nd))
    total = share.sum()
    lr = 0.5
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xs @ theta))
        cell = np.minimum((p * (len(GRID) - 1)).astype(int), len(GRID) - 2)
        d_ndcg = slope[rows, cell] * p * (1 - p)
        grad = xs.T @ (share * d_ndcg) / total - reg * theta
        theta = theta + lr * grad
    return theta


def config(bias: float, coef: dict[str, float]) -> FusionConfig:
    """The adaptive fusion with these gate parameters."""
    return FusionConfig(bias=round(bias, 3), coef=tuple((f, round(coef[f], 3)) for f in FEATURES))


def references() -> dict[str, Config]:
    """The rows every set is reported with, besides the fit."""
    return {
        "bm25": "bm25",
        "dense": "dense",
        "rrf k=60": FusionConfig(method="rrf"),
        "weighted w=0.5": FusionConfig(method="weighted", bm25_weight=0.5),
        "previous gate": PREVIOUS,
    }


def fit(
    splits: dict[str, dict[str, dict[str, Any]]], used: tuple[str, ...] = FEATURES
) -> dict[str, Any]:
    """The all-sets fit with its test figures, and the leave-one-set-out figures."""
    tables = {n: table(d) for n, d in splits["tune"].items()}
    bias, coef = fit_gate(list(tables.values()), used)
    chosen = config(bias, coef)
    out: dict[str, Any] = {
        "split": describe(),
        "seed": SEED,
        "metric": "nDCG@10",
        "features": list(used),
        "tune_sets": {n: len(d["sides"]) for n, d in splits["tune"].items()},
        "test_sets": {n: len(d["sides"]) for n, d in splits["test"].items()},
        "params": {"bias": chosen.bias, "coef": dict(chosen.coef)},
        "tune": {n: score(d, chosen) for n, d in splits["tune"].items()},
        "test": _test_figures(splits["test"], chosen),
        "leave_one_set_out": {},
    }
    for held in sorted(splits["test"]):
        others = [n for n in tables if n != held]
        if not others:
            continue
        b, c = fit_gate([tables[n] for n in others], used)
        cfg = config(b, c)
        data = splits["test"][held]
        row = {k: score(data, r) for k, r in references().items()}
        out["leave_one_set_out"][held] = {
            "fit_on_tune_of": others,
            "params": {"bias": cfg.bias, "coef": dict(cfg.coef)},
            "fit": score(data, cfg),
            **row,
            "queries": len(data["sides"]),
        }
    return out


def _test_figures(test: dict[str, dict[str, Any]], cfg: FusionConfig) -> dict[str, Any]:
    """Per test set: nDCG@10 of the fit and the reference rows; all metrics of the fit and its
    parts; paired bootstrap of the fit against each part."""
    rivals: dict[str, Config] = {"fit": cfg, **references()}
    out: dict[str, Any] = {}
    for name, data in test.items():
        out[name] = {k: score(data, c) for k, c in rivals.items()}
        out[name]["queries"] = len(data["sides"])
        qrels = {q: data["qrels"][q] for q in data["sides"]}
        out[name]["metrics"] = {
            k: evaluate_run(run_of(data, rivals[k]), qrels) for k in ("fit", "bm25", "dense")
        }
        mine = per_query(data, cfg)
        for part in ("bm25", "dense"):
            c = paired_bootstrap(mine, per_query(data, part))
            out[name][f"fit - {part}"] = {"mean": c.mean_diff, "low": c.low, "high": c.high}
    return out


def main() -> None:
    """Fit, print and write the results JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", nargs="*", default=DEFAULT_SETS)
    parser.add_argument("--out", type=Path, default=RESULTS / "fusion_fit.json")
    parser.add_argument("--features", nargs="*", default=list(FEATURES), choices=FEATURES)
    args = parser.parse_args()
    result = fit(load(args.sets), tuple(args.features))
    result["command"] = "python bench/tune_fusion.py " + " ".join(sys.argv[1:])
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("params", "tune", "leave_one_set_out")}, indent=1))


if __name__ == "__main__":
    main()
