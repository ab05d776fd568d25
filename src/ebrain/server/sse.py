"""Server-sent events: answers as they are written, job progress."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.responses import StreamingResponse

from ebrain.answer.types import Answer
from ebrain.errors import EbrainError

SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def event(name: str, data: Any) -> str:
    """One SSE event (JSON data on one line)."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def answer_events(
    items: Iterator[str | Answer], done: Callable[[Answer], dict[str, Any]]
) -> Iterator[str]:
    """`delta` events with the text, then one `answer` event (`done(answer)`), or `error`."""
    try:
        for item in items:
            if isinstance(item, str):
                yield event("delta", {"text": item})
            else:
                yield event("answer", done(item))
    except EbrainError as exc:
        yield event("error", {"error": {"code": exc.code, "message": exc.message}})
    except Exception:
        yield event("error", {"error": {"code": "internal_error", "message": "internal error"}})


def stream(events: Iterator[str]) -> StreamingResponse:
    """A text/event-stream response."""
    return StreamingResponse(events, media_type="text/event-stream", headers=SSE_HEADERS)


def stream_async(events: Any) -> StreamingResponse:
    """A text/event-stream response from an async iterator."""
    return StreamingResponse(events, media_type="text/event-stream", headers=SSE_HEADERS)
