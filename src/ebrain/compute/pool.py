"""Pack deployments onto a GPU pool (whole GPUs, MIG profiles, HAMi memory slices) and emit
Kubernetes Deployments. Kubernetes schedules; this only sizes and checks the pool."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ebrain.compute.catalog import Catalog, GpuSpec, MigProfile
from ebrain.compute.memory import InferenceMemoryInput, inference_memory
from ebrain.errors import InvalidInputError, ParseError

MODES = ("whole", "mig", "hami")
MIG_COMPUTE_SLICES = 7
MIG_MEMORY_SLICES = 8
MiB = float(2**20)
DEFAULT_IMAGE = "vllm/vllm-openai:latest"


@dataclass(frozen=True)
class Deployment:
    """One model server: replicas of the same shape; memory computed when not given."""

    name: str
    model: str
    precision: str = "bf16"
    replicas: int = 1
    min_memory_gb: float = 0.0
    context: int = 4096
    concurrency: int = 1
    mode: str = ""
    image: str = DEFAULT_IMAGE
    args: tuple[str, ...] = ()
    port: int = 8000


@dataclass(frozen=True)
class PoolSpec:
    """The pool: a GPU type, optional size (0: as many as needed) and the deployments."""

    gpu: str
    deployments: tuple[Deployment, ...]
    gpus: int = 0
    mode: str = "mig"
    namespace: str = "default"


@dataclass
class Slice:
    """One replica's share of a GPU (or several whole GPUs)."""

    deployment: str
    replica: int
    resource: str
    count: int
    need_gb: float
    allocated_gb: float
    compute: int = 0
    memory: int = 0


@dataclass
class GpuBin:
    """One physical GPU and what was placed on it."""

    index: int
    slices: list[Slice] = field(default_factory=list)
    whole: bool = False

    def used(self, what: str) -> float:
        """Sum of a slice attribute ('compute', 'memory' or 'allocated_gb')."""
        return float(sum(getattr(s, what) for s in self.slices))


@dataclass
class PoolPlan:
    """Placement, utilization, fragmentation and the manifests."""

    gpu: str
    mode: str
    gpus_needed: int
    gpus_available: int
    fits: bool
    capacity_gb: float
    requested_gb: float
    allocated_gb: float
    utilization: float
    allocation: float
    fragmentation: float
    internal_waste_gb: float
    bins: list[GpuBin]
    resources: dict[str, dict[str, int]]
    manifests: list[dict[str, Any]]


def _deployment(row: dict[str, Any]) -> Deployment:
    """A Deployment from one YAML row."""
    try:
        row = dict(row)
        row["args"] = tuple(str(a) for a in row.get("args") or ())
        return Deployment(**row)
    except TypeError as exc:
        raise InvalidInputError(
            f"bad deployment {row.get('name', '?')!r}: {exc}",
            hint="fields: name, model, precision, replicas, min_memory_gb, context, "
            "concurrency, mode, image, args, port",
        ) from exc


