"""Fixtures of the browser tests: a seeded server on loopback and one headless Chromium per
module (CPU is scarce: keep browser tests few and module-scoped)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ebrain.brain import Brain
from tests.server.harness import Running, make_users, make_workspace, seed, serve
from tests.server.ui import browser


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A served workspace with the harness's three documents (public, sales, hr) and four
    users (admin, editor, sally, otto; password `<name>-password-1`)."""
    root = tmp_path_factory.mktemp("ui")
    brain = Brain.open(make_workspace(root))
    docs = seed(brain, root)
    keys = make_users(brain)
    with serve(brain) as srv:
        srv.keys, srv.docs = keys, docs
        yield srv
    brain.close()


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """A headless Chromium (skips with the reason when chromium, its driver or selenium is
    absent)."""
    reason = browser.missing()
    if reason:
        pytest.skip(reason)
    made = browser.start()
    try:
        yield made
    finally:
        made.quit()
