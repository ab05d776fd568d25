"""The `ebrain` command: a thin shell over Brain, split by noun (ebrain kb …, ebrain plan …)."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import typer

from ebrain.cli.common import CliGroup


def _root_app() -> typer.Typer:
    return typer.Typer(
        name="ebrain",
        cls=CliGroup,
        help="ebrain: an on-premises enterprise brain. / 企业知识大脑。",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )


# Noun groups: module ebrain.cli.<noun>_cmd defines `app: typer.Typer`.
NOUNS = ["kb", "docs", "index", "dict", "plan", "guard", "models", "prompt", "config", "eval"]
NOUNS += ["user", "group", "key", "audit"]  # the server's identity and audit log
NOUNS += ["kg", "insights"]  # ebrain.cli.kg_cmd: the knowledge graph; its reports
# Top-level verbs: module ebrain.cli.<verb>_cmd defines `register(app)`.
VERBS = ["core", "search", "ask", "serve", "migrate"]


def root(
    workspace: Path | None = typer.Option(
        None, "--workspace", "-w", help="Workspace folder (default ./.ebrain, or EBRAIN_WORKSPACE)."
    ),
) -> None:
    """ebrain command line."""
    del workspace  # read by subcommands through the context


def _module(name: str) -> object | None:
    full = f"ebrain.cli.{name}"
    if importlib.util.find_spec(full) is None:
        return None
    return importlib.import_module(full)


def build() -> typer.Typer:
    """A fresh root app with every available noun group and verb attached."""
    app = _root_app()
    app.callback()(root)
    for name in NOUNS:
        module = _module(f"{name}_cmd")
        if module is not None:
            app.add_typer(module.app, name=name)  # type: ignore[attr-defined]
    for name in VERBS:
        module = _module(f"{name}_cmd")
        if module is not None:
            module.register(app)  # type: ignore[attr-defined]
    return app


def main() -> None:
    """Console-script entry point."""
    build()()
