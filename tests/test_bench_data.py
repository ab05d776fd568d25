"""The project's retrieval sets in bench/data, their loader and split, and bench/paraphrase.py.

Every set must have unique query ids, judgements for every query (and only for its queries),
a manifest with provenance and licence, and gold passages that exist in the corpus its
manifest points to (checked when the shared data is there, skipped otherwise).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import beir  # noqa: E402
import paraphrase  # noqa: E402
import splits  # noqa: E402

SETS = sorted(p.parent.name for p in (BENCH / "data").glob("*/manifest.json"))
FIELDS = ("name", "languages", "corpus", "provenance", "licence", "author", "date", "method")


def _queries(name: str) -> list[dict[str, object]]:
    text = (BENCH / "data" / name / "queries.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def _qrels(name: str) -> list[dict[str, str]]:
    with open(BENCH / "data" / name / "qrels" / "test.tsv", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_the_agreed_sets_exist_and_are_registered() -> None:
    for name in (
        "para_cmrc2018",
        "xling_en_zh",
        "para_sample",
        "xling_zh_en",
        "para_drcd",
        "desc_cmrc2018",
    ):
        assert name in SETS
        assert name in beir.SETS
    assert beir.SETS[: len(beir.ORIGINAL_SETS)] == beir.ORIGINAL_SETS


@pytest.mark.parametrize("name", SETS)
def test_manifest_names_provenance_and_licence(name: str) -> None:
    manifest = beir.manifest(name)
    assert all(manifest.get(key) for key in FIELDS), manifest
    assert manifest["name"] == name
    assert str(manifest["corpus"]).split(":")[0] in ("shared", "examples", "local")


@pytest.mark.parametrize("name", SETS)
def test_ids_unique_and_every_query_judged(name: str) -> None:
    rows = _queries(name)
    ids = [str(r["_id"]) for r in rows]
    assert len(ids) == len(set(ids))
    assert all(str(r["text"]).strip() for r in rows)
    judged: dict[str, set[str]] = {}
    for row in _qrels(name):
        assert int(row["score"]) > 0
        judged.setdefault(row["query-id"], set()).add(row["corpus-id"])
    assert set(judged) == set(ids)
    assert all(judged[str(r["_id"])] == set(r["gold"]) for r in rows)  # type: ignore[call-overload]


@pytest.mark.parametrize("name", SETS)
def test_gold_passages_exist_in_the_corpus(name: str) -> None:
    pointer = str(beir.manifest(name)["corpus"])
    if pointer.startswith("shared:") and not (beir.DATA / "cmrc2018_dev").is_dir():
        pytest.skip(f"shared data not found at {beir.DATA} (set EBRAIN_BENCH_DATA)")
    data = beir.load(name)
    assert len(data.queries) == len(_queries(name))
    missing = {d for rel in data.qrels.values() for d in rel} - set(data.corpus)
    assert not missing


@pytest.mark.parametrize("name", SETS)
def test_split_keeps_one_passage_in_one_split(name: str) -> None:
    rows = _queries(name)
    by_gold: dict[str, set[str]] = {}
    for row in rows:
        split = splits.split_of(name, str(row["_id"]))
        by_gold.setdefault(min(row["gold"]), set()).add(split)  # type: ignore[type-var]
    assert all(len(s) == 1 for s in by_gold.values())
    ids = [str(r["_id"]) for r in rows]
    tune, test = (splits.select(name, ids, s) for s in splits.SPLITS)
    assert tune and test and sorted(tune + test) == sorted(ids)


def test_original_sets_still_split_by_query_id() -> None:
    assert splits._local_groups("cmrc2018_dev") == {}


def test_paraphrase_describes_the_subject_by_the_passage_definition() -> None:
    passage = "氯化铷是一个碱金属卤化物，化学式为RbCl。"
    assert paraphrase.describe("氯化铷在气态时是怎样的？", "氯化铷", passage) == (
        "那个碱金属卤化物在气态时是怎样的？"
    )
    assert paraphrase.describe("氯化铷在气态时是怎样的？", "氯化铷", "没有定义的文字。") is None


def test_paraphrase_reorders_and_swaps_synonyms() -> None:
    assert paraphrase.reorder("林投姐的导演是谁？") == "谁是林投姐的导演？"
    assert paraphrase.reorder("他在哪里出生？") is None
    text, n = paraphrase.swap_synonyms("马纳瓜是哪个国家的首都？")
    assert (text, n) == ("马纳瓜是哪个国度的都城？", 2)


def test_paraphrase_drops_the_rarest_passage_name() -> None:
    idf = {"柏林": 5.0, "郑有杰": 6.0}
    dropped = paraphrase.drop_rare("郑有杰哪部电影入围柏林影展？", "郑有杰", "郑有杰…柏林", idf)
    assert dropped == "郑有杰哪部电影入围影展？"


def test_paraphrase_is_deterministic_and_skips_unchanged_questions() -> None:
    first = paraphrase.paraphrase("林投姐的导演是谁？", "林投姐 (1988年电影)", "")
    again = paraphrase.paraphrase("林投姐的导演是谁？", "林投姐 (1988年电影)", "")
    assert first == again and first is not None and first.ops == ["reorder"]
    assert paraphrase.paraphrase("今天天气好吗？") is None
