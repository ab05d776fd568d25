"""Serving capacity: decode bounded by memory bandwidth, prefill by compute; encoder ingest."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ebrain.compute.catalog import GpuSpec, ModelSpec
from ebrain.compute.memory import (
    FRAMEWORK_OVERHEAD_BYTES,
    inference_activation_bytes,
    kv_bytes_per_token,
    weights_bytes,
)
from ebrain.compute.units import COMPUTE_PRECISION, HOUR, fraction, positive
from ebrain.errors import InvalidInputError

MAX_TP = 8


@dataclass(frozen=True)
class ServeInput:
    """A generative deployment: traffic shape and efficiency assumptions."""

    model: ModelSpec
    gpu: GpuSpec
    context: int = 4096
    output_tokens: int = 512
    concurrency: int = 0
    qps: float = 0.0
    precision: str = "bf16"
    kv_precision: str = "bf16"
    tensor_parallel: int = 0
    gpu_memory_utilization: float = 0.9
    bandwidth_efficiency: float = 0.8
    prefill_utilization: float = 0.5
    decode_utilization: float = 0.5


@dataclass
class ServePlan:
    """Capacity of one replica and the GPUs needed for the target traffic."""

    model: str
    gpu: str
    tensor_parallel: int
    weights_bytes_per_gpu: float
    kv_bytes_per_sequence: float
    max_sequences_per_replica: int
    batch_per_replica: int
    decode_step_s: float
    decode_tokens_per_s_per_sequence: float
    decode_tokens_per_s_per_replica: float
    decode_bound: str
    prefill_s: float
    p50_latency_s: float
    requests_per_s_per_replica: float
    replicas: int
    gpus: int
    target_concurrency: float
    steps: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EmbedInput:
    """An ingest backlog for an embedding or rerank model."""

    model: ModelSpec
    gpu: GpuSpec
    chunks: float = 1_000_000
    tokens_per_chunk: int = 512
    query_tokens: int = 32
    gpus: int = 1
    utilization: float = 0.4
    precision: str = "fp16"


@dataclass(frozen=True)
class EmbedPlan:
    """Encoder throughput and the time to work through a backlog."""

    model: str
    kind: str
    gpu: str
    gpus: int
    tokens_per_item: int
    flops_per_item: float
    items_per_s: float
    chunks: float
    hours: float
    steps: list[str]


def _replica_tp(inp: ServeInput) -> int:
    """Smallest power-of-two TP (<= 8) whose weights leave half the usable memory for KV."""
    if inp.tensor_parallel:
        return inp.tensor_parallel
    w = weights_bytes(inp.model, inp.precision)
    tp = 1
    while tp <= MAX_TP:
        usable = tp * inp.gpu.memory_bytes * inp.gpu_memory_utilization
        if w <= usable * 0.75:
            return tp
        tp *= 2
    raise InvalidInputError(
        f"{inp.model.name} at {inp.precision} ({w / 1e9:,.0f} GB) does not fit on "
        f"{MAX_TP}x {inp.gpu.name}",
        hint="use a lower precision (--precision fp8|int4-awq) or a larger GPU",
    )


def _max_sequences(inp: ServeInput, tp: int) -> tuple[int, float]:
    """(most concurrent sequences the KV memory allows, KV bytes per sequence)."""
    usable = tp * (inp.gpu.memory_bytes * inp.gpu_memory_utilization - FRAMEWORK_OVERHEAD_BYTES)
    act = inference_activation_bytes(inp.model, min(inp.context, 8192), 256)
    free = usable - weights_bytes(inp.model, inp.precision) - act
    per_seq = kv_bytes_per_token(inp.model, inp.kv_precision) * (inp.context + inp.output_tokens)
    return max(0, math.floor(free / per_seq)), per_seq


def decode_step(inp: ServeInput, tp: int, batch: int) -> tuple[float, str]:
    """Seconds per decode step: max(bytes read / bandwidth, FLOPs / compute)."""
    kv_read = batch * kv_bytes_per_token(inp.model, inp.kv_precision)
    kv_read *= inp.context + inp.output_tokens / 2
    mem_s = (
        weights_bytes(inp.model, inp.precision) * _moe_read_fraction(inp.model, batch) + kv_read
    ) / (tp * inp.gpu.bandwidth_gbs * 1e9 * inp.bandwidth_efficiency)
    flops = 2 * inp.model.active * batch
    compute_s = flops / (tp * _peak(inp) * inp.decode_utilization)
    return (mem_s, "memory bandwidth") if mem_s >= compute_s else (compute_s, "compute")


def _moe_read_fraction(model: ModelSpec, batch: int) -> float:
    """Share of an MoE's weights one decode step touches (all experts once batches are big)."""
    if not model.is_moe:
        return 1.0
    hit = 1 - (1 - model.experts_per_token / model.experts) ** batch
    active_share = model.active / model.params
    routed_share = 1 - active_share
    return min(1.0, active_share + routed_share * hit)


def _peak(inp: ServeInput) -> float:
    """Peak FLOP/s the weight precision computes at."""
    return inp.gpu.peak_flops(COMPUTE_PRECISION.get(inp.precision, "bf16"))


def prefill_seconds(inp: ServeInput, tp: int) -> float:
    """Prompt processing: (2·N·s + 2·layers·s²·heads·head_dim) / (peak × utilization)."""
    s, m = inp.context, inp.model
    flops = 2 * m.active * s + 2 * m.layers * s * s * m.heads * m.dim_head
    return flops / (tp * _peak(inp) * inp.prefill_utilization)


def _latency(inp: ServeInput, tp: int, batch: int) -> float:
    """p50 latency estimate: prefill, then output_tokens decode steps at this batch."""
    step, _ = decode_step(inp, tp, max(1, batch))
    return prefill_seconds(inp, tp) + inp.output_tokens * step


