"""Memory per GPU: training (full, LoRA, QLoRA; ZeRO; TP/PP) and inference (weights, KV cache)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ebrain.compute.catalog import GpuSpec, ModelSpec
from ebrain.compute.units import GiB, bytes_per_param, fraction, positive
from ebrain.errors import InvalidInputError

METHODS = ("full", "lora", "qlora")
RECOMPUTE = ("none", "selective", "full")
FRAMEWORK_OVERHEAD_BYTES = 1.0 * GiB  # CUDA context, allocator slack, kernels (per GPU)


@dataclass(frozen=True)
class MemoryItem:
    """One named part of a memory budget, in bytes."""

    name: str
    bytes: float


@dataclass
class MemoryPlan:
    """A per-GPU memory breakdown and whether it fits on the chosen GPU."""

    model: str
    mode: str
    items: list[MemoryItem]
    total_bytes: float
    gpu: str | None = None
    gpu_bytes: float = 0.0
    usable_bytes: float = 0.0
    fits: bool | None = None
    details: dict[str, float | int | str] = field(default_factory=dict)

    def item(self, name: str) -> float:
        """Bytes of the item called `name` (0 if absent)."""
        return sum(i.bytes for i in self.items if i.name == name)


@dataclass(frozen=True)
class TrainMemoryInput:
    """Training set-up: method, parallelism and batch shape."""

    model: ModelSpec
    method: str = "full"
    seq_len: int = 4096
    micro_batch: int = 1
    recompute: str = "none"
    flash_attention: bool = True
    zero_stage: int = 0
    data_parallel: int = 1
    tensor_parallel: int = 1
    pipeline_parallel: int = 1
    weight_bytes: float = 2.0
    grad_bytes: float = 2.0
    optimizer_bytes: float = 12.0
    lora_rank: int = 16
    activation_bytes: float = 2.0


@dataclass(frozen=True)
class InferenceMemoryInput:
    """Serving set-up: weight and KV precision, context and batch."""

    model: ModelSpec
    precision: str = "bf16"
    kv_precision: str = "bf16"
    context: int = 4096
    batch: int = 1
    tensor_parallel: int = 1
    prefill_chunk: int = 8192


def kv_bytes_per_token(model: ModelSpec, kv_precision: str = "bf16") -> float:
    """KV cache per token: 2·layers·kv_heads·head_dim·bytes (MLA: (rank+rope)·layers·bytes)."""
    b = bytes_per_param(kv_precision)
    if model.uses_mla:
        return float(model.layers * (model.kv_lora_rank + model.qk_rope_head_dim) * b)
    return float(2 * model.layers * model.kv_heads * model.dim_head * b)


def weights_bytes(model: ModelSpec, precision: str) -> float:
    """All weights at one precision (MoE: every expert is resident)."""
    return model.params * bytes_per_param(precision)


def activation_bytes_per_layer(
    model: ModelSpec, seq: int, batch: int, tp: int, recompute: str, flash: bool
) -> float:
    """Korthikanti et al. 2022: s·b·h·(10 + 24/t + 5·a·s/(h·t)) (fp16); full recompute 2·s·b·h."""
    s, b, h, a = seq, batch, model.hidden, model.heads
    if recompute == "full":
        return 2.0 * s * b * h
    attention_scores = 0.0 if (flash or recompute == "selective") else 5.0 * a * s / (h * tp)
    return s * b * h * (10.0 + 24.0 / tp + attention_scores)


def lora_params(model: ModelSpec, rank: int) -> float:
    """LoRA adapters on every linear of every layer: rank·(in + out) each."""
    h, hd = model.hidden, model.dim_head
    q, kv = model.heads * hd, model.kv_heads * hd
    inter = model.moe_intermediate if model.is_moe else model.intermediate
    per_layer = (h + q) * 2 + (h + kv) * 2 + 3 * (h + inter)
    return float(model.layers * rank * per_layer)


def _check_train(inp: TrainMemoryInput) -> None:
    """Reject impossible training set-ups with a clear message."""
    if inp.method not in METHODS:
        raise InvalidInputError(f"unknown method {inp.method!r}; valid: {', '.join(METHODS)}")
    if inp.recompute not in RECOMPUTE:
        valid = ", ".join(RECOMPUTE)
        raise InvalidInputError(f"unknown recompute {inp.recompute!r}; valid: {valid}")
    if inp.zero_stage not in (0, 1, 2, 3):
        raise InvalidInputError(f"ZeRO stage must be 0..3, got {inp.zero_stage}")
    for name in ("seq_len", "micro_batch", "data_parallel", "tensor_parallel", "pipeline_parallel"):
        positive(name.replace("_", " "), getattr(inp, name))


def _state_bytes(inp: TrainMemoryInput) -> list[MemoryItem]:
    """Weights, gradients and optimizer states per GPU after TP/PP split and ZeRO sharding."""
    split = inp.tensor_parallel * inp.pipeline_parallel
    n = inp.model.params / split
    if inp.method == "full":
        trainable, frozen_b = n, 0.0
    else:
        trainable = lora_params(inp.model, inp.lora_rank) / split
        frozen_b = n * (bytes_per_param("nf4") if inp.method == "qlora" else inp.weight_bytes)
    dp = inp.data_parallel
    shard = {s: (dp if inp.zero_stage >= s else 1) for s in (1, 2, 3)}
    return [
        MemoryItem("weights", frozen_b + trainable * inp.weight_bytes / shard[3]),
        MemoryItem("gradients", trainable * inp.grad_bytes / shard[2]),
        MemoryItem("optimizer", trainable * inp.optimizer_bytes / shard[1]),
    ]


def train_memory(inp: TrainMemoryInput, gpu: GpuSpec | None = None) -> MemoryPlan:
    """Per-GPU training memory: states + activations (1F1B holds all layers' worth) + overhead."""
    _check_train(inp)
    per_layer = activation_bytes_per_layer(
        inp.model,
        inp.seq_len,
        inp.micro_batch,
        inp.tensor_parallel,
        inp.recompute,
        inp.flash_attention,
    )
    act = per_layer * inp.model.layers * inp.activation_bytes / 2.0
    if inp.pipeline_parallel > 1:  # 1F1B: the first stage holds p micro-batches of L/p layers
        act = per_layer * math.ceil(inp.model.layers / inp.pipeline_parallel)
        act *= inp.pipeline_parallel * inp.activation_bytes / 2.0
    items = [
        *_state_bytes(inp),
        MemoryItem("activations", act),
        MemoryItem("overhead", FRAMEWORK_OVERHEAD_BYTES),
    ]
    plan = MemoryPlan(inp.model.name, f"train-{inp.method}", items, sum(i.bytes for i in items))
    plan.details.update(
        lora_params=lora_params(inp.model, inp.lora_rank) if inp.method != "full" else 0.0,
        bytes_per_param=inp.weight_bytes + inp.grad_bytes + inp.optimizer_bytes,
        zero_stage=inp.zero_stage,
        recompute=inp.recompute,
    )
    return _fit(plan, gpu, 1.0)


def inference_activation_bytes(model: ModelSpec, tokens: int, batch: int) -> float:
    """Peak transient activations of one prefill chunk plus fp32 logits of the batch."""
    inter = model.moe_intermediate * model.experts_per_token if model.is_moe else model.intermediate
    hidden_states = tokens * (4 * model.hidden + 2 * inter) * 2.0
    logits = batch * model.vocab * 4.0
    return hidden_states + logits


def inference_memory(
    inp: InferenceMemoryInput, gpu: GpuSpec | None = None, gpu_memory_utilization: float = 0.9
) -> MemoryPlan:
    """Per-GPU inference memory: weights + KV cache + activations + overhead (TP-split)."""
    positive("context", inp.context)
    positive("batch", inp.batch)
    tp = positive("tensor parallel", inp.tensor_parallel)
    kv_token = kv_bytes_per_token(inp.model, inp.kv_precision)
    items = [
        MemoryItem("weights", weights_bytes(inp.model, inp.precision) / tp),
        MemoryItem("kv_cache", kv_token * inp.context * inp.batch / tp),
        MemoryItem(
            "activations",
            inference_activation_bytes(inp.model, min(inp.context, inp.prefill_chunk), inp.batch)
            / tp,
        ),
        MemoryItem("overhead", FRAMEWORK_OVERHEAD_BYTES),
    ]
    plan = MemoryPlan(inp.model.name, "inference", items, sum(i.bytes for i in items))
    plan.details.update(
        kv_bytes_per_token=kv_token,
        precision=inp.precision,
        kv_precision=inp.kv_precision,
        context=inp.context,
        batch=inp.batch,
        tensor_parallel=int(tp),
        kv_scheme="MLA" if inp.model.uses_mla else ("GQA" if _is_gqa(inp.model) else "MHA"),
    )
    return _fit(plan, gpu, gpu_memory_utilization)


def _is_gqa(model: ModelSpec) -> bool:
    """Grouped-query attention: fewer KV heads than query heads."""
    return model.kv_heads < model.heads


def _fit(plan: MemoryPlan, gpu: GpuSpec | None, utilization: float) -> MemoryPlan:
    """Fill in the GPU and the fits flag (total <= memory x utilization)."""
    if gpu is None:
        return plan
    fraction("GPU memory utilization", utilization)
    plan.gpu = gpu.name
    plan.gpu_bytes = gpu.memory_bytes
    plan.usable_bytes = gpu.memory_bytes * utilization
    plan.fits = plan.total_bytes <= plan.usable_bytes
    return plan


def weights_table(model: ModelSpec) -> dict[str, float]:
    """Weight bytes at each supported precision."""
    names = ("fp32", "bf16", "fp16", "fp8", "int8", "int4-gptq", "int4-awq")
    return {p: weights_bytes(model, p) for p in names}
