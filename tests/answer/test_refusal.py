"""The refusal model: its features, the shipped coefficients, and how a decision is explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ebrain.answer.refusal import (
    HYBRID,
    LEXICAL,
    TYPE_FEATURES,
    RefusalModel,
    agreement,
    decide,
    key_terms,
    margin,
    question_type,
    script,
    shipped_models,
    type_features,
)
from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.cli.main import build
from ebrain.retrieve.hits import Hit
from tests.answer.conftest import make_workspace, write_corpus
from tests.fakes.embedder import register

OWNER = Principal.owner()

# Distinct passages: each question below is answered by exactly one of them.
PASSAGES = {
    "lake.md": "# 青湖水库\n\n青湖水库位于云岭县北部，于1987年建成，总库容为3.2亿立方米，"
    "主要用于灌溉和防洪。水库大坝高度为58米。",
    "bridge.md": "# 长河大桥\n\n长河大桥是一座斜拉桥，全长1260米，由北川路桥公司承建，"
    "2004年正式通车，连接东岸新区与西岸老城。",
    "tea.md": "# 白峰茶\n\n白峰茶产于白峰山区，采摘期在清明前后，成茶外形细紧，"
    "汤色嫩绿，香气清高，是当地的传统名茶。茶园靠近山间水库，云雾多。",
    "robot.md": "# Warehouse robot W-40\n\nThe W-40 warehouse robot carries up to 40 kg and "
    "runs for 9 hours on one charge. Its lidar maps aisles while it drives.",
    "county.md": "# 云岭县概况\n\n云岭县地处山区，境内有多座小型水库，县城以农业和旅游为主，"
    "近年来新修了多条乡村公路。",
    "choir.md": "# 城南合唱团\n\n城南合唱团成立于1995年，现有团员六十余人，每周六下午在文化馆排练，"
    "曾多次参加全省合唱比赛。",
}
QUESTION = "青湖水库的总库容是多少？"


def _hit(score: float, doc: int = 1, **explain: float | int | None) -> Hit:
    return Hit(doc, doc, "t", "note", "default", "text", score, explain=dict(explain) or None)


def test_margin_and_agreement_from_the_fused_ranking() -> None:
    assert margin([_hit(1.0), _hit(0.6, doc=2)]) == pytest.approx(0.4)
    assert margin([_hit(1.0), _hit(0.9), _hit(0.5, doc=2)]) == pytest.approx(0.5)  # same doc
    assert margin([_hit(0.8)]) == 1.0 and margin([]) == 0.0
    assert agreement(_hit(1.0, bm25_rank=1, dense_rank=1)) == 1.0
    assert agreement(_hit(1.0, bm25_rank=2, dense_rank=None)) == 0.25
    assert agreement(_hit(1.0)) == 0.0


def test_question_types_in_both_languages() -> None:
    assert question_type("长河大桥哪一年通车？") == "number"
    assert question_type("How many hours does the W-40 run?") == "number"
    assert question_type("为什么水库要防洪？") == "descriptive"
    assert question_type("Why does the robot use lidar?") == "descriptive"
    assert question_type("谁承建了长河大桥？") == "other"
    assert type_features("长河大桥哪一年通车？", "它连接东岸与西岸。")["type_miss"] == 1.0
    assert type_features("长河大桥哪一年通车？", "2004年正式通车。")["type_miss"] == 0.0


def test_script_counts_bulk_not_a_stray_character() -> None:
    assert script("What is the capacity of the reservoir 水库?") == "en"
    assert script("青湖水库位于云岭县北部 W-40") == "zh"


def test_key_terms_are_the_rarest() -> None:
    assert list(key_terms({"a": 0.5, "b": 3.0, "c": 2.0, "d": 1.0}, 2)) == ["b", "c"]


def test_shipped_models_cover_their_features() -> None:
    models = shipped_models()
    assert set(models["hybrid"].weights) == set(HYBRID + TYPE_FEATURES)
    assert set(models["lexical"].weights) == set(LEXICAL + TYPE_FEATURES)
    assert models["lexical"].weights["cov_best"] > 0  # more coverage, more likely answerable


def test_decide_picks_the_model_by_the_evidence_present() -> None:
    models = {
        "hybrid": RefusalModel("hybrid", -1.0, {"dense_top": 2.0}),
        "lexical": RefusalModel("lexical", 0.0, {"cov_best": 4.0}),
    }
    low = decide({"cov_best": 0.0, "margin": 1.0}, 0.5, models)
    assert low.model == "lexical" and low.probability == 0.5 and not low.refused
    high = decide({"cov_best": 1.0, "margin": 0.5, "dense_top": 0.2, "xling": 0.0}, 0.5, models)
    assert high.model == "hybrid" and high.refused and high.contributions == {"dense_top": 0.4}
    assert high.features["xling_dense"] == 0.0 and high.features["margin_cov"] == 0.5


def _workspace(tmp_path: Path, files: dict[str, str], config: str = "") -> Path:
    ws = make_workspace(tmp_path / "ws", config)
    with Brain.open(ws) as brain:
        brain.ingest([write_corpus(tmp_path / "corpus", files)])
    return ws


def test_features_of_an_ask_are_as_computed(tmp_path: Path) -> None:
    with Brain.open(_workspace(tmp_path, PASSAGES)) as brain:
        answer = brain.ask(QUESTION, principal=OWNER)
    info = answer.refusal
    assert info is not None and info["model"] == "lexical"
    f = info["features"]
    assert set(f) == set(LEXICAL + TYPE_FEATURES) | {"margin"}
    assert f["margin_cov"] == round(f["margin"] * f["cov_best"], 4)
    assert f["cov_best"] == 1.0 and f["cov_key"] == 1.0  # every term is in the lake passage
    assert f["xling"] == 0.0 and f["type_miss"] == 0.0  # the sentence holds "3.2亿立方米"
    assert 0.0 < f["margin"] <= 1.0
    assert answer.confidence == info["p_answerable"]


def test_shipped_model_answers_when_the_passage_is_there_and_refuses_when_not(
    tmp_path: Path,
) -> None:
    with Brain.open(_workspace(tmp_path / "with", PASSAGES)) as brain:
        present = brain.ask(QUESTION, principal=OWNER)
    without = {k: v for k, v in PASSAGES.items() if k != "lake.md"}
    with Brain.open(_workspace(tmp_path / "without", without)) as brain:
        absent = brain.ask(QUESTION, principal=OWNER)
    assert not present.refused and "3.2亿立方米" in present.text
    assert present.citations[0].path.endswith("lake.md")
    assert absent.refused and absent.refusal is not None and absent.refusal["refused"]
    assert absent.closest[0]["path"].endswith("county.md")  # retrieved, yet not enough
    assert absent.confidence < present.confidence


def test_dense_features_join_when_vectors_exist(tmp_path: Path) -> None:
    register()
    config = "embed:\n  model: fakehash\ningest:\n  embed: true\n"
    ws = make_workspace(tmp_path / "ws")
    (ws / "config.yaml").write_text(config, encoding="utf-8")
    with Brain.open(ws) as brain:
        brain.ingest([write_corpus(tmp_path / "corpus", PASSAGES)])
        answer = brain.ask(QUESTION, principal=OWNER)
    info = answer.refusal
    assert info is not None and info["model"] == "hybrid"
    f = info["features"]
    assert set(f) == set(HYBRID + TYPE_FEATURES) | {"margin"}
    assert -1.0 <= f["dense_top"] <= 1.0 and f["xling_dense"] == 0.0
    assert 0.0 < f["agree"] <= 1.0


def test_ask_explain_shows_features_and_decision(tmp_path: Path) -> None:
    ws = str(_workspace(tmp_path, PASSAGES))
    app = build()
    shown = CliRunner().invoke(app, ["-w", ws, "ask", QUESTION, "--explain"])
    assert shown.exit_code == 0, shown.output
    assert "P(answerable)" in shown.output and "cov_best" in shown.output
    assert "-> 回答" in shown.output  # a Chinese question: the decision in Chinese
    data = json.loads(CliRunner().invoke(app, ["-w", ws, "ask", QUESTION, "--json"]).output)
    assert data["refusal"]["features"]["cov_best"] == 1.0
    assert set(data["refusal"]) >= {"model", "p_answerable", "threshold", "refused"}
