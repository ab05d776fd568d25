"""`ebrain serve`: the REST and OpenAI-compatible API on uvicorn (see docs/server.md)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from ebrain.cli.common import console, handled, open_brain, require_workspace
from ebrain.i18n import say


def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address to bind (server.host)."),
    port: int | None = typer.Option(None, "--port", help="Port (server.port, default 8000)."),
    workers: int | None = typer.Option(
        None, "--workers", help="Worker processes (server.workers); one of them runs ingest jobs."
    ),
) -> None:
    """Serve the API (REST, OpenAI-compatible, /docs). / 启动 API 服务。"""
    import uvicorn

    with handled(False):
        brain = open_brain(ctx)
        bind = str(brain.config.get("server.host", host))
        listen = int(brain.config.get("server.port", port))
        count = int(brain.config.get("server.workers", workers))
        _model_threads(int(brain.config.get("server.model_threads")))
        _first_admin(brain)
        console.print(
            f"ebrain API on http://{bind}:{listen}  (docs: /docs, web UI: /ui/chat)",
            highlight=False,
        )
        if count == 1:
            from ebrain.server import create_app

            uvicorn.run(create_app(brain), host=bind, port=listen, log_level="info")
            return
        brain.close()
        os.environ["EBRAIN_WORKSPACE"] = str(require_workspace(ctx).resolve())
        with _shared_metrics():
            uvicorn.run(
                "ebrain.server.app:from_environment",
                factory=True,
                host=bind,
                port=listen,
                workers=count,
                log_level="info",
            )


@contextmanager
def _shared_metrics() -> Iterator[None]:
    """One fresh folder where every worker process writes its metrics (removed at exit); an
    operator's own PROMETHEUS_MULTIPROC_DIR is used as it is."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    folder = tempfile.mkdtemp(prefix="ebrain-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _model_threads(threads: int) -> None:
    """Cap the threads of in-process model math before any model library loads (the worker
    processes inherit it). An explicit OMP_NUM_THREADS / OPENBLAS_NUM_THREADS wins."""
    if threads > 0:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ.setdefault(name, str(threads))


def _first_admin(brain: object) -> None:
    """Print the one-time first-admin token when the workspace has no admin yet."""
    identity = getattr(brain, "identity", None)
    token = identity.first_admin_token() if identity is not None else None
    if token:
        console.print(
            say(
                f"No admin yet. One-time token to create the first admin:\n    {token}\n"
                "  open /ui/first-run in a browser, POST /auth/first-admin {token, name, password},"
                " or `ebrain user create --role admin`",
                f"尚无管理员。创建首个管理员的一次性令牌：\n    {token}\n"
                "  在浏览器中打开 /ui/first-run，或 POST /auth/first-admin {token, name, password}，"
                "或 `ebrain user create --role admin`",
            ),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    """Attach `serve` to the root command."""
    app.command()(serve)