def load_pool(path: Path) -> PoolSpec:
    """Read a pool YAML file (gpu, gpus, mode, namespace, deployments: [...])."""
    try:
        data = yaml.safe_load(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ParseError("invalid_yaml", f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not data.get("deployments") or not data.get("gpu"):
        raise InvalidInputError(f"{path}: needs 'gpu' and a non-empty 'deployments' list")
    deps = tuple(_deployment(r) for r in data["deployments"])
    return PoolSpec(
        gpu=str(data["gpu"]),
        deployments=deps,
        gpus=int(data.get("gpus", 0)),
        mode=str(data.get("mode", "mig")),
        namespace=str(data.get("namespace", "default")),
    )


def need_gb(dep: Deployment, catalog: Catalog) -> float:
    """Memory one replica needs: min_memory_gb, else weights + KV + activations + overhead."""
    if dep.min_memory_gb > 0:
        return dep.min_memory_gb
    inp = InferenceMemoryInput(
        catalog.model(dep.model),
        precision=dep.precision,
        context=dep.context,
        batch=dep.concurrency,
    )
    return inference_memory(inp).total_bytes / 1e9


def _mig_profile(gpu: GpuSpec, need: float) -> MigProfile | None:
    """Smallest MIG profile holding `need` GB (fewest compute slices on a tie)."""
    fitting = [p for p in gpu.mig if p.memory_gb >= need]
    return min(fitting, key=lambda p: (p.memory_gb, p.compute), default=None)


def _slice_for(dep: Deployment, gpu: GpuSpec, mode: str, need: float) -> Slice:
    """The resource shape of one replica of `dep` in `mode`."""
    if mode == "mig" and not gpu.mig:
        raise InvalidInputError(f"{gpu.name} has no MIG profiles", hint="use mode: hami or whole")
    profile = _mig_profile(gpu, need) if mode == "mig" else None
    if profile is not None:
        return Slice(
            dep.name,
            0,
            f"nvidia.com/mig-{profile.name}",
            1,
            need,
            profile.memory_gb,
            profile.compute,
            profile.memory,
        )
    if mode == "hami" and need <= gpu.memory_gb:
        return Slice(dep.name, 0, "nvidia.com/gpumem", math.ceil(need * 1e9 / MiB), need, need)
    count = max(1, math.ceil(need / gpu.memory_gb))
    return Slice(dep.name, 0, "nvidia.com/gpu", count, need, count * gpu.memory_gb)


def _fits(b: GpuBin, s: Slice, gpu: GpuSpec) -> bool:
    """Whether slice `s` still fits on GPU bin `b`."""
    if b.whole or s.resource == "nvidia.com/gpu":
        return False
    if s.resource.startswith("nvidia.com/mig-"):
        mig = all(x.resource.startswith("nvidia.com/mig-") for x in b.slices)
        return (
            mig
            and b.used("compute") + s.compute <= MIG_COMPUTE_SLICES
            and b.used("memory") + s.memory <= MIG_MEMORY_SLICES
        )
    hami = all(x.resource == "nvidia.com/gpumem" for x in b.slices)
    return hami and b.used("allocated_gb") + s.allocated_gb <= gpu.memory_gb + 1e-9


def _pack(slices: list[Slice], gpu: GpuSpec) -> list[GpuBin]:
    """First-fit decreasing by allocated memory; whole-GPU replicas take their own bins."""
    bins: list[GpuBin] = []
    for s in sorted(slices, key=lambda x: -x.allocated_gb):
        if s.resource == "nvidia.com/gpu":
            for _ in range(s.count):
                part = Slice(
                    s.deployment, s.replica, s.resource, 1, s.need_gb / s.count, gpu.memory_gb
                )
                bins.append(GpuBin(len(bins), [part], whole=True))
            continue
        target = next((b for b in bins if _fits(b, s, gpu)), None)
        if target is None:
            target = GpuBin(len(bins))
            bins.append(target)
        target.slices.append(s)
    return bins


def plan_pool(spec: PoolSpec, catalog: Catalog) -> PoolPlan:
    """Size each replica, pack them, and measure utilization and fragmentation."""
    if spec.mode not in MODES:
        raise InvalidInputError(f"unknown pool mode {spec.mode!r}; valid: {', '.join(MODES)}")
    gpu = catalog.gpu(spec.gpu)
    slices: list[Slice] = []
    resources: dict[str, dict[str, int]] = {}
    for dep in spec.deployments:
        mode = dep.mode or spec.mode
        shape = _slice_for(dep, gpu, mode, need_gb(dep, catalog))
        resources[dep.name] = _limits(shape)
        for r in range(dep.replicas):
            slices.append(Slice(**{**shape.__dict__, "replica": r}))
    bins = _pack(slices, gpu)
    return _measure(spec, gpu, bins, resources, catalog)


def _limits(s: Slice) -> dict[str, int]:
    """Kubernetes resource limits for one replica."""
    if s.resource == "nvidia.com/gpumem":
        return {"nvidia.com/gpu": 1, "nvidia.com/gpumem": s.count}
    return {s.resource: s.count}


def _measure(
    spec: PoolSpec,
    gpu: GpuSpec,
    bins: list[GpuBin],
    res: dict[str, dict[str, int]],
    catalog: Catalog,
) -> PoolPlan:
    """Utilization (requested / capacity) and external fragmentation of the free memory."""
    capacity = len(bins) * gpu.memory_gb
    requested = sum(s.need_gb for b in bins for s in b.slices)
    allocated = sum(b.used("allocated_gb") for b in bins)
    free = [gpu.memory_gb - b.used("allocated_gb") for b in bins]
    total_free = sum(free)
    frag = 1 - max(free) / total_free if total_free > 1e-9 else 0.0
    available = spec.gpus or len(bins)
    return PoolPlan(
        gpu=gpu.name,
        mode=spec.mode,
        gpus_needed=len(bins),
        gpus_available=available,
        fits=len(bins) <= available,
        capacity_gb=capacity,
        requested_gb=requested,
        allocated_gb=allocated,
        utilization=requested / capacity if capacity else 0.0,
        allocation=allocated / capacity if capacity else 0.0,
        fragmentation=frag,
        internal_waste_gb=allocated - requested,
        bins=bins,
        resources=res,
        manifests=[manifest(d, res[d.name], spec.namespace, catalog) for d in spec.deployments],
    )


def _labels(dep: Deployment) -> dict[str, str]:
    """Labels shared by the Deployment, its selector and its pods."""
    return {"app.kubernetes.io/name": dep.name, "app.kubernetes.io/managed-by": "ebrain"}


def manifest(
    dep: Deployment, limits: dict[str, int], namespace: str, catalog: Catalog | None = None
) -> dict[str, Any]:
    """An apps/v1 Deployment whose pods request the planned GPU resource."""
    ref = model_ref(dep.model, catalog)
    args = list(dep.args) or ["--model", ref, "--dtype", _dtype(dep.precision)]
    if not dep.args and limits.get("nvidia.com/gpu", 1) > 1 and "nvidia.com/gpumem" not in limits:
        args += ["--tensor-parallel-size", str(limits["nvidia.com/gpu"])]
    container = {
        "name": "server",
        "image": dep.image,
        "args": args,
        "ports": [{"containerPort": dep.port, "name": "http"}],
        "resources": {"limits": {k: str(v) for k, v in limits.items()}},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": dep.name, "namespace": namespace, "labels": _labels(dep)},
        "spec": {
            "replicas": dep.replicas,
            "selector": {"matchLabels": _labels(dep)},
            "template": {"metadata": {"labels": _labels(dep)}, "spec": {"containers": [container]}},
        },
    }


def _dtype(precision: str) -> str:
    """vLLM --dtype for a weight precision (quantized checkpoints: auto)."""
    return {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}.get(precision, "auto")


def model_ref(name: str, catalog: Catalog | None) -> str:
    """The HuggingFace repo id of a catalog model (from its source URL), else the name."""
    if catalog is None or name not in catalog.models:
        return name
    source = catalog.models[name].source
    prefix = "https://huggingface.co/"
    if not source.startswith(prefix):
        return name
    return "/".join(source[len(prefix) :].split("/")[:2])


def manifests_yaml(plan: PoolPlan) -> str:
    """All manifests as one multi-document YAML string."""
    return yaml.safe_dump_all(plan.manifests, sort_keys=False, allow_unicode=True)
