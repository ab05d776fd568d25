"""The full-text queue: chunks stored but not yet in FTS5 (what an interrupted ingest leaves)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.catalog.db import write_conn
from ebrain.index.fts import fts_flush, fts_pending
from ebrain.ingest import store
from ebrain.ingest.prepare import Prepared, PrepareOptions, prepare

OWNER = Principal.owner()


def _store_without_flush(brain: Brain, path: Path) -> int:
    """Store one file the way ingest does, stopping before the index catches up (a kill)."""
    prep = prepare(str(path), PrepareOptions())
    assert isinstance(prep, Prepared)
    kb_id = brain.create_kb("default").id
    with write_conn(brain.engine) as conn, conn.begin():
        _status, doc_id = store.store_prepared(conn, kb_id, prep, None)
    return doc_id


def _count(brain: Brain, sql: str) -> int:
    with brain.engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar_one())


def _fts_ok(brain: Brain) -> None:
    with brain.engine.connect() as conn:
        conn.execute(sa.text("INSERT INTO chunk_fts(chunk_fts) VALUES('integrity-check')"))


_FULL_CHECK = "INSERT INTO chunk_fts(chunk_fts, rank) VALUES('integrity-check', 1)"


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "note.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_ingest_leaves_nothing_queued(brain: Brain, small_corpus: Path) -> None:
    brain.ingest([small_corpus], jobs=1)
    assert _count(brain, "SELECT count(*) FROM chunk_fts_pending") == 0
    with brain.engine.connect() as conn:
        assert not fts_pending(conn)
    assert brain.search("验收", principal=OWNER)


def test_search_indexes_what_an_interrupted_run_left(brain: Brain, tmp_path: Path) -> None:
    _store_without_flush(brain, _write(tmp_path, "热处理炉温控器验收报告。客户确认合格。"))
    assert _count(brain, "SELECT count(*) FROM chunk_fts_pending") > 0
    hits = brain.search("温控器验收", principal=OWNER)
    assert hits and "温控器" in hits[0].text
    assert _count(brain, "SELECT count(*) FROM chunk_fts_pending") == 0
    _fts_ok(brain)


def test_deleting_a_queued_document_keeps_the_index_sound(brain: Brain, tmp_path: Path) -> None:
    brain.ingest([_write(tmp_path / "a", "已经索引的文档：季度销售报告。")], jobs=1)
    doc_id = _store_without_flush(brain, _write(tmp_path, "尚未索引的文档：设备故障分析。"))
    with write_conn(brain.engine) as conn, conn.begin():
        store.delete_documents(conn, [doc_id])
    assert _count(brain, "SELECT count(*) FROM chunk_fts_pending") == 0
    _fts_ok(brain)
    assert not brain.search("故障分析", principal=OWNER)
    assert brain.search("销售报告", principal=OWNER)


def test_a_changed_file_replaces_its_queued_chunks(brain: Brain, tmp_path: Path) -> None:
    path = _write(tmp_path, "第一版：旧的产品说明。")
    _store_without_flush(brain, path)
    path.write_text("第二版：全新的安装指南。", encoding="utf-8")
    report = brain.ingest([path], jobs=1)
    assert report.counts == {"updated": 1}
    _fts_ok(brain)
    assert brain.search("安装指南", principal=OWNER) and not brain.search(
        "产品说明", principal=OWNER
    )


def test_flush_reports_how_many_were_queued(brain: Brain, tmp_path: Path) -> None:
    _store_without_flush(brain, _write(tmp_path, "会议纪要：讨论预算。"))
    queued = _count(brain, "SELECT count(*) FROM chunk_fts_pending")
    with write_conn(brain.engine) as conn, conn.begin():
        assert fts_flush(conn) == queued > 0
        assert fts_flush(conn) == 0
    _fts_ok(brain)


def test_open_flushes_what_a_killed_ingest_left(brain: Brain, tmp_path: Path) -> None:
    """A queue left by a kill makes FTS5's full integrity-check (index against the chunk table)
    report "malformed" until something flushes it: opening the workspace does."""
    _store_without_flush(brain, _write(tmp_path, "热处理炉温控器验收报告。"))
    ws = brain.workspace.path
    brain.close()
    raw = sqlite3.connect(ws / "catalog.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):
        raw.execute(_FULL_CHECK)
    raw.close()
    with Brain.open(ws) as opened:
        assert _count(opened, "SELECT count(*) FROM chunk_fts_pending") == 0
        with opened.engine.connect() as conn:
            conn.execute(sa.text(_FULL_CHECK))
