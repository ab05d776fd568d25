"""`ebrain plan`: GPU planning — training time, memory, serving capacity, pools on Kubernetes."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ebrain.cli.common import console, emit_json, handled, safe, workspace_path
from ebrain.compute import charts
from ebrain.compute.catalog import Catalog, ModelSpec, load_catalog
from ebrain.compute.hfconfig import read_hf_config
from ebrain.compute.memory import (
    InferenceMemoryInput,
    MemoryPlan,
    TrainMemoryInput,
    inference_memory,
    train_memory,
    weights_table,
)
from ebrain.compute.pool import load_pool, manifests_yaml, plan_pool
from ebrain.compute.serve import EmbedInput, ServeInput, plan_embed, plan_serve
from ebrain.compute.train import TrainInput, days_by_gpu_count, plan_train
from ebrain.compute.units import GB, GiB, parse_count
from ebrain.errors import InvalidInputError
from ebrain.i18n import say

app = typer.Typer(
    help="Plan GPUs: training time, memory, serving, pools. / 算力规划：训练、显存、推理、资源池。",
    no_args_is_help=True,
)

GPUS_OPT = typer.Option(None, "--gpus", help="Extra GPU catalog YAML merged over the built-in.")
MODELS_OPT = typer.Option(None, "--models", help="Extra model catalog YAML.")
HF_OPT = typer.Option(None, "--hf-config", help="A HuggingFace config.json to plan for.")
JSON_OPT = typer.Option(False, "--json", help="Print JSON instead of tables.")
EXPLAIN_OPT = typer.Option(False, "--explain", help="Show the arithmetic step by step.")
CHART_OPT = typer.Option(None, "--chart", help="Write a chart: FILE.png or FILE.html.")
MODEL_ARG = typer.Argument(None, help="Model name from the catalog (see `ebrain plan models`).")
GPU_OPT = typer.Option("H100-SXM", "--gpu", "-g", help="GPU name (see `ebrain plan gpus`).")
CHART_COUNTS = [1, 8, 64, 256, 1024, 4096, 16384]


def _catalog(ctx: typer.Context, gpus: Path | None, models: Path | None) -> Catalog:
    """Built-in catalog merged with workspace and explicit user files."""
    return load_catalog(gpus, models, workspace_path(ctx))


def _model(catalog: Catalog, name: str | None, hf_config: Path | None) -> ModelSpec:
    """The model from --hf-config or the catalog."""
    if hf_config is not None:
        return read_hf_config(hf_config, name)
    if not name:
        raise InvalidInputError(
            say("name a model or pass --hf-config", "请指定模型名称或 --hf-config"),
            hint="ebrain plan models",
        )
    return catalog.model(name)


def _table(title: str, rows: list[tuple[str, str]]) -> Table:
    """A two-column table of labels and values."""
    table = Table(title=safe(title), show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in rows:
        table.add_row(safe(label), safe(value))
    return table


def _steps(steps: list[str]) -> None:
    """Print the arithmetic lines of --explain."""
    console.print(say("[bold]Arithmetic[/]", "[bold]计算过程[/]"))
    for line in steps:
        console.print(f"  {safe(line)}", highlight=False)


@app.command("gpus")
def gpus_cmd(ctx: typer.Context, gpus: Path | None = GPUS_OPT, as_json: bool = JSON_OPT) -> None:
    """List the GPU catalog (dense figures only). / 列出 GPU 目录（稠密算力）。"""
    with handled(as_json):
        cat = _catalog(ctx, gpus, None)
        if as_json:
            emit_json({"gpus": [asdict(g) for g in cat.gpus.values()]})
            return
        table = Table(title=say("GPU catalog (dense TFLOPS)", "GPU 目录（稠密 TFLOPS）"))
        for col in ("GPU", "bf16", "fp8", "int8", "GB", "GB/s", "link", "W"):
            table.add_column(col, justify="left" if col in ("GPU", "link") else "right")
        for g in cat.gpus.values():
            cells = (
                g.name,
                f"{g.bf16_tflops:g}",
                f"{g.fp8_tflops or 0:g}",
                f"{g.int8_tops or 0:g}",
                f"{g.memory_gb:g}",
                f"{g.bandwidth_gbs:g}",
                g.interconnect,
                f"{g.tdp_w:g}",
            )
            table.add_row(*map(safe, cells))
        console.print(table)


@app.command("models")
def models_cmd(
    ctx: typer.Context, models: Path | None = MODELS_OPT, as_json: bool = JSON_OPT
) -> None:
    """List the model catalog. / 列出模型目录。"""
    with handled(as_json):
        cat = _catalog(ctx, None, models)
        if as_json:
            emit_json({"models": [asdict(m) for m in cat.models.values()]})
            return
        table = Table(title=say("Model catalog", "模型目录"))
        for col in ("model", "kind", "params", "active", "layers", "hidden", "heads", "kv", "ctx"):
            table.add_column(col, justify="left" if col in ("model", "kind") else "right")
        for m in cat.models.values():
            cells = (
                m.name,
                m.kind,
                f"{m.params / 1e9:.3g}B",
                f"{m.active / 1e9:.3g}B",
                m.layers,
                m.hidden,
                m.heads,
                m.kv_heads,
                m.max_context,
            )
            table.add_row(*map(safe, cells))
        console.print(table)


@app.command("train")
def train_cmd(
    ctx: typer.Context,
    model: str | None = MODEL_ARG,
    gpu: str = GPU_OPT,
    tokens: str = typer.Option(..., "--tokens", "-t", help="Training tokens: 300e9, 300B, 15.6T."),
    num_gpus: int = typer.Option(
        1, "--num-gpus", "-n", min=1, max=10_000_000, help="GPUs for the wall-clock time."
    ),
    utilization: float = typer.Option(
        0.4, "--utilization", "-u", min=0.001, max=1.0, help="MFU, 0..1."
    ),
    scaling: float = typer.Option(
        1.0, "--scaling", min=0.001, max=1.0, help="Scaling efficiency over GPUs, 0..1."
    ),
    recompute: bool = typer.Option(False, "--recompute", help="Full recomputation: 8·N·D."),
    precision: str = typer.Option("bf16", "--precision", help="Compute precision: bf16 or fp8."),
    pue: float = typer.Option(
        1.2, "--pue", min=1.0, max=10.0, help="Data-centre power usage effectiveness."
    ),
    price: float = typer.Option(0.0, "--price", min=0.0, help="Price per GPU-hour."),
    explain: bool = EXPLAIN_OPT,
    chart: Path | None = CHART_OPT,
    gpus: Path | None = GPUS_OPT,
    models: Path | None = MODELS_OPT,
    hf_config: Path | None = HF_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Training compute, time, energy and cost (6·N·D). / 训练算力、时间、能耗与成本。"""
    with handled(as_json):
        cat = _catalog(ctx, gpus, models)
        inp = TrainInput(
            _model(cat, model, hf_config),
            cat.gpu(gpu),
            parse_count(tokens),
            gpus=num_gpus,
            utilization=utilization,
            scaling_efficiency=scaling,
            recompute=recompute,
            precision=precision,
            pue=pue,
            price_per_gpu_hour=price,
        )
        plan = plan_train(inp)
        curve = days_by_gpu_count(plan, sorted({*CHART_COUNTS, num_gpus}))
        if chart is not None:
            series = [charts.Series(f"{plan.model} on {plan.gpu}", tuple(curve))]
            title = say("Training days against GPU count", "训练天数与 GPU 数量")
            charts.line_chart(chart, title, "GPUs", "days", series)
        if as_json:
            emit_json({**asdict(plan), "days_by_gpus": [{"gpus": n, "days": d} for n, d in curve]})
            return
        _render_train(plan, explain)


