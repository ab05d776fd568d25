"""Knowledge-graph fixtures: the `kg` enricher registered through the real registry (the shared
venv does not see the new entry point until it is reinstalled) and enabled by the setting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ebrain.brain import Brain
from ebrain.ingest.enrich import registry
from ebrain.kg.enricher import create


@pytest.fixture
def kg_brain(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Brain]:
    """An opened Brain whose ingest runs the `kg` enricher."""
    registry.register("kg", create)
    monkeypatch.setenv("EBRAIN_INGEST_ENRICHERS", "kg")
    b = Brain.open(workspace)
    yield b
    b.close()
