"""Helpers shared by the CLI's noun modules: opening the Brain, JSON output, errors, escaping.

Every value that comes from documents, users or models goes through `safe` (Rich markup) or
`plain` (printed with markup=False) before it reaches the terminal: markup is escaped and
terminal control characters (ESC sequences, other C0/C1 controls, bidi overrides) are shown
as visible `\\xNN` escapes instead of being sent raw.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from ebrain.errors import EbrainError, InvalidInputError, WorkspaceError

console = Console()
err_console = Console(stderr=True)

DEFAULT_WORKSPACE = ".ebrain"


# C0 controls except tab and newline, DEL, C1 controls, and bidi embeddings/overrides/isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What json.dumps(ensure_ascii=False) leaves raw although a terminal may act on it.
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain(value: object) -> str:
    """`value` as text with terminal control characters neutralised (shown as \\xNN)."""
    return _CONTROL.sub(_visible, str(value))


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(value: object) -> str:
    """`value` ready to embed in Rich markup: controls neutralised and markup escaped."""
    return escape(plain(value))


def workspace_path(ctx: typer.Context | None = None) -> Path:
    """The workspace: --workspace, then EBRAIN_WORKSPACE, then ./.ebrain."""
    root = ctx.find_root() if ctx is not None else None
    explicit = root.params.get("workspace") if root is not None else None
    return Path(explicit or os.environ.get("EBRAIN_WORKSPACE") or DEFAULT_WORKSPACE)


def require_workspace(ctx: typer.Context | None = None) -> Path:
    """The selected workspace, which must exist: commands other than `init` never create one."""
    from ebrain.catalog.workspace import CATALOG_FILE, CONFIG_FILE

    path = workspace_path(ctx)
    if not (path / CONFIG_FILE).is_file() and not (path / CATALOG_FILE).is_file():
        raise WorkspaceError(
            f"no ebrain workspace at {path}",
            hint=f"create one with `ebrain init {path}` or pass --workspace",
        )
    return path


def open_brain(ctx: typer.Context) -> Any:
    """Open the Brain on the selected workspace (imported lazily to keep --help fast)."""
    from ebrain.brain import Brain

    return Brain.open(require_workspace(ctx))


def emit_json(data: Any) -> None:
    """Write one JSON document to stdout (UTF-8; controls and bidi overrides \\u-escaped)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    text = _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")


def fail(error: EbrainError, as_json: bool = False, code: int = 1) -> NoReturn:
    """Report an error in the one error shape (JSON) or as a message with its hint.

    Message and hint follow the locale (EBRAIN_LOCALE, LANG...); `code` never changes.
    """
    from ebrain.i18n import current_locale, say
    from ebrain.i18n_errors import localized

    lang = current_locale()
    message, hint = localized(error, lang)
    if as_json:
        emit_json(_error_shape(error, message, hint))
    else:
        label, tip = say("error:", "错误：", lang), say("hint:", "提示：", lang)
        err_console.print(f"[bold red]{label}[/] {safe(message)}", highlight=False)
        if hint:
            err_console.print(f"[yellow]{tip}[/] {safe(hint)}", highlight=False)
    raise typer.Exit(code)


def _error_shape(error: EbrainError, message: str, hint: str) -> dict[str, Any]:
    """`error.to_dict()` with the message and hint in the user's language."""
    body = error.to_dict()
    body["error"]["message"] = message
    if hint:
        body["error"]["hint"] = hint
    return body


def check_date(value: str | None) -> str | None:
    """Option callback: accept an ISO date (YYYY-MM-DD) or nothing."""
    if value is None:
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2024-06-30"
        ) from None
    return value


class CliGroup(TyperGroup):
    """The root command: usage errors of a `--json` invocation print the one JSON error shape."""

    wants_json = False

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        """Note whether --json was asked for, then run as usual."""
        self.wants_json = "--json" in (sys.argv[1:] if args is None else list(args))
        return super().main(args, *rest, **extra)

    def invoke(self, ctx: Any) -> Any:
        """Run the subcommand; report bad options as JSON when --json was given."""
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            if not self.wants_json:
                raise
            where = exc.ctx.command_path if exc.ctx is not None else "ebrain"
            error = InvalidInputError(exc.format_message(), hint=f"see `{where} --help`")
            fail(error, as_json=True)  # like every --json error: exit code 1


@contextmanager
def handled(as_json: bool = False) -> Iterator[None]:
    """Turn EbrainError into a clean CLI failure instead of a traceback."""
    try:
        yield
    except EbrainError as exc:
        fail(exc, as_json)
