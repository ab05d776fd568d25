"""The enrichment hook: registered enrichers run once per new document version, kill-safe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from ebrain.brain import Brain
from ebrain.catalog import schema as t
from ebrain.config import Config
from ebrain.errors import NotFoundError
from tests.fakes.enricher import RecordingEnricher, notes, register


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> RecordingEnricher:
    monkeypatch.setenv("EBRAIN_INGEST_ENRICHERS", "recording")
    return register(RecordingEnricher())


def _rows(brain: Brain) -> dict[int, tuple[str, str | None]]:
    e = t.enrichment.c
    with brain.engine.connect() as conn:
        rows = conn.execute(sa.select(e.version_id, e.status, e.error)).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def _current_versions(brain: Brain) -> set[int]:
    q = sa.select(t.version.c.id).where(t.version.c.retired_at.is_(None))
    with brain.engine.connect() as conn:
        return set(conn.execute(q).scalars())


def test_runs_once_per_new_version(
    brain: Brain, small_corpus: Path, recording: RecordingEnricher
) -> None:
    brain.ingest([small_corpus])
    first = _current_versions(brain)
    assert sorted(recording.seen) == sorted(first) and len(first) == 3
    brain.ingest([small_corpus])  # unchanged files: nothing to enrich
    assert len(recording.seen) == 3
    manual = small_corpus / "manual" / "ht2000-manual.md"
    manual.write_text(manual.read_text("utf-8") + "\nNew: check the fuse.\n", "utf-8")
    brain.ingest([small_corpus])
    (new,) = _current_versions(brain) - first
    assert recording.seen[3:] == [new]
    rows = _rows(brain)  # the retired version keeps its row
    assert set(rows) == first | {new} and {s for s, _ in rows.values()} == {"done"}


def test_interrupted_enrichment_runs_again(
    brain: Brain, small_corpus: Path, recording: RecordingEnricher
) -> None:
    brain.ingest([small_corpus])
    running, missing, done = sorted(_current_versions(brain))
    with brain.engine.begin() as conn:  # what a kill leaves: a 'running' row, or none yet
        conn.execute(sa.update(t.enrichment).where(t.enrichment.c.version_id == running)
                     .values(status="running", done_at=None))  # fmt: skip
        conn.execute(sa.delete(t.enrichment).where(t.enrichment.c.version_id == missing))
        conn.execute(sa.delete(notes).where(notes.c.version_id.in_([running, missing])))
    recording.seen.clear()
    brain.ingest([small_corpus])
    assert sorted(recording.seen) == [running, missing]
    assert {s for s, _ in _rows(brain).values()} == {"done"} and done in _rows(brain)


def test_an_enricher_error_is_recorded_and_reported(
    brain: Brain, small_corpus: Path, recording: RecordingEnricher
) -> None:
    recording.fail_on = "HT2023-015"
    report = brain.ingest([small_corpus])
    assert report.counts == {"added": 3}
    (bad,) = [f for f in report.files if "contract" in f.path]
    assert any("enricher recording failed: ValueError" in w for w in bad.warnings)
    failed = {v: e for v, (s, e) in _rows(brain).items() if s == "failed"}
    assert len(failed) == 1 and "cannot enrich" in str(next(iter(failed.values())))
    with brain.engine.connect() as conn:  # the failed enricher's own writes were rolled back
        noted = set(conn.execute(sa.select(notes.c.version_id)).scalars())
    assert noted == _current_versions(brain) - set(failed)
    recording.fail_on, recording.seen = None, []
    again = brain.ingest([small_corpus])  # a failure is retried on the next ingest
    assert recording.seen == list(failed) and not any(f.warnings for f in again.files)


def test_a_new_enricher_version_runs_again(
    brain: Brain, small_corpus: Path, recording: RecordingEnricher
) -> None:
    brain.ingest([small_corpus])
    recording.version, recording.seen = "2", []
    with brain.engine.begin() as conn:
        conn.execute(sa.delete(notes))
    brain.ingest([small_corpus])
    assert sorted(recording.seen) == sorted(_current_versions(brain))


def test_no_enrichers_by_default(brain: Brain, small_corpus: Path) -> None:
    assert Config({}, environ={}).get("ingest.enrichers") == ()
    assert Config({"ingest": {"enrichers": ["a"]}}, environ={}).get("ingest.enrichers") == ("a",)
    assert Config({}, {"EBRAIN_INGEST_ENRICHERS": "a, b"}).get("ingest.enrichers") == ("a", "b")
    brain.ingest([small_corpus])
    assert _rows(brain) == {}


def test_an_unknown_enricher_is_a_clear_error(
    brain: Brain, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EBRAIN_INGEST_ENRICHERS", "no-such-enricher")
    with pytest.raises(NotFoundError) as err:
        brain.ingest([small_corpus])
    assert "valid enricher names" in err.value.hint


KILLER = """
import os, signal, sys
from pathlib import Path
from ebrain.brain import Brain
from tests.fakes.enricher import RecordingEnricher, register

class Killer(RecordingEnricher):
    def enrich(self, ctx):
        super().enrich(ctx)  # its own write, in the transaction the kill abandons
        if len(self.seen) == 2:
            os.kill(os.getpid(), signal.SIGKILL)

register(Killer())
os.environ["EBRAIN_INGEST_ENRICHERS"] = "recording"
Brain.open(Path(sys.argv[1])).ingest([Path(sys.argv[2])], jobs=1)
"""


def test_a_kill_during_enrichment_is_finished_by_the_next_ingest(
    workspace: Path, small_corpus: Path, recording: RecordingEnricher
) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(workspace), str(small_corpus)],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    with Brain.open(workspace) as brain:
        first, killed, never = sorted(_current_versions(brain))
        assert {v: s for v, (s, _) in _rows(brain).items()} == {first: "done", killed: "running"}
        with brain.engine.connect() as conn:
            assert set(conn.execute(sa.select(notes.c.version_id)).scalars()) == {first}
        brain.ingest([small_corpus])
        assert recording.seen == [killed, never]
        assert {s for s, _ in _rows(brain).values()} == {"done"}
