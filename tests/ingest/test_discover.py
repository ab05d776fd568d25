"""What ingest finds on disk: names that are not UTF-8, symlinks, FIFOs, unreadable folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.ingest.paths import fs_path, stored_path

OWNER = Principal.owner()

GBK_NAME = b"\xb9\xab\xcb\xbe.txt"  # "公司.txt" in GBK, as an unzip of a Windows archive leaves it


def _gbk_folder(tmp_path: Path) -> tuple[Path, str]:
    """A folder with a file whose name is GBK bytes, between two ordinary files."""
    root = tmp_path / "share"
    root.mkdir()
    (root / "a-before.txt").write_text("采购合同：甲方东方机械。", encoding="utf-8")
    fd = os.open(os.fsencode(root) + b"/" + GBK_NAME, os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, "公司章程：本公司注册资本一千万元。".encode())
    os.close(fd)
    (root / "z-after.txt").write_text("会议纪要：散热方案通过。", encoding="utf-8")
    return root, os.fsdecode(os.fsencode(root) + b"/" + GBK_NAME)


def test_stored_form_of_a_path_round_trips() -> None:
    for raw in [b"/s/\xb9\xab\xcb\xbe.txt", b"/s/back\\slash\xff.txt", b"/s/\\xb9 literal.txt"]:
        name = os.fsdecode(raw)
        stored = stored_path(name)
        stored.encode("utf-8")  # storable: valid UTF-8, no lone surrogates
        assert fs_path(stored) == name and os.fsencode(fs_path(stored)) == raw
    assert stored_path("/s/报告\x1b[31m.txt") == "/s/报告\x1b[31m.txt"  # valid names: as they are
    assert stored_path(os.fsdecode(b"/s/\xb9\xab.txt")) == "/s/\\xb9\\xab.txt"


def test_a_name_that_is_not_utf8_is_ingested_and_the_rerun_is_a_noop(
    brain: Brain, tmp_path: Path
) -> None:
    root, gbk = _gbk_folder(tmp_path)
    report = brain.ingest([root])
    assert report.counts == {"added": 3}
    stored = stored_path(gbk)
    assert stored in {f.path for f in report.files}
    doc = next(d for d in brain.documents(principal=OWNER) if stored in d["paths"])
    assert "\\xb9\\xab" in doc["title"]
    assert brain.ingest([root]).counts == {"unchanged": 3}
    assert brain.ingest([root], prune=True).counts == {"unchanged": 3}


def test_a_name_that_is_not_utf8_through_the_cli_json(workspace: Path, tmp_path: Path) -> None:
    root, gbk = _gbk_folder(tmp_path)
    cli = [sys.executable, "-m", "ebrain.cli", "--workspace", str(workspace), "ingest", str(root)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    runs = [subprocess.run([*cli, "--json"], capture_output=True, env=env) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr.decode(errors="replace")
    first, second = (json.loads(r.stdout) for r in runs)
    assert first["counts"] == {"added": 3} and second["counts"] == {"unchanged": 3}
    assert stored_path(gbk) in {f["path"] for f in first["files"]}


def test_symlinks_fifos_and_loops_in_a_folder_each_get_a_line(brain: Brain, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("外部文件，不应被导入。", encoding="utf-8")
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "real.txt").write_text("验收报告：设备运行正常。", encoding="utf-8")
    (root / "inside-link.txt").symlink_to(root / "sub" / "real.txt")
    (root / "outside-link.txt").symlink_to(outside)
    (root / "folder-link").symlink_to(tmp_path)
    (root / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (root / "loop-a").symlink_to(root / "loop-b")
    (root / "loop-b").symlink_to(root / "loop-a")
    os.mkfifo(root / "pipe.txt")  # would block the run if it were ever opened
    report = brain.ingest([root])
    lines = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    assert lines == {
        "inside-link.txt": ("added", None),  # followed: it points inside the folder
        "real.txt": ("duplicate", None),
        "outside-link.txt": ("skipped", "symlink"),
        "folder-link": ("skipped", "symlink"),
        "dangling.txt": ("skipped", "symlink"),
        "loop-a": ("skipped", "symlink"),
        "loop-b": ("skipped", "symlink"),
        "pipe.txt": ("skipped", "unsupported"),
    }
    assert all(f.message for f in report.skipped)
    assert "外部文件" not in json.dumps([d["title"] for d in brain.documents(principal=OWNER)])


def test_a_fifo_or_a_symlink_loop_given_directly_is_reported(brain: Brain, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    report = brain.ingest([tmp_path / "pipe", tmp_path / "loop", tmp_path / "missing"])
    lines = {Path(f.path).name: (f.status, f.reason, f.message) for f in report.files}
    assert lines["pipe"][:2] == ("skipped", "unsupported") and "FIFO" in str(lines["pipe"][2])
    assert lines["loop"] == ("skipped", "symlink", "a symlink loop")
    assert lines["missing"][:2] == ("failed", "not_found")
    assert not report.ok


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_folder_is_reported(brain: Brain, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (root / "locked").mkdir(parents=True)
    (root / "ok.txt").write_text("验收报告。", encoding="utf-8")
    (root / "locked").chmod(0)
    try:
        report = brain.ingest([root])
    finally:
        (root / "locked").chmod(0o755)
    lines = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    assert lines == {"ok.txt": ("added", None), "locked": ("failed", "unreadable")}
