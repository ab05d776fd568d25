"""Refusal calibration and top-citation accuracy of extractive answers, on honest splits.

    .venv/bin/python bench/answer.py [--questions 200] [--out docs/bench/answer.md]

Labelled sets, all answered in extractive mode on lexical-only workspaces:
- cmrc2018_dev and drcd_dev from ../shared/data: half of the passages are indexed (seeded); a
  question is answerable when its passage is indexed, unanswerable when it was left out.
  `--questions` questions are drawn (seeded) from each set's *tune* split and as many from its
  *test* split (bench/splits.py);
- the sample corpus (examples/questions.json), never used for fitting.
The refusal threshold is fit on the tune questions of both sets together (best F1 among the
thresholds that meet the goal) and reported on the test questions and the sample corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from beir import DATA
from splits import describe, select

from ebrain.auth import Principal

OWNER = Principal.owner()

ROOT = Path(__file__).resolve().parents[1]
FIT_SETS = ("cmrc2018_dev", "drcd_dev")
LEXICAL = "embed:\n  model: none\ningest:\n  embed: false\n"
THRESHOLDS = [round(0.30 + 0.025 * i, 3) for i in range(21)]


def _brain(folder: Path) -> Any:
    from ebrain.brain import Brain

    Brain.init(folder).close()
    (folder / "config.yaml").write_text(LEXICAL, encoding="utf-8")
    return Brain.open(folder)


def _measure(brain: Any, question: str) -> tuple[float, str, float]:
    """(confidence, top citation path, seconds) with refusal off."""
    t0 = time.perf_counter()
    answer = brain.ask(question, refusal_threshold=0.0, principal=OWNER)
    top = answer.top_citation
    return answer.confidence, top.path if top else "", time.perf_counter() - t0


def sample_set(tmp: Path) -> list[dict[str, Any]]:
    """examples/questions.json answered over examples/corpus."""
    brain = _brain(tmp / "sample")
    brain.ingest([ROOT / "examples" / "corpus"])
    rows = []
    questions = json.loads((ROOT / "examples" / "questions.json").read_text(encoding="utf-8"))
    for q in questions:
        conf, path, secs = _measure(brain, q["question"])
        ok = any(path.endswith(s) for s in q["sources"])
        rows.append({"answerable": q["answerable"], "conf": conf, "top_ok": ok, "secs": secs})
    brain.close()
    return rows


def rc_set(
    tmp: Path, name: str, n_questions: int, seed: int = 0
) -> dict[str, list[dict[str, Any]]]:
    """A reading-comprehension set: half the passages indexed; `n_questions` questions from
    each split (tune, test), on both halves."""
    rng = random.Random(seed)
    root = DATA / name
    corpus = [json.loads(line) for line in (root / "corpus.jsonl").open(encoding="utf-8")]
    kept = {d["_id"] for d in rng.sample(corpus, len(corpus) // 2)}
    folder = tmp / f"{name}_docs"
    folder.mkdir()
    for d in corpus:
        if d["_id"] in kept:
            (folder / f"{d['_id']}.txt").write_text(f"{d['title']}\n{d['text']}", encoding="utf-8")
    brain = _brain(tmp / name)
    brain.ingest([folder])
    qrels = dict(
        line.split("\t")[:2] for line in (root / "qrels.tsv").read_text("utf-8").splitlines()[1:]
    )
    queries = {
        q["_id"]: q["text"]
        for q in map(json.loads, (root / "queries.jsonl").open(encoding="utf-8"))
    }
    out = {}
    for split in ("tune", "test"):
        ids = select(name, sorted(q for q in queries if q in qrels), split)
        out[split] = [_row(brain, queries[q], qrels[q], kept) for q in rng.sample(ids, n_questions)]
    brain.close()
    return out


def _row(brain: Any, question: str, doc_id: str, kept: set[str]) -> dict[str, Any]:
    conf, path, secs = _measure(brain, question)
    ok = Path(path).stem == doc_id
    return {"answerable": doc_id in kept, "conf": conf, "top_ok": ok, "secs": secs}


def sweep(rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Refusal precision / recall / F1 at each threshold (refuse when conf < t)."""
    out = []
    negatives = sum(not r["answerable"] for r in rows)
    for t in THRESHOLDS:
        refused = [r for r in rows if r["conf"] < t]
        right = sum(not r["answerable"] for r in refused)
        p = right / len(refused) if refused else 1.0
        rec = right / negatives if negatives else 0.0
        f1 = 2 * p * rec / (p + rec) if p + rec else 0.0
        wrong = sum(r["answerable"] for r in refused) / max(1, len(rows) - negatives)
        out.append({"t": t, "precision": p, "recall": rec, "f1": f1, "false_refusal": wrong})
    return out


