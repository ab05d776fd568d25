"""Query translation for the lexical side, against a fake OpenAI-compatible server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.retrieve.translate import QueryTranslator, clean, target_language
from tests.fakes.openai_server import FakeOpenAI, server_error, start_fake_openai

OWNER = Principal.owner()
LEXICAL = "embed:\n  model: none\ningest:\n  embed: false\n"
DOCS = {
    "fan.md": "# Weekly report\n\nThe HT-2000 cooling fan was replaced and the overheating stopped.",
    "budget.md": "# Budget\n\nThe travel budget for the second quarter was approved.",
}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = start_fake_openai()
    yield server
    server.close()


def _brain(tmp_path: Path, fake: FakeOpenAI, translate: bool) -> Brain:
    ws = tmp_path / "ws"
    Brain.init(ws).close()
    models = f'models:\n  fake:\n    url: "openai+{fake.url}#fake-model"\n'
    setting = f"search:\n  translate_query: {'true' if translate else 'false'}\n"
    (ws / "config.yaml").write_text(LEXICAL + models + setting, encoding="utf-8")
    brain = Brain.open(ws)
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    brain.ingest([folder], jobs=1)
    return brain


def test_translated_query_finds_english_passage_once_cached(
    tmp_path: Path, fake: FakeOpenAI
) -> None:
    fake.script("cooling fan overheating")
    with _brain(tmp_path, fake, translate=True) as brain:
        first = brain.search_ex("散热风扇过热", principal=OWNER)
        again = brain.search_ex("散热风扇过热", principal=OWNER)
    assert first.translation == "cooling fan overheating"
    assert [h.title for h in first.hits][:1] == ["Weekly report"]
    assert [h.title for h in again.hits] == [h.title for h in first.hits]
    (request,) = fake.chat_requests()  # the second search used the cache
    system = request.body["messages"][0]["content"]
    assert "English" in system and request.body["messages"][-1]["content"] == "散热风扇过热"


def test_translation_is_off_by_default(tmp_path: Path, fake: FakeOpenAI) -> None:
    with _brain(tmp_path, fake, translate=False) as brain:
        result = brain.search_ex("散热风扇过热", principal=OWNER)
    assert result.hits == [] and result.translation is None
    assert fake.chat_requests() == []


def test_failed_translation_is_noted_and_search_goes_on(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.script(*[server_error(500)] * 5)
    with _brain(tmp_path, fake, translate=True) as brain:
        result = brain.search_ex("budget 预算", principal=OWNER)
    assert result.translation is None
    assert any("translation failed" in n for n in result.notes)
    assert [h.title for h in result.hits] == ["Budget"]


def test_target_language_and_reply_cleaning() -> None:
    assert target_language("散热风扇 HT-2000 过热") == "English"
    assert target_language("travel budget Q2") == "Simplified Chinese"
    assert clean('\n  "cooling fan"  \nexplanation', 100) == "cooling fan"
    calls: list[str] = []

    def complete(request: object) -> str:
        calls.append("x")
        return "fan"

    tr = QueryTranslator(complete, capacity=2)  # type: ignore[arg-type]
    for q in ("a", "b", "a", "c", "a"):
        tr.translate(q)
    assert tr.cached() == 2 and len(calls) == 3
