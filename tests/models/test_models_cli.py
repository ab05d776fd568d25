"""`ebrain models list|test` through the real CLI app and a real fake server."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from ebrain.cli.main import build
from tests.fakes.openai_server import FakeOpenAI, server_error

SECRET = "sk-cli-secret-123"


def write_config(ws: Path, fake: FakeOpenAI) -> None:
    ws.mkdir(parents=True, exist_ok=True)
    models = {
        "qwen-small": {
            "url": f"openai+{fake.url}#Qwen2.5-7B-Instruct",
            "roles": ["small", "default"],
            "context_window": 32768,
            "price": {"input": 0.5, "output": 1.0},
            "api_key_env": "EBRAIN_CLI_KEY",
            "timeout": 5,
        },
        "qwen-large": {
            "url": f"openai+{fake.url}#Qwen2.5-72B-Instruct",
            "roles": ["large"],
            "context_window": 131072,
            "max_attempts": 1,
        },
    }
    (ws / "config.yaml").write_text(
        yaml.safe_dump({"models": models}, sort_keys=False), encoding="utf-8"
    )


def run(ws: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(build(), ["--workspace", str(ws), "models", *args], env=env)
    return result.exit_code, result.stdout


def test_list_json_shows_models_without_keys(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    ws = tmp_path / "ws"
    write_config(ws, fake_openai)
    code, out = run(ws, "list", "--json", env={"EBRAIN_CLI_KEY": SECRET})
    assert code == 0 and SECRET not in out
    data = json.loads(out)
    assert [m["alias"] for m in data["models"]] == ["qwen-small", "qwen-large"]
    small = data["models"][0]
    assert small["roles"] == ["small", "default"] and small["context_window"] == 32768
    assert small["price"] == {"input": 0.5, "output": 1.0}
    assert small["api_key_env"] == "EBRAIN_CLI_KEY" and small["api_key_set"] is True
    code, table = run(ws, "list", env={"EBRAIN_CLI_KEY": SECRET})
    assert code == 0 and "qwen-large" in table and SECRET not in table


def test_test_reports_latency_and_failures(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    ws = tmp_path / "ws"
    write_config(ws, fake_openai)
    code, out = run(ws, "test", "qwen-small", "--json", env={"EBRAIN_CLI_KEY": SECRET})
    data = json.loads(out)
    assert code == 0 and data["ok"] is True
    [result] = data["results"]
    assert result["alias"] == "qwen-small" and result["reply"] == "OK"
    assert result["latency_ms"] > 0
    assert fake_openai.chat_requests()[-1].headers["authorization"] == f"Bearer {SECRET}"
    fake_openai.script(server_error())
    code, out = run(ws, "test", "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    assert [(r["alias"], r["ok"]) for r in data["results"]] == [
        ("qwen-small", False),
        ("qwen-large", True),
    ]
    assert data["results"][0]["reason"] == "server_error"


def test_unknown_alias_and_no_models(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    ws = tmp_path / "ws"
    write_config(ws, fake_openai)
    code, out = run(ws, "test", "nope", "--json")
    assert code == 1
    error = json.loads(out)["error"]
    assert error["code"] == "not_found" and "qwen-small" in error["hint"]
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out = run(empty, "list", "--json")
    assert code == 0 and json.loads(out) == {"models": [], "generation": False}
    code, out = run(empty, "list")
    assert code == 0 and "config.yaml" in out
