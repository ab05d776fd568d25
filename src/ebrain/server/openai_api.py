"""OpenAI-compatible endpoints: `/v1/models` lists the assistants, `/v1/chat/completions`
answers as the assistant named by `model` (streaming or not). Citations come back in the text
(a "Sources" list) and in an extra `citations` field."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request

from ebrain.answer.types import Answer
from ebrain.errors import EbrainError, NotFoundError
from ebrain.server import sse
from ebrain.server.content import answered, ask_options
from ebrain.server.errors import ERROR_RESPONSES, ApiError
from ebrain.server.schemas import ChatBody
from ebrain.server.security import Caller, Viewer

router = APIRouter(prefix="/v1", tags=["openai"], responses=ERROR_RESPONSES)


def _brain(request: Request) -> Any:
    return request.app.state.server.brain


@router.get("/models", summary="The assistants, as OpenAI models")
def models(request: Request, who: Viewer) -> dict[str, Any]:
    names = sorted(_brain(request).assistants())
    data = [{"id": n, "object": "model", "created": 0, "owned_by": "ebrain"} for n in names]
    return {"object": "list", "data": data}


def _text(content: Any) -> str:
    """A message's text (the text parts of a multi-part content)."""
    if isinstance(content, list):
        content = " ".join(str(p.get("text", "")) for p in content if p.get("type") == "text")
    return str(content or "").strip()


def question_of(body: ChatBody) -> tuple[str, list[tuple[str, str]]]:
    """The last user message's text, and the (role, text) messages before it."""
    for index in range(len(body.messages) - 1, -1, -1):
        message = body.messages[index]
        if message.role == "user" and _text(message.content):
            earlier = [(m.role, _text(m.content)[:2000]) for m in body.messages[:index]]
            return _text(message.content)[:4000], earlier
    raise ApiError(422, "no user message with text", "invalid_input")


def sources_text(answer: Answer) -> str:
    """The citations as a "Sources" list appended to the answer text."""
    if not answer.citations:
        return ""
    lines = [f"[{c.n}] {c.title}" + (f", p. {c.page}" if c.page else "") for c in answer.citations]
    return "\n\nSources:\n" + "\n".join(lines)


def _citations(answer: Answer) -> list[dict[str, Any]]:
    keys = ("n", "document_id", "title", "page", "quote", "verified")
    return [{k: getattr(c, k) for k in keys} for c in answer.citations]


def _usage(answer: Answer) -> dict[str, int]:
    p = int(answer.usage.get("prompt_tokens") or 0)
    c = int(answer.usage.get("completion_tokens") or 0)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


@router.post(
    "/chat/completions",
    summary="OpenAI-compatible chat completion (model = assistant name)",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def chat_completions(request: Request, who: Viewer, body: ChatBody) -> Any:
    brain = _brain(request)
    if body.model not in brain.assistants():
        raise NotFoundError(f"no model {body.model!r}", hint="GET /v1/models lists the assistants")
    question, earlier = question_of(body)
    options = ask_options(who, body.model, None)
    if any(role == "user" for role, _ in earlier):  # a follow-up: searched as a standalone query
        query = brain.standalone(question, earlier, **options)
        options["query"] = query if query != question else None
    started = time.perf_counter()
    if body.stream:
        items = brain.ask_stream(question, **options)
        return sse.stream(_chunks(request, who, body.model, items, started))
    answer = brain.ask(question, **options)
    answered(request, who, answer, started)
    return {
        "id": f"chatcmpl-{answer.trace_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text + sources_text(answer)},
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(answer),
        "citations": _citations(answer),
        "ebrain": {"trace_id": answer.trace_id, "refused": answer.refused},
    }


def _chunk(
    cid: str, model: str, delta: dict[str, Any], finish: str | None = None, **extra: Any
) -> str:
    data = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _chunks(
    request: Request, who: Caller, model: str, items: Iterator[str | Answer], started: float
) -> Iterator[str]:
    cid = f"chatcmpl-{int(started * 1e6):x}"
    yield _chunk(cid, model, {"role": "assistant", "content": ""})
    shown = False
    try:
        for item in items:
            if isinstance(item, str):
                shown = True
                yield _chunk(cid, model, {"content": item})
                continue
            answered(request, who, item, started)
            text = item.text if not shown else ("\n\n" + item.text if item.blocked else "")
            yield _chunk(cid, model, {"content": text + sources_text(item)})
            extra = {"citations": _citations(item), "usage": _usage(item)}
            extra["ebrain"] = {"trace_id": item.trace_id, "refused": item.refused}
            yield _chunk(cid, model, {}, "stop", **extra)
    except EbrainError as exc:
        yield f"data: {json.dumps({'error': {'code': exc.code, 'message': exc.message}})}\n\n"
    except Exception:
        yield 'data: {"error": {"code": "internal_error", "message": "internal error"}}\n\n'
    yield "data: [DONE]\n\n"
