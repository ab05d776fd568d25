"""Chinese for every ebrain error: the catalog covers each raise site, the CLI and API use it."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import ebrain
from ebrain.brain import Brain
from ebrain.cli.main import build
from ebrain.errors import InvalidInputError, NotFoundError, WorkspaceError
from ebrain.i18n_errors import CATALOG, localized, translate
from tests.server.harness import make_users, make_workspace, serve

SRC = Path(ebrain.__file__).parent
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Site:
    """One English template at a construction of an EbrainError (subclass): where and what."""

    where: str
    parts: tuple[str | ast.expr, ...]  # literal text and placeholder expressions

    def sample(self) -> tuple[str, list[str]]:
        """The template rendered with distinct sample values, and those values."""
        out: list[str] = []
        values: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                values.append(f"Zq{len(values) + 1}")
                out.append(values[-1])
        return "".join(out), values

    def template(self) -> str:
        """The template as a catalog entry writes it: `{name}` for each placeholder."""
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                names = [n.id for n in ast.walk(part) if isinstance(n, ast.Name)]
                out.append("{" + (names[-1].strip("_").lower() if names else "value") + "}")
        return "".join(out)


def _trees() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(SRC.rglob("*.py"))]


def _message_index(node: ast.ClassDef) -> int | None:
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            names = [a.arg for a in item.args.args[1:]]
            return names.index("message") if "message" in names else None
    return None


def error_classes(trees: list[tuple[Path, ast.Module]]) -> dict[str, int]:
    """EbrainError and every subclass defined in src/ebrain -> position of `message`."""
    defs = {}
    for _, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases]
                defs[node.name] = (bases, _message_index(node))
    found = {"EbrainError": 0}
    grew = True
    while grew:
        grew = False
        for name, (bases, index) in defs.items():
            parent = next((b for b in bases if b in found), None)
            if parent and name not in found:
                found[name] = found[parent] if index is None else index
                grew = True
    return found


def _parts(node: ast.expr, consts: dict[str, str]) -> list[str | ast.expr] | None:
    """A template as literal text and placeholders; None when it is wholly computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        out: list[str | ast.expr] = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                out.append(str(v.value))
            elif isinstance(v, ast.FormattedValue):
                out.append(v.value)  # the placeholder expression
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _parts(node.left, consts), _parts(node.right, consts)
        if left is None and right is None:
            return None
        return (left or [node.left]) + (right or [node.right])
    if isinstance(node, ast.Name) and node.id in consts:
        return [consts[node.id]]
    return None


def _constants(tree: ast.Module) -> dict[str, str]:
    out = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and isinstance(stmt.value.value, str):
                out[target.id] = stmt.value.value
    return out


def sites() -> Iterator[Site]:
    """Every message and hint template given to an EbrainError (subclass) in src/ebrain."""
    trees = _trees()
    classes = error_classes(trees)
    for path, tree in trees:
        consts = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func).rsplit(".", 1)[-1]
            if name not in classes:
                continue
            index = classes[name]
            texts = [node.args[index]] if len(node.args) > index else []
            texts += [k.value for k in node.keywords if k.arg in ("message", "hint")]
            for text in texts:
                parts = _parts(text, consts)
                literal = "".join(p for p in parts or () if isinstance(p, str))
                if parts and re.search("[A-Za-z]", literal) and not _CJK.search(literal):
                    where = f"{path.relative_to(SRC.parent)}:{node.lineno}"
                    yield Site(where, tuple(parts))


ALL_SITES = list(sites())


def test_the_walk_finds_the_raise_sites() -> None:
    wheres = {s.where.split(":")[0] for s in ALL_SITES}
    assert len(ALL_SITES) > 200 and "ebrain/brain.py" in wheres
    assert "ebrain/models/gateway.py" in wheres  # ModelError: the message is the 2nd argument


@pytest.mark.parametrize("site", ALL_SITES, ids=lambda s: s.where)
def test_every_raise_site_has_chinese(site: Site) -> None:
    text, values = site.sample()
    zh = translate(text)
    entry = f"({site.template()!r}, '<简体中文>')"
    assert zh is not None, f"{site.where}: add to CATALOG in src/ebrain/i18n_errors.py: {entry}"
    assert _CJK.search(zh), zh
    for value in values:  # the captured values are carried over, none is lost
        assert value in zh, (text, zh)


@pytest.mark.parametrize(("en", "zh"), CATALOG, ids=[en[:40] for en, _ in CATALOG])
def test_catalog_entries_are_consistent(en: str, zh: str) -> None:
    names = re.compile(r"\{(\w+)(?:\|t)?\}")
    assert set(names.findall(en)) == set(names.findall(zh)), en
    assert _CJK.search(zh) and not _CJK.search(en)


def test_values_are_copied_and_nouns_translated() -> None:
    assert translate("no knowledge base named 'hr'") == "没有名为 'hr' 的知识库"
    assert translate("unknown knowledge base 'a', 'b'") == "未知的知识库 'a', 'b'"
    assert translate("valid model provider names: none, openai") == (
        "可用的模型提供方名称：none, openai"
    )
    hint = "set search.k (env EBRAIN_SEARCH_K or config.yaml) to one of 5, 10"
    assert (
        translate(hint)
        == "请把 search.k（环境变量 EBRAIN_SEARCH_K 或 config.yaml）设为以下之一：5, 10"
    )


