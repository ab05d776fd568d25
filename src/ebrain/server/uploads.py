"""Uploads and ingest jobs: multipart upload of many files -> a background job; its state,
progress over SSE, cancel."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool

from ebrain.errors import EbrainError, NotFoundError
from ebrain.ingest.parsers.dispatch import supported_extensions
from ebrain.server import sse
from ebrain.server.errors import ERROR_RESPONSES, ApiError
from ebrain.server.jobs import safe_name
from ebrain.server.schemas import JobOut
from ebrain.server.security import Caller, Editor, Viewer

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
POLL_S = 0.5
JobId = Annotated[str, PathParam(min_length=1, max_length=64)]


def _state(request: Request) -> Any:
    return request.app.state.server


def _allowed(state: Any) -> set[str]:
    configured = state.config.get("server.upload_types")
    names = configured or supported_extensions()
    return {("." + n.lower().lstrip(".")) for n in names}


def _check(state: Any, files: list[UploadFile]) -> None:
    most = int(state.config.get("server.max_upload_files"))
    if len(files) > most:
        raise ApiError(
            413,
            f"{len(files)} files in one upload; at most {most}",
            zh=f"一次上传 {len(files)} 个文件，最多 {most} 个",
        )
    allowed = _allowed(state)
    for f in files:
        suffix = Path(f.filename or "").suffix.lower()
        if suffix not in allowed:
            shown = suffix or "(none)"
            raise ApiError(
                415,
                f"file type {shown!r} is not allowed",
                "unsupported_type",
                zh=f"不允许的文件类型 {shown!r}",
            )


def _save(state: Any, job_id: str, files: list[UploadFile]) -> list[tuple[str, str, int]]:
    folder = state.jobs.staging_dir(job_id)
    saved = []
    for n, f in enumerate(files):
        name = safe_name(f.filename or "upload")
        path = folder / f"{n:05d}_{name}"
        with path.open("wb") as out:
            shutil.copyfileobj(f.file, out, 1 << 20)
        saved.append((name, str(path), path.stat().st_size))
    return saved


@router.post("/uploads", status_code=202, summary="Upload files into a knowledge base (editor)")
def upload(
    request: Request,
    who: Editor,
    files: Annotated[list[UploadFile], File(description="The files to ingest.")],
    kb: Annotated[str, Form(min_length=1, max_length=100)] = "default",
    acl: Annotated[list[str] | None, Form(description="Groups that may read them.")] = None,
    tags: Annotated[list[str] | None, Form()] = None,
) -> dict[str, Any]:
    state = _state(request)
    if not who.allows_kb(kb):
        raise ApiError(
            403, "this API key is limited to other knowledge bases", zh="此 API 密钥仅限其他知识库"
        )
    _check(state, files)
    state.brain.create_kb(kb)  # checks the name before any file is stored
    job_id = state.jobs.new_id()
    saved = _save(state, job_id, files)
    groups, labels = _clean(acl), _clean(tags)
    state.jobs.submit(job_id, kb, who.name, saved, groups, labels)
    detail = {
        "job": job_id,
        "files": len(saved),
        "bytes": sum(s for _, _, s in saved),
        "acl": groups,
    }
    state.audit("upload", who.name, target=f"kb:{kb}", detail=detail)
    return {"job_id": job_id, "files": len(saved)}


def _clean(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return list(dict.fromkeys(out))


def _job(request: Request, who: Caller, job_id: str) -> dict[str, Any]:
    """The job if the caller started it; 404 otherwise (admins included: its file names may
    be the titles of documents they may not read)."""
    job: dict[str, Any] | None = _state(request).queries.job(job_id)
    if job is None or job["user_name"] != who.name:
        raise NotFoundError(f"no job {job_id!r}")
    for f in job["files"]:
        f.pop("stored", None)  # where it waits on the server is nobody's business
    return job


def _readable_ids(request: Request, who: Caller, job: dict[str, Any]) -> dict[str, Any]:
    """The job with the ids of documents the caller may not read blanked: a file identical
    to a hidden document is reported `duplicate` without naming that document."""
    brain = _state(request).brain
    for f in job["files"]:
        if f.get("document_id") is not None:
            try:
                doc = brain.document(int(f["document_id"]), principal=who.principal)
                visible = who.allows_kb(str(doc["kb"]))
            except EbrainError:
                visible = False
            if not visible:
                f["document_id"] = None
    return job


@router.get("/jobs", summary="Your ingest jobs")
def list_jobs(request: Request, who: Viewer) -> dict[str, Any]:
    return {"jobs": _state(request).queries.jobs(who.name)}


@router.get(
    "/jobs/{job_id}",
    summary="An ingest job with each file's state and reason",
    responses={200: {"model": JobOut}},
)
def show_job(request: Request, who: Viewer, job_id: JobId) -> dict[str, Any]:
    return _readable_ids(request, who, _job(request, who, job_id))


@router.post("/jobs/{job_id}/cancel", summary="Cancel a job's queued files (editor)")
def cancel_job(request: Request, who: Editor, job_id: JobId) -> dict[str, Any]:
    _job(request, who, job_id)
    return {"cancelled": _state(request).jobs.cancel(job_id)}


@router.get(
    "/jobs/{job_id}/events",
    summary="Job progress as server-sent events (`progress`, then `done`)",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def job_events(request: Request, who: Viewer, job_id: JobId) -> Any:
    _job(request, who, job_id)
    return sse.stream_async(_progress(request, who, job_id))


async def _progress(request: Request, who: Caller, job_id: str) -> AsyncIterator[str]:
    last = ""
    while True:
        job = await run_in_threadpool(_job, request, who, job_id)
        view = {k: job[k] for k in ("id", "state", "counts")}
        text = json.dumps(view, sort_keys=True)
        if text != last:
            last = text
            yield sse.event("progress", view)
        if job["state"] not in ("queued", "running"):
            yield sse.event("done", await run_in_threadpool(_readable_ids, request, who, job))
            return
        if await request.is_disconnected():
            return
        await asyncio.sleep(POLL_S)
