"""Content routes: knowledge bases, documents, search, ask, conversations, feedback, stats.

Every route reads as the caller's Principal (filtered by its groups inside the index query) and
within the caller's key's knowledge bases. A document the caller may not read answers 404,
exactly like one that does not exist.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.background import BackgroundTask

from ebrain.answer.types import Answer
from ebrain.errors import NotFoundError, PermissionDeniedError
from ebrain.server import sse
from ebrain.server.errors import ERROR_RESPONSES
from ebrain.server.schemas import (
    AnswerOut,
    AskBody,
    ConversationBody,
    DocumentsOut,
    FeedbackBody,
    KbsOut,
    SearchBody,
    SearchOut,
    TurnBody,
)
from ebrain.server.security import Caller, Editor, Viewer

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
DocId = Annotated[int, PathParam(ge=1, le=2**62, description="A document id.")]
ConvId = Annotated[str, PathParam(min_length=1, max_length=64)]


def _state(request: Request) -> Any:
    return request.app.state.server


def _hidden(document_id: int) -> NotFoundError:
    return NotFoundError(f"no document with id {document_id}")


def visible_document(
    request: Request, who: Caller, document_id: int, text: bool = False
) -> dict[str, Any]:
    """The document if the caller may read it; 404 otherwise (never 403: no existence leak)."""
    brain = _state(request).brain
    try:
        doc: dict[str, Any] = brain.document(document_id, text, principal=who.principal)
    except (NotFoundError, PermissionDeniedError):
        raise _hidden(document_id) from None
    if not who.allows_kb(str(doc["kb"])):
        raise _hidden(document_id)
    return doc


def _key_kbs(who: Caller) -> list[str] | None:
    """The knowledge bases the caller's key is limited to (None: not limited)."""
    return list(who.kbs) if who.kbs else None


def _counts(
    request: Request, who: Caller, kb: str | None = None, doc_type: str | None = None
) -> list[dict[str, Any]]:
    """Documents and bytes per (kb, type) that the caller may read, counted in the catalog."""
    brain = _state(request).brain
    rows: list[dict[str, Any]] = brain.document_counts(
        kb, doc_type, principal=who.principal, kbs=_key_kbs(who)
    )
    return rows


# --- knowledge bases and documents ------------------------------------------------------
@router.get(
    "/kbs",
    summary="Knowledge bases with the documents you may read",
    responses={200: {"model": KbsOut}},
)
def list_kbs(request: Request, who: Viewer) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    for row in _counts(request, who):
        counts[str(row["kb"])] += int(row["documents"])
    kbs = [k for k in _state(request).brain.kbs() if who.allows_kb(k.name)]
    return {
        "kbs": [
            {"name": k.name, "description": k.description, "documents": counts[k.name]} for k in kbs
        ]
    }


