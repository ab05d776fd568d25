"""Move a catalog to another database (`ebrain migrate`): SQLite to PostgreSQL, or any pair.

The target gets the schema from the same named migrations, then every table of schema.py is
copied in dependency order (parents before children), in batches, inside ONE write transaction
on the target: a failed copy leaves the target as empty as it was. Id sequences are then moved
past the copied ids (PostgreSQL; SQLite's AUTOINCREMENT follows by itself), so new rows never
reuse an id. Finally the copy is verified: per table, the row count and a SHA-256 digest of every
row (ordered by primary key) on both sides; per document, its content hash and the SHA-256 of
its current text. A target that already holds data is refused (nothing is overwritten).

Not copied: the embedded full-text index (SQLite FTS5 tables, rebuilt from chunk terms by the
target's index), embedding claims (short-lived) and the migration log (the target has its own).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ebrain.catalog import schema as t
from ebrain.catalog.db import is_postgres, write_conn
from ebrain.catalog.migrations import migrate
from ebrain.errors import WorkspaceError
from ebrain.i18n import say

BATCH = 1000
SEEDED = {"meta"}  # tables the migrations seed with rows (replaced by the source's rows)
Progress = Callable[[str, int], None]  # (table, rows copied so far)


@dataclass
class TableCheck:
    """One table's verification: row counts and whether the row digests match."""

    table: str
    source_rows: int
    target_rows: int
    digest_ok: bool

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.digest_ok


@dataclass
class TransferReport:
    """What `copy_catalog` (or `verify_copy`) did; `to_dict` is the `--json` shape."""

    source: str
    target: str
    copied: bool = False
    seconds: float = 0.0
    tables: list[TableCheck] = field(default_factory=list)
    documents_checked: int = 0
    documents_mismatched: list[int] = field(default_factory=list)
    sequences: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.tables) and not self.documents_mismatched

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape (docs/cli/migrate.md)."""
        return {
            "ok": self.ok,
            "source": self.source,
            "target": self.target,
            "copied": self.copied,
            "seconds": round(self.seconds, 3),
            "rows": sum(c.target_rows for c in self.tables),
            "tables": [
                {
                    "table": c.table,
                    "source_rows": c.source_rows,
                    "target_rows": c.target_rows,
                    "digest_ok": c.digest_ok,
                    "ok": c.ok,
                }
                for c in self.tables
            ],
            "documents": {
                "checked": self.documents_checked,
                "mismatched": self.documents_mismatched[:100],
            },
            "sequences": self.sequences,
        }


def tables() -> list[sa.Table]:
    """The catalog's tables in dependency order (each after the tables it references)."""
    return list(t.metadata.sorted_tables)


def copy_catalog(
    source: sa.Engine,
    target: sa.Engine,
    *,
    batch: int = BATCH,
    progress: Progress | None = None,
    names: tuple[str, str] = ("", ""),
) -> TransferReport:
    """Create the schema on `target`, refuse unless it is empty, copy every table in one
    transaction, move the id sequences on, then verify; return the report."""
    started = time.perf_counter()
    migrate(target)
    require_empty(target)
    report = TransferReport(*names)
    with source.connect() as src, write_conn(target) as dst, dst.begin():
        for table in tables():
            _copy_table(src, dst, table, batch, progress)
        report.sequences = _reset_sequences(src, dst)
    report.copied = True
    _verify_into(report, source, target)
    report.seconds = time.perf_counter() - started
    return report


def verify_copy(
    source: sa.Engine, target: sa.Engine, names: tuple[str, str] = ("", "")
) -> TransferReport:
    """Compare `target` with `source` (counts, row digests, document hashes); copy nothing."""
    started = time.perf_counter()
    report = TransferReport(*names)
    _verify_into(report, source, target)
    report.seconds = time.perf_counter() - started
    return report


def require_empty(engine: sa.Engine) -> None:
    """WorkspaceError unless every catalog table (bar the seeded ones) is empty."""
    with engine.connect() as conn:
        full = [x.name for x in tables() if x.name not in SEEDED and _count(conn, x) > 0]
    if full:
        raise WorkspaceError(
            say(
                f"the target catalog is not empty (tables with rows: {', '.join(full[:5])})",
                f"目标目录库不是空的（已有数据的表：{', '.join(full[:5])}）",
            ),
            hint=say(
                "migrate into a new, empty database (e.g. `createdb ebrain2`); nothing was "
                "copied. To check an earlier copy, add --verify-only",
                "请迁移到一个新的空数据库（例如 `createdb ebrain2`）；本次未复制任何数据。"
                "若要校验之前的复制，请加 --verify-only",
            ),
        )


def _copy_table(
    src: sa.Connection, dst: sa.Connection, table: sa.Table, batch: int, progress: Progress | None
) -> None:
    if table.name in SEEDED:
        dst.execute(sa.delete(table))
    done = 0
    for rows in _batches(src, table, batch):
        dst.execute(sa.insert(table), [_clean(r) for r in rows])
        done += len(rows)
        if progress is not None:
            progress(table.name, done)


