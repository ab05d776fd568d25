"""Markdown tables from `bench/guard.py --part learned` JSON (pasted into docs/bench/guard.md).

Run: .venv/bin/python bench/guard_report.py /tmp/learned.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

SYSTEMS = ("shipped", "learned", "rules", "tfidf", "tfidf_rules")


def _fmt(v: Any) -> str:
    return "–" if v is None else f"{v:.3f}"


def sources(data: dict[str, Any], kind: str) -> list[str]:
    head = "| source | stage | n | " + " | ".join(SYSTEMS) + " |"
    out = [head, "|" + "---|" * (3 + len(SYSTEMS))]
    for key, cell in data["sources"].items():
        fam, stage, k, lang = key.split("|")
        if k == kind and lang == "all":
            vals = " | ".join(_fmt(cell[s]) for s in SYSTEMS)
            out.append(f"| {fam} | {stage} | {cell['n']} | {vals} |")
    return out


def languages(data: dict[str, Any]) -> list[str]:
    """Recall of the shipped detector per language, pooled over held-out attack sources."""
    pooled: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0])
    for key, cell in data["sources"].items():
        fam, stage, k, lang = key.split("|")
        if k == "attack" and lang != "all" and fam != "harmbench":
            p = pooled[f"{lang}|{stage}"]
            p[0] += cell["n"]
            p[1] += cell["shipped"] * cell["n"]
            p[2] += cell["tfidf_rules"] * cell["n"]
    out = [
        "| lang | stage | attacks | shipped recall | tfidf+rules recall |",
        "|---|---|---|---|---|",
    ]
    for key in sorted(pooled, key=lambda k: (k.split("|")[1], -pooled[k][0])):
        n, a, b = pooled[key]
        lang, stage = key.split("|")
        out.append(f"| {lang} | {stage} | {int(n)} | {a / n:.3f} | {b / n:.3f} |")
    return out


def main() -> None:
    data = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    print("Thresholds:", data["thresholds"], "baseline:", data["baseline_thresholds"])
    print("\n### Recall on attacks (held out)\n")
    print("\n".join(sources(data, "attack")))
    print("\n### False-positive rate on benign rows (held out)\n")
    print("\n".join(sources(data, "benign")))
    print("\n### Recall per language (shipped = rules or learned)\n")
    print("\n".join(languages(data)))
    print("\n### TPR at FPR on hard negatives\n")
    print(json.dumps(data["tpr_at_fpr"], indent=1))
    print("\n### Latency\n")
    print(json.dumps(data["latency"], indent=1))
    if "corpus" in data:
        print("\n### Sample corpus\n")
        print(json.dumps(data["corpus"], indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
