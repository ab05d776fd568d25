"""A workspace is a folder: config.yaml plus one SQLite catalog (or a catalog URL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from ebrain.catalog.db import make_engine, normalize_url, sqlite_url
from ebrain.catalog.migrations import migrate
from ebrain.catalog.transfer import Progress, TransferReport, copy_catalog, verify_copy
from ebrain.config import DEFAULT_CONFIG_YAML, Config
from ebrain.errors import WorkspaceError
from ebrain.i18n import say

CATALOG_FILE = "catalog.sqlite"
CONFIG_FILE = "config.yaml"


def now_iso() -> str:
    """The current UTC time as ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def catalog_url(config: Config, path: Path) -> str:
    """The catalog URL of the workspace at `path`: the `catalog` setting (EBRAIN_CATALOG or
    config.yaml; `catalog_url` is its older spelling), else the folder's catalog.sqlite."""
    url = str(config.get("catalog") or config.raw.get("catalog_url") or "")
    return url or sqlite_url(path / CATALOG_FILE)


def display_url(url: str) -> str:
    """A catalog URL fit to print: the password masked."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<invalid URL>"


@dataclass
class Workspace:
    """An opened workspace: its folder, resolved config and catalog engine."""

    path: Path
    config: Config
    engine: sa.Engine
    migrated: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, path: Path) -> Workspace:
        """Create the folder, a commented config.yaml and the catalog (idempotent)."""
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise WorkspaceError(f"{path} exists and is not a folder")
        path.mkdir(parents=True, exist_ok=True)
        config_file = path / CONFIG_FILE
        if not config_file.exists():
            config_file.write_text(DEFAULT_CONFIG_YAML, encoding="utf-8")
        return cls.open(path)

    @classmethod
    def open(cls, path: Path) -> Workspace:
        """Open an existing workspace and apply pending migrations."""
        path = Path(path)
        if not (path / CONFIG_FILE).exists() and not (path / CATALOG_FILE).exists():
            raise WorkspaceError(
                f"no ebrain workspace at {path}",
                hint=f"create one with `ebrain init {path}` or pass --workspace",
            )
        config = Config.load(path / CONFIG_FILE)
        url = catalog_url(config, path)
        engine = make_engine(url)
        try:
            done = migrate(engine)
        except (sa.exc.DatabaseError, sa.exc.InterfaceError) as exc:
            engine.dispose()
            raise WorkspaceError(
                say(
                    f"the catalog at {display_url(url)} cannot be opened: {exc.orig}",
                    f"无法打开目录库 {display_url(url)}：{exc.orig}",
                ),
                hint=say(
                    "check the catalog URL and that the database is up; restore it from a "
                    "backup or re-create the workspace",
                    "请检查目录库 URL 以及数据库是否在运行；或从备份恢复、重新创建工作区",
                ),
            ) from exc
        return cls(path, config, engine, done)

    def migrate_catalog(
        self,
        target_url: str,
        *,
        verify_only: bool = False,
        batch: int = 1000,
        progress: Progress | None = None,
    ) -> TransferReport:
        """Copy this workspace's catalog into the empty database at `target_url` and verify
        the copy (or, with `verify_only`, only compare the two); see catalog.transfer."""
        target = make_engine(target_url)
        names = (display_url(str(self.engine.url)), display_url(normalize_url(target_url)))
        try:
            if verify_only:
                return verify_copy(self.engine, target, names)
            return copy_catalog(self.engine, target, batch=batch, progress=progress, names=names)
        except sa.exc.DBAPIError as exc:  # nothing copied: the copy is one transaction
            raise WorkspaceError(
                say(
                    f"cannot copy into the target catalog {names[1]}: {exc.orig}",
                    f"无法复制到目标目录库 {names[1]}：{exc.orig}",
                ),
                hint=say(
                    "check the URL, that the database exists (createdb) and that the server is "
                    "up; the target was left as it was",
                    "请检查 URL、数据库是否已创建（createdb）以及服务器是否在运行；目标库未被改动",
                ),
            ) from exc
        finally:
            target.dispose()

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()
