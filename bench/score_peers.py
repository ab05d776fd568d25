"""nDCG@10 of every peer system on the test split of the given sets, next to the shipped gate.

    .venv/bin/python bench/score_peers.py para_drcd xling_en_zht ...

Reads bench/results/peers-<set>.json (bench/peers/run.py, all queries ranked) and scores the
test-split queries only (bench/splits.py); the ebrain row is the shipped gate replayed on the
same set's dumped lists (bench/score_fusion.py, bench/results/fusion_unseen.json or
fusion_fit.json). Writes bench/results/peers_test.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from beir import load
from splits import select
from tune_fusion import RESULTS, references, score
from tune_fusion import load as load_sides

from ebrain.evaluate import evaluate_run
from ebrain.retrieve.fusion import FusionConfig


def main() -> None:
    """Print and write the peers' and the shipped gate's test-split nDCG@10 per set."""
    out: dict[str, dict[str, float]] = {}
    for name in sys.argv[1:]:
        data = load(name)
        qrels = {q: data.qrels[q] for q in select(name, data.queries, "test")}
        peers = json.loads((RESULTS / f"peers-{name}.json").read_text(encoding="utf-8"))
        row: dict[str, float] = {}
        for system, r in peers["systems"].items():
            if r.get("ok"):
                run = {q: r["rankings"].get(q, []) for q in qrels}
                row[system] = evaluate_run(run, qrels)["ndcg@10"]
        sides = load_sides([name])["test"].get(name)
        if sides is not None:
            row["ebrain shipped gate"] = score(sides, FusionConfig())
            row |= {f"ebrain {k}": score(sides, r) for k, r in references().items()}
        out[name] = row
        print(name, json.dumps({k: round(v, 4) for k, v in row.items()}))
    (RESULTS / "peers_test.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
