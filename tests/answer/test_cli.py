"""`ebrain ask --json`, `ebrain chat` and `ebrain prompt` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ebrain.brain import Brain
from ebrain.cli.main import build
from tests.answer.conftest import make_workspace, write_corpus

runner = CliRunner()


def _ws(tmp_path: Path, files: dict[str, str]) -> str:
    ws = make_workspace(tmp_path / "ws")
    with Brain.open(ws) as brain:
        brain.ingest([write_corpus(tmp_path / "corpus", files)])
    return str(ws)


def test_ask_json(tmp_path: Path, small_files: dict[str, str]) -> None:
    ws = _ws(tmp_path, small_files)
    result = runner.invoke(build(), ["-w", ws, "ask", "合同 HT2023-015 的总金额是多少？", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert not data["refused"] and "480,000" in data["text"]
    assert data["citations"][0]["n"] == 1 and data["citations"][0]["quote"]
    assert {"trace_id", "confidence", "template_version", "guard_events"} <= set(data)


def test_ask_text_and_refusal(tmp_path: Path, small_files: dict[str, str]) -> None:
    ws = _ws(tmp_path, small_files)
    app = build()
    ok = runner.invoke(app, ["-w", ws, "ask", "How often should the filter be replaced?"])
    assert ok.exit_code == 0 and "[1]" in ok.output and "6 months" in ok.output
    no = runner.invoke(app, ["-w", ws, "ask", "Who won the 1998 football world cup?"])
    assert "I couldn't find this in the knowledge base" in no.output


def test_chat_repl_ends_on_empty_line(tmp_path: Path, small_files: dict[str, str]) -> None:
    ws = _ws(tmp_path, small_files)
    result = runner.invoke(
        build(), ["-w", ws, "chat"], input="合同 HT2023-015 的总金额是多少？\n\n"
    )
    assert result.exit_code == 0 and "480,000" in result.output


def test_prompt_commands(tmp_path: Path, small_files: dict[str, str]) -> None:
    ws = _ws(tmp_path, small_files)
    app = build()
    listed = json.loads(runner.invoke(app, ["-w", ws, "prompt", "list", "--json"]).output)
    assert any(t["name"] == "answer.zh" for t in listed["templates"])
    new = tmp_path / "t.j2"
    new.write_text("Q: {{ question }}\n", encoding="utf-8")
    edited = runner.invoke(
        app, ["-w", ws, "prompt", "edit", "answer.zh", "--file", str(new), "--json"]
    )
    assert json.loads(edited.output)["version"] == 2
    diff = json.loads(
        runner.invoke(app, ["-w", ws, "prompt", "diff", "answer.zh", "1", "--json"]).output
    )
    assert "+Q: {{ question }}" in diff["diff"]
    back = json.loads(
        runner.invoke(app, ["-w", ws, "prompt", "rollback", "answer.zh", "1", "--json"]).output
    )
    shown = json.loads(
        runner.invoke(app, ["-w", ws, "prompt", "show", "answer.zh", "--json"]).output
    )
    assert back["version"] == 3 and shown["template"].startswith("{#- 有据回答")
    missing = runner.invoke(app, ["-w", ws, "prompt", "show", "nope", "--json"])
    assert missing.exit_code != 0 and "nope" in missing.output
