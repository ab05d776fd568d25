"""Document-type accuracy on the sample corpus against examples/ground_truth.json.

    .venv/bin/python bench/classify.py [--json]

Ingests examples/corpus into a temporary lexical-only workspace and prints accuracy and the
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


def predictions(workspace: Path) -> dict[str, str]:
    """Ingest the sample corpus; map relative path -> predicted type."""
    brain = Brain.init(workspace)
    (workspace / "config.yaml").write_text("embed:\n  model: none\n", encoding="utf-8")
    brain = Brain.open(workspace)
    brain.ingest([CORPUS], kb="sample", jobs=1)
    out = {}
    for doc in brain.documents(limit=10_000, principal=OWNER):
        for path in doc["paths"]:
            out[str(Path(path).relative_to(CORPUS))] = doc["doc_type"]
    brain.close()
    return out


def evaluate() -> dict[str, object]:
    """Accuracy, confusion matrix and the misclassified files."""
    truth = {d["path"]: d["doc_type"] for d in json.loads((CORPUS.parent / "ground_truth.json").read_text())["documents"]
             if d.get("doc_type")}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        pred = predictions(Path(tmp) / "ws")
    pairs = [(truth[p], pred[p]) for p in truth if p in pred]
    confusion = Counter(pairs)
    wrong = sorted((p, truth[p], pred[p]) for p in truth if p in pred and truth[p] != pred[p])
    correct = sum(1 for t, p in pairs if t == p)
    return {
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
    result = evaluate()
    if "--json" in sys.argv:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"accuracy {result['accuracy']:.3f} ({result['correct']}/{result['documents']})\n")
    print(markdown(result))
    for path, t, p in result["wrong"]:  # type: ignore[attr-defined]
        print(f"- {path}: {t} -> {p}")


if __name__ == "__main__":
    main()
