"""GPU and model catalogs: built-in YAML rows merged under user files, plus HF config.json."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from ebrain.errors import InvalidInputError, NotFoundError, ParseError

GPUS_FILE = "gpus.yaml"
MODELS_FILE = "models.yaml"


@dataclass(frozen=True)
class MigProfile:
    """One MIG instance profile: compute slices (of 7), memory slices (of 8), memory GB."""

    name: str
    compute: int
    memory: int
    memory_gb: float


@dataclass(frozen=True)
class GpuSpec:
    """One accelerator; all throughput figures are dense (never 'with sparsity')."""

    name: str
    bf16_tflops: float
    memory_gb: float
    bandwidth_gbs: float
    tdp_w: float
    fp8_tflops: float | None = None
    int8_tops: float | None = None
    interconnect: str = ""
    interconnect_gbs: float = 0.0
    vendor: str = ""
    mig: tuple[MigProfile, ...] = ()
    source: str = ""
    note: str = ""

    @property
    def memory_bytes(self) -> float:
        """Device memory in bytes (decimal GB as marketed)."""
        return self.memory_gb * 1e9

    def peak_flops(self, precision: str = "bf16") -> float:
        """Dense peak FLOP/s for a compute precision; fp8/int8 fall back to bf16 if absent."""
        table = {"fp8": self.fp8_tflops, "int8": self.int8_tops}
        value = table.get(precision) or self.bf16_tflops
        return float(value) * 1e12


@dataclass(frozen=True)
class ModelSpec:
    """A transformer's shape; `params` total, `active_params` per token (MoE)."""

    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    vocab: int
    intermediate: int
    params: float
    max_context: int = 4096
    kind: str = "decoder"
    head_dim: int = 0
    active_params: float = 0.0
    experts: int = 0
    experts_per_token: int = 0
    moe_intermediate: int = 0
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    tied_embeddings: bool = False
    source: str = ""

    @property
    def dim_head(self) -> int:
        """Per-head dimension: explicit head_dim, else hidden / heads."""
        return self.head_dim or self.hidden // self.heads

    @property
    def active(self) -> float:
        """Parameters used per token (total for dense models)."""
        return self.active_params or self.params

    @property
    def is_moe(self) -> bool:
        """Whether the model routes tokens to a subset of experts."""
        return self.experts > 0

    @property
    def uses_mla(self) -> bool:
        """Multi-head latent attention (DeepSeek-V2/V3): a compressed KV cache."""
        return self.kv_lora_rank > 0

    @property
    def embedding_params(self) -> float:
        """Parameters in the token-embedding table (not matmul FLOPs on lookup)."""
        return float(self.vocab * self.hidden)


@dataclass
class Catalog:
    """GPUs and models by name (case-insensitive lookup)."""

    gpus: dict[str, GpuSpec] = field(default_factory=dict)
    models: dict[str, ModelSpec] = field(default_factory=dict)

    def gpu(self, name: str) -> GpuSpec:
        """The GPU called `name`, or NotFoundError listing the valid names."""
        gpu: GpuSpec = _lookup(self.gpus, name, "GPU", "--gpus FILE")
        return gpu

    def model(self, name: str) -> ModelSpec:
        """The model called `name`, or NotFoundError listing the valid names."""
        hint = "--hf-config config.json or --models FILE"
        model: ModelSpec = _lookup(self.models, name, "model", hint)
        return model


def _lookup(table: dict[str, Any], name: str, what: str, extend: str) -> Any:
    """Case-insensitive lookup ignoring '-', '_' and spaces."""
    key = _norm(name)
    for real, value in table.items():
        if _norm(real) == key:
            return value
    valid = ", ".join(sorted(table))
    raise NotFoundError(
        f"unknown {what} {name!r}; valid: {valid}", hint=f"add your own with {extend}"
    )


def _norm(name: str) -> str:
    """Normalise a catalog name for lookup."""
    return "".join(ch for ch in name.lower() if ch.isalnum() or ch == ".")


def _read_yaml(path: Path | None, resource: str) -> dict[str, Any]:
    """A YAML mapping from a user path or from the package's data folder."""
    try:
        if path is None:
            text = files("ebrain.compute").joinpath("data").joinpath(resource).read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        data = yaml.safe_load(text) or {}
    except OSError as exc:
        raise NotFoundError(f"cannot read {path}: {exc}", hint="check the file path") from exc
    except yaml.YAMLError as exc:
        raise ParseError("invalid_yaml", f"{path or resource} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ParseError("invalid_yaml", f"{path or resource}: expected a mapping at top level")
    return data


def _rows(data: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    """The `key:` section of a catalog file (or the whole file if it is the section)."""
    section = data.get(key, data)
    if not isinstance(section, dict):
        raise ParseError("invalid_yaml", f"'{key}' must map names to fields")
    return {str(k): dict(v or {}) for k, v in section.items()}


def _merge(base: dict[str, dict[str, Any]], extra: dict[str, dict[str, Any]]) -> None:
    """Merge user rows over built-in ones, field by field (case-insensitive names)."""
    names = {_norm(k): k for k in base}
    for name, row in extra.items():
        real = names.get(_norm(name), name)
        base[real] = {**base.get(real, {}), **row}


def _build(cls: type[Any], name: str, row: dict[str, Any]) -> Any:
    """Instantiate a spec dataclass from a YAML row, with clear errors for bad rows."""
    known = {f.name: f for f in fields(cls)}
    kwargs = {k: v for k, v in row.items() if k in known}
    if cls is GpuSpec:
        kwargs["mig"] = tuple(MigProfile(**m) for m in row.get("mig") or ())
    try:
        for k, v in list(kwargs.items()):
            if known[k].type in ("float", "float | None") and v is not None:
                kwargs[k] = float(v)
            elif known[k].type == "int":
                kwargs[k] = int(float(v))
        return cls(name=name, **kwargs)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"catalog row {name!r} is incomplete or malformed: {exc}",
            hint="see docs/compute.md for the catalog fields",
        ) from exc


def load_catalog(
    gpus_file: Path | None = None,
    models_file: Path | None = None,
    workspace: Path | None = None,
) -> Catalog:
    """Built-in catalog, then <workspace>/gpus.yaml|models.yaml, then explicit files."""
    rows = {
        "gpus": _rows(_read_yaml(None, GPUS_FILE), "gpus"),
        "models": _rows(_read_yaml(None, MODELS_FILE), "models"),
    }
    for path, key in _user_files(gpus_file, models_file, workspace):
        _merge(rows[key], _rows(_read_yaml(path, ""), key))
    gpus = {n: _build(GpuSpec, n, r) for n, r in rows["gpus"].items()}
    models = {n: _build(ModelSpec, n, r) for n, r in rows["models"].items()}
    return Catalog(gpus=gpus, models=models)


def _user_files(
    gpus_file: Path | None, models_file: Path | None, workspace: Path | None
) -> list[tuple[Path, str]]:
    """User catalog files in merge order (workspace first, explicit files last)."""
    out: list[tuple[Path, str]] = []
    if workspace is not None:
        for name, key in ((GPUS_FILE, "gpus"), (MODELS_FILE, "models")):
            if (Path(workspace) / name).is_file():
                out.append((Path(workspace) / name, key))
    if gpus_file is not None:
        out.append((Path(gpus_file), "gpus"))
    if models_file is not None:
        out.append((Path(models_file), "models"))
    return out