def _render_train(plan: Any, explain: bool) -> None:
    """Tables for a training plan."""
    rows = [
        (say("model / GPU", "模型 / GPU"), f"{plan.model} / {plan.gpu}"),
        (say("parameters (N)", "参数量 (N)"), f"{plan.params:.4g}"),
        (say("tokens (D)", "训练 token (D)"), f"{plan.tokens:.4g}"),
        ("FLOPs", f"{plan.flops:.4g}"),
        (say("GPU-hours", "GPU 小时"), f"{plan.gpu_hours:,.0f}"),
        (say("GPU-years", "GPU 年"), f"{plan.gpu_years:,.2f}"),
        (say(f"wall time on {plan.gpus} GPUs", f"{plan.gpus} 卡耗时"), f"{plan.wall_days:,.1f} d"),
        (say("energy", "能耗"), f"{plan.energy_mwh:,.1f} MWh"),
        (say("cost", "成本"), f"{plan.cost:,.0f}"),
    ]
    console.print(_table(say("Training plan", "训练规划"), rows))
    if explain:
        _steps(plan.steps)


@app.command("memory")
def memory_cmd(
    ctx: typer.Context,
    model: str | None = MODEL_ARG,
    mode: str = typer.Option("inference", "--mode", help="inference or train."),
    gpu: str | None = typer.Option(None, "--gpu", "-g", help="Check whether it fits this GPU."),
    precision: str = typer.Option(
        "bf16", "--precision", help="Weights: fp16 bf16 fp8 int8 int4-awq."
    ),
    kv_precision: str = typer.Option("bf16", "--kv-precision", help="KV cache: bf16 or fp8."),
    context: int = typer.Option(
        4096, "--context", "-c", min=1, max=100_000_000, help="Tokens per sequence."
    ),
    batch: int = typer.Option(
        1, "--batch", "-b", min=1, max=1_000_000, help="Concurrent sequences / micro-batch."
    ),
    method: str = typer.Option("full", "--method", help="Training: full, lora or qlora."),
    recompute: str = typer.Option("none", "--recompute", help="none, selective or full."),
    zero: int = typer.Option(0, "--zero", min=0, max=3, help="ZeRO stage 0-3."),
    dp: int = typer.Option(
        1, "--dp", min=1, max=1_000_000, help="Data-parallel degree (ZeRO shards over it)."
    ),
    tp: int = typer.Option(1, "--tp", min=1, max=4096, help="Tensor-parallel degree."),
    pp: int = typer.Option(1, "--pp", min=1, max=4096, help="Pipeline-parallel degree."),
    lora_rank: int = typer.Option(16, "--lora-rank", min=1, max=65536, help="LoRA rank."),
    grad_bytes: float = typer.Option(
        2.0, "--grad-bytes", min=0.0, max=64.0, help="Bytes per gradient (4: fp32)."
    ),
    optim_bytes: float = typer.Option(
        12.0, "--optim-bytes", min=0.0, max=64.0, help="Adam state bytes per param."
    ),
    chart: Path | None = CHART_OPT,
    gpus: Path | None = GPUS_OPT,
    models: Path | None = MODELS_OPT,
    hf_config: Path | None = HF_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Memory per GPU for training or inference. / 训练或推理的单卡显存。"""
    with handled(as_json):
        cat = _catalog(ctx, gpus, models)
        spec = _model(cat, model, hf_config)
        card = cat.gpu(gpu) if gpu else None
        if mode == "train":
            tinp = TrainMemoryInput(
                spec,
                method=method,
                seq_len=context,
                micro_batch=batch,
                recompute=recompute,
                zero_stage=zero,
                data_parallel=dp,
                tensor_parallel=tp,
                pipeline_parallel=pp,
                lora_rank=lora_rank,
                grad_bytes=grad_bytes,
                optimizer_bytes=optim_bytes,
            )
            plan = train_memory(tinp, card)
            variants = {
                m: train_memory(replace(tinp, method=m), card) for m in ("full", "lora", "qlora")
            }
        elif mode == "inference":
            iinp = InferenceMemoryInput(spec, precision, kv_precision, context, batch, tp)
            plan = inference_memory(iinp, card)
            variants = {
                p: inference_memory(replace(iinp, precision=p), card)
                for p in ("bf16", "fp8", "int8", "int4-awq")
            }
        else:
            raise InvalidInputError(
                say("--mode must be inference or train", "--mode 须为 inference 或 train")
            )
        if chart is not None:
            _memory_chart(chart, spec.name, variants)
        out = _memory_json(plan, spec)
        if as_json:
            emit_json(out)
            return
        _render_memory(plan, out)


def _memory_json(plan: MemoryPlan, spec: ModelSpec) -> dict[str, Any]:
    """The JSON shape of `plan memory` (bytes, plus GiB for people)."""
    out = asdict(plan)
    out["total_gib"] = plan.total_bytes / GiB
    out["items"] = [{**asdict(i), "gib": i.bytes / GiB} for i in plan.items]
    if plan.mode == "inference":
        out["weights_by_precision_gb"] = {k: v / GB for k, v in weights_table(spec).items()}
    return out


def _memory_chart(path: Path, name: str, variants: dict[str, MemoryPlan]) -> None:
    """Stacked memory-breakdown bars, one per precision or training method."""
    bars = [
        charts.Series(label, parts=tuple((i.name, i.bytes / GiB) for i in p.items))
        for label, p in variants.items()
    ]
    charts.bar_chart(path, say(f"{name}: memory per GPU", f"{name}：单卡显存"), "GiB", bars)


def _render_memory(plan: MemoryPlan, out: dict[str, Any]) -> None:
    """Tables for a memory plan."""
    rows = [(i.name, f"{i.bytes / GiB:,.2f} GiB") for i in plan.items]
    rows.append((say("total", "合计"), f"{plan.total_bytes / GiB:,.2f} GiB"))
    if plan.gpu:
        verdict = say("fits", "放得下") if plan.fits else say("does NOT fit", "放不下")
        rows.append((f"{plan.gpu} ({plan.usable_bytes / GiB:,.1f} GiB usable)", verdict))
    for key, value in plan.details.items():
        text = f"{float(value) / 1024:,.1f} KiB" if key == "kv_bytes_per_token" else str(value)
        rows.append((key, text))
    console.print(_table(say(f"Memory: {plan.model} ({plan.mode})", f"显存：{plan.model}"), rows))
    if "weights_by_precision_gb" in out:
        w = [(k, f"{v:,.2f} GB") for k, v in out["weights_by_precision_gb"].items()]
        console.print(_table(say("Weights by precision", "各精度权重大小"), w))


@app.command("serve")
def serve_cmd(
    ctx: typer.Context,
    model: str | None = MODEL_ARG,
    gpu: str = GPU_OPT,
    context: int = typer.Option(
        4096, "--context", "-c", min=1, max=100_000_000, help="Prompt tokens per request."
    ),
    output: int = typer.Option(
        512, "--output", "-o", min=1, max=100_000_000, help="Output tokens per request."
    ),
    concurrency: int = typer.Option(
        0, "--concurrency", min=0, max=100_000_000, help="Concurrent sequences to serve."
    ),
    qps: float = typer.Option(0.0, "--qps", min=0.0, help="Requests per second to serve."),
    precision: str = typer.Option("bf16", "--precision", help="Weight precision."),
    kv_precision: str = typer.Option("bf16", "--kv-precision", help="KV cache precision."),
    tp: int = typer.Option(
        0, "--tp", min=0, max=4096, help="Tensor parallel per replica (0: smallest fitting)."
    ),
    chunks: str = typer.Option("1M", "--chunks", help="Embedding/rerank backlog: items."),
    chunk_tokens: int = typer.Option(
        512, "--chunk-tokens", min=1, max=1_000_000, help="Tokens per chunk."
    ),
    num_gpus: int = typer.Option(
        1, "--num-gpus", "-n", min=1, max=10_000_000, help="GPUs for an ingest backlog."
    ),
    utilization: float = typer.Option(
        0.4, "--utilization", "-u", min=0.001, max=1.0, help="Encoder MFU, 0..1."
    ),
    explain: bool = EXPLAIN_OPT,
    gpus: Path | None = GPUS_OPT,
    models: Path | None = MODELS_OPT,
    hf_config: Path | None = HF_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Serving capacity, GPUs needed, p50 latency; chunks/s for encoders. / 推理容量规划。"""
    with handled(as_json):
        cat = _catalog(ctx, gpus, models)
        spec, card = _model(cat, model, hf_config), cat.gpu(gpu)
        if spec.kind in ("embedding", "rerank"):
            eplan = plan_embed(
                EmbedInput(
                    spec,
                    card,
                    parse_count(chunks),
                    chunk_tokens,
                    gpus=num_gpus,
                    utilization=utilization,
                )
            )
            _emit(
                as_json,
                {"kind": spec.kind, **asdict(eplan)},
                _embed_rows(eplan),
                eplan.steps,
                explain,
            )
            return
        splan = plan_serve(
            ServeInput(
                spec,
                card,
                context,
                output,
                concurrency,
                qps,
                precision,
                kv_precision,
                tp,
            )
        )
        _emit(
            as_json, {"kind": "decoder", **asdict(splan)}, _serve_rows(splan), splan.steps, explain
        )


def _emit(
    as_json: bool,
    data: dict[str, Any],
    rows: list[tuple[str, str]],
    steps: list[str],
    explain: bool,
) -> None:
    """JSON or a table (and the arithmetic when asked)."""
    if as_json:
        emit_json(data)
        return
    console.print(_table(say("Serving plan", "推理规划"), rows))
    if explain:
        _steps(steps)


def _serve_rows(p: Any) -> list[tuple[str, str]]:
    """Table rows for a decoder serving plan."""
    return [
        (say("model / GPU", "模型 / GPU"), f"{p.model} / {p.gpu}"),
        (say("tensor parallel per replica", "每副本张量并行"), str(p.tensor_parallel)),
        (say("max sequences per replica", "每副本最大并发"), str(p.max_sequences_per_replica)),
        (
            say("decode tokens/s per replica", "每副本解码 token/s"),
            f"{p.decode_tokens_per_s_per_replica:,.0f} ({p.decode_bound})",
        ),
        (
            say("tokens/s per sequence", "单序列 token/s"),
            f"{p.decode_tokens_per_s_per_sequence:,.1f}",
        ),
        (say("prefill (TTFT)", "预填充 (首字)"), f"{p.prefill_s:.3f} s"),
        (say("p50 latency", "p50 延迟"), f"{p.p50_latency_s:.2f} s"),
        (say("replicas / GPUs", "副本 / GPU 数"), f"{p.replicas} / {p.gpus}"),
    ]


def _embed_rows(p: Any) -> list[tuple[str, str]]:
    """Table rows for an embedding / rerank backlog."""
    return [
        (say("model / GPU", "模型 / GPU"), f"{p.model} / {p.gpus}x {p.gpu}"),
        (say("items per second", "每秒条数"), f"{p.items_per_s:,.0f}"),
        (say("backlog", "待处理"), f"{p.chunks:,.0f}"),
        (say("hours", "小时"), f"{p.hours:,.2f}"),
    ]


@app.command("pool")
def pool_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Pool YAML: gpu, gpus, mode, deployments."),
    out: Path | None = typer.Option(None, "--out", help="Write Kubernetes manifests here."),
    gpus: Path | None = GPUS_OPT,
    models: Path | None = MODELS_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Pack deployments onto a GPU pool; emit Kubernetes manifests. / GPU 资源池装箱。"""
    with handled(as_json):
        cat = _catalog(ctx, gpus, models)
        plan = plan_pool(load_pool(file), cat)
        if out is not None:
            out.write_text(manifests_yaml(plan), "utf-8")
        if as_json:
            emit_json(asdict(plan))
            return
        _render_pool(plan, out)


def _render_pool(plan: Any, out: Path | None) -> None:
    """Placement table and the summary."""
    title = say(f"GPU pool: {plan.gpu} ({plan.mode})", f"GPU 资源池：{plan.gpu}")
    table = Table(title=safe(title))
    for col in ("GPU", say("placed", "已放置"), "GB"):
        table.add_column(col)
    for b in plan.bins:
        placed = ", ".join(
            f"{s.deployment}#{s.replica} {s.resource.split('/')[-1]}" for s in b.slices
        )
        table.add_row(safe(b.index), safe(placed), safe(f"{b.used('allocated_gb'):,.1f}"))
    console.print(table)
    verdict = say("fits", "放得下") if plan.fits else say("does NOT fit", "放不下")
    rows = [
        (
            say("GPUs needed / available", "所需 / 可用 GPU"),
            f"{plan.gpus_needed} / {plan.gpus_available} ({verdict})",
        ),
        (say("utilization (requested / capacity)", "利用率"), f"{plan.utilization:.1%}"),
        (say("allocated / capacity", "分配率"), f"{plan.allocation:.1%}"),
        (say("fragmentation of free memory", "空闲显存碎片率"), f"{plan.fragmentation:.1%}"),
        (say("internal waste", "内部浪费"), f"{plan.internal_waste_gb:,.1f} GB"),
    ]
    console.print(_table(say("Pool summary", "资源池汇总"), rows))
    if out is not None:
        console.print(
            say(f"manifests written to {safe(out)}", f"清单已写入 {safe(out)}"), highlight=False
        )
