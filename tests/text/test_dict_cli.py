"""`ebrain dict add | list | rm` on a tmp workspace."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ebrain.catalog.workspace import CONFIG_FILE
from ebrain.cli.dict_cmd import app
from ebrain.text.userdict import load_user_words

runner = CliRunner()


def _run(ws: Path, *args: str, locale: str = "en") -> tuple[int, str]:
    (ws / CONFIG_FILE).touch()  # a workspace: dict commands no longer create one
    env = {"EBRAIN_WORKSPACE": str(ws), "EBRAIN_LOCALE": locale}
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_add_list_rm(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "add", "数据中台", "iFactory")
    assert code == 0 and "index rebuild" in out
    assert load_user_words(tmp_path) == ["数据中台", "iFactory"]
    code, out = _run(tmp_path, "list", "--json")
    data = json.loads(out)
    assert data["count"] == 2 and data["words"][0] == {
        "word": "数据中台",
        "freq": None,
        "pos": None,
    }
    code, out = _run(tmp_path, "rm", "IFACTORY", "没有", "--json")
    assert json.loads(out) == {
        "removed": ["iFactory"],
        "missing": ["没有"],
        "path": str(tmp_path / "userdict.txt"),
        "rebuild_needed": True,
    }


def test_reminder_in_chinese_and_clean_errors(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "add", "星河", locale="zh")
    assert code == 0 and "重新分词" in out
    code, out = _run(tmp_path, "add", "Power BI", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "invalid_input"
