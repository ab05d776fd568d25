"""Training compute: FLOPs = 6·N·D (8·N·D with full recomputation), time, energy and cost."""

from __future__ import annotations

from dataclasses import dataclass, field

from ebrain.compute.catalog import GpuSpec, ModelSpec
from ebrain.compute.units import DAY, HOUR, YEAR, fraction, positive


@dataclass(frozen=True)
class TrainInput:
    """What to train, on what, and how efficiently."""

    model: ModelSpec
    gpu: GpuSpec
    tokens: float
    gpus: int = 1
    utilization: float = 0.4
    scaling_efficiency: float = 1.0
    recompute: bool = False
    precision: str = "bf16"
    pue: float = 1.2
    price_per_gpu_hour: float = 0.0


@dataclass(frozen=True)
class TrainPlan:
    """The result of `plan_train`; times in seconds unless named otherwise."""

    model: str
    gpu: str
    params: float
    tokens: float
    flops_per_token_param: int
    flops: float
    peak_flops: float
    utilization: float
    gpu_seconds: float
    gpu_hours: float
    gpu_years: float
    gpus: int
    scaling_efficiency: float
    wall_seconds: float
    wall_days: float
    energy_mwh: float
    cost: float
    steps: list[str] = field(default_factory=list)


def flops_per_token_param(recompute: bool) -> int:
    """6 (forward 2 + backward 4), or 8 when activations are recomputed (one more forward)."""
    return 8 if recompute else 6


def plan_train(inp: TrainInput) -> TrainPlan:
    """Compute, GPU-time, wall time, energy and cost of a training run."""
    positive("tokens", inp.tokens)
    fraction("utilization", inp.utilization)
    fraction("scaling efficiency", inp.scaling_efficiency)
    k = flops_per_token_param(inp.recompute)
    n = inp.model.active
    flops = k * n * inp.tokens
    peak = inp.gpu.peak_flops(inp.precision)
    gpu_s = flops / (peak * inp.utilization)
    wall = wall_seconds(gpu_s, inp.gpus, inp.scaling_efficiency)
    energy_mwh = inp.gpu.tdp_w * gpu_s / HOUR * inp.pue / 1e6
    cost = gpu_s / HOUR * inp.price_per_gpu_hour
    plan = TrainPlan(
        model=inp.model.name,
        gpu=inp.gpu.name,
        params=n,
        tokens=inp.tokens,
        flops_per_token_param=k,
        flops=flops,
        peak_flops=peak,
        utilization=inp.utilization,
        gpu_seconds=gpu_s,
        gpu_hours=gpu_s / HOUR,
        gpu_years=gpu_s / YEAR,
        gpus=inp.gpus,
        scaling_efficiency=inp.scaling_efficiency,
        wall_seconds=wall,
        wall_days=wall / DAY,
        energy_mwh=energy_mwh,
        cost=cost,
    )
    plan.steps.extend(explain_train(inp, plan))
    return plan


def wall_seconds(gpu_seconds: float, gpus: int, scaling_efficiency: float = 1.0) -> float:
    """Wall-clock time on `gpus` GPUs that scale at `scaling_efficiency` of linear."""
    positive("GPU count", gpus)
    return gpu_seconds / (gpus * scaling_efficiency)


def explain_train(inp: TrainInput, p: TrainPlan) -> list[str]:
    """The arithmetic, one line per step, with the numbers substituted."""
    moe = " (active parameters, MoE)" if inp.model.is_moe else ""
    return [
        f"FLOPs = {p.flops_per_token_param} x N x D = {p.flops_per_token_param} x "
        f"{p.params:.4g}{moe} x {p.tokens:.4g} = {p.flops:.4g}",
        f"GPU-seconds = FLOPs / (peak x utilization) = {p.flops:.4g} / "
        f"({p.peak_flops:.4g} x {p.utilization:.3g}) = {p.gpu_seconds:.4g} s "
        f"= {p.gpu_hours:,.0f} GPU-hours = {p.gpu_years:.3g} GPU-years",
        f"wall = GPU-seconds / (GPUs x scaling) = {p.gpu_seconds:.4g} / "
        f"({p.gpus} x {p.scaling_efficiency:.3g}) = {p.wall_seconds:.4g} s "
        f"= {p.wall_days:.3g} days",
        f"energy = TDP x GPU-hours x PUE = {inp.gpu.tdp_w:g} W x {p.gpu_hours:,.0f} h x "
        f"{inp.pue:g} = {p.energy_mwh:,.1f} MWh",
        f"cost = GPU-hours x price = {p.gpu_hours:,.0f} x {inp.price_per_gpu_hour:g} "
        f"= {p.cost:,.0f}",
    ]


def days_by_gpu_count(plan: TrainPlan, counts: list[int]) -> list[tuple[int, float]]:
    """Wall-clock days for each GPU count (same utilization and scaling efficiency)."""
    return [(n, wall_seconds(plan.gpu_seconds, n, plan.scaling_efficiency) / DAY) for n in counts]
