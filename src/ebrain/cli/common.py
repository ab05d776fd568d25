"""Helpers shared by the CLI's noun modules: opening the Brain, JSON output, errors."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

from ebrain.errors import EbrainError

console = Console()
err_console = Console(stderr=True)

DEFAULT_WORKSPACE = ".ebrain"


def workspace_path(ctx: typer.Context | None = None) -> Path:
    """The workspace: --workspace, then EBRAIN_WORKSPACE, then ./.ebrain."""
    root = ctx.find_root() if ctx is not None else None
    explicit = root.params.get("workspace") if root is not None else None
    return Path(explicit or os.environ.get("EBRAIN_WORKSPACE") or DEFAULT_WORKSPACE)


def open_brain(ctx: typer.Context) -> Any:
    """Open the Brain on the selected workspace (imported lazily to keep --help fast)."""
    from ebrain.brain import Brain

    return Brain.open(workspace_path(ctx))


def emit_json(data: Any) -> None:
    """Write one JSON document to stdout (UTF-8, not ASCII-escaped)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(error: EbrainError, as_json: bool = False, code: int = 1) -> NoReturn:
    """Report an error in the one error shape (JSON) or as a message with its hint."""
    if as_json:
        emit_json(error.to_dict())
    else:
        err_console.print(f"[bold red]error:[/] {error.message}", highlight=False)
        if error.hint:
            err_console.print(f"[yellow]hint:[/] {error.hint}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def handled(as_json: bool = False) -> Iterator[None]:
    """Turn EbrainError into a clean CLI failure instead of a traceback."""
    try:
        yield
    except EbrainError as exc:
        fail(exc, as_json)
