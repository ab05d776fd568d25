"""The CLI over a real workspace: init, ingest, stats, kb, docs — text and --json."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ebrain.cli.main import build

runner = CliRunner()


def _run(ws: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(build(), ["--workspace", str(ws), *args])
    return result.exit_code, result.stdout


def _lexical(ws: Path) -> None:
    assert _run(ws, "init")[0] == 0
    (ws / "config.yaml").write_text("embed:\n  model: none\n", encoding="utf-8")


def test_init_ingest_stats_json(tmp_path: Path, small_corpus: Path) -> None:
    ws = tmp_path / "ws"
    _lexical(ws)
    code, out = _run(
        ws, "ingest", str(small_corpus), "--kb", "k1", "--tag", "t", "--json", "--jobs", "1"
    )
    assert code == 0
    report = json.loads(out)
    assert report["counts"] == {"added": 3} and report["chunks_added"] > 0
    assert {"path", "status", "doc_type", "chunks", "reason"} <= set(report["files"][0])
    stats = json.loads(_run(ws, "stats", "--json")[1])
    assert stats["documents"] == 3 and stats["by_kb"] == {"k1": 3}


def test_exit_code_two_when_nothing_ingested(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _lexical(ws)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out = _run(ws, "ingest", str(empty), "--json")
    assert code == 2
    assert json.loads(out)["files"][0]["reason"] == "empty"
    code, _ = _run(ws, "ingest", str(tmp_path / "missing"), "--json")
    assert code == 2


def test_kb_and_docs_commands(tmp_path: Path, small_corpus: Path) -> None:
    ws = tmp_path / "ws"
    _lexical(ws)
    _run(ws, "ingest", str(small_corpus), "--jobs", "1")
    (small_corpus / "bad.pdf").write_bytes(b"not a pdf")
    _run(ws, "ingest", str(small_corpus), "--jobs", "1")
    kbs = json.loads(_run(ws, "kb", "list", "--json")[1])
    assert [k["name"] for k in kbs] == ["default"] and kbs[0]["documents"] == 3
    docs = json.loads(_run(ws, "docs", "list", "--json")[1])
    first = docs[0]["id"]
    shown = json.loads(_run(ws, "docs", "show", str(first), "--json", "--text")[1])
    assert shown["chunks"] and shown["text"]
    errors = json.loads(_run(ws, "docs", "errors", "--json")[1])
    assert [Path(e["path"]).name for e in errors] == ["bad.pdf"]
    assert _run(ws, "docs", "set-type", str(first), "manual", "--json")[0] == 0
    code, out = _run(ws, "docs", "set-type", str(first), "novel", "--json")
    assert code == 1 and "valid types" in json.loads(out)["error"]["hint"]
    assert _run(ws, "docs", "rm", str(first), "--json")[0] == 0
    code, out = _run(ws, "docs", "show", str(first), "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "not_found"
    assert json.loads(_run(ws, "kb", "create", "legal", "--json")[1])["name"] == "legal"
    assert json.loads(_run(ws, "kb", "rm", "default", "--json")[1])["documents"] == 2


def test_missing_workspace_tells_how_to_fix(tmp_path: Path) -> None:
    result = runner.invoke(build(), ["--workspace", str(tmp_path / "nope"), "stats"])
    assert result.exit_code == 1
    assert "ebrain init" in result.output


def test_chinese_locale_messages(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    _lexical(ws)
    monkeypatch.setenv("EBRAIN_LOCALE", "zh")
    code, out = _run(ws, "ingest", str(small_corpus), "--jobs", "1")
    assert code == 0 and "新增 3" in out


def test_config_list_shows_origin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    _lexical(ws)
    monkeypatch.setenv("EBRAIN_SEARCH_K", "7")
    rows = {r["key"]: r for r in json.loads(_run(ws, "config", "list", "--json")[1])}
    assert rows["search.k"]["value"] == 7 and rows["search.k"]["origin"] == "EBRAIN_SEARCH_K"
    assert rows["embed.model"]["origin"] == "config.yaml"
    assert rows["chunk.overlap_tokens"]["origin"] == "default"


def test_text_report_lists_skipped_entries(tmp_path: Path) -> None:
    """A FIFO and a link leaving the folder are named in the text report, with their reason."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.md").write_text("# Note\n\nThe fan was replaced.", encoding="utf-8")
    os.mkfifo(docs / "pipe")
    (tmp_path / "outside.md").write_text("# Outside\n\nnot in the folder", encoding="utf-8")
    (docs / "link.md").symlink_to(tmp_path / "outside.md")
    ws = tmp_path / "ws"
    _lexical(ws)
    result = runner.invoke(
        build(), ["--workspace", str(ws), "ingest", str(docs)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.stdout
    assert "1 added" in result.stdout and "2 skipped" in result.stdout
    assert "pipe" in result.stdout and "link.md" in result.stdout
    assert "symbolic link not followed" in result.stdout


def test_docs_acl_rule_adds_lists_and_refuses_a_rule_without_groups(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _lexical(ws)
    code, out = _run(ws, "docs", "acl-rule", "*/hr/*", "hr", "people", "--json")
    assert code == 0
    assert json.loads(out) == [
        {"pattern": "*/hr/*", "group": "hr"},
        {"pattern": "*/hr/*", "group": "people"},
    ]
    code, out = _run(ws, "docs", "acl-rule")
    assert code == 0 and "*/hr/*  ->  people" in out
    code, _ = _run(ws, "docs", "acl-rule", "*/x/*", "--json")
    assert code != 0
