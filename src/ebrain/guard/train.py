"""Train the learned injection head and write it into the package.

Run: `python -m ebrain.guard.train [--cache PATH] [--out PATH]`.

Data: every `ebrain/guard/data/injection/*.jsonl` row (`text`, `label`, `stage`, `lang`,
`family`) plus the older `injection_train.jsonl` (family "legacy"; its indirect and benign_doc
rows are stage context, the rest input). Texts are
embedded as passages with the bundled model (vectors rounded through float16, as the index
stores them). The head is a class-balanced logistic regression calibrated by
CalibratedClassifierCV (sigmoid, 5 folds, one final estimator), exported as JSON.

Thresholds per stage are chosen on held-out scores: leave-one-family-out predictions of the
calibrated head, the lowest threshold whose false-positive rate on that stage's negatives stays
within the target (default 2 %). The recall this gives on held-out attack families is recorded
in the artifact's `meta`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ebrain.guard.learned import EMBED_SPEC, HEAD_FILE, KIND, Head

DATA_DIR = Path(str(resources.files("ebrain.guard").joinpath("data")))
STAGES = ("input", "context")


def load_rows(folder: Path = DATA_DIR) -> list[dict[str, Any]]:
    """Every labelled row of the injection data, sorted by id (stable hash)."""
    rows: list[dict[str, Any]] = []
    for path in sorted((folder / "injection").glob("*.jsonl")):
        rows += [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]
    legacy = folder / "injection_train.jsonl"
    if legacy.exists():
        for n, line in enumerate(legacy.read_text("utf-8").splitlines()):
            if line.strip():
                r = json.loads(line)
                kind = str(r.get("kind", ""))
                stage = "context" if kind in ("indirect", "benign_doc") else "input"
                rows.append(
                    {**r, "id": f"legacy-{r.get('lang', 'en')}-{n}", "family": "legacy"}
                    | {"stage": stage, "intent": kind}
                )
    return [r for r in rows if str(r.get("text", "")).strip() and r.get("label") in (0, 1)]


def data_sha256(rows: Sequence[dict[str, Any]]) -> str:
    """The hash of the training data (text, label, stage, family of every row)."""
    keys = [(r["text"], int(r["label"]), r.get("stage", ""), r.get("family", "")) for r in rows]
    return hashlib.sha256(json.dumps(sorted(keys), ensure_ascii=False).encode()).hexdigest()


class VectorCache:
    """Passage vectors by sha1(kind + text) in SQLite (the schema of bench/embcache.py)."""

    def __init__(self, path: Path | None) -> None:
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path or ":memory:", timeout=60)
        self.db.execute("CREATE TABLE IF NOT EXISTS emb (k TEXT PRIMARY KEY, v BLOB)")

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(f"{KIND}\x00{text}".encode()).hexdigest()

    def embed(self, texts: Sequence[str], batch: int = 32) -> npt.NDArray[np.float32]:
        """Vectors for texts, embedding only those not cached yet."""
        from ebrain.embed.base import embedder_for

        keys = [self.key(t) for t in texts]
        found = dict(self._get(keys))
        todo = [i for i, k in enumerate(keys) if k not in found]
        model = embedder_for(EMBED_SPEC)
        for s in range(0, len(todo), batch):
            idx = todo[s : s + batch]
            vecs = model.embed_batch([texts[i] for i in idx], kind=KIND)
            rows = [
                (keys[i], v.astype(np.float16).tobytes()) for i, v in zip(idx, vecs, strict=True)
            ]
            self.db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)", rows)
            self.db.commit()
            found.update((k, np.frombuffer(b, np.float16)) for k, b in rows)
            print(f"\rembedded {min(s + batch, len(todo))}/{len(todo)}", end="", file=sys.stderr)
        return np.stack([found[k].astype(np.float32) for k in keys])

    def _get(self, keys: list[str]) -> list[tuple[str, npt.NDArray[np.float16]]]:
        out = []
        for s in range(0, len(keys), 900):
            part = keys[s : s + 900]
            q = f"SELECT k, v FROM emb WHERE k IN ({','.join('?' * len(part))})"
            out += [(k, np.frombuffer(v, np.float16)) for k, v in self.db.execute(q, part)]
        return out


def fit(x: npt.NDArray[np.float32], y: npt.NDArray[np.int_], c: float = 4.0) -> Any:
    """The calibrated head (sklearn object; exported by `to_head`)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    base = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    model = CalibratedClassifierCV(base, method="sigmoid", cv=5, ensemble=False)
    return model.fit(x, y)


