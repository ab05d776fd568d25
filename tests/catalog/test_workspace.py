from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from ebrain.catalog import migrations
from ebrain.catalog.workspace import Workspace
from ebrain.errors import WorkspaceError


@pytest.mark.sqlite_only
def test_create_writes_config_and_wal_catalog(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "w")
    assert (tmp_path / "w" / "config.yaml").exists()
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert ws.migrated == [m.__name__ for m in migrations.MIGRATIONS]
    ws.close()


def test_migrations_run_once(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    again = Workspace.open(tmp_path / "w")
    assert again.migrated == []
    again.close()


def test_open_missing_workspace_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError) as err:
        Workspace.open(tmp_path / "nope")
    assert "ebrain init" in err.value.hint


@pytest.mark.sqlite_only
def test_newer_workspace_is_refused(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    db = sqlite3.connect(tmp_path / "w" / "catalog.sqlite")
    db.execute("INSERT INTO _migrations VALUES ('m999_future', 'x')")
    db.commit()
    db.close()
    with pytest.raises(WorkspaceError, match="newer ebrain"):
        Workspace.open(tmp_path / "w")


@pytest.mark.sqlite_only
def test_failed_migration_rolls_back(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()

    def m900_broken(conn: sa.Connection) -> None:
        conn.execute(sa.text("CREATE TABLE half_done (x INTEGER)"))
        raise RuntimeError("boom")

    migrations.MIGRATIONS.append(m900_broken)
    try:
        with pytest.raises(RuntimeError):
            Workspace.open(tmp_path / "w")
    finally:
        migrations.MIGRATIONS.remove(m900_broken)
    db = sqlite3.connect(tmp_path / "w" / "catalog.sqlite")
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables
    db.close()


@pytest.mark.sqlite_only
def test_corrupt_catalog_is_a_clear_error(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    (tmp_path / "w" / "catalog.sqlite").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / "w" / f"catalog.sqlite{suffix}").unlink(missing_ok=True)
    with pytest.raises(WorkspaceError, match="cannot be opened"):
        Workspace.open(tmp_path / "w")
