"""Fit the fusion on tune splits, report it on test splits.

Replays the raw BM25 and dense lists dumped by bench/retrieval.py (bench/results/sides-*.pkl)
through each fusion method of a grid:

    .venv/bin/python bench/tune_fusion.py [--sets ...] [--out bench/results/fusion_fit.json]

- **fit**: the configuration with the best mean (over sets) nDCG@10 on the *tune* split of every
  set (bench/splits.py), reported on each set's *test* split. These are the shipped constants of
  ebrain.retrieve.fusion.FusionConfig.
- **leave-one-set-out**: for each set, fit on the tune splits of the *other* sets only, report
  on the held-out set's test split (how the choice transfers to a set it never saw).

qmsum's tune split is the qmsum_tune set (QMSum val) and its test split the qmsum_test set
(QMSum test); both count as the one set "qmsum". The chosen parameters, the splits, the seed
and every figure go into the results JSON.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from splits import SEED, describe, select

from ebrain.evaluate import evaluate_run, paired_bootstrap
from ebrain.evaluate.metrics import ndcg_at_k
from ebrain.retrieve.fusion import FusionConfig, fuse

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SETS = ["cmrc2018_dev", "drcd_dev", "vcsum", "qmsum_tune", "qmsum_test"]
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
            ranking = fuse(side["bm25"], side["dense"], cfg).ranking
        out[qid] = list(dict.fromkeys(c2d[c] for c, _ in ranking))
    return out


def per_query(data: dict[str, Any], cfg: Config) -> dict[str, float]:
    """nDCG@10 of one fusion for every query of a dump."""
    return {q: ndcg_at_k(docs, data["qrels"][q], 10) for q, docs in run_of(data, cfg).items()}


def score(data: dict[str, Any], cfg: Config) -> float:
    """Mean nDCG@10 of one fusion over a dump's queries."""
    values = per_query(data, cfg)
    return sum(values.values()) / max(1, len(values))


def grid() -> list[FusionConfig]:
    """Candidate adaptive gates, plus fixed weights and RRF."""
    cands = [
        FusionConfig(method="rrf"),
        *(FusionConfig(method="weighted", bm25_weight=w / 10) for w in range(1, 10)),
    ]
    for bias, peak, agree in itertools.product(
        (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5), (0.0, 2.0, 4.0, 6.0, 8.0), (-1.0, 0.0, 1.0, 2.0)
    ):
        cands.append(FusionConfig(bias=bias, peak=peak, agree=agree))
    return cands


def label(cfg: FusionConfig) -> str:
    """A short name for a configuration."""
    if cfg.method == "rrf":
        return "rrf"
    if cfg.method == "weighted":
        return f"weighted w={cfg.bm25_weight:.1f}"
    return f"adaptive bias={cfg.bias} peak={cfg.peak} agree={cfg.agree}"


def params(cfg: FusionConfig) -> dict[str, Any]:
    """The fitted parameters of a configuration."""
    if cfg.method == "adaptive":
        return {"method": "adaptive", "bias": cfg.bias, "peak": cfg.peak, "agree": cfg.agree}
    if cfg.method == "weighted":
        return {"method": "weighted", "bm25_weight": cfg.bm25_weight}
    return {"method": "rrf", "rrf_k": cfg.rrf_k}


def best(table: dict[str, dict[str, float]], sets: list[str]) -> str:
    """The configuration with the best mean over `sets` (first in grid order on ties)."""
    return max(table, key=lambda k: sum(table[k][n] for n in sets) / len(sets))


def fit(splits: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """The tune-split fit, its test figures, and the leave-one-set-out figures."""
    cands = {label(c): c for c in grid()}
    tune = {k: {n: score(d, c) for n, d in splits["tune"].items()} for k, c in cands.items()}
    tested = sorted(splits["test"])
    chosen = best(tune, sorted(splits["tune"]))
    out: dict[str, Any] = {
        "split": describe(),
        "seed": SEED,
        "metric": "nDCG@10",
        "candidates": len(cands),
        "tune_sets": {n: len(d["sides"]) for n, d in splits["tune"].items()},
        "test_sets": {n: len(d["sides"]) for n, d in splits["test"].items()},
        "chosen": label(cands[chosen]),
        "params": params(cands[chosen]),
        "tune": {n: tune[chosen][n] for n in splits["tune"]},
        "test": _test_figures(splits["test"], cands[chosen]),
        "leave_one_set_out": {},
    }
    for held in tested:
        others = [n for n in splits["tune"] if n != held]
        if not others:
            out["leave_one_set_out"][held] = {"fit_on_tune_of": [], "note": "no other set"}
            continue
        pick = best(tune, others)
        out["leave_one_set_out"][held] = {
            "fit_on_tune_of": others,
            "chosen": pick,
            "test": score(splits["test"][held], cands[pick]),
        }
    return out


def _test_figures(test: dict[str, dict[str, Any]], cfg: FusionConfig) -> dict[str, Any]:
    """Per test set: nDCG@10 of the fit, BM25 alone, dense alone, RRF and 0.5/0.5 weighted;
    all metrics of the fit and its parts; paired bootstrap of the fit against each part."""
    rivals: dict[str, Config] = {
        "fit": cfg,
        "bm25": "bm25",
        "dense": "dense",
        "rrf": FusionConfig(method="rrf"),
        "weighted w=0.5": FusionConfig(method="weighted", bm25_weight=0.5),
    }
    out: dict[str, Any] = {}
    for name, data in test.items():
        out[name] = {k: score(data, c) for k, c in rivals.items()}
        out[name]["queries"] = len(data["sides"])
        qrels = {q: data["qrels"][q] for q in data["sides"]}
        out[name]["metrics"] = {
            k: evaluate_run(run_of(data, rivals[k]), qrels) for k in ("fit", "bm25", "dense")
        }
        fit = per_query(data, cfg)
        for part in ("bm25", "dense"):
            c = paired_bootstrap(fit, per_query(data, part))
            out[name][f"fit - {part}"] = {"mean": c.mean_diff, "low": c.low, "high": c.high}
    return out


def main() -> None:
    """Fit, print and write the results JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", nargs="*", default=DEFAULT_SETS)
    parser.add_argument("--out", type=Path, default=RESULTS / "fusion_fit.json")
    args = parser.parse_args()
    result = fit(load(args.sets))
    result["command"] = "python bench/tune_fusion.py " + " ".join(sys.argv[1:])
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