def to_head(model: Any, thresholds: dict[str, float], sha: str, meta: dict[str, Any]) -> Head:
    """The fitted calibrated model as a shippable `Head`."""
    calibrated = model.calibrated_classifiers_[0]
    lr, sig = calibrated.estimator, calibrated.calibrators[0]
    name = _embedder_name()
    return Head(
        lr.coef_[0].astype(np.float64),
        float(lr.intercept_[0]),
        float(sig.a_),
        float(sig.b_),
        name,
        thresholds,
        sha,
        meta,
    )


def _embedder_name() -> str:
    from ebrain.embed.base import embedder_for

    return embedder_for(EMBED_SPEC).name


def held_out_scores(
    x: npt.NDArray[np.float32], y: npt.NDArray[np.int_], groups: Sequence[str]
) -> npt.NDArray[np.float64]:
    """Leave-one-family-out probabilities: each family scored by a head trained without it."""
    out = np.zeros(len(y), dtype=np.float64)
    fams = np.asarray(groups)
    for fam in sorted(set(groups)):
        for test in _folds(fams == fam, y):
            out[test] = fit(x[~test], y[~test]).predict_proba(x[test])[:, 1]
    return out


def _folds(held: npt.NDArray[np.bool_], y: npt.NDArray[np.int_]) -> list[npt.NDArray[np.bool_]]:
    """The held-out mask of a family; split in 5 when the rest would lack a class."""
    if len(set(y[~held].tolist())) == 2:
        return [held]
    idx = np.flatnonzero(held)
    masks = []
    for part in (idx[i::5] for i in range(5)):
        mask = np.zeros(len(y), dtype=bool)
        mask[part] = True
        masks.append(mask)
    return masks


def choose_threshold(neg_scores: npt.ArrayLike, max_fpr: float) -> float:
    """The lowest threshold whose false-positive rate on `neg_scores` is <= max_fpr."""
    s = np.sort(np.asarray(neg_scores, dtype=np.float64))[::-1]
    allowed = int(np.floor(max_fpr * len(s)))
    if len(s) == 0:
        return 0.5
    cut = s[allowed] if allowed < len(s) else 0.0
    return float(min(0.99, max(0.05, np.nextafter(cut, 1.0))))


def stage_thresholds(
    rows: Sequence[dict[str, Any]], scores: npt.NDArray[np.float64], max_fpr: float
) -> tuple[dict[str, float], dict[str, Any]]:
    """Per-stage thresholds on held-out scores, and the held-out recall/FPR they give."""
    labels = np.asarray([int(r["label"]) for r in rows])
    stage = np.asarray([r.get("stage", "input") for r in rows])
    chosen: dict[str, float] = {}
    report: dict[str, Any] = {}
    for name in STAGES:
        neg = scores[(labels == 0) & (stage == name)]
        pos = scores[(labels == 1) & (stage == name)]
        t = choose_threshold(neg, max_fpr)
        chosen[name] = round(t, 4)
        report[name] = {
            "threshold": round(t, 4),
            "held_out_fpr": float((neg >= t).mean()) if len(neg) else None,
            "held_out_recall": float((pos >= t).mean()) if len(pos) else None,
            "negatives": len(neg),
            "attacks": len(pos),
        }
    return chosen, report


def train(
    cache: Path | None, out: Path, max_fpr: float = 0.02, folder: Path = DATA_DIR
) -> dict[str, Any]:
    """Embed, measure thresholds held out by family, fit on everything, write the head."""
    rows = load_rows(folder)
    x = VectorCache(cache).embed([r["text"] for r in rows])
    y = np.asarray([int(r["label"]) for r in rows])
    held = held_out_scores(x, y, [str(r.get("family", "")) for r in rows])
    thresholds, report = stage_thresholds(rows, held, max_fpr)
    meta = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": len(rows),
        "attacks": int(y.sum()),
        "families": sorted({str(r.get("family", "")) for r in rows}),
        "prefix": f"{KIND}: ",
        "target_fpr": max_fpr,
        "held_out": report,
        "command": "python -m ebrain.guard.train",
    }
    head = to_head(fit(x, y), thresholds, data_sha256(rows), meta)
    out.write_text(head.to_json() + "\n", "utf-8")
    return meta


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="SQLite vector cache")
    ap.add_argument("--out", type=Path, default=DATA_DIR / HEAD_FILE)
    ap.add_argument("--max-fpr", type=float, default=0.02)
    args = ap.parse_args(argv)
    meta = train(args.cache, args.out, args.max_fpr)
    json.dump(meta, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
