"""The parser pool: results in order, and a file that kills its worker costs only that file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers import REGISTRY
from ebrain.ingest.pool import prepare_parallel
from ebrain.ingest.prepare import Failed, Prepared, PrepareOptions

OWNER = Principal.owner()


@dataclass
class CrashingParser:
    """A parser whose native library 'segfaults' on one kind of file: the process dies."""

    name: str = "crashing-test-parser"
    extensions: tuple[str, ...] = (".boom",)

    def parse(self, path: Path, data: bytes) -> Document:
        if b"die" in data:
            os._exit(139)  # what a segfault in a C extension looks like from the outside
        return Document(title=path.stem, blocks=[Block(data.decode())])


@pytest.fixture
def crashing_parser() -> Iterator[None]:
    REGISTRY.register(CrashingParser())
    yield
    REGISTRY._by_name.pop("crashing-test-parser")


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    for i in range(12):
        (root / f"note{i:02d}.txt").write_text(
            f"第{i}份周报：本周完成温控器测试。", encoding="utf-8"
        )
    (root / "note05.boom").write_bytes(b"die now")
    (root / "note09.boom").write_bytes(b"a harmless boom file")
    return root


def test_results_come_back_in_order(tmp_path: Path) -> None:
    paths = sorted(str(p) for p in _folder(tmp_path).glob("*.txt"))
    results = list(prepare_parallel(paths, PrepareOptions(), workers=2, batch=3))
    assert [r.path for r in results] == paths
    assert all(isinstance(r, Prepared) for r in results)


def test_a_file_that_kills_its_worker_fails_alone(tmp_path: Path, crashing_parser: None) -> None:
    paths = sorted(str(p) for p in _folder(tmp_path).iterdir())
    results = list(prepare_parallel(paths, PrepareOptions(), workers=2, batch=4))
    assert [r.path for r in results] == paths
    failed = [r for r in results if isinstance(r, Failed)]
    assert [Path(f.path).name for f in failed] == ["note05.boom"]
    assert failed[0].reason == "corrupt" and "process died" in failed[0].message
    assert failed[0].size == len(b"die now")


def test_ingest_survives_a_crashing_file(
    brain: Brain, tmp_path: Path, crashing_parser: None
) -> None:
    report = brain.ingest([_folder(tmp_path)], jobs=2)
    assert report.counts == {"added": 13, "failed": 1}
    (bad,) = [f for f in report.files if f.status == "failed"]
    assert Path(bad.path).name == "note05.boom" and bad.reason == "corrupt"
    assert len(brain.documents(principal=OWNER)) == 13
