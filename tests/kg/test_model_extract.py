"""The model extractor against a stand-in OpenAI-compatible server: schema validation,
grounding, per-chunk cache, estimate and budget stop."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.catalog import schema as t
from ebrain.kg.graph import ModelExtraction
from ebrain.kg.model_extract import validate
from tests.fakes.openai_server import FakeOpenAI, reply, start_fake_openai
from tests.kg.test_store import CONTRACT, MINUTES, _write

ANSWER = json.dumps(
    {
        "entities": [
            {"type": "org", "name": "华川智能装备有限公司"},
            {"type": "person", "name": "黄建国"},
            {"type": "org", "name": "Invented Corp"},
        ]
    }
)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = start_fake_openai(default_text=ANSWER)
    yield server
    server.close()


@pytest.fixture
def model_brain(kg_brain: Brain, fake: FakeOpenAI, tmp_path: Path) -> Brain:
    config = kg_brain.workspace.path / "config.yaml"
    config.write_text(
        config.read_text("utf-8")
        + f'models:\n  fake:\n    url: "openai+{fake.url}#fake-model"\n    context_window: 8192\n'
        "    price: {input: 1.0, output: 2.0}\n",
        "utf-8",
    )
    brain = Brain.open(kg_brain.workspace.path)
    brain.ingest([_write(tmp_path / "c", {"a/合同.txt": CONTRACT, "b/纪要.md": MINUTES})])
    return brain


def test_validate_keeps_only_schema_valid_grounded_names() -> None:
    assert validate(ANSWER, "华川智能装备有限公司 与 黄建国") == [
        ("org", "华川智能装备有限公司"),
        ("person", "黄建国"),
    ]
    assert validate("```json\n" + ANSWER + "\n```", "黄建国") == [("person", "黄建国")]
    assert validate("not json", "x") is None
    assert validate('{"entities": [{"type": "weapon", "name": "x"}]}', "x") is None
    assert validate('{"items": []}', "x") is None


def test_estimate_run_cache_and_budget(model_brain: Brain, fake: FakeOpenAI) -> None:
    run = ModelExtraction(model_brain.kg, "fake")
    est = run.estimate()
    assert est["chunks"] >= 2 and est["cached"] == 0 and est["prompt_tokens"] > 0
    assert est["cost"] > 0 and fake.requests == []  # an estimate calls nothing
    tight = run.run(budget_tokens=1)
    assert tight["stopped_at_budget"] and tight["called"] == 0
    fake.script(reply(ANSWER), reply("no json here"))
    done = run.run(budget_tokens=1_000_000)
    assert done["called"] == est["chunks"] and done["invalid"] == 1
    assert done["mentions"] > 0 and not done["stopped_at_budget"]
    calls = len(fake.requests)
    again = run.run(budget_tokens=1_000_000)  # valid answers are cached per chunk hash
    assert again["cached"] == est["chunks"] - 1 and len(fake.requests) == calls + 1
    with model_brain.engine.connect() as conn:
        names = set(
            conn.execute(
                sa.select(t.kg_mention.c.text).where(t.kg_mention.c.value == '{"by": "model"}')
            ).scalars()
        )
    assert "黄建国" in names and "Invented Corp" not in names
    body = fake.requests[0].body
    assert "JSON" in body["messages"][0]["content"] and body["temperature"] == 0.0
    assert model_brain.kg.entity("黄建国", principal=Principal.owner())["entities"]
