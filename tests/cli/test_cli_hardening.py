"""Hostile values reach the terminal escaped; bad options and settings fail with a clear hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ebrain.cli.common import plain, safe
from ebrain.cli.main import build

runner = CliRunner()
OSC = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
TITLE = "Q3 plan [/b] notes"


def _run(ws: Path | None, *args: str) -> tuple[int, str]:
    prefix = ["--workspace", str(ws)] if ws is not None else []
    result = runner.invoke(build(), [*prefix, *args])
    return result.exit_code, result.output


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A lexical workspace holding a Markdown file titled with markup and a file named with ESC."""
    ws = tmp_path / "ws"
    assert _run(ws, "init")[0] == 0
    (ws / "config.yaml").write_text("embed:\n  model: none\n", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "plan.md").write_text(f"# {TITLE}\n\nRevenue grew [bold]fast[/bold].\n", "utf-8")
    (docs / f"a{OSC}b{CLEAR}.txt").write_text("Revenue of the escape file.\n", "utf-8")
    (docs / f"bad{CLEAR}[red].pdf").write_bytes(b"not a pdf")
    assert _run(ws, "ingest", str(docs), "--jobs", "1")[0] == 0
    return ws


def _clean(out: str) -> None:
    assert "\x1b" not in out and "\x07" not in out and "Traceback" not in out


def test_safe_escapes_markup_and_neutralises_controls() -> None:
    assert safe("[bold red]x") == "\\[bold red]x"
    assert plain(f"a{OSC}\x9b\u202eb\tc\n") == "a\\x1b]0;pwned\\x07\\x9b\\u202eb\tc\n"


def test_docs_list_and_show_print_titles_literally(hostile: Path) -> None:
    code, out = _run(hostile, "docs", "list")
    assert code == 0 and TITLE in out and "a\\x1b]0;pwned\\x07b" in out
    _clean(out)
    docs = json.loads(_run(hostile, "docs", "list", "--json")[1])
    for doc in docs:
        code, out = _run(hostile, "docs", "show", str(doc["id"]), "--text")
        assert code == 0 and ("[bold]fast[/bold]" in out or "\\x1b[2J" in out)
        _clean(out)


def test_search_and_errors_escape_titles_paths_and_snippets(hostile: Path) -> None:
    code, out = _run(hostile, "search", "revenue")
    assert code == 0 and TITLE in out and "[bold]fast[/bold]" in out and "\\x1b[2J" in out
    _clean(out)
    code, out = _run(hostile, "docs", "errors")
    assert code == 0 and "bad\\x1b[2J[red].pdf" in out.replace("\n", "").replace(" ", "")
    _clean(out)
    code, out = _run(hostile, "ingest", str(hostile.parent / "docs"), "--jobs", "1")
    _clean(out)


def test_json_output_escapes_controls(hostile: Path) -> None:
    code, out = _run(hostile, "docs", "list", "--json")
    assert code == 0 and "\\u001b]0;pwned\\u0007" in out
    _clean(out)


def test_kb_names_are_shown_literally(hostile: Path) -> None:
    code, out = _run(hostile, "kb", "create", "[bold red]x")
    assert code == 0 and "'[bold red]x'" in out
    code, out = _run(hostile, "kb", "list")
    assert "[bold red]x" in out


def test_error_messages_are_escaped(hostile: Path) -> None:
    code, out = _run(hostile, "docs", "set-type", "1", f"[bold]{CLEAR}")
    assert code == 1 and "[bold]\\x1b[2J" in out
    _clean(out)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["docs", "list", "--limit", "-1"], "--limit"),
        (["search", "x", "-k", "-1"], "-k"),
        (["search", "x", "--since", "2024-13-45"], "YYYY-MM-DD"),
        (["search", "x", "--until", "soon"], "YYYY-MM-DD"),
        (["guard", "events", "--limit", "0"], "--limit"),
        (["prompt", "show", "answer.en", "--version", "0"], "--version"),
    ],
)
def test_bad_options_fail_clearly(hostile: Path, args: list[str], words: str) -> None:
    code, out = _run(hostile, *args)
    assert code == 2 and words in out and "Traceback" not in out
    code, out = _run(hostile, *args, "--json")
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "invalid_input" and words in error["message"]
    assert "--help" in error["hint"]


def test_bad_setting_fails_with_its_range(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EBRAIN_SEARCH_FUSION", "bogus")
    code, out = _run(hostile, "search", "revenue")
    assert code == 1 and "EBRAIN_SEARCH_FUSION" in out and "'rrf'" in out and "hint:" in out
    code, out = _run(hostile, "search", "revenue", "--json")
    error = json.loads(out)["error"]
    assert error["code"] == "config_error" and "EBRAIN_SEARCH_FUSION" in error["hint"]
    monkeypatch.delenv("EBRAIN_SEARCH_FUSION")
    monkeypatch.setenv("EBRAIN_CHUNK_TARGET_TOKENS", "-5")
    new = hostile.parent / "two.txt"
    new.write_text("line one\nline two\n", encoding="utf-8")
    code, out = _run(hostile, "ingest", str(new), "--json")
    assert code == 1 and "32..8192" in json.loads(out)["error"]["hint"]


def test_config_set_checks_the_value(hostile: Path) -> None:
    code, out = _run(hostile, "config", "set", "chunk.target_tokens", "-5", "--json")
    assert code == 1 and "32..8192" in json.loads(out)["error"]["hint"]
    code, out = _run(hostile, "config", "set", "search.k", "5", "--json")
    assert code == 0 and json.loads(out)["value"] == 5
    rows = {r["key"]: r for r in json.loads(_run(hostile, "config", "list", "--json")[1])}
    assert rows["search.k"]["value"] == 5 and rows["search.k"]["allowed"] == "1..1000"
    assert rows["embed.model"]["value"] == "none"


@pytest.mark.parametrize(
    "args",
    [
        ["dict", "add", "华川智能"],
        ["dict", "list"],
        ["dict", "rm", "华川智能"],
        ["config", "set", "search.k", "5"],
        ["docs", "list"],
        ["kb", "create", "x"],
        ["prompt", "list"],
        ["index", "status"],
        ["guard", "events"],
        ["search", "x"],
    ],
)
def test_commands_never_create_a_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EBRAIN_WORKSPACE", raising=False)
    code, out = _run(None, *args)
    assert code == 1 and "ebrain init" in out and "--workspace" in out
    assert "Traceback" not in out and not (tmp_path / ".ebrain").exists()
    code, out = _run(None, *args, "--json")
    assert json.loads(out)["error"]["code"] == "workspace_error"
    assert list(tmp_path.iterdir()) == []
