"""Prompt versioning, assistants and multi-turn conversations."""

from __future__ import annotations

from pathlib import Path

import pytest

from ebrain.answer.assistants import load_assistants
from ebrain.answer.prompts import builtin_templates, render
from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.errors import ConfigError, InvalidInputError, NotFoundError
from tests.answer.conftest import make_workspace, model_config, write_corpus
from tests.fakes.openai_server import FakeOpenAI, reply

OWNER = Principal.owner()


@pytest.fixture
def small_brain(tmp_path: Path, small_files: dict[str, str]) -> Brain:
    brain = Brain.open(make_workspace(tmp_path / "ws"))
    brain.ingest([write_corpus(tmp_path / "corpus", small_files)])
    return brain


def test_builtin_templates_are_seeded_as_version_one(small_brain: Brain) -> None:
    names = {row["name"]: row for row in small_brain.prompts.names()}
    assert set(builtin_templates()) == set(names)
    assert {"answer.zh", "answer.en", "support.zh", "rewrite.en"} <= set(names)
    assert all(row["latest"] == 1 for row in names.values())


def test_edit_diff_rollback(small_brain: Brain) -> None:
    store = small_brain.prompts
    v1 = store.get("answer.en")
    v2 = store.save("answer.en", v1.template.replace("Sources:", "Documents:"), "wording")
    assert v2.version == 2 and v2.note == "wording"
    diff = store.diff("answer.en", 1, 2)
    assert "-Sources:" in diff and "+Documents:" in diff
    v3 = store.rollback("answer.en", 1)
    assert v3.version == 3 and v3.template == v1.template
    assert [v.version for v in store.versions("answer.en")] == [1, 2, 3]
    with pytest.raises(InvalidInputError):
        store.save("answer.en", "{% if %}")
    with pytest.raises(NotFoundError):
        store.get("answer.en", 9)


def test_render_splits_system_and_user() -> None:
    store_text = builtin_templates()["support.en"]
    from ebrain.answer.prompts import PromptVersion

    out = render(
        PromptVersion("support.en", 1, store_text),
        question="Why?",
        passages=[
            {"n": 1, "title": "T", "doc_type": "manual", "date": "", "page": "2", "text": "x"}
        ],
        refusal="none",
        tone="",
        instructions="",
    )
    assert "Symptom, Cause, Fix" in out.system and out.user.endswith("citing sources as [n]:")
    assert "[1] T (manual, page 2)" in out.user and out.version == "support.en@1"


def test_assistants_presets_and_user_defined() -> None:
    found = load_assistants({"legal": {"template": "answer", "doc_types": ["contract"]}})
    assert found["support"].doc_types[:2] == ("manual", "fault_analysis")
    assert found["management"].model == "large" and found["legal"].doc_types == ("contract",)
    with pytest.raises(ConfigError):
        load_assistants({"bad": {"colour": "red"}})


def test_extractive_follow_up_carries_key_terms(small_brain: Brain) -> None:
    chat = small_brain.conversation(principal=OWNER)
    first = chat.ask("合同 HT2023-015 的总金额是多少？")
    second = chat.ask("验收标准是什么？")
    assert "480,000" in first.text
    assert "HT2023-015" in second.query and "72" in second.text
    history = chat.history()
    assert [m.role for m in history] == ["user", "assistant", "user", "assistant"]
    assert history[2].query == second.query
    resumed = small_brain.conversation(chat.id, principal=OWNER)
    assert len(resumed.history()) == 4
    with pytest.raises(NotFoundError):
        small_brain.conversation("nope", principal=OWNER)


def test_model_rewrites_the_follow_up(
    tmp_path: Path, fake: FakeOpenAI, small_files: dict[str, str]
) -> None:
    ws = make_workspace(tmp_path / "ws", model_config(fake.url))
    with Brain.open(ws) as brain:
        brain.ingest([write_corpus(tmp_path / "corpus", small_files)])
        chat = brain.conversation(principal=OWNER)
        fake.script(reply("总金额人民币 480,000 元[1]。"))
        chat.ask("合同 HT2023-015 的总金额是多少？")
        fake.script(
            reply("合同 HT2023-015 的验收标准是什么？"), reply("连续运行 72 小时无故障[1]。")
        )
        second = chat.ask("验收标准呢？")
    rewrite = fake.chat_requests()[1].body["messages"][-1]["content"]
    assert "追问：验收标准呢？" in rewrite and "HT2023-015" in rewrite
    assert second.query == "合同 HT2023-015 的验收标准是什么？"
    assert second.citations[0].verified
