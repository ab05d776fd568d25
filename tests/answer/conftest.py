"""Fixtures for the answer tests: the sample corpus ingested once (lexical only), small workspaces."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ebrain.brain import Brain
from tests.conftest import EXAMPLES, SMALL_CORPUS
from tests.fakes.openai_server import FakeOpenAI, start_fake_openai

# The learned injection detector is off here (it embeds every unscored chunk with the real
# model at ask time); tests/guard/test_chunk_scores.py covers it on the ask path.
LEXICAL = "embed:\n  model: none\ningest:\n  embed: false\nguard:\n  learned: false\n"


def make_workspace(path: Path, extra_config: str = "") -> Path:
    """A lexical-only workspace (no embeddings) with extra config.yaml text."""
    Brain.init(path).close()
    (path / "config.yaml").write_text(LEXICAL + extra_config, encoding="utf-8")
    return path


def write_corpus(root: Path, files: dict[str, str]) -> Path:
    """Write documents under `root`."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def model_config(url: str) -> str:
    """config.yaml text declaring the fake server as the only model."""
    return f'models:\n  fake:\n    url: "openai+{url}#fake-model"\n    context_window: 8192\n'


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/corpus ingested once into a lexical-only workspace."""
    path = make_workspace(tmp_path_factory.mktemp("sample") / "ws")
    with Brain.open(path) as brain:
        brain.ingest([EXAMPLES])
    return path


@pytest.fixture(scope="session")
def sample_brain(sample_workspace: Path) -> Iterator[Brain]:
    """A Brain on the sample workspace (shared by read-mostly tests)."""
    brain = Brain.open(sample_workspace)
    yield brain
    brain.close()


@pytest.fixture(scope="session")
def questions() -> list[dict[str, Any]]:
    """examples/questions.json."""
    data: list[dict[str, Any]] = json.loads(
        (EXAMPLES.parent / "questions.json").read_text(encoding="utf-8")
    )
    return data


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server on loopback."""
    server = start_fake_openai()
    yield server
    server.close()


@pytest.fixture
def small_files() -> dict[str, str]:
    """The three small documents of tests/conftest.py."""
    return dict(SMALL_CORPUS)
