"""Document-type accuracy: on the held-out documents and on the sample corpus.

    .venv/bin/python bench/classify.py [--set heldout|sample] [--json]

`heldout` (the default): tests/fixtures/heldout_doctypes, 16 documents written by hand for this
purpose and never used to tune the cues (truth in its truth.json): the honest figure.
`sample`: examples/corpus against examples/ground_truth.json, the corpus the cues were tuned
on: a training-set figure.
Ingests the documents into a temporary lexical-only workspace and prints accuracy and the
confusion matrix (rows: truth, columns: predicted), in Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.ingest.classify import DOC_TYPES

OWNER = Principal.owner()

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
HELDOUT = ROOT / "tests" / "fixtures" / "heldout_doctypes"


def truth_of(name: str) -> tuple[Path, dict[str, str]]:
    """The folder of a set and its relative path -> true type."""
    if name == "heldout":
        return HELDOUT, json.loads((HELDOUT / "truth.json").read_text("utf-8"))["documents"]
    docs = json.loads((CORPUS.parent / "ground_truth.json").read_text("utf-8"))["documents"]
    return CORPUS, {d["path"]: d["doc_type"] for d in docs if d.get("doc_type")}


def predictions(workspace: Path, corpus: Path = CORPUS) -> dict[str, str]:
    """Ingest a folder; map relative path -> predicted type."""
    brain = Brain.init(workspace)
    (workspace / "config.yaml").write_text("embed:\n  model: none\n", encoding="utf-8")
    brain = Brain.open(workspace)
    brain.ingest([corpus], kb="sample", jobs=1)
    out = {}
    for doc in brain.documents(limit=10_000, principal=OWNER):
        for path in doc["paths"]:
            out[str(Path(path).relative_to(corpus))] = doc["doc_type"]
    brain.close()
    return out


def evaluate(name: str = "heldout") -> dict[str, object]:
    """Accuracy, confusion matrix and the misclassified files of one set."""
    corpus, truth = truth_of(name)
    with tempfile.TemporaryDirectory() as tmp:
        pred = predictions(Path(tmp) / "ws", corpus)
    pairs = [(truth[p], pred[p]) for p in truth if p in pred]
    confusion = Counter(pairs)
    wrong = sorted((p, truth[p], pred[p]) for p in truth if p in pred and truth[p] != pred[p])
    correct = sum(1 for t, p in pairs if t == p)
    return {
        "set": name,
        "documents": len(pairs),
        "correct": correct,
        "accuracy": correct / max(1, len(pairs)),
        "confusion": {f"{t}->{p}": n for (t, p), n in sorted(confusion.items())},
        "wrong": wrong,
    }


def markdown(result: dict[str, object]) -> str:
    """The confusion matrix as a Markdown table."""
    confusion = result["confusion"]
    assert isinstance(confusion, dict)
    head = "| truth \\ predicted | " + " | ".join(DOC_TYPES) + " |"
    lines = [head, "|---" * (len(DOC_TYPES) + 1) + "|"]
    for t in DOC_TYPES:
        cells = [str(confusion.get(f"{t}->{p}", "")) for p in DOC_TYPES]
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    """Print the result."""
    name = sys.argv[sys.argv.index("--set") + 1] if "--set" in sys.argv else "heldout"
    result = evaluate(name)
    if "--json" in sys.argv:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(
        f"{name}: accuracy {result['accuracy']:.3f} ({result['correct']}/{result['documents']})\n"
    )
    print(markdown(result))
    for path, t, p in result["wrong"]:  # type: ignore[attr-defined]
        print(f"- {path}: {t} -> {p}")


if __name__ == "__main__":
    main()
