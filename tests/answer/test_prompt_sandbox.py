"""User-editable templates render in a bounded sandbox: no Python internals, no runaway output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ebrain.answer.prompts import (
    MAX_OUTPUT_CHARS,
    PromptVersion,
    builtin_templates,
    check_template,
    render,
)
from ebrain.brain import Brain
from ebrain.catalog.schema import prompt_version
from ebrain.catalog.workspace import now_iso
from ebrain.cli.main import build
from ebrain.errors import InvalidInputError
from tests.answer.conftest import make_workspace, model_config, write_corpus
from tests.fakes.openai_server import FakeOpenAI, reply

RCE = "{{ cycler.__init__.__globals__.os.popen('echo pwned > \"%s\"').read() }}"
PAYLOADS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''['__class__'] }}",
    "{{ lipsum.__globals__ }}",
    "{{ ''|attr('__class__') }}",
]
runner = CliRunner()


def _v(text: str) -> PromptVersion:
    return PromptVersion("answer.en", 7, text)


def test_shell_payload_is_refused_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(InvalidInputError) as info:
        render(_v(RCE % marker))
    assert "answer.en@7" in info.value.message and "prompt edit answer.en" in info.value.hint
    assert not marker.exists()


@pytest.mark.parametrize("text", PAYLOADS)
def test_private_attribute_walks_fail_with_a_hint(text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        render(_v(text))
    assert "sandboxed" in info.value.hint


@pytest.mark.parametrize("text", [RCE % "x", *PAYLOADS[:3]])
def test_saving_refuses_private_attributes(text: str) -> None:
    with pytest.raises(InvalidInputError, match="private attribute") as info:
        check_template(text)
    assert info.value.hint


@pytest.mark.parametrize(
    "text",
    [
        "{{ 'x' * 100000000 }}",
        "{{ [1] * 100000000 }}",
        "{{ 9 ** 99999999 }}",
        "{% for i in range(100000) %}{% for j in range(100) %}xxxxx{% endfor %}{% endfor %}",
    ],
)
def test_runaway_templates_are_bounded(text: str) -> None:
    with pytest.raises(InvalidInputError, match="may not"):
        render(_v(text))


def test_ordinary_templates_still_render() -> None:
    out = render(
        _v("sys {{ tone }}\n=== user ===\n{{ question }} {{ 'ab' * 3 }} {{ 2 ** 8 }}"),
        tone="calm",
        question="q?",
    )
    assert (out.system, out.user) == ("sys calm", "q? ababab 256")
    assert len(render(_v("{{ 'x' * 1000000 }}")).user) == 1_000_000 <= MAX_OUTPUT_CHARS
    for text in builtin_templates().values():
        check_template(text)


def test_prompt_edit_refuses_the_payload(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    bad = tmp_path / "bad.j2"
    bad.write_text(RCE % (tmp_path / "pwned"), encoding="utf-8")
    args = ["-w", str(ws), "prompt", "edit", "answer.en", "--file", str(bad)]
    text = runner.invoke(build(), args)
    assert text.exit_code == 1 and "private attribute" in text.output
    assert "hint:" in text.output and "Traceback" not in text.output
    data = json.loads(runner.invoke(build(), [*args, "--json"]).output)
    assert data["error"]["code"] == "invalid_input" and data["error"]["hint"]
    with Brain.open(ws) as brain:
        assert brain.prompts.get("answer.en").version == 1


def test_ask_with_a_stored_payload_fails_cleanly(
    tmp_path: Path, fake: FakeOpenAI, small_files: dict[str, str]
) -> None:
    marker = tmp_path / "pwned"
    ws = make_workspace(tmp_path / "ws", model_config(fake.url))
    with Brain.open(ws) as brain:
        brain.ingest([write_corpus(tmp_path / "corpus", small_files)])
        brain.prompts.seed()
        row = {"name": "answer.en", "version": 2, "template": RCE % marker, "note": "old"}
        with brain.engine.begin() as conn:  # stored before templates were checked on save
            conn.execute(
                sa.insert(prompt_version).values(source="user", created_at=now_iso(), **row)
            )
    fake.script(reply("unused"))
    args = ["-w", str(ws), "ask", "How often should the filter be replaced?", "--json"]
    result = runner.invoke(build(), args)
    error = json.loads(result.output)["error"]
    assert result.exit_code == 1 and error["code"] == "invalid_input"
    assert "answer.en@2" in error["message"] and "prompt edit answer.en" in error["hint"]
    assert not marker.exists()
