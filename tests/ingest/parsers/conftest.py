"""Shared fixtures of the parser tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parsers"


@pytest.fixture
def fixtures() -> Path:
    """The folder of committed parser fixtures."""
    return FIXTURES
