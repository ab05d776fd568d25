"""Scoring a guard on a labelled JSONL set: precision, recall, F1, FPR per label and language."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ebrain.errors import InvalidInputError, NotFoundError


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file; each needs text and label (lang defaults to detected)."""
    if not path.is_file():
        raise NotFoundError(f"no such dataset: {path}", hint="give a .jsonl file")
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if "text" not in row or "label" not in row:
            raise InvalidInputError(f"{path}:{i}: rows need 'text' and 'label'")
        rows.append(row)
    return rows


def _metrics(pairs: list[tuple[int, int]]) -> dict[str, float]:
    """Counts and rates for (truth, predicted) pairs."""
    tp = sum(1 for t, p in pairs if t and p)
    fp = sum(1 for t, p in pairs if not t and p)
    fn = sum(1 for t, p in pairs if t and not p)
    tn = len(pairs) - tp - fp - fn
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    fpr = fp / (fp + tn) if fp + tn else 0.0
    return {
        "n": len(pairs),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": prec,
        "recall": rec,
        "f1": f1,
        "fpr": fpr,
    }


def evaluate_rows(rows: list[dict[str, Any]], stage: str = "input") -> dict[str, Any]:
    """Detected = the guard flags or blocks the text (any finding) at the stage."""
    from ebrain.guard import Guard
    from ebrain.i18n import lang_of

    guard = Guard()
    groups: dict[str, list[tuple[int, int]]] = {"all": []}
    errors = []
    for row in rows:
        text, truth = str(row["text"]), int(row["label"])
        result = guard.scan_context([text])[0] if stage == "context" else guard.scan_input(text)
        pred = int(bool(result.findings))
        lang = str(row.get("lang") or lang_of(text))
        for key in ("all", f"label={truth}", f"lang={lang}"):
            groups.setdefault(key, []).append((truth, pred))
        if pred != truth:
            errors.append(
                {
                    "kind": "false_negative" if truth else "false_positive",
                    "text": text,
                    "lang": lang,
                }
            )
    return {"metrics": {k: _metrics(v) for k, v in groups.items()}, "errors": errors}
