"""A light injection classifier: char n-gram TF-IDF + logistic regression, trained on our data.

The trained weights are cached as plain JSON (never pickle: a cache file must not be able to run
code when it is read); a cache that does not parse or has the wrong shape is retrained.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Callable
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


def _vectorizer() -> Any:
    """The (unfitted) TF-IDF vectorizer; its analyzer is also rebuilt from here on a cache hit."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=2)


def _fit(rows: list[dict[str, Any]]) -> Any:
    """Train the pipeline (a fraction of a second on the shipped data)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(
        _vectorizer(),
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000),
    )
    pipe.fit([normalize(clip(r["text"])).text for r in rows], [int(r["label"]) for r in rows])
    return pipe


def _sigmoid(z: float) -> float:
    """The logistic function, without overflow for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class LinearScorer:
    """The fitted TF-IDF + logistic pipeline as one dict walk (same probabilities, no overhead)."""

    # sklearn's per-call input checks cost more than the maths on short texts.

    analyzer: Callable[[str], list[str]]
    weights: dict[str, tuple[float, float]]  # n-gram -> (idf * coefficient, idf)
    intercept: float

    @classmethod
    def from_pipeline(cls, pipe: Any) -> LinearScorer:
        """Read the vocabulary, idf and coefficients out of a fitted `_fit` pipeline."""
        vec, logit = pipe[0], pipe[-1]
        coef, idf = logit.coef_[0], vec.idf_
        weights = {g: (float(idf[i] * coef[i]), float(idf[i])) for g, i in vec.vocabulary_.items()}
        return cls(vec.build_analyzer(), weights, float(logit.intercept_[0]))

    def to_json(self) -> str:
        """The learned numbers as JSON (the analyzer is code and is rebuilt, not stored)."""
        return json.dumps({"intercept": self.intercept, "weights": self.weights})

    @classmethod
    def from_json(cls, text: str) -> LinearScorer:
        """Read `to_json` output; ValueError when it is not exactly that shape."""
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("weights"), dict):
            raise ValueError("not a scorer cache")
        weights = {
            str(gram): (float(pair[0]), float(pair[1])) for gram, pair in data["weights"].items()
        }
        return cls(_vectorizer().build_analyzer(), weights, float(data["intercept"]))

    def probability(self, text: str) -> float:
        """P(injection): sublinear tf * idf, l2-normalized, dotted with the coefficients."""
        dot = norm = 0.0
        get = self.weights.get
        for gram, count in Counter(self.analyzer(text)).items():
            weight = get(gram)
            if weight is not None:
                tf = 1.0 + math.log(count)
                dot += tf * weight[0]
                norm += (tf * weight[1]) ** 2
        return _sigmoid(self.intercept + (dot / math.sqrt(norm) if norm else 0.0))


@dataclass
class InjectionClassifier:
    """Probability that a text is an injection; trains at first use, cached by data hash."""

    extra_data: Path | None = None
    cache: Path | None = None
    _model: Any = field(default=None, repr=False)
    _scorer: LinearScorer | None = field(default=None, repr=False)

    def _load(self) -> LinearScorer:
        """The scorer: from the JSON cache when the data hash matches, else trained now."""
        rows = training_rows(self.extra_data)
        digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:16]
        path = (self.cache or cache_dir()) / f"injection-{digest}.json"
        try:
            return LinearScorer.from_json(path.read_text("utf-8"))
        except (OSError, ValueError, TypeError, KeyError, IndexError):
            pass  # missing, corrupt or stale: retrain
        self._model = _fit(rows)
        scorer = LinearScorer.from_pipeline(self._model)
        _write_cache(path, scorer.to_json())
        return scorer

    def probability(self, normalized_text: str) -> float:
        """P(injection) for text that was already normalized."""
        if self._scorer is None:
            self._scorer = self._load()
        return self._scorer.probability(clip(normalized_text))


def _write_cache(path: Path, text: str) -> None:
    """Write the cache atomically (private temp file, then rename); failures only cost speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home still works, it just trains each time
