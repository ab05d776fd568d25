"""Read a HuggingFace config.json into a ModelSpec, counting parameters when not given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ebrain.compute.catalog import ModelSpec
from ebrain.errors import InvalidInputError, NotFoundError, ParseError

# Alternative key names used by various model families, first match wins.
_KEYS: dict[str, tuple[str, ...]] = {
    "layers": ("num_hidden_layers", "n_layer", "num_layers"),
    "hidden": ("hidden_size", "n_embd", "d_model"),
    "heads": ("num_attention_heads", "n_head"),
    "kv_heads": ("num_key_value_heads", "multi_query_group_num", "n_head_kv"),
    "vocab": ("vocab_size", "padded_vocab_size"),
    "intermediate": ("intermediate_size", "ffn_hidden_size", "n_inner"),
    "max_context": ("max_position_embeddings", "seq_length", "n_positions"),
    "experts": ("num_experts", "n_routed_experts", "num_local_experts"),
    "experts_per_token": ("num_experts_per_tok", "moe_topk", "num_experts_per_token"),
    "moe_intermediate": ("moe_intermediate_size",),
    "shared_experts": ("n_shared_experts",),
    "head_dim": ("head_dim",),
    "kv_lora_rank": ("kv_lora_rank",),
    "qk_rope_head_dim": ("qk_rope_head_dim",),
    "dense_layers": ("first_k_dense_replace",),
}


def _get(cfg: dict[str, Any], field: str, default: int = 0) -> int:
    """The first present key among the aliases of `field`."""
    for key in _KEYS[field]:
        if cfg.get(key) is not None:
            return int(cfg[key])
    return default


def read_hf_config(path: Path, name: str | None = None) -> ModelSpec:
    """A ModelSpec from a HuggingFace config.json (parameters counted if absent)."""
    try:
        cfg = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise NotFoundError(f"cannot read {path}: {exc}", hint="pass a config.json path") from exc
    except json.JSONDecodeError as exc:
        raise ParseError("invalid_json", f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(cfg, dict):
        raise ParseError("invalid_json", f"{path}: expected a JSON object")
    return spec_from_config(cfg, name or _name_of(cfg, Path(path)))


def _name_of(cfg: dict[str, Any], path: Path) -> str:
    """A display name: _name_or_path, else the folder holding config.json."""
    raw = str(cfg.get("_name_or_path") or path.resolve().parent.name or "hf-model")
    return raw.rstrip("/").split("/")[-1]


def spec_from_config(cfg: dict[str, Any], name: str) -> ModelSpec:
    """Build the ModelSpec; missing core fields raise InvalidInputError naming them."""
    shape = {field: _get(cfg, field) for field in _KEYS}
    missing = [f for f in ("layers", "hidden", "heads", "vocab") if not shape[f]]
    if missing:
        raise InvalidInputError(
            f"config.json lacks {', '.join(missing)}",
            hint="expected HuggingFace keys such as num_hidden_layers, hidden_size",
        )
    shape["kv_heads"] = shape["kv_heads"] or shape["heads"]
    shape["intermediate"] = shape["intermediate"] or 4 * shape["hidden"]
    tied = bool(cfg.get("tie_word_embeddings", False))
    total, active = count_params(shape, tied)
    return ModelSpec(
        name=name,
        kind="embedding" if _is_encoder(cfg) else "decoder",
        layers=shape["layers"],
        hidden=shape["hidden"],
        heads=shape["heads"],
        kv_heads=shape["kv_heads"],
        vocab=shape["vocab"],
        intermediate=shape["intermediate"],
        max_context=shape["max_context"] or 4096,
        head_dim=shape["head_dim"],
        params=float(cfg.get("num_parameters") or total),
        active_params=active if shape["experts"] else 0.0,
        experts=shape["experts"],
        experts_per_token=shape["experts_per_token"],
        moe_intermediate=shape["moe_intermediate"],
        kv_lora_rank=shape["kv_lora_rank"],
        qk_rope_head_dim=shape["qk_rope_head_dim"],
        tied_embeddings=tied,
        source="config.json",
    )


def _is_encoder(cfg: dict[str, Any]) -> bool:
    """BERT-like encoders (embedding / rerank models)."""
    kinds = {"bert", "xlm-roberta", "roberta", "nomic_bert", "new"}
    return str(cfg.get("model_type", "")).lower() in kinds


def _attention_params(shape: dict[str, int]) -> int:
    """Q, K, V and output projections of one layer (GQA-aware)."""
    hd = shape["head_dim"] or shape["hidden"] // shape["heads"]
    q_and_o = 2 * shape["hidden"] * shape["heads"] * hd
    k_and_v = 2 * shape["hidden"] * shape["kv_heads"] * hd
    return q_and_o + k_and_v


def count_params(shape: dict[str, int], tied: bool) -> tuple[float, float]:
    """(total, active) parameters of a gated-MLP (SwiGLU) transformer, norms ignored."""
    h, layers = shape["hidden"], shape["layers"]
    embed = shape["vocab"] * h * (1 if tied else 2)
    dense_mlp = 3 * h * shape["intermediate"]
    if not shape["experts"]:
        per_layer = _attention_params(shape) + dense_mlp
        return float(embed + layers * per_layer), 0.0
    expert = 3 * h * (shape["moe_intermediate"] or shape["intermediate"])
    shared = shape["shared_experts"] * expert
    dense_n = min(shape["dense_layers"], layers)
    moe_n = layers - dense_n
    attn = layers * _attention_params(shape) + dense_n * dense_mlp + embed
    total = attn + moe_n * (shape["experts"] * expert + shared + h * shape["experts"])
    active = attn + moe_n * (shape["experts_per_token"] * expert + shared)
    return float(total), float(active)