@router.get(
    "/documents", summary="Documents you may read", responses={200: {"model": DocumentsOut}}
)
def list_documents(
    request: Request,
    who: Viewer,
    kb: str | None = Query(None, max_length=100),
    doc_type: str | None = Query(None, max_length=50),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    brain = _state(request).brain
    total = sum(int(r["documents"]) for r in _counts(request, who, kb, doc_type))
    page = brain.documents(kb, doc_type, limit, offset, principal=who.principal, kbs=_key_kbs(who))
    return {"total": total, "documents": page}


@router.get("/documents/{document_id}", summary="One document: metadata and chunks")
def show_document(
    request: Request, who: Viewer, document_id: DocId, text: bool = Query(False)
) -> dict[str, Any]:
    return visible_document(request, who, document_id, text)


@router.get(
    "/documents/{document_id}/file",
    summary="The original file (by document id only)",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def document_file(request: Request, who: Viewer, document_id: DocId) -> Response:
    doc = visible_document(request, who, document_id)
    for raw in doc.get("paths") or []:
        path = Path(raw)
        if path.is_file() and not path.is_symlink():
            return FileResponse(path, media_type="application/octet-stream", filename=path.name)
    raise NotFoundError(f"the original file of document {document_id} is no longer on disk")


@router.delete("/documents/{document_id}", summary="Delete a document (editor)")
def delete_document(request: Request, who: Editor, document_id: DocId) -> dict[str, Any]:
    visible_document(request, who, document_id)
    state = _state(request)
    state.brain.remove_document(document_id)
    state.audit("delete", who.name, target=f"document:{document_id}")
    return {"deleted": document_id}


@router.post(
    "/documents/{document_id}/reingest", status_code=202, summary="Re-ingest a document (editor)"
)
def reingest_document(request: Request, who: Editor, document_id: DocId) -> dict[str, Any]:
    doc = visible_document(request, who, document_id)
    paths = [p for p in doc.get("paths") or [] if Path(p).is_file()]
    if not paths:
        raise NotFoundError(f"the original file of document {document_id} is no longer on disk")
    state = _state(request)
    job_id = state.jobs.new_id()
    files = [(Path(paths[0]).name, paths[0], Path(paths[0]).stat().st_size)]
    state.jobs.submit(job_id, str(doc["kb"]), who.name, files, doc["acl"], doc["tags"])
    state.audit("reingest", who.name, target=f"document:{document_id}", detail={"job": job_id})
    return {"job_id": job_id}


@router.get("/stats", summary="Counts over the documents you may read")
def stats(request: Request, who: Viewer) -> dict[str, Any]:
    rows = _counts(request, who)
    by_kb: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    for row in rows:
        by_kb[str(row["kb"])] += int(row["documents"])
        by_type[str(row["doc_type"])] += int(row["documents"])
    return {
        "documents": sum(by_kb.values()),
        "by_kb": dict(by_kb),
        "by_type": dict(by_type),
        "bytes": sum(int(r["bytes"]) for r in rows),
    }


# --- search and ask ------------------------------------------------------------------------
@router.post(
    "/search",
    summary="Search with the CLI's filters (and explain)",
    response_class=JSONResponse,
    responses={200: {"model": SearchOut}},
)
def search(request: Request, who: Viewer, body: SearchBody) -> JSONResponse:
    state = _state(request)
    result = state.brain.search_ex(
        body.query,
        body.k,
        principal=who.principal,
        kb=who.scoped_kbs(body.kb),
        doc_type=body.doc_type,
        tags=body.tags,
        since=body.since,
        until=body.until,
        path_glob=body.path_glob,
        mode=body.mode,
        explain=body.explain,
    )
    state.metrics.observe_search(result.timings_ms)
    seen = sorted({h.document_id for h in result.hits})
    # audited right after the response is sent (the ask path audits before it answers)
    audit = BackgroundTask(
        state.audit_question, "search", who.name, body.query, seen, {"hits": len(result.hits)}
    )
    # JSONResponse directly: the hits are plain JSON already (no re-validation per request)
    return JSONResponse(
        {
            "hits": [h.to_dict() for h in result.hits],
            "mode": result.mode,
            "timings_ms": result.timings_ms,
            "bm25_weight": result.bm25_weight,
            "notes": result.notes,
        },
        background=audit,
    )


def answered(request: Request, who: Caller, answer: Answer, started: float) -> dict[str, Any]:
    """Metrics and audit of one answer; its JSON shape."""
    answer_audit(request, who, answer, started)()
    return answer.to_dict()


def answer_audit(
    request: Request, who: Caller, answer: Answer, started: float
) -> Callable[[], None]:
    """Observes the answer's metrics now; returns its audit entry to write (after sending)."""
    state = _state(request)
    elapsed = time.perf_counter() - started
    state.metrics.observe_answer(answer, elapsed)
    cited = sorted({c.document_id for c in answer.citations})
    detail = {"trace_id": answer.trace_id, "refused": answer.refused, "assistant": answer.assistant}
    detail["latency_ms"] = round(elapsed * 1000, 1)  # the usage dashboard's p50/p95
    return partial(state.audit_question, "ask", who.name, answer.question, cited, detail)


def ask_options(
    who: Caller, assistant: str | None, kb: list[str] | None, k: int | None = None
) -> dict[str, Any]:
    """Brain.ask keyword options for this caller."""
    return {
        "assistant": assistant,
        "kb": who.scoped_kbs(kb),
        "k": k,
        "user": who.name,
        "group": who.user.groups[0] if who.user.groups else None,
        "principal": who.principal,
    }


@router.post(
    "/ask",
    summary="Ask: a cited answer or a refusal (JSON, or SSE with stream=true)",
    response_class=JSONResponse,
    responses={200: {"model": AnswerOut, "content": {"text/event-stream": {}}}},
)
def ask(request: Request, who: Viewer, body: AskBody) -> Any:
    brain = _state(request).brain
    options = ask_options(who, body.assistant, body.kb, body.k)
    started = time.perf_counter()
    if body.stream:
        items = brain.ask_stream(body.question, **options)
        return sse.stream(sse.answer_events(items, lambda a: answered(request, who, a, started)))
    answer = brain.ask(body.question, **options)
    # audited right after the response is sent, like a search
    audit = BackgroundTask(answer_audit(request, who, answer, started))
    return JSONResponse(answer.to_dict(), background=audit)


# --- conversations and feedback ------------------------------------------------------------
@router.post("/conversations", status_code=201, summary="Start a conversation")
def start_conversation(request: Request, who: Viewer, body: ConversationBody) -> dict[str, Any]:
    state = _state(request)
    conv = state.brain.conversation(**ask_options(who, body.assistant, body.kb))
    state.queries.own_conversation(conv.id, who.name)
    return {"id": conv.id}


@router.get("/conversations", summary="Your conversations")
def list_conversations(request: Request, who: Viewer) -> dict[str, Any]:
    return {"conversations": _state(request).queries.conversations(who.name)}


def _own(request: Request, who: Caller, conversation_id: str) -> None:
    if _state(request).queries.conversation_owner(conversation_id) != who.name:
        raise NotFoundError(f"no conversation {conversation_id!r}")


@router.get("/conversations/{conversation_id}", summary="A conversation's messages")
def show_conversation(request: Request, who: Viewer, conversation_id: ConvId) -> dict[str, Any]:
    _own(request, who, conversation_id)
    conv = _state(request).brain.conversation(conversation_id, principal=who.principal)
    return {"id": conversation_id, "messages": [m.to_dict() for m in conv.history()]}


@router.post(
    "/conversations/{conversation_id}/messages",
    summary="Ask a follow-up in a conversation (JSON, or SSE with stream=true)",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def conversation_turn(
    request: Request, who: Viewer, conversation_id: ConvId, body: TurnBody
) -> Any:
    _own(request, who, conversation_id)
    state = _state(request)
    options = ask_options(who, state.queries.conversation_assistant(conversation_id), None)
    conv = state.brain.conversation(conversation_id, **options)
    started = time.perf_counter()
    if body.stream:
        items = conv.stream(body.question)
        return sse.stream(sse.answer_events(items, lambda a: answered(request, who, a, started)))
    return answered(request, who, conv.ask(body.question), started)


@router.post("/feedback", status_code=201, summary="Thumbs up or down on an answer")
def feedback(request: Request, who: Viewer, body: FeedbackBody) -> JSONResponse:
    rating = 1 if body.rating == "up" else -1
    fid = _state(request).queries.add_feedback(body.trace_id, who.name, rating, body.comment)
    return JSONResponse({"id": fid}, status_code=201)