def _replicas_for(inp: ServeInput, tp: int, max_seqs: int) -> tuple[int, int, float]:
    """(replicas, batch per replica, concurrency) for the concurrency or QPS target."""
    if inp.qps <= 0:
        conc = float(max(1, inp.concurrency))
        replicas = math.ceil(conc / max_seqs)
        return replicas, math.ceil(conc / replicas), conc
    full = _latency(inp, tp, max_seqs)
    replicas = max(1, math.floor(inp.qps * full / max_seqs))  # capacity at full batch
    while True:
        batch = 1.0
        for _ in range(50):  # Little's law fixed point: batch = rate per replica × latency
            batch = inp.qps / replicas * _latency(inp, tp, math.ceil(batch))
        if batch <= max_seqs:
            return replicas, max(1, math.ceil(batch)), inp.qps * _latency(inp, tp, int(batch))
        replicas += 1


def plan_serve(inp: ServeInput) -> ServePlan:
    """Replica shape, per-replica capacity, GPUs needed and p50 latency for the target."""
    for name in ("context", "output_tokens"):
        positive(name.replace("_", " "), getattr(inp, name))
    fraction("bandwidth efficiency", inp.bandwidth_efficiency)
    tp = _replica_tp(inp)
    max_seqs, per_seq = _max_sequences(inp, tp)
    if max_seqs < 1:
        raise InvalidInputError(
            f"no room for even one {inp.context + inp.output_tokens}-token sequence",
            hint="raise --tp, shorten --context, or use --kv-precision fp8",
        )
    replicas, batch, conc = _replicas_for(inp, tp, max_seqs)
    step, bound = decode_step(inp, tp, batch)
    latency = _latency(inp, tp, batch)
    plan = ServePlan(
        model=inp.model.name,
        gpu=inp.gpu.name,
        tensor_parallel=tp,
        weights_bytes_per_gpu=weights_bytes(inp.model, inp.precision) / tp,
        kv_bytes_per_sequence=per_seq,
        max_sequences_per_replica=max_seqs,
        batch_per_replica=batch,
        decode_step_s=step,
        decode_tokens_per_s_per_sequence=1 / step,
        decode_tokens_per_s_per_replica=batch / step,
        decode_bound=bound,
        prefill_s=prefill_seconds(inp, tp),
        p50_latency_s=latency,
        requests_per_s_per_replica=batch / latency,
        replicas=replicas,
        gpus=replicas * tp,
        target_concurrency=conc,
    )
    plan.steps.extend(_explain_serve(inp, plan))
    return plan


def _explain_serve(inp: ServeInput, p: ServePlan) -> list[str]:
    """The arithmetic of a serve plan."""
    bw = inp.gpu.bandwidth_gbs * inp.bandwidth_efficiency
    return [
        f"TP = {p.tensor_parallel}: weights {p.weights_bytes_per_gpu / 1e9:,.1f} GB per GPU",
        f"KV per sequence = KV/token x (context + output) = {p.kv_bytes_per_sequence / 2**20:,.1f}"
        f" MiB -> at most {p.max_sequences_per_replica} sequences per replica",
        f"decode step (batch {p.batch_per_replica}) = (weights + KV read) / "
        f"({p.tensor_parallel} x {bw:,.0f} GB/s) = {p.decode_step_s * 1e3:.2f} ms "
        f"({p.decode_bound}-bound) -> {p.decode_tokens_per_s_per_replica:,.0f} tokens/s",
        f"prefill = 2·N·s + attention / (peak x {inp.prefill_utilization:g}) = {p.prefill_s:.3f} s",
        f"p50 latency = prefill + {inp.output_tokens} x step = {p.p50_latency_s:.2f} s",
        f"replicas = {p.replicas} for concurrency {p.target_concurrency:,.1f} -> {p.gpus} GPUs",
    ]


def plan_embed(inp: EmbedInput) -> EmbedPlan:
    """Encoder ingest: FLOPs per chunk = 2·N_non-embedding·s + 4·layers·s²·hidden."""
    positive("chunks", inp.chunks)
    positive("GPUs", inp.gpus)
    fraction("utilization", inp.utilization)
    m = inp.model
    s = inp.tokens_per_chunk + (inp.query_tokens if m.kind == "rerank" else 0)
    s = min(s, m.max_context)
    flops = 2 * (m.params - m.embedding_params) * s + 4 * m.layers * s * s * m.hidden
    peak = inp.gpu.peak_flops(COMPUTE_PRECISION.get(inp.precision, "bf16"))
    rate = inp.gpus * peak * inp.utilization / flops
    hours = inp.chunks / rate / HOUR
    unit = "pairs" if m.kind == "rerank" else "chunks"
    steps = [
        f"tokens per item = {s}; FLOPs per item = 2 x {m.params - m.embedding_params:.4g} x {s}"
        f" + 4 x {m.layers} x {s}^2 x {m.hidden} = {flops:.4g}",
        f"{unit}/s = GPUs x peak x utilization / FLOPs = {inp.gpus} x {peak:.4g} x "
        f"{inp.utilization:g} / {flops:.4g} = {rate:,.0f}",
        f"{inp.chunks:,.0f} {unit} on {inp.gpus}x {inp.gpu.name} takes {hours:,.2f} hours",
    ]
    return EmbedPlan(
        model=m.name,
        kind=m.kind,
        gpu=inp.gpu.name,
        gpus=inp.gpus,
        tokens_per_item=s,
        flops_per_item=flops,
        items_per_s=rate,
        chunks=inp.chunks,
        hours=hours,
        steps=steps,
    )
