"""Re-ingest skips files that failed before and did not change since (no parse, same report)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ebrain.brain import Brain
from ebrain.ingest import pipeline
from ebrain.ingest.pool import prepare_parallel
from ebrain.ingest.prepare import Failed, Prepared, PrepareOptions


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the pipeline takes from the parser pool (the real one runs)."""
    seen: list[str] = []

    def spy(
        paths: list[str], options: PrepareOptions, workers: int, batch: int, on_page: Any = None
    ) -> Iterator[Prepared | Failed]:
        for result in prepare_parallel(paths, options, workers, batch, on_page):
            seen.append(Path(result.path).name)
            yield result

    monkeypatch.setattr(pipeline, "prepare_parallel", spy)
    return seen


def _bad_files(root: Path) -> None:
    (root / "empty.txt").write_bytes(b"")
    (root / "fake.pdf").write_bytes(b"%PDF-1.4\n garbage garbage")


def test_unchanged_failures_are_reported_but_not_parsed_again(
    brain: Brain, small_corpus: Path, parsed: list[str]
) -> None:
    _bad_files(small_corpus)
    first = brain.ingest([small_corpus], jobs=1)
    parsed.clear()
    again = brain.ingest([small_corpus], jobs=1)
    assert parsed == []
    assert again.counts == {"unchanged": 3, "failed": 2}
    before = {Path(f.path).name: (f.reason, f.message) for f in first.failed}
    after = {Path(f.path).name: (f.reason, f.message) for f in again.failed}
    assert after == before and set(after) == {"empty.txt", "fake.pdf"}
    assert all("not parsed again" in (f.hint or "") for f in again.failed)
    assert {Path(e["path"]).name for e in brain.errors()} == {"empty.txt", "fake.pdf"}


def test_changed_or_touched_failure_is_parsed_again(
    brain: Brain, small_corpus: Path, parsed: list[str]
) -> None:
    _bad_files(small_corpus)
    brain.ingest([small_corpus], jobs=1)
    parsed.clear()
    os.utime(small_corpus / "fake.pdf", (1_000_000_000, 1_000_000_000))
    (small_corpus / "empty.txt").write_text("现在有内容了：验收报告。", encoding="utf-8")
    report = brain.ingest([small_corpus], jobs=1)
    assert sorted(parsed) == ["empty.txt", "fake.pdf"]
    assert report.counts == {"unchanged": 3, "added": 1, "failed": 1}
    assert [Path(e["path"]).name for e in brain.errors()] == ["fake.pdf"]


def test_strict_parses_remembered_failures_again(
    brain: Brain, small_corpus: Path, parsed: list[str]
) -> None:
    _bad_files(small_corpus)
    brain.ingest([small_corpus], jobs=1)
    parsed.clear()
    report = brain.ingest([small_corpus], jobs=1, strict=True)
    assert report.stopped_early and parsed == ["empty.txt"]
    assert report.files[-1].status == "failed" and report.files[-1].reason == "empty"


def test_nothing_to_parse_starts_no_pool_and_loads_no_analyzer(
    brain: Brain, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bad_files(small_corpus)
    brain.ingest([small_corpus], jobs=2)

    def refuse(*_args: object) -> None:
        raise AssertionError("nothing to parse: no warm-up, no pool")

    monkeypatch.setattr(pipeline, "warm_up", refuse)
    monkeypatch.setattr(pipeline, "prepare_parallel", refuse)
    report = brain.ingest([small_corpus], jobs=2)
    assert report.counts == {"unchanged": 3, "failed": 2}


def test_auto_jobs_uses_the_cpus_this_process_may_run_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda _pid: {0, 2, 5})
    assert pipeline.auto_jobs() == 3
    monkeypatch.delattr(pipeline.os, "sched_getaffinity")
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 8)
    assert pipeline.auto_jobs() == 8
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: None)
    assert pipeline.auto_jobs() == 1