def test_unmatched_text_falls_back_to_english() -> None:
    assert translate("the flux capacitor is out of sync") is None
    assert translate("") is None
    assert translate("no knowledge base named 'x'" * 1000) is None  # over MAX_TEXT
    error = InvalidInputError("the flux capacitor is out of sync", hint="wait 88 mph")
    assert localized(error, "zh") == ("the flux capacitor is out of sync", "wait 88 mph")


def test_localized_keeps_english_for_english() -> None:
    error = NotFoundError("no knowledge base named 'x'", hint="known: a")
    assert localized(error, "en") == ("no knowledge base named 'x'", "known: a")
    assert localized(error, "zh") == ("没有名为 'x' 的知识库", "已有：a")
    assert localized(NotFoundError("no user 'x'"), "zh") == ("没有用户 'x'", "")


def test_a_hostile_value_is_captured_not_interpreted() -> None:
    error = WorkspaceError("no ebrain workspace at {path}\\1 (?P<x>", hint="")
    assert localized(error, "zh")[0] == "{path}\\1 (?P<x> 处没有 ebrain 工作区"


def test_values_that_repeat_the_template_literals_still_match() -> None:
    """The groups are atomic (linear matching): a value holding the literals is still taken."""
    text = "a.pdf is 1 MiB, over the " * 150 + "x is 2 MiB, over the 3 MiB limit"
    zh = translate(text)
    assert zh is not None and zh.startswith("a.pdf 大小为 1 MiB") and zh.endswith("3 MiB 的上限")
    assert translate("no such file: " + "no such file: " * 200 + "x") is not None


# --- through the real CLI ---

runner = CliRunner()


def test_cli_missing_workspace_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EBRAIN_LOCALE", "zh")
    result = runner.invoke(build(), ["--workspace", str(tmp_path / "nope"), "stats"])
    assert result.exit_code == 1
    assert "没有 ebrain 工作区" in result.stderr and "错误：" in result.stderr
    assert f"请用 `ebrain init {tmp_path / 'nope'}` 创建一个" in result.stderr.replace("\n", "")


def test_cli_json_error_in_chinese_keeps_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path)
    monkeypatch.setenv("EBRAIN_LOCALE", "zh")
    result = runner.invoke(
        build(), ["--workspace", str(ws), "search", "fan", "--kb", "zz", "--json"]
    )
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "invalid_input"
    assert error["message"] == "未知的知识库 'zz'" and error["hint"].startswith("已有知识库：")


def test_cli_json_error_in_english_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("EBRAIN_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    result = runner.invoke(build(), ["--workspace", str(tmp_path / "nope"), "stats", "--json"])
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "workspace_error"
    assert error["message"] == f"no ebrain workspace at {tmp_path / 'nope'}"


# --- through the real API on loopback ---


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[str, str]]:
    brain = Brain.open(make_workspace(tmp_path))
    keys = make_users(brain)
    with serve(brain) as srv:
        yield srv.url, keys["admin"]
    brain.close()


def test_api_not_found_in_chinese(api: tuple[str, str]) -> None:
    url, key = api
    headers = {"Authorization": f"Bearer {key}", "Accept-Language": "zh-CN,zh;q=0.9"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        resp = client.get("/api/jobs/nosuchjob")
        assert resp.status_code == 404
        assert resp.json()["error"] == {"code": "not_found", "message": "没有任务 'nosuchjob'"}
        resp = client.get("/api/jobs/nosuchjob", headers={"Accept-Language": "en"})
        assert resp.json()["error"]["message"] == "no job 'nosuchjob'"


def test_api_invalid_input_in_chinese_with_hint(api: tuple[str, str]) -> None:
    url, key = api
    headers = {"Authorization": f"Bearer {key}", "Accept-Language": "zh-CN"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        resp = client.post("/api/search", json={"query": "fan", "kb": ["zz"]})
        assert resp.status_code == 422
        error = resp.json()["error"]
        assert error["code"] == "invalid_input"
        assert error["message"] == "未知的知识库 'zz'"
        assert error["hint"].startswith("已有知识库：")
        resp = client.post(
            "/api/search", json={"query": "fan", "kb": ["zz"]}, headers={"Accept-Language": "en-US"}
        )
        assert resp.json()["error"]["message"] == "unknown knowledge base 'zz'"


def test_api_error_reraised_from_an_ebrain_error_in_chinese(api: tuple[str, str]) -> None:
    """ApiError(403, exc.message) without `zh`: the handler looks the message up too."""
    url, _ = api
    body = {"token": "not-the-token-" + "x" * 20, "name": "zed", "password": "zed-password-1"}
    with httpx.Client(base_url=url, timeout=30) as client:
        resp = client.post("/auth/first-admin", json=body, headers={"Accept-Language": "zh"})
        assert resp.status_code == 403
        assert resp.json()["error"]["code"] == "permission_denied"
        assert _CJK.search(resp.json()["error"]["message"]), resp.json()
        resp = client.post("/auth/first-admin", json=body)
        assert not _CJK.search(resp.json()["error"]["message"])


def test_cli_ingest_report_rows_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = make_workspace(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.md").write_bytes(b"")
    (tmp_path / "in" / "ok.md").write_text("# OK\n\nThe fan is fine.\n", encoding="utf-8")
    monkeypatch.setenv("EBRAIN_LOCALE", "zh")
    args = ["--workspace", str(ws), "ingest", str(tmp_path / "in"), "--jobs", "1"]
    result = runner.invoke(build(), args)
    assert result.exit_code == 0, result.output
    out = result.stdout.replace("\n", "").replace("│", "").replace(" ", "")
    assert "empty.md是空文件（0字节）" in out and "没有可导入的内容" in out
