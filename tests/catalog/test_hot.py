from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from ebrain.catalog import hot
from ebrain.catalog import schema as t
from ebrain.catalog.db import write_conn
from ebrain.catalog.workspace import Workspace

_INSERT_KB = sa.insert(t.kb)
_INSERT_ERROR = sa.insert(t.ingest_error)
_ERROR_BY_PATH = sa.select(t.ingest_error.c.id, t.ingest_error.c.mtime).where(
    t.ingest_error.c.path == sa.bindparam("p")
)
_RENAME = (
    sa.update(t.ingest_error)
    .where(t.ingest_error.c.path == sa.bindparam("old"))
    .values(path=sa.bindparam("new"))
)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sa.Connection]:
    ws = Workspace.create(tmp_path / "w")
    with write_conn(ws.engine) as c:
        with c.begin():
            c.execute(sa.insert(t.kb).values(id=7, name="hot", created_at="2026"))
        yield c
    ws.close()


def _error(path: str, mtime: float | int) -> dict[str, object]:
    return {"kb_id": 7, "path": path, "reason": "corrupt", "message": "m", "size": 1,
            "mtime": mtime, "at": "2026-01-01T00:00:00+00:00"}  # fmt: skip


def test_insert_select_update_in_the_callers_transaction(conn: sa.Connection) -> None:
    with conn.begin():
        made = hot.run(conn, _INSERT_ERROR, _error("/a.pdf", 5))
        assert made.lastrowid is not None and made.rowcount == 1
        row = hot.run(conn, _ERROR_BY_PATH, {"p": "/a.pdf"}).first
        assert row is not None and row[0] == made.lastrowid
        assert isinstance(row[1], float)  # the Float column's bind processing ran
        assert hot.run(conn, _RENAME, {"old": "/a.pdf", "new": "/b.pdf"}).rowcount == 1
        assert hot.run(conn, _ERROR_BY_PATH, {"p": "/nothing"}).first is None
    paths = conn.execute(sa.select(t.ingest_error.c.path)).scalars().all()
    assert paths == ["/b.pdf"]
    conn.rollback()


def test_rollback_undoes_hot_writes(conn: sa.Connection) -> None:
    with pytest.raises(RuntimeError), conn.begin():
        hot.run(conn, _INSERT_ERROR, _error("/a.pdf", 1.5))
        raise RuntimeError("stop")
    assert conn.execute(sa.select(sa.func.count()).select_from(t.ingest_error)).scalar() == 0
    conn.rollback()


def test_run_many_inserts_every_row(conn: sa.Connection) -> None:
    with conn.begin():
        hot.run_many(conn, _INSERT_ERROR, [_error(f"/{n}.txt", n) for n in range(5)])
        hot.run_many(conn, _INSERT_ERROR, [])
    got = conn.execute(sa.select(t.ingest_error.c.path, t.ingest_error.c.mtime)).all()
    assert sorted(got) == [(f"/{n}.txt", float(n)) for n in range(5)]
    conn.rollback()


def test_python_side_defaults_go_through_sqlalchemy(conn: sa.Connection) -> None:
    # kb.description has a Python-side default: the fast path must not skip it.
    with conn.begin():
        made = hot.run(conn, _INSERT_KB, {"name": "x", "created_at": "2026"})
        assert made.lastrowid is not None
    row = conn.execute(sa.select(t.kb.c.description).where(t.kb.c.id == made.lastrowid)).one()
    assert row[0] == ""
    conn.rollback()


def test_hot_uses_only_public_sqlalchemy_api() -> None:
    # SQLAlchemy's underscore attributes change between releases without notice.
    source = Path(hot.__file__).read_text(encoding="utf-8")
    private = [
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]
    assert private == []


def test_bind_processing_of_a_datetime_column(conn: sa.Connection) -> None:
    table = sa.Table("stamped", sa.MetaData(), sa.Column("at", sa.DateTime))
    with conn.begin():
        table.create(conn)
        hot.run(conn, sa.insert(table), {"at": datetime(2026, 1, 2, 3, 4, 5)})
        got = hot.run(conn, sa.select(sa.func.count()).where(table.c.at == sa.bindparam("a")),
                      {"a": datetime(2026, 1, 2, 3, 4, 5)}).first  # fmt: skip
    assert got == (1,)
    conn.rollback()
