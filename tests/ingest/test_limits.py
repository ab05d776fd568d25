"""Parse limits: every file is parsed in a worker, under a memory limit and a time limit."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ebrain.brain import Brain
from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers import REGISTRY
from ebrain.ingest.pipeline import prepare_files
from ebrain.ingest.pool import prepare_parallel
from ebrain.ingest.prepare import Failed, Prepared, PrepareOptions


@dataclass
class GreedyParser:
    """A parser for test formats: `.pid` says which process parsed it, `.hog` allocates what
    its content says (like a decompression bomb), `.slow` hangs."""

    name: str = "limits-test-parser"
    extensions: tuple[str, ...] = (".pid", ".hog", ".slow")

    def parse(self, path: Path, data: bytes) -> Document:
        if path.suffix == ".hog":
            hog = bytearray(int(data) * 2**20)  # MiB
            return Document(title=path.stem, blocks=[Block(f"allocated {len(hog)} bytes")])
        if path.suffix == ".slow":
            time.sleep(float(data))
        return Document(title=path.stem, blocks=[Block(f"parsed by process {os.getpid()}.")])


@pytest.fixture
def greedy_parser() -> Iterator[None]:
    REGISTRY.register(GreedyParser())
    yield
    REGISTRY._by_name.pop("limits-test-parser")


def _files(root: Path, **contents: str) -> list[str]:
    root.mkdir(exist_ok=True)
    for name, body in contents.items():
        (root / name.replace("_", ".")).write_text(body, encoding="utf-8")
    return sorted(str(p) for p in root.iterdir())


def test_a_single_file_is_parsed_in_a_worker_process(tmp_path: Path, greedy_parser: None) -> None:
    paths = _files(tmp_path / "one", alone_pid="x")
    (result,) = prepare_files(paths, PrepareOptions(), jobs=1)
    assert isinstance(result, Prepared)
    assert f"process {os.getpid()}." not in result.text
    assert "parsed by process" in result.text


def test_a_file_over_the_memory_limit_is_too_large_and_the_rest_is_prepared(
    tmp_path: Path, greedy_parser: None
) -> None:
    paths = _files(tmp_path / "m", a_pid="x", b_hog="1024", c_hog="8", d_pid="x")
    options = PrepareOptions(parse_memory_mb=256)
    results = {Path(r.path).name: r for r in prepare_files(paths, options, jobs=2)}
    bomb = results.pop("b.hog")
    assert isinstance(bomb, Failed) and bomb.reason == "too_large"
    assert "needed more than 256 MiB of memory to parse" in bomb.message
    assert "parse_memory_mb" in bomb.hint
    assert all(isinstance(r, Prepared) for r in results.values())


def test_a_hanging_file_is_stopped_and_reported_timeout(
    tmp_path: Path, greedy_parser: None
) -> None:
    paths = _files(tmp_path / "t", a_pid="x", b_slow="60", c_pid="x", d_slow="0.1")
    options = PrepareOptions(parse_timeout_s=1.0)
    started = time.monotonic()
    results = list(prepare_files(paths, options, jobs=2))
    assert time.monotonic() - started < 50  # the 60 s parse was cut short, not waited out
    assert [Path(r.path).name for r in results] == ["a.pid", "b.slow", "c.pid", "d.slow"]
    hung = results[1]
    assert isinstance(hung, Failed) and hung.reason == "timeout"
    assert "longer than 1 s" in hung.message and "parse_timeout_s" in hung.hint
    assert all(isinstance(r, Prepared) for r in results[:1] + results[2:])


def test_a_hanging_file_alone_is_stopped(tmp_path: Path, greedy_parser: None) -> None:
    paths = _files(tmp_path / "t1", only_slow="60")
    (result,) = prepare_files(paths, PrepareOptions(parse_timeout_s=0.5), jobs=1)
    assert isinstance(result, Failed) and result.reason == "timeout"


def test_limits_come_from_the_workspace_settings(
    brain: Brain, workspace: Path, tmp_path: Path, greedy_parser: None
) -> None:
    (workspace / "config.yaml").write_text(
        "embed:\n  model: none\ningest:\n  parse_memory_mb: 200\n  parse_timeout_s: 1\n",
        encoding="utf-8",
    )
    folder = tmp_path / "docs"
    _files(folder, a_pid="x", bomb_hog="2048", hang_slow="60")
    (folder / "note.txt").write_text("验收报告：设备运行正常。", encoding="utf-8")
    with Brain.open(workspace) as configured:
        report = configured.ingest([folder])
    reasons = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    assert reasons == {
        "a.pid": ("added", None),
        "bomb.hog": ("failed", "too_large"),
        "hang.slow": ("failed", "timeout"),
        "note.txt": ("added", None),
    }
    assert {Path(e["path"]).name: e["reason"] for e in brain.errors()} == {
        "bomb.hog": "too_large",
        "hang.slow": "timeout",
    }


def test_a_file_hanging_behind_the_head_batch_is_stopped_and_the_rest_kept(
    tmp_path: Path, greedy_parser: None
) -> None:
    # Batches [a1 a2] and [b c] on two workers: b hangs from the start and is killed while the
    # parent still waits for the head batch (1.6 s in all, each file under the 1 s limit).
    paths = _files(tmp_path / "h", a1_slow="0.8", a2_slow="0.8", b_slow="60", c_pid="x")
    results = list(prepare_parallel(paths, PrepareOptions(parse_timeout_s=1.0), 2, batch=2))
    reasons = [(Path(r.path).name, getattr(r, "reason", None)) for r in results]
    assert reasons == [("a1.slow", None), ("a2.slow", None), ("b.slow", "timeout"), ("c.pid", None)]
