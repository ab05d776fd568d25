"""Hot-path statements: a Core statement compiled once per dialect and run on the DBAPI cursor of
the caller's connection, inside the caller's transaction.

Ingest runs about six statements per document. SQLAlchemy's per-call work (compile-cache lookup,
events, result set-up) cost more than SQLite's own, so the statements that run once per document
or chunk go through `run` and `run_many`. The statements stay SQLAlchemy Core: on any dialect but
SQLite, and for a statement with Python-side defaults, `run` is plain `Connection.execute`.
Parameters get SQLAlchemy's bind processing; rows come back as the driver returns them.
Only public SQLAlchemy API is used: the statement's `compile(dialect=...)`, the compiled
`positiontup`, `binds` and `string`, and the types' `bind_processor`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What a statement did: rows changed, the id an INSERT created, the first row returned."""

    rowcount: int
    lastrowid: int | None = None
    first: tuple[Any, ...] | None = None

    def inserted_id(self) -> int:
        """The primary key the INSERT created (RuntimeError when there is none)."""
        if self.lastrowid is None:
            raise RuntimeError("the insert returned no primary key")
        return self.lastrowid


@dataclass(frozen=True)
class _Plan:
    stmt: sa.Executable  # held so that the id() key of the cache is never reused
    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]  # SQLAlchemy's bind processing, by name

    def args(self, params: Params) -> list[Any]:
        """The positional parameters of one execution."""
        return [
            params[n] if f is None else f(params[n])
            for n, f in zip(self.names, self.processors, strict=True)
        ]


_PLANS: dict[tuple[int, str, tuple[str, ...]], _Plan | None] = {}


def run(conn: sa.Connection, stmt: sa.Executable, params: Params) -> Outcome:
    """Execute `stmt` with one set of parameters."""
    plan = _plan(conn, stmt, tuple(params))
    if plan is None:
        return _outcome(conn.execute(stmt, dict(params)))
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(plan.sql, plan.args(params))
        first = cur.fetchone() if cur.description else None
        return Outcome(cur.rowcount, cur.lastrowid, first)
    finally:
        cur.close()


def run_many(conn: sa.Connection, stmt: sa.Executable, rows: Sequence[Params]) -> None:
    """Execute `stmt` once per row (an executemany); every row must have the same keys."""
    if not rows:
        return
    plan = _plan(conn, stmt, tuple(rows[0]))
    if plan is None:
        conn.execute(stmt, [dict(r) for r in rows])
        return
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.executemany(plan.sql, [plan.args(r) for r in rows])
    finally:
        cur.close()


def _plan(conn: sa.Connection, stmt: sa.Executable, keys: tuple[str, ...]) -> _Plan | None:
    """The compiled SQL of `stmt` for these parameter names, or None to use `execute`."""
    dialect = conn.dialect
    cache_key = (id(stmt), dialect.name, keys)
    if cache_key not in _PLANS:
        _PLANS[cache_key] = _compile(stmt, dialect, keys) if dialect.name == "sqlite" else None
    plan = _PLANS[cache_key]
    return plan if plan is None or plan.stmt is stmt else _compile(stmt, dialect, keys)


def _compile(stmt: sa.Executable, dialect: sa.Dialect, keys: tuple[str, ...]) -> _Plan | None:
    """Public API only: `ClauseElement.compile`, `SQLCompiler.positiontup` and `.binds`, and
    each bound type's `dialect_impl(dialect).bind_processor(dialect)`."""
    compiled = stmt.compile(dialect=dialect, column_keys=list(keys))  # type: ignore[attr-defined]
    if not isinstance(compiled, SQLCompiler) or compiled.positiontup is None:
        return None
    names = tuple(compiled.positiontup)
    if not set(names) <= set(keys) or not set(names) <= set(compiled.binds):
        return None  # Python-side defaults (their columns are bound too), or missing parameters
    binds = [compiled.binds[n] for n in names]
    if any(b.expanding or b.literal_execute for b in binds):
        return None  # rendered per call ("IN" lists, literal values)
    processors = tuple(b.type.dialect_impl(dialect).bind_processor(dialect) for b in binds)
    if not all(f is None or callable(f) for f in processors):
        return None  # a tuple type's per-element processors
    return _Plan(stmt, compiled.string, names, processors)


def _outcome(result: sa.CursorResult[Any]) -> Outcome:
    rowcount = result.rowcount
    key = result.inserted_primary_key if result.context.isinsert else None
    lastrowid = int(key[0]) if key and key[0] is not None else None
    if rowcount < 0 and lastrowid is not None:
        rowcount = 1  # INSERT ... RETURNING (PostgreSQL): one row made, its count not reported
    first = result.first() if result.returns_rows and not result.context.isinsert else None
    return Outcome(rowcount, lastrowid, None if first is None else tuple(first))
