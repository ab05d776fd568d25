"""Choose the fusion by measurement: replay the raw BM25 and dense lists dumped by
bench/retrieval.py (bench/results/sides-*.pkl) through each fusion method and grid.

    .venv/bin/python bench/tune_fusion.py [--sets ...]

Guards against overfitting: parameters are chosen by leave-one-set-out (fit on the other
sets, score on the held-out one) and the mean of the held-out scores is what is reported.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import sys
from pathlib import Path
from typing import Any

from ebrain.evaluate.metrics import ndcg_at_k
from ebrain.retrieve.fusion import FusionConfig, fuse
from ebrain.retrieve.searcher import _CODE

RESULTS = Path(__file__).resolve().parent / "results"


def load(names: list[str]) -> dict[str, dict[str, Any]]:
    """The dumped sides of every available set."""
    out = {}
    for name in names:
        path = RESULTS / f"sides-{name}.pkl"
        if path.exists():
            out[name] = pickle.loads(path.read_bytes())
    return out


def score(data: dict[str, Any], cfg: FusionConfig | str) -> float:
    """Mean nDCG@10 of one fusion over a set's queries."""
    c2d, total = data.get("c2d"), 0.0
    for qid, raw in data["sides"].items():
        side = raw if c2d else {**raw, "bm25": _first(raw["bm25"]), "dense": _first(raw["dense"])}
        if cfg == "bm25":
            ranking = side["bm25"]
        elif cfg == "dense":
            ranking = side["dense"]
        else:
            assert isinstance(cfg, FusionConfig)
            ranking = fuse(
                side["bm25"], side["dense"], cfg, bool(_CODE.search(side["query"]))
            ).ranking
        docs = list(dict.fromkeys(c2d[c] for c, _ in ranking)) if c2d else [d for d, _ in ranking]
        total += ndcg_at_k(docs, data["qrels"][qid], 10)
    return total / max(1, len(data["sides"]))


def _first(ranked: list[tuple[Any, float]]) -> list[tuple[Any, float]]:
    """Keep each id's first (best) score: lists dumped per document rather than per chunk."""
    seen: set[Any] = set()
    return [(i, sc) for i, sc in ranked if not (i in seen or seen.add(i))]


def grid() -> list[FusionConfig]:
    """Candidate adaptive gates, plus fixed weights and RRF."""
    cands = [
        FusionConfig(method="rrf"),
        *(FusionConfig(method="weighted", bm25_weight=w / 10) for w in range(1, 10)),
    ]
    for bias, peak, code, agree in itertools.product(
        (-1.5, -1.0, -0.5, 0.0, 0.5), (0.0, 2.0, 4.0, 6.0, 8.0), (0.0, 1.0), (-1.0, 0.0, 1.0)
    ):
        cands.append(FusionConfig(bias=bias, peak=peak, code=code, agree=agree))
    return cands


def label(cfg: FusionConfig) -> str:
    """A short name for a configuration."""
    if cfg.method == "rrf":
        return "rrf"
    if cfg.method == "weighted":
        return f"weighted w={cfg.bm25_weight:.1f}"
    return f"adaptive bias={cfg.bias} peak={cfg.peak} code={cfg.code} agree={cfg.agree}"


def main() -> None:
    """Print the table and the leave-one-set-out choice."""
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--sets", nargs="*", default=["cmrc2018_dev", "drcd_dev", "vcsum", "qmsum_test"]
    )
    sets = load(parser.parse_args().sets)
    base = {n: (score(d, "bm25"), score(d, "dense")) for n, d in sets.items()}
    for n, (b, d) in base.items():
        print(f"{n}: bm25 {b:.4f} dense {d:.4f}")
    cands = grid()
    table = {label(c): {n: score(d, c) for n, d in sets.items()} for c in cands}
    by_cfg = {label(c): c for c in cands}
    for held in sets:
        fit = max(table, key=lambda k: sum(v for n, v in table[k].items() if n != held))
        print(
            f"held out {held}: choose [{fit}] -> {table[fit][held]:.4f} "
            f"(best of own parts {max(base[held]):.4f})"
        )
    best = max(table, key=lambda k: sum(table[k].values()))
    print(f"\nbest overall: {best} {table[best]}")
    for name in ("rrf", "weighted w=0.5"):
        print(f"{name}: {table[name]}")
    print(by_cfg[best], file=sys.stderr)


if __name__ == "__main__":
    main()
