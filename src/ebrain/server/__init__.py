"""The API server (`ebrain serve`): FastAPI over one Brain, with users, keys, jobs and metrics."""

from __future__ import annotations

from ebrain.server.app import create_app

__all__ = ["create_app"]
