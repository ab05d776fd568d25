"""`ebrain prompt`: list, show, edit, diff and roll back the versioned prompt templates."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import typer
from rich.table import Table

from ebrain.cli.common import console, emit_json, handled, open_brain, plain, safe
from ebrain.errors import InvalidInputError
from ebrain.i18n import say

app = typer.Typer(
    help="Prompt templates: list, show, edit, diff, rollback. / 提示词模板。", no_args_is_help=True
)
_JSON = typer.Option(False, "--json", help="Print JSON. / 输出 JSON。")


@app.command("list")
def list_prompts(ctx: typer.Context, as_json: bool = _JSON) -> None:
    """Every template with its latest version. / 列出模板。"""
    with handled(as_json):
        brain = open_brain(ctx)
        try:
            rows = brain.prompts.names()
        finally:
            brain.close()
        if as_json:
            emit_json({"templates": rows})
            return
        table = Table(title=say("Prompt templates", "提示词模板"))
        for col in (say("name", "名称"), say("latest", "最新版本"), say("versions", "版本数")):
            table.add_column(col)
        for r in rows:
            table.add_row(safe(r["name"]), safe(r["latest"]), safe(r["versions"]))
        console.print(table)


@app.command()
def show(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Template name, e.g. answer.zh."),
    version: int | None = typer.Option(
        None, "--version", "-v", min=1, help="Version (default latest)."
    ),
    as_json: bool = _JSON,
) -> None:
    """Print one version of a template. / 显示模板。"""
    with handled(as_json):
        brain = open_brain(ctx)
        try:
            found = brain.prompts.get(name, version)
        finally:
            brain.close()
        if as_json:
            emit_json(found.to_dict())
            return
        header = plain(f"# {found.label} ({found.source}) {found.note}")
        console.print(header, style="dim", markup=False, highlight=False)
        console.print(plain(found.template), highlight=False, markup=False)


def _edited(current: str) -> str:
    """Open $EDITOR (or $VISUAL) on the template and return what was saved."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise InvalidInputError("no editor is set", hint="set $EDITOR, or pass --file FILE")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.j2"
        path.write_text(current, encoding="utf-8")
        subprocess.run([*editor.split(), str(path)], check=True)
        return path.read_text(encoding="utf-8")


@app.command()
def edit(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Template name (a new name creates a template)."),
    file: Path | None = typer.Option(None, "--file", "-f", help="Read the new text from a file."),
    note: str = typer.Option("", "--note", help="Why it changed."),
    as_json: bool = _JSON,
) -> None:
    """Save a new version from --file or from $EDITOR. / 编辑模板（新建版本）。"""
    with handled(as_json):
        brain = open_brain(ctx)
        try:
            if file is not None:
                text = file.read_text(encoding="utf-8")
            else:
                text = _edited(_current(brain, name))
            saved = brain.prompts.save(name, text, note)
        finally:
            brain.close()
        if as_json:
            emit_json(saved.to_dict())
            return
        label = safe(saved.label)
        console.print(say(f"saved {label}", f"已保存 {label}"), highlight=False)


def _current(brain: object, name: str) -> str:
    from ebrain.errors import NotFoundError

    try:
        return str(brain.prompts.get(name).template)  # type: ignore[attr-defined]
    except NotFoundError:
        return ""


@app.command()
def diff(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Template name."),
    a: int = typer.Argument(..., min=1, help="Older version."),
    b: int | None = typer.Argument(None, min=1, help="Newer version (default latest)."),
    as_json: bool = _JSON,
) -> None:
    """A unified diff between two versions. / 比较两个版本。"""
    with handled(as_json):
        brain = open_brain(ctx)
        try:
            text = brain.prompts.diff(name, a, b)
        finally:
            brain.close()
        if as_json:
            emit_json({"name": name, "a": a, "b": b, "diff": text})
            return
        console.print(
            plain(text) or say("(no differences)", "（没有差异）"), highlight=False, markup=False
        )


@app.command()
def rollback(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Template name."),
    version: int = typer.Argument(..., min=1, help="The version to restore (as a new version)."),
    as_json: bool = _JSON,
) -> None:
    """Make a new version equal to an old one. / 回滚（生成与旧版本相同的新版本）。"""
    with handled(as_json):
        brain = open_brain(ctx)
        try:
            saved = brain.prompts.rollback(name, version)
        finally:
            brain.close()
        if as_json:
            emit_json(saved.to_dict())
            return
        console.print(
            say(
                f"saved {safe(saved.label)} = version {version}",
                f"已保存 {safe(saved.label)}（同版本 {version}）",
            ),
            highlight=False,
        )
