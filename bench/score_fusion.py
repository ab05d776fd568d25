"""Score the shipped fusion gate, unchanged, on the test split of the given sets.

    .venv/bin/python bench/score_fusion.py drcd_dev para_drcd xling_en_zht

For sets that were never in the gate's fit (see bench/results/fusion_fit.json, `tune_sets`),
this is the held-out check: the constants of ebrain.retrieve.fusion against BM25, dense, RRF
(k = 60), 0.5/0.5 and the previous gate on the same dumped lists (bench/results/sides-*.pkl,
made by `bench/retrieval.py --sides-only`). Writes bench/results/fusion_unseen.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tune_fusion import RESULTS, load, references, score

from ebrain.retrieve.fusion import FusionConfig


def main() -> None:
    """Print and write nDCG@10 of the shipped gate and the reference rows per set."""
    names = sys.argv[1:]
    fitted = json.loads((RESULTS / "fusion_fit.json").read_text(encoding="utf-8"))
    out: dict[str, object] = {"split": "test", "metric": "nDCG@10", "sets": {}}
    for name, data in load(names)["test"].items():
        row = {"shipped gate": score(data, FusionConfig())}
        row |= {k: score(data, r) for k, r in references().items()}
        row["queries"] = len(data["sides"])
        row["in_fit"] = name in fitted.get("tune_sets", {})
        out["sets"][name] = row  # type: ignore[index]
        print(name, json.dumps(row))
    out["command"] = "python bench/score_fusion.py " + " ".join(names)
    (RESULTS / "fusion_unseen.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