def choose(table: list[dict[str, float]]) -> dict[str, float]:
    """Best F1 among thresholds meeting the goal (precision >= 0.9, recall >= 0.8), lower wins
    ties (fewer answerable questions refused); otherwise the best F1 overall."""
    good = [r for r in table if r["precision"] >= 0.9 and r["recall"] >= 0.8] or table
    return max(good, key=lambda r: (round(r["f1"], 3), -r["t"]))


def _top_accuracy(rows: list[dict[str, Any]]) -> tuple[int, int]:
    answerable = [r for r in rows if r["answerable"]]
    return sum(r["top_ok"] for r in answerable), len(answerable)


def _machine() -> str:
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()[:12]
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return "\n".join(
        [
            f"nproc: {os.cpu_count()}",
            f"RAM: {mem:.1f} GiB",
            f"python: {platform.python_version()}",
            *cpu,
        ]
    )


def _table(table: list[dict[str, float]], pick: float) -> list[str]:
    lines = ["| threshold | refusal precision | refusal recall | F1 | answerable refused |"]
    lines.append("|---|---|---|---|---|")
    for r in table:
        mark = " **←**" if r["t"] == pick else ""
        lines.append(
            f"| {r['t']:.3f}{mark} | {r['precision']:.3f} | {r['recall']:.3f} | "
            f"{r['f1']:.3f} | {r['false_refusal']:.3f} |"
        )
    return lines


def report(tune: list[dict[str, Any]], tests: dict[str, list[dict[str, Any]]], command: str) -> str:
    """The markdown report: the fit on the tune questions, the figures on the test sets."""
    pick = choose(sweep(tune))
    lines = [
        "# Answers: refusal calibration and top-citation accuracy (extractive mode)",
        "",
        f"Command: `{command}`",
        "",
        "```",
        _machine(),
        "```",
        "",
        "Confidence = IDF-weighted fraction of the question's content terms covered by the best",
        "of the top 3 retrieved chunks (ebrain.answer.confidence). Refuse when confidence < threshold.",
        "Lexical-only workspaces (no embeddings), BM25 retrieval.",
        "",
        f"Splits: {describe()}.",
        "",
        f"**Chosen default threshold: {pick['t']:.3f}**, fit on the **tune** questions of"
        f" {' + '.join(FIT_SETS)} ({len(tune)} questions): best F1 among thresholds meeting the"
        " goal refusal precision >= 0.9 and recall >= 0.8 (lower wins ties). Every figure below"
        " that is not marked *tune* is on questions the fit never saw.",
        "",
        *_section("tune: " + " + ".join(FIT_SETS) + " (fit here, not a result)", tune, pick["t"]),
    ]
    for name, rows in tests.items():
        lines += _section(name, rows, pick["t"])
    return "\n".join(lines)


def _section(name: str, rows: list[dict[str, Any]], pick: float) -> list[str]:
    ok, n = _top_accuracy(rows)
    secs = statistics.median(r["secs"] for r in rows)
    neg = sum(not r["answerable"] for r in rows)
    at = next(r for r in sweep(rows) if r["t"] == pick)
    return [
        f"## {name}",
        "",
        f"{len(rows)} questions ({len(rows) - neg} answerable, {neg} unanswerable); "
        f"top citation from the right document: {ok}/{n} = {ok / max(1, n):.3f}; "
        f"median ask latency {secs * 1000:.0f} ms. At the chosen threshold {pick:.3f}: refusal"
        f" precision **{at['precision']:.3f}**, recall **{at['recall']:.3f}**.",
        "",
        *_table(sweep(rows), pick),
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=200, help="per set and split")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "answer.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        sets = {name: rc_set(tmp, name, args.questions) for name in FIT_SETS}
        sample = sample_set(tmp)
    tune = [r for name in FIT_SETS for r in sets[name]["tune"]]
    tests = {f"test: {name}": sets[name]["test"] for name in FIT_SETS}
    tests["test: " + " + ".join(FIT_SETS)] = [r for n in FIT_SETS for r in sets[n]["test"]]
    tests["sample corpus (examples/questions.json, never fit on)"] = sample
    command = "python bench/answer.py " + " ".join(sys.argv[1:])
    text = report(tune, tests, command.strip())
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
