"""`ebrain plan` through typer's CliRunner: tables, --json shapes, charts, errors."""

from __future__ import annotations

import json
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from typer.testing import CliRunner

from ebrain.cli.main import build

runner = CliRunner()
APP = build()


def _run(*args: str, ws: Path) -> tuple[int, str]:
    result = runner.invoke(APP, ["--workspace", str(ws), "plan", *args])
    return result.exit_code, result.stdout


def _json(*args: str, ws: Path) -> dict[str, object]:
    code, out = _run(*args, "--json", ws=ws)
    assert code == 0, out
    data: dict[str, object] = json.loads(out)
    return data


def test_train_json_and_explain(tmp_path: Path) -> None:
    # GPT-3 textbook case (Brown et al. 2020; 312 TFLOPS A100 at 51.4%).
    args = ("train", "GPT-3-175B", "-g", "A100-80GB", "-t", "300B", "-n", "1000", "-u", "0.514")
    data = _json(*args, ws=tmp_path)
    assert data["flops"] == pytest.approx(3.15e23)
    assert data["wall_days"] == pytest.approx(22.7, abs=0.5)
    assert {"gpu_hours", "gpu_years", "energy_mwh", "cost", "steps"} <= set(data)
    assert {"gpus": 1000, "days": pytest.approx(22.7, abs=0.5)} in data["days_by_gpus"]  # type: ignore[operator]
    code, out = _run(*args, "--explain", ws=tmp_path)
    assert code == 0 and "6 x N x D" in out and "3.15e+23" in out


def test_train_chart_png_and_html(tmp_path: Path) -> None:
    png, page = tmp_path / "days.png", tmp_path / "days.html"
    for chart in (png, page):
        code, _ = _run("train", "Llama-3.1-8B", "-t", "15T", "--chart", str(chart), ws=tmp_path)
        assert code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = page.read_text("utf-8")
    assert "<svg" in html and "<polyline" in html and "<script" not in html


def test_memory_inference_json_and_chart(tmp_path: Path) -> None:
    chart = tmp_path / "mem.html"
    data = _json(
        "memory", "Llama-2-70B", "-g", "H100-SXM", "--tp", "2", "--chart", str(chart), ws=tmp_path
    )
    assert data["mode"] == "inference" and data["fits"] is True
    assert data["details"]["kv_bytes_per_token"] == 327680  # type: ignore[index]
    assert [i["name"] for i in data["items"]] == [
        "weights",
        "kv_cache",
        "activations",  # type: ignore[attr-defined]
        "overhead",
    ]
    assert "int4-awq" in data["weights_by_precision_gb"]  # type: ignore[operator]
    assert chart.read_text("utf-8").count("<rect") > 4


def test_memory_train_png(tmp_path: Path) -> None:
    chart = tmp_path / "train.png"
    data = _json(
        "memory",
        "Qwen2.5-7B",
        "--mode",
        "train",
        "--zero",
        "3",
        "--dp",
        "8",
        "--recompute",
        "full",
        "-g",
        "A100-80GB",
        "--chart",
        str(chart),
        ws=tmp_path,
    )
    assert data["mode"] == "train-full" and data["details"]["zero_stage"] == 3  # type: ignore[index]
    assert chart.read_bytes()[:4] == b"\x89PNG"


def test_serve_json_shapes(tmp_path: Path) -> None:
    dec = _json("serve", "Qwen2.5-7B", "-g", "L20", "--concurrency", "16", ws=tmp_path)
    assert dec["kind"] == "decoder" and dec["gpus"] == 1
    assert {"p50_latency_s", "decode_tokens_per_s_per_replica", "max_sequences_per_replica"} <= set(
        dec
    )
    emb = _json("serve", "bge-m3", "-g", "L20", "--chunks", "1M", ws=tmp_path)
    assert emb["kind"] == "embedding" and emb["hours"] > 0  # type: ignore[operator]


def test_hf_config_and_catalog_listing(tmp_path: Path) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_text(
        json.dumps(
            {
                "num_hidden_layers": 28,
                "hidden_size": 3584,
                "num_attention_heads": 28,
                "num_key_value_heads": 4,
                "vocab_size": 152064,
                "intermediate_size": 18944,
            }
        ),
        "utf-8",
    )
    data = _json("memory", "--hf-config", str(cfg), ws=tmp_path)
    assert data["details"]["kv_bytes_per_token"] == 56 * 1024  # type: ignore[index]
    gpus = _json("gpus", ws=tmp_path)
    assert len(gpus["gpus"]) >= 14  # type: ignore[arg-type]
    models = _json("models", ws=tmp_path)
    assert any(m["name"] == "DeepSeek-V3" for m in models["models"])  # type: ignore[attr-defined]
    code, out = _run("gpus", ws=tmp_path)
    assert code == 0 and "MI300X" in out


def test_pool_json_and_manifests(tmp_path: Path) -> None:
    pool, out = tmp_path / "pool.yaml", tmp_path / "k8s.yaml"
    pool.write_text(
        yaml.safe_dump(
            {
                "gpu": "H100-SXM",
                "mode": "mig",
                "deployments": [
                    {"name": "qwen", "model": "Qwen2.5-7B", "replicas": 2},
                    {"name": "e5", "model": "multilingual-e5-small", "min_memory_gb": 2},
                ],
            }
        ),
        "utf-8",
    )
    data = _json("pool", str(pool), "--out", str(out), ws=tmp_path)
    assert {"gpus_needed", "utilization", "fragmentation", "bins", "manifests"} <= set(data)
    docs = list(yaml.safe_load_all(out.read_text("utf-8")))
    assert len(docs) == 2
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30", strict=True)
    code, text = _run("pool", str(pool), ws=tmp_path)
    assert code == 0 and "fragmentation" in text


def test_errors_are_clean(tmp_path: Path) -> None:
    code, out = _run("train", "NoSuchModel", "-t", "1B", "--json", ws=tmp_path)
    assert code == 1
    err = json.loads(out)["error"]
    assert err["code"] == "not_found" and "Llama-2-7B" in err["message"]
    code, out = _run("train", "Llama-2-7B", "-t", "lots", "--json", ws=tmp_path)
    assert code == 1 and json.loads(out)["error"]["code"] == "invalid_input"
    code, out = _run(
        "memory", "Llama-2-7B", "--chart", str(tmp_path / "x.svg"), "--json", ws=tmp_path
    )
    assert code == 1 and ".png or .html" in json.loads(out)["error"]["message"]


def test_workspace_gpu_catalog_is_used(tmp_path: Path) -> None:
    (tmp_path / "gpus.yaml").write_text(
        "gpus:\n  LabCard:\n"
        "    {bf16_tflops: 100, memory_gb: 16, bandwidth_gbs: 500, tdp_w: 200}\n",
        "utf-8",
    )
    data = _json("train", "Llama-2-7B", "-g", "LabCard", "-t", "1B", "-u", "0.5", ws=tmp_path)
    assert data["peak_flops"] == 100e12
