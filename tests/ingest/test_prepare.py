"""prepare(): one file to a Prepared or a Failed with a specific reason, never an exception."""

from __future__ import annotations

import os
from pathlib import Path

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.ingest.chunk import ChunkerConfig
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


def _long_text(path: Path) -> Path:
    path.write_text("".join(f"第{i}段：设备运行正常，验收通过。\n\n" for i in range(5000)), "utf-8")
    return path


def test_text_over_the_cap_is_cut_with_a_warning(tmp_path: Path) -> None:
    result = prepare(str(_long_text(tmp_path / "long.txt")), PrepareOptions(max_text_bytes=10_000))
    assert isinstance(result, Prepared)
    assert len(result.text.encode("utf-8")) <= 10_000
    assert any("text cut after" in w and "max_text_mb" in w for w in result.warnings)
    assert result.chunks[-1].char_end <= len(result.text)


def test_chunks_over_the_cap_are_cut_with_a_warning(tmp_path: Path) -> None:
    options = PrepareOptions(chunker=ChunkerConfig(100, 0, max_chunks=3))
    result = prepare(str(_long_text(tmp_path / "long.txt")), options)
    assert isinstance(result, Prepared)
    assert len(result.chunks) == len(result.terms) == 3
    assert result.text.endswith(result.chunks[-1].text)
    assert any("only the first 3 chunks" in w for w in result.warnings)


def test_caps_come_from_the_workspace_settings(workspace: Path, tmp_path: Path) -> None:
    (workspace / "config.yaml").write_text(
        "embed:\n  model: none\ningest:\n  max_text_mb: 0.01\n  max_chunks: 2\n", "utf-8"
    )
    folder = tmp_path / "docs"
    folder.mkdir()
    _long_text(folder / "long.txt")
    with Brain.open(workspace) as brain:
        (line,) = brain.ingest([folder]).files
        doc = brain.document(
            int(line.document_id or 0), with_text=True, principal=Principal.owner()
        )
    assert line.status == "added" and line.chunks == 2
    assert len(line.warnings) == 2 and len(doc["text"].encode("utf-8")) <= 0.01 * 2**20
