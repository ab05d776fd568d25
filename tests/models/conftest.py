"""Fixtures for the model gateway tests: a real fake OpenAI server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.openai_server import FakeOpenAI, start_fake_openai


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A running fake OpenAI-compatible server; closed after the test."""
    server = start_fake_openai()
    yield server
    server.close()


@pytest.fixture
def fake_openai_2() -> Iterator[FakeOpenAI]:
    """A second, independent fake server (for fallback between servers)."""
    server = start_fake_openai(default_text="OK from second")
    yield server
    server.close()
