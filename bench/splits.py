"""Deterministic tune/test splits of every benchmark set's queries.

Every tuned parameter (fusion gate, refusal threshold) is fit on the *tune* split and reported
on the *test* split. A query's split depends only on its id and the seed:

- BEIR sets: sha256(f"{SEED}:{set}:{query id}"); the first 8 bytes as an integer, even = tune,
  odd = test (50/50 in expectation, stable under added or removed queries);
- qmsum / qmsum_test: QMSum's own splits, train + val = tune, test = test;
- the project's sets in bench/data (para_*, xling_*): the same parity, but of
  sha256(f"{SEED}:{set}:{gold passage id}") (the query's first gold passage in sorted order),
  so that every question written over one passage falls in the same split (no passage is seen
  in tuning and in testing through two wordings of one question).

    .venv/bin/python bench/splits.py   # prints the split sizes of every set
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

SEED = 20261203
SPLITS = ("tune", "test")
_QMSUM = {"train": "tune", "val": "tune", "test": "test"}


def split_of(set_name: str, query_id: str, seed: int = SEED) -> str:
    """'tune' or 'test' for one query of one set."""
    if set_name.startswith("qmsum"):
        return _qmsum_splits().get(query_id, "test")
    key = _local_groups(set_name).get(query_id, query_id)
    digest = hashlib.sha256(f"{seed}:{set_name}:{key}".encode()).digest()
    return "tune" if int.from_bytes(digest[:8], "big") % 2 == 0 else "test"


def select(set_name: str, query_ids: Iterable[str], split: str, seed: int = SEED) -> list[str]:
    """The ids of `query_ids` that fall in `split` ('all' keeps every id), in their order."""
    if split == "all":
        return list(query_ids)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: use tune, test or all")
    return [q for q in query_ids if split_of(set_name, q, seed) == split]


_QMSUM_CACHE: dict[str, str] = {}
_GROUPS: dict[str, dict[str, str]] = {}


def _local_groups(set_name: str) -> dict[str, str]:
    """query id -> its first gold passage for a set of bench/data ({} for the other sets)."""
    if set_name not in _GROUPS:
        from beir import LOCAL

        qrels = LOCAL / set_name / "qrels" / "test.tsv"
        gold: dict[str, list[str]] = {}
        if (LOCAL / set_name / "manifest.json").is_file():
            with open(qrels, encoding="utf-8") as f:
                for row in csv.DictReader(f, delimiter="\t"):
                    if int(row["score"]) > 0:
                        gold.setdefault(row["query-id"], []).append(row["corpus-id"])
        _GROUPS[set_name] = {q: min(docs) for q, docs in gold.items()}
    return _GROUPS[set_name]


def _qmsum_splits() -> dict[str, str]:
    """query id -> tune/test from QMSum's qrels_{train,val,test}.tsv."""
    if not _QMSUM_CACHE:
        from beir import DATA

        for name, split in _QMSUM.items():
            with open(DATA / "qmsum" / f"qrels_{name}.tsv", encoding="utf-8") as f:
                for row in csv.DictReader(f, delimiter="\t"):
                    _QMSUM_CACHE[row["query-id"]] = split
    return _QMSUM_CACHE


def describe(seed: int = SEED) -> str:
    """One line naming the split rule, for reports."""
    return (
        f"tune/test = 50/50 by sha256('{seed}:<set>:<query id>') parity (bench/splits.py, "
        "seed {seed}); qmsum: QMSum's train+val = tune, test = test; bench/data sets: parity of "
        "sha256('{seed}:<set>:<gold passage id>'), one split per passage"
    ).replace("{seed}", str(seed))


def main() -> None:
    """Print how many queries of each set fall in each split."""
    from beir import SETS, load

    for name in (*SETS, "qmsum"):
        data = load(name)
        sizes = {s: len(select(name, data.queries, s)) for s in SPLITS}
        print(f"{name}: {len(data.queries)} queries, tune {sizes['tune']}, test {sizes['test']}")


if __name__ == "__main__":
    main()
