"""Fixtures: one seeded workspace served on loopback for the read-mostly tests of a module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ebrain.brain import Brain
from tests.server.harness import Running, make_users, make_workspace, seed, serve


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A served workspace with three documents (public, sales, hr) and four users."""
    root = tmp_path_factory.mktemp("server")
    brain = Brain.open(make_workspace(root))
    docs = seed(brain, root)
    keys = make_users(brain)
    with serve(brain) as srv:
        srv.keys, srv.docs = keys, docs
        yield srv
    brain.close()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Running]:
    """A served, empty workspace of its own, with the four users (for tests that write)."""
    brain = Brain.open(make_workspace(tmp_path))
    keys = make_users(brain)
    with serve(brain) as srv:
        srv.keys = keys
        yield srv
    brain.close()
