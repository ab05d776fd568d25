"""GPU and model catalogs: built-in rows, user overrides, HuggingFace config.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ebrain.compute.catalog import load_catalog
from ebrain.compute.hfconfig import read_hf_config
from ebrain.compute.memory import kv_bytes_per_token
from ebrain.errors import InvalidInputError, NotFoundError, ParseError

REQUIRED_GPUS = [
    "A100-40GB",
    "A100-80GB",
    "H100-SXM",
    "H100-PCIe",
    "H200",
    "H20",
    "H800",
    "L20",
    "L40S",
    "L4",
    "A10",
    "RTX-4090",
    "Ascend-910B",
    "MI300X",
]


def test_every_required_gpu_has_a_sourced_row() -> None:
    cat = load_catalog()
    for name in REQUIRED_GPUS:
        gpu = cat.gpu(name)
        assert gpu.bf16_tflops > 0 and gpu.memory_gb > 0 and gpu.bandwidth_gbs > 0
        assert gpu.tdp_w > 0 and gpu.int8_tops and gpu.source.startswith("https://")


def test_figures_are_dense_not_sparse() -> None:
    # NVIDIA H100 page: 1,979 TFLOPS bf16 *with sparsity*; dense is half, 989.
    # NVIDIA A100 datasheet: 312 TFLOPS bf16 dense (624 with sparsity).
    cat = load_catalog()
    assert cat.gpu("H100-SXM").bf16_tflops == 989
    assert cat.gpu("A100-80GB").bf16_tflops == 312
    assert cat.gpu("L40S").peak_flops("fp8") == 733e12
    assert cat.gpu("A100-80GB").peak_flops("fp8") == 312e12  # no fp8: falls back to bf16


def test_lookup_is_forgiving_and_unknown_lists_valid() -> None:
    cat = load_catalog()
    assert cat.gpu("h100 sxm").name == "H100-SXM"
    assert cat.model("qwen2.5_7b").name == "Qwen2.5-7B"
    with pytest.raises(NotFoundError, match="H200"):
        cat.gpu("B300")


def test_user_yaml_overrides_and_extends(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text(
        "gpus:\n  L20:\n    tdp_w: 300\n"
        "  MyCard:\n    bf16_tflops: 100\n    memory_gb: 32\n    bandwidth_gbs: 1000\n"
        "    tdp_w: 250\n",
        "utf-8",
    )
    cat = load_catalog(gpus_file=user)
    assert cat.gpu("L20").tdp_w == 300 and cat.gpu("L20").bf16_tflops == 119.5
    assert cat.gpu("MyCard").memory_gb == 32


def test_workspace_catalog_is_merged(tmp_path: Path) -> None:
    (tmp_path / "models.yaml").write_text(
        "models:\n  Tiny:\n    {layers: 2, hidden: 64, heads: 4, kv_heads: 2, vocab: 100,"
        " intermediate: 128, params: 1.0e+5}\n",
        "utf-8",
    )
    assert load_catalog(workspace=tmp_path).model("Tiny").kv_heads == 2


def test_bad_user_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("gpus: [unclosed", "utf-8")
    with pytest.raises(ParseError):
        load_catalog(gpus_file=bad)
    incomplete = tmp_path / "incomplete.yaml"
    incomplete.write_text("gpus:\n  X:\n    memory_gb: 10\n", "utf-8")
    with pytest.raises(InvalidInputError, match="X"):
        load_catalog(gpus_file=incomplete)


def _write(tmp_path: Path, cfg: dict[str, object]) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg), "utf-8")
    return path


def test_hf_config_counts_llama2_7b_params(tmp_path: Path) -> None:
    # meta-llama/Llama-2-7b-hf config.json; the model has 6.74B parameters (Llama 2 paper).
    cfg = {
        "_name_or_path": "meta-llama/Llama-2-7b-hf",
        "model_type": "llama",
        "num_hidden_layers": 32,
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "num_key_value_heads": 32,
        "vocab_size": 32000,
        "intermediate_size": 11008,
        "max_position_embeddings": 4096,
    }
    spec = read_hf_config(_write(tmp_path, cfg))
    assert spec.name == "Llama-2-7b-hf"
    assert spec.params == pytest.approx(6.74e9, rel=0.005)


def test_hf_config_moe_mixtral(tmp_path: Path) -> None:
    # Mixtral paper (arXiv 2401.04088): 46.7B total, 12.9B active parameters per token.
    cfg = {
        "model_type": "mixtral",
        "num_hidden_layers": 32,
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "vocab_size": 32000,
        "intermediate_size": 14336,
        "num_local_experts": 8,
        "num_experts_per_tok": 2,
    }
    spec = read_hf_config(_write(tmp_path, cfg), "mixtral")
    assert spec.params == pytest.approx(46.7e9, rel=0.01)
    assert spec.active == pytest.approx(12.9e9, rel=0.01)


def test_hf_config_deepseek_mla(tmp_path: Path) -> None:
    # deepseek-ai/DeepSeek-V3 config.json fields; 671B total / 37B active (V3 report).
    cfg = {
        "model_type": "deepseek_v3",
        "num_hidden_layers": 61,
        "hidden_size": 7168,
        "num_attention_heads": 128,
        "num_key_value_heads": 128,
        "vocab_size": 129280,
        "intermediate_size": 18432,
        "moe_intermediate_size": 2048,
        "n_routed_experts": 256,
        "n_shared_experts": 1,
        "num_experts_per_tok": 8,
        "first_k_dense_replace": 3,
        "kv_lora_rank": 512,
        "qk_rope_head_dim": 64,
    }
    spec = read_hf_config(_write(tmp_path, cfg))
    assert spec.params == pytest.approx(671e9, rel=0.02)
    assert spec.active == pytest.approx(37e9, rel=0.06)
    assert kv_bytes_per_token(spec) == (512 + 64) * 61 * 2


def test_hf_config_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="layers"):
        read_hf_config(_write(tmp_path, {"hidden_size": 8}))
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    with pytest.raises(ParseError):
        read_hf_config(broken)
    with pytest.raises(NotFoundError):
        read_hf_config(tmp_path / "missing.json")
