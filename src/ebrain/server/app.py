"""The FastAPI app: a thin shell over one Brain (no retrieval, answer or ingest logic here)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response

from ebrain.server import (
    admin,
    auth_routes,
    content,
    errors,
    kg_routes,
    oidc,
    openai_api,
    ui,
    uploads,
)
from ebrain.server.limits import BodyLimit
from ebrain.server.metrics import Metrics
from ebrain.server.security import metrics_reader
from ebrain.server.state import ServerState

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# /docs loads Swagger UI from a CDN; every other page gets a strict policy
STRICT_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
# the web pages (ebrain.server.ui): their own scripts, styles and images only, nothing inline
UI_CSP = (
    b"content-security-policy",
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
)
NO_STORE = (b"cache-control", b"no-store")


class HeadersAndMetrics:
    """ASGI middleware: security headers on every response; requests and latency per route."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, recorded = 500, False

        def record() -> None:
            nonlocal recorded
            if not recorded:
                recorded = True
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                self.metrics.requests.labels(route, scope["method"], str(status)).inc()
                self.metrics.latency.labels(route).observe(time.perf_counter() - started)

        async def send_with_headers(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": _headers(scope, message)}
            if message["type"] == "http.response.body" and not message.get("more_body"):
                record()  # as the last body part goes out, before any background task runs
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            record()


def _headers(scope: dict[str, Any], message: Any) -> list[tuple[bytes, bytes]]:
    headers = list(message.get("headers", [])) + SECURITY_HEADERS
    names = {h[0].lower() for h in headers}
    if scope["path"].startswith("/ui/"):
        headers.append(UI_CSP)
    elif not scope["path"].startswith(("/docs", "/redoc")):
        headers.append(STRICT_CSP)
    if b"cache-control" not in names:
        headers.append(NO_STORE)
    return headers


def create_app(brain: Any, *, run_jobs: bool = True) -> FastAPI:
    """The API over an opened Brain; ingest jobs run in a background thread while it serves."""
    metrics = Metrics()
    state = ServerState(brain, metrics)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_jobs:
            state.jobs.start()
        yield
        state.jobs.stop()

    app = FastAPI(
        title="ebrain",
        version="0.1.0",
        summary="On-premises enterprise brain: cited answers with document permissions.",
        lifespan=lifespan,
    )
    app.state.server = state
    app.state.metrics = metrics
    errors.install(app)
    for module in (auth_routes, oidc, content, kg_routes, uploads, admin, openai_api):
        app.include_router(module.router)
    ui.install(app)  # the web pages under /ui
    _ops(app, state)
    _middleware(app, state, metrics)
    return app


def _middleware(app: FastAPI, state: ServerState, metrics: Metrics) -> None:
    config = state.config
    origins = list(config.get("server.cors_origins"))
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["authorization", "content-type", "x-csrf-token"],
        )
    limit = int(config.get("server.max_request_kb")) * 1024
    upload_limit = int(float(config.get("server.max_upload_mb")) * 2**20)
    app.add_middleware(
        BodyLimit, limit=limit, upload_limit=upload_limit, upload_prefix="/api/uploads"
    )
    app.add_middleware(HeadersAndMetrics, metrics=metrics)


def _ops(app: FastAPI, state: ServerState) -> None:
    @app.get("/healthz", tags=["ops"], summary="The process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], summary="The catalog answers and the ingest worker runs")
    def readyz(request: Request) -> JSONResponse:
        try:
            state.brain.catalog.kb_names()
            catalog = True
        except Exception:
            catalog = False
        worker = state.jobs.alive
        ok = catalog and worker
        body: dict[str, Any] = {
            "status": "ready" if ok else "not_ready",
            "catalog": catalog,
            "ingest_worker": worker,
        }
        if not ok:
            body["error"] = {"code": "unavailable", "message": "not ready"}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get(
        "/metrics",
        tags=["ops"],
        summary="Prometheus metrics (the scraper's token or an admin; all worker processes)",
        response_class=Response,
        dependencies=[Depends(metrics_reader)],
    )
    def metrics() -> Response:
        return Response(state.metrics.render(), media_type="text/plain; version=0.0.4")


def from_environment() -> FastAPI:
    """The app over the workspace named by EBRAIN_WORKSPACE (uvicorn's factory for --workers)."""
    import os

    from ebrain.brain import Brain

    return create_app(Brain.open(os.environ.get("EBRAIN_WORKSPACE") or ".ebrain"))
