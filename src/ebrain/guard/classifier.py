"""A light injection classifier: char n-gram TF-IDF + logistic regression, trained on our data."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ebrain.guard.normalize import normalize

TRAIN_FILE = "injection_train.jsonl"
MAX_CHARS = 4000  # long texts: the head and the tail carry the instructions


def cache_dir() -> Path:
    """Where trained models are cached: $EBRAIN_CACHE_DIR, else $XDG_CACHE_HOME/ebrain."""
    explicit = os.environ.get("EBRAIN_CACHE_DIR")
    if explicit:
        return Path(explicit) / "guard"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ebrain" / "guard"


def training_rows(extra: Path | None = None) -> list[dict[str, Any]]:
    """The labelled rows shipped in ebrain/guard/data (plus an optional extra JSONL file)."""
    text = resources.files("ebrain.guard").joinpath("data", TRAIN_FILE).read_text("utf-8")
    if extra is not None:
        text += "\n" + extra.read_text("utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def clip(text: str) -> str:
    """The head and tail of a long text (what the classifier reads)."""
    if len(text) <= MAX_CHARS:
        return text
    half = MAX_CHARS // 2
    return text[:half] + " " + text[-half:]


def _fit(rows: list[dict[str, Any]]) -> Any:
    """Train the pipeline (a fraction of a second on the shipped data)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=2),
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000),
    )
    pipe.fit([normalize(clip(r["text"])).text for r in rows], [int(r["label"]) for r in rows])
    return pipe


@dataclass
class InjectionClassifier:
    """Probability that a text is an injection; trains at first use, cached by data hash."""

    extra_data: Path | None = None
    cache: Path | None = None
    _model: Any = field(default=None, repr=False)

    def _load(self) -> Any:
        """The trained model: from the cache when the data hash matches, else trained now."""
        rows = training_rows(self.extra_data)
        digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:16]
        path = (self.cache or cache_dir()) / f"injection-{digest}.pkl"
        if path.exists():
            try:
                return pickle.loads(path.read_bytes())
            except Exception:  # a corrupt or stale cache is retrained
                path.unlink(missing_ok=True)
        model = _fit(rows)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(model))
            tmp.replace(path)
        except OSError:
            pass  # a read-only home still works, it just trains each time
        return model

    def probability(self, normalized_text: str) -> float:
        """P(injection) for text that was already normalized."""
        if self._model is None:
            self._model = self._load()
        return float(self._model.predict_proba([clip(normalized_text)])[0][1])
