"""Pool packing (whole GPUs, MIG, HAMi) and Kubernetes manifests validated offline."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from ebrain.compute.catalog import load_catalog
from ebrain.compute.pool import Deployment, PoolSpec, load_pool, manifests_yaml, plan_pool
from ebrain.errors import InvalidInputError

CAT = load_catalog()
K8S_VERSION = "1.30"


def _validate(manifests: list[dict[str, object]]) -> None:
    for doc in manifests:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_mig_packs_small_models_onto_one_gpu() -> None:
    # NVIDIA MIG user guide (A100 80GB profiles): seven 1g.10gb instances per GPU at most.
    deps = (Deployment("emb", "bge-m3", min_memory_gb=6, replicas=7),)
    plan = plan_pool(PoolSpec("A100-80GB", deps, mode="mig"), CAT)
    assert plan.gpus_needed == 1
    assert plan.resources["emb"] == {"nvidia.com/mig-1g.10gb": 1}
    eight = plan_pool(
        PoolSpec(
            "A100-80GB", (Deployment("emb", "bge-m3", min_memory_gb=6, replicas=8),), mode="mig"
        ),
        CAT,
    )
    assert eight.gpus_needed == 2


def test_mig_respects_memory_slices() -> None:
    # 3g.40gb uses 4 of 8 memory slices: two fit one GPU, a third 1g.20gb does not.
    deps = (
        Deployment("a", "Qwen2.5-7B", min_memory_gb=35, replicas=2),
        Deployment("b", "Qwen2.5-7B", min_memory_gb=15, replicas=1),
    )
    plan = plan_pool(PoolSpec("H100-SXM", deps, mode="mig"), CAT)
    assert plan.resources["a"] == {"nvidia.com/mig-3g.40gb": 1}
    assert plan.resources["b"] == {"nvidia.com/mig-1g.20gb": 1}
    assert plan.gpus_needed == 2
    assert plan.fragmentation == 0  # GPU 0 is full: all free memory is on GPU 1
    assert plan.internal_waste_gb == pytest.approx(2 * 5 + 5)


def test_large_model_takes_whole_gpus_and_tp_args() -> None:
    deps = (Deployment("llama70", "Llama-3.1-70B", replicas=1),)
    plan = plan_pool(PoolSpec("H100-SXM", deps, mode="mig", gpus=1), CAT)
    assert plan.resources["llama70"] == {"nvidia.com/gpu": 2}
    assert plan.fits is False and plan.gpus_needed == 2
    args = plan.manifests[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[:2] == ["--model", "meta-llama/Llama-3.1-70B"]
    assert "--tensor-parallel-size" in args
    _validate(plan.manifests)


def test_hami_memory_slices() -> None:
    deps = (
        Deployment("q", "Qwen2.5-7B", precision="int4-awq", replicas=3),
        Deployment("e", "multilingual-e5-small", min_memory_gb=2, replicas=2),
    )
    plan = plan_pool(PoolSpec("L20", deps, mode="hami"), CAT)
    limits = plan.resources["q"]
    assert limits["nvidia.com/gpu"] == 1 and limits["nvidia.com/gpumem"] > 1000
    assert plan.gpus_needed == 1
    assert plan.internal_waste_gb == pytest.approx(0)
    assert 0 < plan.utilization < 1
    _validate(plan.manifests)


def test_fragmentation_of_stranded_memory() -> None:
    # Three 30 GB replicas on 48 GB cards: one per GPU, 18 GB free on each of three GPUs;
    # the largest free block is a third of the free memory -> fragmentation 2/3.
    deps = (Deployment("q", "Qwen2.5-14B", min_memory_gb=30, replicas=3),)
    plan = plan_pool(PoolSpec("L20", deps, mode="hami"), CAT)
    assert plan.gpus_needed == 3
    assert plan.fragmentation == pytest.approx(2 / 3)
    assert plan.utilization == pytest.approx(90 / 144)


def test_manifests_validate_for_every_mode(tmp_path: Path) -> None:
    pool = tmp_path / "pool.yaml"
    pool.write_text(
        yaml.safe_dump(
            {
                "gpu": "A100-80GB",
                "gpus": 4,
                "mode": "mig",
                "namespace": "ai",
                "deployments": [
                    {"name": "qwen", "model": "Qwen2.5-7B", "replicas": 2, "context": 8192},
                    {
                        "name": "bge",
                        "model": "bge-m3",
                        "min_memory_gb": 4,
                        "replicas": 2,
                        "image": "ghcr.io/huggingface/text-embeddings-inference:1.5",
                    },
                    {"name": "glm", "model": "GLM-4-9B", "mode": "hami"},
                    {"name": "big", "model": "Qwen2.5-72B", "precision": "fp8", "mode": "whole"},
                ],
            }
        ),
        "utf-8",
    )
    plan = plan_pool(load_pool(pool), CAT)
    assert plan.fits is True
    kinds = {next(iter(r)) for r in plan.resources.values()}
    assert {"nvidia.com/mig-1g.20gb", "nvidia.com/mig-1g.10gb", "nvidia.com/gpu"} <= kinds
    _validate(plan.manifests)
    docs = list(yaml.safe_load_all(manifests_yaml(plan)))
    assert [d["metadata"]["namespace"] for d in docs] == ["ai"] * 4
    assert docs[1]["spec"]["template"]["spec"]["containers"][0]["image"].startswith("ghcr.io")


def test_invalid_manifest_would_be_caught() -> None:
    plan = plan_pool(PoolSpec("A100-80GB", (Deployment("x", "bge-m3", min_memory_gb=1),)), CAT)
    bad = plan.manifests[0]
    bad["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S_VERSION, strict=True)


def test_bad_pool_inputs(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no MIG"):
        plan_pool(PoolSpec("L20", (Deployment("x", "bge-m3"),), mode="mig"), CAT)
    with pytest.raises(InvalidInputError, match="valid"):
        plan_pool(PoolSpec("L20", (Deployment("x", "bge-m3"),), mode="slices"), CAT)
    empty = tmp_path / "empty.yaml"
    empty.write_text("gpu: L20\n", "utf-8")
    with pytest.raises(InvalidInputError, match="deployments"):
        load_pool(empty)
    typo = tmp_path / "typo.yaml"
    typo.write_text("gpu: L20\ndeployments:\n  - {name: a, model: bge-m3, replica: 2}\n", "utf-8")
    with pytest.raises(InvalidInputError, match="replica"):
        load_pool(typo)
