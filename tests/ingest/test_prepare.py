"""prepare(): one file to a Prepared or a Failed with a specific reason, never an exception."""

from __future__ import annotations

import os
from pathlib import Path

from ebrain.ingest.prepare import Failed, Prepared, PrepareOptions, prepare


def test_a_file_gone_before_parsing_is_not_found(tmp_path: Path) -> None:
    result = prepare(str(tmp_path / "gone.txt"), PrepareOptions())
    assert isinstance(result, Failed)
    assert result.reason == "not_found" and "vanished" in result.hint


def test_a_folder_in_place_of_a_file_is_unsupported(tmp_path: Path) -> None:
    (tmp_path / "dir.txt").mkdir()
    result = prepare(str(tmp_path / "dir.txt"), PrepareOptions())
    assert isinstance(result, Failed) and result.reason == "unsupported"


def test_size_and_mtime_are_the_files(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Quarterly report. 季度报告。", "utf-8")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    result = prepare(str(path), PrepareOptions())
    assert isinstance(result, Prepared)
    assert (result.size, result.mtime) == (path.stat().st_size, 1_700_000_000.0)
