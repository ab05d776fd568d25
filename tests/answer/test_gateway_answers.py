"""Answers through the model gateway against the real fake HTTP server."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from ebrain.answer.verify import claims, normalize_markers, numbers
from ebrain.auth import Principal
from ebrain.brain import Brain
from tests.answer.conftest import make_workspace, model_config, write_corpus
from tests.fakes.openai_server import FakeOpenAI, reply, stream_reply

OWNER = Principal.owner()

QUESTION = "合同 HT2023-015 的总金额是多少？"


def _brain(tmp_path: Path, fake: FakeOpenAI, files: dict[str, str], extra: str = "") -> Brain:
    ws = make_workspace(tmp_path / "ws", model_config(fake.url) + extra)
    brain = Brain.open(ws)
    brain.ingest([write_corpus(tmp_path / "corpus", files)])
    return brain


def test_generated_answer_citations_are_parsed_and_verified(
    tmp_path: Path, fake: FakeOpenAI, small_files: dict[str, str]
) -> None:
    fake.script(reply("总金额为人民币 480,000 元[1]。验收要求连续运行 99 小时[1]。[7]"))
    with _brain(tmp_path, fake, small_files) as brain:
        answer = brain.ask(QUESTION, principal=OWNER)
    assert not answer.refused and answer.model == "fake-model"
    assert answer.template_version == "answer.zh@1"
    assert "[7]" not in answer.text  # a marker pointing at no source is dropped
    (c,) = answer.citations
    assert c.n == 1 and c.path.endswith("contract-HT2023-015.txt")
    assert not c.verified and any("99" in p for p in c.problems)
    assert answer.usage["prompt_tokens"] == 11 and answer.route is not None
    body = fake.chat_requests()[-1].body
    assert (
        "[1]" in body["messages"][-1]["content"] and "HT2023-015" in body["messages"][-1]["content"]
    )


def test_supported_sentence_is_verified(
    tmp_path: Path, fake: FakeOpenAI, small_files: dict[str, str]
) -> None:
    fake.script(reply("甲方向乙方采购 HT-2000 控制器 20 台，总金额人民币 480,000 元。[1]"))
    with _brain(tmp_path, fake, small_files) as brain:
        answer = brain.ask(QUESTION, principal=OWNER)
        with brain.engine.connect() as conn:
            usage = conn.execute(sa.text("SELECT alias, ok, trace_id FROM model_usage")).all()
    assert answer.citations[0].verified and answer.citations[0].problems == []
    assert "480,000" in answer.citations[0].quote
    assert usage == [("fake", 1, answer.trace_id)]


def test_streaming_yields_deltas_then_the_answer(
    tmp_path: Path, fake: FakeOpenAI, small_files: dict[str, str]
) -> None:
    fake.script(stream_reply(["总金额", "人民币 480,000 元", "[1]。"]))
    with _brain(tmp_path, fake, small_files) as brain:
        items = list(brain.ask_stream(QUESTION, principal=OWNER))
    deltas, final = items[:-1], items[-1]
    assert deltas == ["总金额", "人民币 480,000 元", "[1]。"]
    assert final.text == "总金额人民币 480,000 元[1]。" and final.citations[0].verified
    assert fake.chat_requests()[-1].body["stream"] is True


def test_model_refusal_and_low_confidence_refusal(
    tmp_path: Path, fake: FakeOpenAI, small_files: dict[str, str]
) -> None:
    fake.script(reply("知识库中没有找到相关信息"))
    with _brain(tmp_path, fake, small_files) as brain:
        said = brain.ask(QUESTION, principal=OWNER)
        calls = len(fake.chat_requests())
        low = brain.ask("德国分公司的员工餐补标准是多少欧元？", principal=OWNER)
    assert said.refused and said.closest and said.text == "知识库中没有找到相关信息"
    assert low.refused and len(fake.chat_requests()) == calls  # no model call when unsure


def test_prompt_version_is_recorded_and_packing_respects_budget(
    tmp_path: Path, fake: FakeOpenAI, small_files: dict[str, str]
) -> None:
    with _brain(tmp_path, fake, small_files) as brain:
        old = brain.prompts.get("answer.zh").template
        brain.prompts.save("answer.zh", old.replace("资料：", "参考资料："), "rename")
        fake.script(reply("总金额人民币 480,000 元[1]。"))
        answer = brain.ask(QUESTION, principal=OWNER)
    assert answer.template_version == "answer.zh@2"
    user = fake.chat_requests()[-1].body["messages"][-1]["content"]
    assert user.startswith("参考资料：") and "[1] " in user


def test_marker_helpers() -> None:
    text = normalize_markers("金额 598,000 元。[1][2] Second claim.[3]")
    assert [c.cites for c in claims(text)] == [[1, 2], [3]]
    assert numbers("2024 年 02 月 09 日，¥598,000.00") == {"2024", "2", "9", "598000.00"}
