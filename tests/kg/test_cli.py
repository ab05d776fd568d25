"""`ebrain kg …` over a real workspace: every command's --json shape, errors as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ebrain.brain import Brain
from ebrain.cli.main import build
from tests.kg.test_store import CONTRACT, EMAIL, MINUTES, _write

runner = CliRunner()


def _run(ws: Path, *args: str) -> tuple[int, object]:
    result = runner.invoke(build(), ["--workspace", str(ws), "kg", *args])
    try:
        return result.exit_code, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.exit_code, result.stdout


def test_kg_commands_json(kg_brain: Brain, tmp_path: Path) -> None:
    corpus = _write(
        tmp_path / "c", {"a/恒达合同.txt": CONTRACT, "b/纪要.md": MINUTES, "c/s.txt": EMAIL}
    )
    kg_brain.ingest([corpus])
    ws = kg_brain.workspace.path
    code, out = _run(ws, "entity", "恒达", "--json")
    assert code == 0 and out["entities"][0]["name"] == "江苏恒达汽车零部件有限公司"  # type: ignore[index]
    code, out = _run(ws, "neighbors", "HT2023-015", "--json")
    assert code == 0 and out["neighbors"]  # type: ignore[index]
    code, out = _run(ws, "path", "黄建国", "周婷", "--json")
    assert code == 0 and out["found"] is True  # type: ignore[index]
    code, out = _run(ws, "records", "contract", "--where", "amount > 500000", "--json")
    assert code == 0 and out["count"] == 1  # type: ignore[index]
    rec = out["records"][0]  # type: ignore[index]
    assert rec["path"].endswith("恒达合同.txt") and rec["sources"]["amount"]["chunk_id"]
    code, out = _run(ws, "records", "contract", "--where", "amount >", "--json")
    assert code == 1 and "--where" in out["error"]["message"]  # type: ignore[index]
    code, out = _run(ws, "extract", "--estimate", "--json")
    assert code == 0 and out["documents"] == 3 and out["cost"] == 0.0  # type: ignore[index]
    target = tmp_path / "g.graphml"
    code, out = _run(ws, "export", "--format", "graphml", "--out", str(target), "--json")
    assert code == 0 and target.read_text("utf-8").startswith("<?xml")
    code, out = _run(ws, "search", "恒达 合同", "--json")
    assert code == 0 and out["hits"]  # type: ignore[index]
    code, out = _run(ws, "alias", "周婷", "Zhou Ting", "--json")
    assert code == 0 and {"name": "Zhou Ting", "source": "user"} in out["aliases"]  # type: ignore[index]


def test_kg_unknown_entity_is_a_clean_error(kg_brain: Brain) -> None:
    code, out = _run(kg_brain.workspace.path, "entity", "nobody", "--json")
    assert code == 1 and "nobody" in out["error"]["message"]  # type: ignore[index]


def test_search_graph_flag(kg_brain: Brain, tmp_path: Path) -> None:
    corpus = _write(tmp_path / "c", {"a/恒达合同.txt": CONTRACT, "b/纪要.md": MINUTES})
    kg_brain.ingest([corpus])
    ws = str(kg_brain.workspace.path)
    args = ["--workspace", ws, "search", "黄建国 的合同", "--json"]
    plain = json.loads(runner.invoke(build(), args).stdout)
    graph = runner.invoke(build(), [*args, "--graph", "--hops", "1"])
    assert graph.exit_code == 0, graph.stdout
    hits = json.loads(graph.stdout)["hits"]
    assert hits and hits[0]["title"] == "恒达合同"
    assert plain["hits"]
    assert "质量专题会议纪要" in {h["title"] for h in hits}  # reached through 恒达 / HT2023-015
    bad = runner.invoke(build(), [*args, "--graph", "--hops", "9"])
    assert bad.exit_code != 0