def _batches(conn: sa.Connection, table: sa.Table, size: int) -> Iterator[list[dict[str, Any]]]:
    """The table's rows in primary-key order, `size` at a time (streamed, bounded memory)."""
    q = sa.select(table).order_by(*table.primary_key.columns)
    result = conn.execution_options(yield_per=size).execute(q)
    for part in result.mappings().partitions(size):
        yield [dict(r) for r in part]


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL text cannot hold NUL characters (SQLite's can): they become U+FFFD."""
    return {k: v.replace("\x00", "\ufffd") if isinstance(v, str) else v for k, v in row.items()}


def _serial_columns() -> list[tuple[sa.Table, sa.Column[Any]]]:
    """(table, column) of every single-column integer primary key with a sequence."""
    out = []
    for table in tables():
        cols = list(table.primary_key.columns)
        if len(cols) == 1 and _serial(cols[0]):
            out.append((table, cols[0]))
    return out


def _serial(col: sa.Column[Any]) -> bool:
    auto = col.autoincrement in (True, "auto")
    return auto and isinstance(col.type, sa.Integer) and not col.foreign_keys


def _reset_sequences(src: sa.Connection, dst: sa.Connection) -> dict[str, int]:
    """Move each target id sequence past the largest id used in the source (SQLite's
    AUTOINCREMENT counter included: ids of deleted chunks are never handed out again)."""
    if not is_postgres(dst):
        return {}
    used = _sqlite_sequences(src)
    moved: dict[str, int] = {}
    for table, col in _serial_columns():
        top = int(dst.execute(sa.select(sa.func.coalesce(sa.func.max(col), 0))).scalar_one())
        nxt = max(top, used.get(table.name, 0)) + 1
        seq = sa.func.pg_get_serial_sequence(table.name, col.name)
        dst.execute(sa.select(sa.func.setval(seq, nxt, False)))
        moved[table.name] = nxt
    return moved


def _sqlite_sequences(src: sa.Connection) -> dict[str, int]:
    if src.dialect.name != "sqlite":
        return {}
    try:
        rows = src.execute(sa.text("SELECT name, seq FROM sqlite_sequence")).all()
    except sa.exc.OperationalError:  # no AUTOINCREMENT table yet
        return {}
    return {str(n): int(s) for n, s in rows}


# --- verification ---------------------------------------------------------------------------
def _verify_into(report: TransferReport, source: sa.Engine, target: sa.Engine) -> None:
    with source.connect() as src, target.connect() as dst:
        for table in tables():
            a, b = _digest(src, table), _digest(dst, table)
            report.tables.append(TableCheck(table.name, a[0], b[0], a[1] == b[1]))
        theirs = _document_hashes(dst)
        mine = _document_hashes(src)
    report.documents_checked = len(mine)
    report.documents_mismatched = sorted(
        d for d in set(mine) | set(theirs) if mine.get(d) != theirs.get(d)
    )


def _digest(conn: sa.Connection, table: sa.Table) -> tuple[int, str]:
    """(rows, SHA-256 over every row's canonical JSON in primary-key order)."""
    h = hashlib.sha256()
    n = 0
    kinds = {c.name: _kind(c.type) for c in table.columns}
    for rows in _batches(conn, table, BATCH):
        for row in rows:
            h.update(_canonical(row, kinds).encode("utf-8"))
            n += 1
    return n, h.hexdigest()


def _kind(type_: Any) -> Callable[[Any], Any] | None:
    """How a column's values compare across databases (SQLite may hand back 5 for 5.0)."""
    if isinstance(type_, sa.Boolean):
        return bool
    if isinstance(type_, sa.Float):
        return float
    if isinstance(type_, sa.Integer):
        return int
    return None


def _canonical(row: dict[str, Any], kinds: dict[str, Callable[[Any], Any] | None]) -> str:
    fixed = {k: _as(kinds.get(k), v) for k, v in row.items()}
    return json.dumps(_clean(fixed), sort_keys=True, default=_plain, ensure_ascii=False) + "\n"


def _as(kind: Callable[[Any], Any] | None, value: Any) -> Any:
    return value if kind is None or value is None else kind(value)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _document_hashes(conn: sa.Connection) -> dict[int, tuple[str, str]]:
    """document id -> (its content hash, SHA-256 of its current text)."""
    d, v = t.document.c, t.version.c
    q = (
        sa.select(d.id, d.content_hash, v.text)
        .outerjoin(t.version, (v.document_id == d.id) & v.retired_at.is_(None))
        .order_by(d.id)
    )
    result = conn.execution_options(yield_per=BATCH).execute(q)
    return {
        int(r[0]): (str(r[1]), hashlib.sha256(str(r[2] or "").encode("utf-8")).hexdigest())
        for r in result
    }


def _count(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
