"""Training compute: 6·N·D against published training runs."""

from __future__ import annotations

import pytest

from ebrain.compute.catalog import load_catalog
from ebrain.compute.train import TrainInput, days_by_gpu_count, plan_train
from ebrain.compute.units import DAY, YEAR
from ebrain.errors import InvalidInputError

CAT = load_catalog()


def test_gpt3_textbook_case() -> None:
    # Brown et al. 2020 (arXiv 2005.14165, Table D.1): GPT-3 175B on 300B tokens used
    # 3.14e23 training FLOPs (6·N·D = 3.15e23). The textbook restatement (and this project's
    # acceptance case): one A100 at 312 TFLOPS dense bf16 and 51.4% utilization needs ~62 years;
    # 1,000 A100s ~23 days.
    plan = plan_train(
        TrainInput(
            CAT.model("GPT-3-175B"), CAT.gpu("A100-80GB"), 300e9, gpus=1000, utilization=0.514
        )
    )
    assert plan.flops == pytest.approx(3.15e23)
    assert plan.gpu_seconds / YEAR == pytest.approx(62.2, abs=0.5)
    assert plan.wall_seconds / DAY == pytest.approx(22.7, abs=0.5)


def test_llama31_405b_gpu_hours_near_published() -> None:
    # Llama 3.1 model card (github.com/meta-llama/llama-models, MODEL_CARD.md): 405B trained
    # on ~15.6T tokens (Llama 3 paper arXiv 2407.21783 §3.3) used 30.84M H100-80GB GPU-hours;
    # the paper reports 38-43% BF16 MFU.
    plan = plan_train(
        TrainInput(CAT.model("Llama-3.1-405B"), CAT.gpu("H100-SXM"), 15.6e12, utilization=0.40)
    )
    assert plan.gpu_hours == pytest.approx(27e6, rel=0.02)
    assert abs(plan.gpu_hours - 30.84e6) / 30.84e6 < 0.15


def test_recompute_costs_one_more_forward() -> None:
    base = TrainInput(CAT.model("Llama-2-7B"), CAT.gpu("A100-80GB"), 2e12)
    plain, recomputed = (
        plan_train(base),
        plan_train(TrainInput(**{**base.__dict__, "recompute": True})),
    )
    assert recomputed.flops / plain.flops == pytest.approx(8 / 6)


def test_moe_uses_active_parameters() -> None:
    # DeepSeek-V3 report (arXiv 2412.19437): 671B total, 37B activated per token.
    plan = plan_train(TrainInput(CAT.model("DeepSeek-V3"), CAT.gpu("H800"), 14.8e12))
    assert plan.params == 37e9
    assert plan.flops == pytest.approx(6 * 37e9 * 14.8e12)
    assert any("MoE" in s for s in plan.steps)


def test_energy_cost_and_scaling() -> None:
    inp = TrainInput(
        CAT.model("Llama-2-7B"),
        CAT.gpu("H100-SXM"),
        1e12,
        gpus=8,
        scaling_efficiency=0.5,
        pue=1.5,
        price_per_gpu_hour=2.0,
    )
    plan = plan_train(inp)
    assert plan.wall_seconds == pytest.approx(plan.gpu_seconds / 4)
    assert plan.energy_mwh == pytest.approx(700 * plan.gpu_hours * 1.5 / 1e6)
    assert plan.cost == pytest.approx(plan.gpu_hours * 2.0)
    curve = dict(days_by_gpu_count(plan, [1, 2]))
    assert curve[1] == pytest.approx(2 * curve[2])


def test_bad_utilization_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        plan_train(TrainInput(CAT.model("Llama-2-7B"), CAT.gpu("L4"), 1e9, utilization=1.5))
