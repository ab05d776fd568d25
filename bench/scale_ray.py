"""Ingest on Ray against the single-process pipeline, on this machine.

    nice -n 10 .venv/bin/python bench/scale_ray.py [--copies 20] [--runs 3]

The corpus is bench/ingest.py's: examples/corpus (51 good files in 16 formats + 4 bad ones)
replicated `--copies` times, every copy's files made unique (bench/.cache/ingest_corpus). Each
run ingests all of it into a fresh workspace (parse, chunk, analyze, store; embeddings off, so
the figures are the CPU stage that Ray spreads over machines; embedding throughput is a GPU
question, see docs/bench/embed.md and `ebrain plan embed`). Configurations:

- local pipeline, `--jobs 1` and `--jobs 2` (a fork pool);
- Ray with 1 and 2 worker CPUs (`ray.init(num_cpus=N)` on loopback), the driver storing.

The Ray instance starts once per worker count (its start-up is reported on its own); the first
run on it is reported apart too (it starts the worker processes, which import ebrain), then the
median of the warm runs. Ray's cost per task is also measured with empty tasks. Results:
bench/results/scale-ray.json; write-up: docs/bench/scale-ray.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ingest as ingest_bench
from ebrain.brain import Brain

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".cache" / "scale_ray"
RESULT = ROOT / "bench" / "results" / "scale-ray.json"
CONFIG = "embed:\n  model: none\ningest:\n  embed: false\nguard:\n  learned: false\n"


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _workspace(name: str) -> Path:
    path = WORK / name
    shutil.rmtree(path, ignore_errors=True)
    Brain.init(path).close()
    (path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return path


def _ingest(dirs: list[Path], jobs: int | None, ray: str | None) -> dict[str, Any]:
    """One run into a fresh workspace: seconds, the driver's CPU seconds, files and chunks
    stored, the load before."""
    ws = _workspace("ws")
    load = os.getloadavg()[0]
    with Brain.open(ws) as brain:
        cpu0, tree0, t0 = _own_cpu(), _tree_cpu(), time.perf_counter()
        report = brain.ingest(dirs, jobs=jobs, ray=ray)
        seconds, driver_cpu = time.perf_counter() - t0, _own_cpu() - cpu0
        tree_cpu = _tree_cpu() - tree0
    counts = report.counts
    return {
        "seconds": seconds,
        "files": sum(counts.values()),
        "added": counts.get("added", 0),
        "chunks": report.chunks_added,
        "driver_cpu_s": driver_cpu,
        "tree_cpu_s": tree_cpu,
        "load1": load,
    }


def _tree_cpu() -> float:
    """CPU seconds of this process and everything under it: the pool's forked parsers once
    waited for (RUSAGE_CHILDREN), and the live Ray processes (raylet, GCS, workers) with the
    parsers they forked and waited for. Less sensitive to other jobs' load than wall time."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    for proc in psutil.Process().children(recursive=True):
        try:
            t = proc.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def _own_cpu() -> float:
    """CPU seconds of this process alone (the driver: triage, store, full-text index; the
    parsers run in other processes, forked or Ray workers)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _task_overhead(ray: Any, tasks: int = 200) -> float:
    """Milliseconds per empty task (submitted together, all results gathered)."""

    def nothing(x: int) -> int:
        return x

    remote = ray.remote(num_cpus=1)(nothing)
    ray.get([remote.remote(i) for i in range(20)])  # warm
    t0 = time.perf_counter()
    ray.get([remote.remote(i) for i in range(tasks)])
    return (time.perf_counter() - t0) * 1000 / tasks


def _on_ray(dirs: list[Path], cpus: int) -> dict[str, Any]:
    """One round on a fresh Ray instance: its start-up, a cold run, a warm run, empty tasks."""
    import ray

    t0 = time.perf_counter()
    ray.init(
        num_cpus=cpus, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1"
    )
    start = time.perf_counter() - t0
    try:
        cold = _ingest(dirs, None, "auto")
        warm = _ingest(dirs, None, "auto")
        overhead = _task_overhead(ray)
    finally:
        ray.shutdown()
    return {**warm, "start_s": start, "cold_s": cold["seconds"], "empty_task_ms": overhead}


CONFIGS = ("local_jobs1", "local_jobs2", "ray_1cpu", "ray_2cpu")


def _round(dirs: list[Path]) -> dict[str, dict[str, Any]]:
    """Every configuration once, one after the other (load drifts hit all alike)."""
    out = {
        "local_jobs1": _ingest(dirs, 1, None),
        "local_jobs2": _ingest(dirs, 2, None),
        "ray_1cpu": _on_ray(dirs, 1),
        "ray_2cpu": _on_ray(dirs, 2),
    }
    _log(" ".join(f"{k}={v['seconds']:.2f}s" for k, v in out.items()))
    return out


def _median(rounds: list[dict[str, dict[str, Any]]], config: str, key: str) -> float:
    return float(statistics.median(r[config][key] for r in rounds))


def _summary(rounds: list[dict[str, dict[str, Any]]], config: str) -> dict[str, Any]:
    median = _median(rounds, config, "seconds")
    first = rounds[0][config]
    out = {
        "median_s": median,
        "median_driver_cpu_s": _median(rounds, config, "driver_cpu_s"),
        "median_tree_cpu_s": _median(rounds, config, "tree_cpu_s"),
        "files_per_s": first["files"] / median,
        "chunks_per_s": first["chunks"] / median,
    }
    if config.startswith("ray"):
        for key in ("start_s", "cold_s", "empty_task_ms"):
            out[f"median_{key}"] = _median(rounds, config, key)
    return out


LABELS = {
    "local_jobs1": "local pipeline, `--jobs 1`",
    "local_jobs2": "local pipeline, `--jobs 2`",
    "ray_1cpu": "Ray, 1 worker CPU",
    "ray_2cpu": "Ray, 2 worker CPUs",
}


def table(results: dict[str, Any]) -> str:
    """The write-up's table (markdown) from a results file."""
    rows = [
        "| configuration | median s | files/s | chunks/s | all CPU s | CPU ms per file |"
        " driver CPU s | driver chunks per CPU s | per-round s | load1 per round |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    chunks = results["rounds"][0]["local_jobs1"]["chunks"]
    for config, label in LABELS.items():
        r = results[config]
        rounds = [x[config] for x in results["rounds"]]
        secs = ", ".join(f"{x['seconds']:.1f}" for x in rounds)
        loads = ", ".join(f"{x['load1']:.0f}" for x in rounds)
        tree = r.get("median_tree_cpu_s", float("nan"))
        rows.append(
            f"| {label} | {r['median_s']:.2f} | {r['files_per_s']:.1f} | {r['chunks_per_s']:.0f} "
            f"| {tree:.1f} | {tree * 1000 / results['files']:.1f} "
            f"| {r['median_driver_cpu_s']:.2f} | {chunks / r['median_driver_cpu_s']:.0f} "
            f"| {secs} | {loads} |"
        )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--table", action="store_true", help="print the table of a results file")
    ap.add_argument("--results", type=Path, default=RESULT, help="with --table: which file")
    args = ap.parse_args()
    if args.table:
        print(table(json.loads(args.results.read_text(encoding="utf-8"))))
        return
    root = ingest_bench.build_corpus(args.copies, _log)
    dirs = ingest_bench.copy_dirs(root, args.copies)
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "nice": os.nice(0),
        },
        "copies": args.copies,
        "files": len(ingest_bench.files_under(dirs)),
    }
    rounds = [_round(dirs) for _ in range(args.runs)]
    results["rounds"] = rounds
    results |= {config: _summary(rounds, config) for config in CONFIGS}
    results["ray_overhead_cpu_ms_per_file"] = {
        cpus: (results[f"ray_{cpus}cpu"]["median_tree_cpu_s"] - results[local]["median_tree_cpu_s"])
        * 1000
        / results["files"]
        for cpus, local in (("1", "local_jobs1"), ("2", "local_jobs2"))
    }
    results["ray_overhead_ms_per_file"] = {
        cpus: (results[f"ray_{cpus}cpu"]["median_s"] - results[local]["median_s"])
        * 1000
        / results["files"]
        for cpus, local in (("1", "local_jobs1"), ("2", "local_jobs2"))
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(results, indent=2), encoding="utf-8")
    shutil.rmtree(WORK, ignore_errors=True)
    keys = (*CONFIGS, "ray_overhead_ms_per_file", "ray_overhead_cpu_ms_per_file")
    print(json.dumps({k: results[k] for k in keys}, indent=1))


if __name__ == "__main__":
    main()
