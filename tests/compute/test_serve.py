"""Serving plans: bandwidth-bound decode, compute-bound prefill, encoder backlogs."""

from __future__ import annotations

import pytest

from ebrain.compute.catalog import load_catalog
from ebrain.compute.memory import kv_bytes_per_token, weights_bytes
from ebrain.compute.serve import EmbedInput, ServeInput, plan_embed, plan_serve
from ebrain.errors import InvalidInputError

CAT = load_catalog()


def test_single_stream_decode_is_bandwidth_bound() -> None:
    # Batch 1 decode reads every weight once per token: tokens/s <= bandwidth / weight bytes.
    m, g = CAT.model("Llama-3.1-8B"), CAT.gpu("H100-SXM")
    plan = plan_serve(ServeInput(m, g, context=1024, output_tokens=256, concurrency=1))
    ceiling = g.bandwidth_gbs * 1e9 / weights_bytes(m, "bf16")
    assert plan.decode_bound == "memory bandwidth"
    assert 0.5 * ceiling < plan.decode_tokens_per_s_per_sequence < ceiling
    assert plan.replicas == 1 and plan.gpus == 1


def test_max_sequences_follow_kv_memory() -> None:
    m, g = CAT.model("Qwen2.5-7B"), CAT.gpu("L20")
    short = plan_serve(ServeInput(m, g, context=2048, output_tokens=256, concurrency=1))
    long = plan_serve(ServeInput(m, g, context=16384, output_tokens=256, concurrency=1))
    assert short.max_sequences_per_replica > 4 * long.max_sequences_per_replica
    assert long.kv_bytes_per_sequence == kv_bytes_per_token(m) * (16384 + 256)
    fp8 = plan_serve(ServeInput(m, g, context=16384, output_tokens=256, kv_precision="fp8"))
    assert fp8.max_sequences_per_replica >= 2 * long.max_sequences_per_replica - 1


def test_concurrency_beyond_kv_needs_more_replicas() -> None:
    m, g = CAT.model("Qwen2.5-7B"), CAT.gpu("L20")
    one = plan_serve(ServeInput(m, g, context=8192, output_tokens=512, concurrency=1))
    many = plan_serve(
        ServeInput(
            m, g, context=8192, output_tokens=512, concurrency=one.max_sequences_per_replica * 3
        )
    )
    assert many.replicas == 3
    assert many.p50_latency_s > one.p50_latency_s


def test_qps_target_uses_littles_law() -> None:
    m, g = CAT.model("Llama-3.1-70B"), CAT.gpu("H100-SXM")
    low = plan_serve(ServeInput(m, g, context=2048, output_tokens=256, qps=0.5))
    high = plan_serve(ServeInput(m, g, context=2048, output_tokens=256, qps=50))
    assert low.tensor_parallel >= 2
    assert high.gpus > low.gpus
    assert high.target_concurrency == pytest.approx(50 * high.p50_latency_s, rel=0.2)


def test_model_too_big_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="does not fit"):
        plan_serve(ServeInput(CAT.model("Llama-3.1-405B"), CAT.gpu("L4")))


def test_embedding_backlog_hours() -> None:
    m, g = CAT.model("bge-m3"), CAT.gpu("L20")
    plan = plan_embed(EmbedInput(m, g, chunks=1e6, tokens_per_chunk=512))
    flops = 2 * (m.params - m.vocab * m.hidden) * 512 + 4 * m.layers * 512**2 * m.hidden
    assert plan.flops_per_item == pytest.approx(flops)
    assert plan.hours == pytest.approx(1e6 * flops / (119.5e12 * 0.4) / 3600)
    two = plan_embed(EmbedInput(m, g, chunks=1e6, gpus=2))
    assert two.hours == pytest.approx(plan.hours / 2)


def test_rerank_counts_query_tokens() -> None:
    m, g = CAT.model("bge-reranker-v2-m3"), CAT.gpu("L4")
    plan = plan_embed(EmbedInput(m, g, tokens_per_chunk=256, query_tokens=32))
    assert plan.tokens_per_item == 288 and plan.kind == "rerank"
