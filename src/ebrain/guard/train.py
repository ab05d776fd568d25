"""Train the learned injection head and write it into the package.

Run: `python -m ebrain.guard.train [--cache PATH] [--out PATH]`.

Data: every `ebrain/guard/data/injection/*.jsonl` row (`text`, `label`, `stage`, `lang`,
`family`) plus the older `injection_train.jsonl` (family "legacy"; its indirect and benign_doc
rows are stage context, the rest input). Texts are
embedded as passages with the bundled model (vectors rounded through float16, as the index
stores them): a row is scored from its whole-text vector, as ingest scores a chunk. With
`--windows`, rows longer than one scan window are also embedded window by window: held-out scores
of such rows are their worst window (as the input scanner scores them), and the windows of long
negatives are extra benign training rows (costs minutes more on 2 cores; off for the shipped
head). The head is a class-balanced logistic regression calibrated by
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
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ebrain.guard.learned import EMBED_SPEC, HEAD_FILE, KIND, WINDOW_CHARS, Head, windows

DATA_DIR = Path(str(resources.files("ebrain.guard").joinpath("data")))
STAGES = ("input", "context")


def load_rows(folder: Path = DATA_DIR) -> list[dict[str, Any]]:
    """Every labelled row of the injection data, sorted by id (stable hash)."""
    rows: list[dict[str, Any]] = []
    for path in sorted((folder / "injection").glob("*.jsonl")):
        rows += [json.loads(x) for x in path.read_text("utf-8").split("\n") if x.strip()]
    legacy = folder / "injection_train.jsonl"
    if legacy.exists():
        for n, line in enumerate(legacy.read_text("utf-8").split("\n")):
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


def _round_robin(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Negatives before attacks; within each, families in turn, each family's rows by length."""
    out: list[dict[str, Any]] = []
    for label in (0, 1):
        fams: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            if int(r["label"]) == label:
                fams.setdefault(str(r.get("family")), []).append(r)
        queues = [sorted(v, key=lambda r: len(r["text"])) for _, v in sorted(fams.items())]
        for i in range(max((len(q) for q in queues), default=0)):
            out += [q[i] for q in queues if i < len(q)]
    return list({r["text"]: r for r in out}.values())


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

    def fill(self, rows: Sequence[dict[str, Any]], seconds: float, batch: int = 16) -> None:
        """Embed uncached rows for at most `seconds`: negatives first, one row of each family in
        turn (shortest first), so every family is covered when time runs out."""
        from ebrain.embed.base import embedder_for

        have = dict(self._get([self.key(r["text"]) for r in rows]))
        todo = _round_robin([r for r in rows if self.key(r["text"]) not in have])
        model, start = embedder_for(EMBED_SPEC), time.monotonic()
        for s in range(0, len(todo), batch):
            if time.monotonic() - start > seconds:
                break
            texts = [r["text"] for r in todo[s : s + batch]]
            vecs = model.embed_batch(texts, kind=KIND)
            pairs = [
                (self.key(t), v.astype(np.float16).tobytes())
                for t, v in zip(texts, vecs, strict=True)
            ]
            self.db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)", pairs)
            self.db.commit()
            print(f"\rembedded {min(s + batch, len(todo))}/{len(todo)}", end="", file=sys.stderr)

    def cached(self, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows whose vectors are cached."""
        have = dict(self._get([self.key(r["text"]) for r in rows]))
        return [r for r in rows if self.key(r["text"]) in have]

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


@dataclass
class TrainSet:
    """Row vectors, the window vectors of long rows (as the scanner sees them), labels and
    families. Windows of long negatives are extra training rows (every window is benign)."""

    x: npt.NDArray[np.float32]
    y: npt.NDArray[np.int_]
    fam: npt.NDArray[np.str_]
    wx: npt.NDArray[np.float32]
    owner: npt.NDArray[np.int_]

    @classmethod
    def build(
        cls, rows: Sequence[dict[str, Any]], cache: VectorCache, use_windows: bool = False
    ) -> TrainSet:
        texts = [str(r["text"]) for r in rows]
        long = [use_windows and len(t) > WINDOW_CHARS for t in texts]
        spans = [windows(t) if w else [] for t, w in zip(texts, long, strict=True)]
        wtexts = [t[a:b] for t, sp in zip(texts, spans, strict=True) for a, b in sp]
        owner = np.repeat(np.arange(len(rows)), [len(sp) for sp in spans])
        wx = cache.embed(wtexts) if wtexts else np.zeros((0, 384), np.float32)
        y = np.asarray([int(r["label"]) for r in rows])
        fam = np.asarray([str(r.get("family", "")) for r in rows])
        return cls(cache.embed(texts), y, fam, wx, owner)

    def training(self, keep: npt.NDArray[np.bool_]) -> tuple[Any, Any]:
        """Rows in `keep` plus the windows of their negatives."""
        extra = keep[self.owner] & (self.y[self.owner] == 0)
        x = np.vstack([self.x[keep], self.wx[extra]])
        return x, np.concatenate([self.y[keep], np.zeros(int(extra.sum()), dtype=int)])

    def worst(self, model: Any, held: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
        """Scores of the held rows as the scanner gives them (worst window of long rows)."""
        out = model.predict_proba(self.x[held])[:, 1]
        sel = held[self.owner]
        if sel.any():
            worst = np.full(len(self.y), -1.0)
            np.maximum.at(worst, self.owner[sel], model.predict_proba(self.wx[sel])[:, 1])
            has = worst[held] >= 0
            out[has] = worst[held][has]
        return np.asarray(out, dtype=np.float64)


def held_out_scores(data: TrainSet) -> npt.NDArray[np.float64]:
    """Leave-one-family-out scores: each family scored by a head trained without it."""
    out = np.zeros(len(data.y), dtype=np.float64)
    for fam in sorted(set(data.fam.tolist())):
        for test in _folds(data.fam == fam, data.y):
            out[test] = data.worst(fit(*data.training(~test)), test)
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
    cache: Path | None,
    out: Path,
    max_fpr: float = 0.02,
    folder: Path = DATA_DIR,
    use_windows: bool = False,
    held_out_file: Path | None = None,
    budget_s: float | None = None,
) -> dict[str, Any]:
    """Embed, measure thresholds held out by family, fit on everything, write the head."""
    all_rows = load_rows(folder)
    vectors = VectorCache(cache)
    if budget_s is not None:  # compute-limited run: train on the rows embedded in time
        vectors.fill(all_rows, budget_s)
        rows = vectors.cached(all_rows)
    else:
        rows = all_rows
    data = TrainSet.build(rows, vectors, use_windows)
    y = data.y
    held = held_out_scores(data)
    thresholds, report = stage_thresholds(rows, held, max_fpr)
    meta = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": len(rows),
        "rows_in_data": len(all_rows),
        "left_out_by_family": dict(
            Counter(str(r.get("family")) for r in all_rows)
            - Counter(str(r.get("family")) for r in rows)
        ),
        "attacks": int(y.sum()),
        "families": sorted({str(r.get("family", "")) for r in rows}),
        "prefix": f"{KIND}: ",
        "target_fpr": max_fpr,
        "windows": use_windows,
        "held_out": report,
        "command": "python -m ebrain.guard.train",
    }
    if held_out_file is not None:
        keys = ("id", "family", "lang", "stage", "label")
        lines = [json.dumps({**{k: r.get(k) for k in keys}, "score": round(float(sc), 6)})
                 for r, sc in zip(rows, held, strict=True)]  # fmt: skip
        held_out_file.write_text("\n".join(lines) + "\n", "utf-8")
    head = to_head(
        fit(*data.training(np.ones(len(y), dtype=bool))), thresholds, data_sha256(all_rows), meta
    )
    out.write_text(head.to_json() + "\n", "utf-8")
    return meta


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="SQLite vector cache")
    ap.add_argument("--out", type=Path, default=DATA_DIR / HEAD_FILE)
    ap.add_argument("--max-fpr", type=float, default=0.02)
    ap.add_argument("--windows", action="store_true", help="also train/score long rows by window")
    ap.add_argument("--held-out", type=Path, default=None, help="write held-out scores (JSONL)")
    ap.add_argument("--budget-s", type=float, default=None, help="embed for at most this long")
    args = ap.parse_args(argv)
    meta = train(
        args.cache,
        args.out,
        args.max_fpr,
        use_windows=args.windows,
        held_out_file=args.held_out,
        budget_s=args.budget_s,
    )
    json.dump(meta, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
