"""milvus-lite for the tests: skipped when the `milvus` extra is absent; one milvus-lite file
(one server process) per test module, with a fresh collection prefix per test; the backend
registered through the real index registry (a new entry point is only seen once installed)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from ebrain.index import milvus
from ebrain.index.base import registry

_names = itertools.count()


def register() -> None:
    """The `milvus`, `milvus+https` and `milvus-lite` schemes, as pyproject declares them."""
    for key in ("milvus", "milvus+https", "milvus-lite"):
        registry.register(key, milvus.create)


@pytest.fixture(scope="module")
def lite_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A milvus-lite database file shared by one test module."""
    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    register()
    path = tmp_path_factory.mktemp("milvus") / "index.db"
    yield path
    from milvus_lite.server_manager import server_manager_instance

    milvus._clients.pop((str(path), ""), None)
    server_manager_instance.release_server(str(path))


def lite_url(path: Path) -> str:
    """A URL on the shared file with collections of their own."""
    return f"milvus-lite:{path}?name=t{next(_names)}"
