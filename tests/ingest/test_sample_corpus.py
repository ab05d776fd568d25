"""The sample corpus ingests as its ground truth says: types, failures, formats."""

from __future__ import annotations

import json
from pathlib import Path

from ebrain.auth import Principal
from ebrain.brain import Brain
from tests.conftest import EXAMPLES

OWNER = Principal.owner()

TRUTH = json.loads((EXAMPLES.parent / "ground_truth.json").read_text(encoding="utf-8"))


def _by_path(brain: Brain) -> dict[str, dict[str, object]]:
    return {
        str(Path(p).relative_to(EXAMPLES)): d
        for d in brain.documents(limit=10_000, principal=OWNER)
        for p in d["paths"]
    }


def test_document_type_accuracy_on_the_training_corpus(sample_workspace: Path) -> None:
    """A training-set figure: the classifier's cues were tuned on this corpus. The held-out
    figure is tests/ingest/test_classify.py::test_document_type_accuracy_on_held_out_documents."""
    with Brain.open(sample_workspace) as brain:
        docs = _by_path(brain)
    truth = {d["path"]: d["doc_type"] for d in TRUTH["documents"] if d.get("doc_type")}
    assert set(truth) <= set(docs)
    correct = sum(1 for p, t in truth.items() if docs[p]["doc_type"] == t)
    assert correct / len(truth) >= 0.9


def test_bad_files_fail_with_specific_reasons(sample_workspace: Path) -> None:
    with Brain.open(sample_workspace) as brain:
        reasons = {Path(e["path"]).name: e["reason"] for e in brain.errors()}
    assert reasons.get("empty_notes.txt") == "empty"
    assert "encrypted" in reasons.values()
    assert list(reasons.values()).count("corrupt") == 2  # truncated PDF, zip renamed .pdf
    assert len(reasons) == 4


def test_every_format_ingested(sample_workspace: Path) -> None:
    with Brain.open(sample_workspace) as brain:
        formats = {d["format"] for d in brain.documents(limit=10_000, principal=OWNER)}
    assert len(formats) >= 13
