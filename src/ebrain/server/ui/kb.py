"""Knowledge-base pages: the documents a user may read (type, date, status, chunks, groups) with
counts over the same scope; for editors, drag-and-drop upload with per-file progress (the
upload API and its job SSE, driven by static/kb.js), type and group changes, delete, re-ingest.

Every list and count runs as the caller's Principal inside the catalog query (and within the
caller's key's knowledge bases), exactly like the API: a document the caller may not read is
neither listed nor counted, and acting on it answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from ebrain.errors import EbrainError, NotFoundError
from ebrain.ingest.classify import DOC_TYPES
from ebrain.server import content
from ebrain.server.security import Caller
from ebrain.server.ui import NavItem, Page, add_nav, locale_of, render, router
from ebrain.server.uploads import _allowed, _job, _readable_ids

add_nav(NavItem("/ui/kb", "Knowledge bases", "知识库"))

PAGE_SIZE = 50
DocId = Annotated[int, PathParam(ge=1, le=2**62)]
Short = Annotated[str | None, Query(max_length=100)]

# Why an uploaded file failed (the ingest report's reasons) and what to do: English, Chinese.
REASONS: dict[str, tuple[str, str, str, str]] = {
    "corrupt": (
        "The file is damaged or not what its name says.",
        "文件已损坏，或内容与扩展名不符。",
        "Open it in its program, save it again, and upload the new copy.",
        "用对应程序打开后重新保存，再上传新文件。",
    ),
    "encrypted": (
        "The file is password-protected.",
        "文件有密码保护。",
        "Remove the password (save an unprotected copy) and upload again.",
        "去掉密码（另存为无保护的副本）后重新上传。",
    ),
    "empty": (
        "The file has no text.",
        "文件中没有文字。",
        "Check that it is the right file; a scan needs OCR to be turned on.",
        "确认文件是否正确；扫描件需要开启 OCR。",
    ),
    "too_large": (
        "The file is larger than the configured limit.",
        "文件超过了配置的大小上限。",
        "Split it, or raise ingest.max_file_mb in config.yaml.",
        "拆分文件，或在 config.yaml 中调大 ingest.max_file_mb。",
    ),
    "unsupported": (
        "This file type cannot be read.",
        "无法读取此文件类型。",
        "Convert it to PDF, Word, Excel, PowerPoint, HTML, Markdown or text.",
        "转换为 PDF、Word、Excel、PowerPoint、HTML、Markdown 或纯文本。",
    ),
    "undecodable": (
        "The text encoding could not be recognised.",
        "无法识别文本编码。",
        "Save it as UTF-8 (or GB18030) and upload again.",
        "另存为 UTF-8（或 GB18030）编码后重新上传。",
    ),
    "needs_ocr": (
        "The file is a scan without a text layer.",
        "文件是没有文字层的扫描件。",
        "Install the OCR extra (tesseract or rapidocr) and re-ingest.",
        "安装 OCR 组件（tesseract 或 rapidocr）后重新导入。",
    ),
    "needs_converter": (
        "A converter this format needs is not installed.",
        "缺少此格式所需的转换程序。",
        "Install LibreOffice on the server, or save the file as a newer format.",
        "在服务器上安装 LibreOffice，或把文件另存为较新的格式。",
    ),
    "timeout": (
        "Reading the file took too long.",
        "读取文件超时。",
        "Split the file, or raise ingest.parse_timeout_s.",
        "拆分文件，或调大 ingest.parse_timeout_s。",
    ),
    "unreadable": (
        "The server could not read the file.",
        "服务器无法读取该文件。",
        "Upload it again; if it keeps failing, tell the administrator.",
        "请重新上传；若仍失败，请联系管理员。",
    ),
    "not_found": (
        "The file disappeared before it was read.",
        "文件在读取前已不存在。",
        "Upload it again.",
        "请重新上传。",
    ),
    "missing": (
        "The file disappeared before it was read.",
        "文件在读取前已不存在。",
        "Upload it again.",
        "请重新上传。",
    ),
}
UNKNOWN_REASON = (
    "The file could not be ingested.",
    "文件无法导入。",
    "See the message; upload a corrected file.",
    "请查看说明并上传修正后的文件。",
)


# Display names of stored identifiers (document types, roles, firewall stages, job states).
LABELS: dict[str, tuple[str, str]] = {
    "meeting_minutes": ("meeting minutes", "会议纪要"),
    "report": ("report", "报告"),
    "contract": ("contract", "合同"),
    "acceptance": ("acceptance", "验收文档"),
    "transcript": ("transcript", "沟通记录"),
    "manual": ("manual", "产品手册"),
    "fault_analysis": ("fault analysis", "故障分析"),
    "other": ("other", "其他"),
    "admin": ("admin", "管理员"),
    "editor": ("editor", "编辑者"),
    "viewer": ("viewer", "查看者"),
    "input": ("input", "输入"),
    "context": ("context", "上下文"),
    "output": ("output", "输出"),
    "queued": ("queued", "排队中"),
    "running": ("running", "进行中"),
    "done": ("done", "完成"),
    "failed": ("failed", "失败"),
    "cancelled": ("cancelled", "已取消"),
}


def labeller(lang: str) -> Any:
    """`label(value)`: the display name of a stored identifier in the page language."""

    def label(value: Any) -> str:
        en, zh = LABELS.get(str(value), (str(value), str(value)))
        return zh if lang == "zh" else en

    return label


def reason_text(reason: str | None, lang: str) -> tuple[str, str]:
    """(why, what to do) for an ingest failure reason, in the page language."""
    en, zh, hint_en, hint_zh = REASONS.get(reason or "", UNKNOWN_REASON)
    return (zh, hint_zh) if lang == "zh" else (en, hint_en)


def reasons_table(lang: str) -> dict[str, list[str]]:
    """Every reason's (why, hint) in the page language, for the upload script."""
    table = {k: list(reason_text(k, lang)) for k in REASONS}
    table[""] = list(reason_text(None, lang))
    return table


def _brain(request: Request) -> Any:
    return request.app.state.server.brain


def _key_kbs(who: Caller) -> list[str] | None:
    return list(who.kbs) if who.kbs else None


def _scope_args(who: Caller) -> dict[str, Any]:
    return {"principal": who.principal, "kbs": _key_kbs(who)}


def _stats(request: Request, who: Caller) -> dict[str, Any]:
    """Documents, bytes and chunks the caller may read; per kb and per type."""
    stats: dict[str, Any] = _brain(request).reader_stats(**_scope_args(who))
    return stats


def _documents(
    request: Request, who: Caller, kb: str | None, doc_type: str | None, page: int
) -> tuple[int, list[dict[str, Any]]]:
    brain = _brain(request)
    counts = brain.document_counts(kb, doc_type, **_scope_args(who))
    total = sum(int(r["documents"]) for r in counts)
    offset = (page - 1) * PAGE_SIZE
    docs = brain.documents(kb, doc_type, PAGE_SIZE, offset, **_scope_args(who)) if total else []
    return total, docs


def _kb_names(request: Request, who: Caller) -> list[str]:
    return [k.name for k in _brain(request).kbs() if who.allows_kb(k.name)]


def _list_context(
    request: Request, who: Caller, kb: str | None, doc_type: str | None, page: int
) -> dict[str, Any]:
    kb = kb or None
    doc_type = doc_type if doc_type in DOC_TYPES else None
    total, docs = _documents(request, who, kb, doc_type, page)
    pages = max(1, -(-total // PAGE_SIZE))
    return {
        "docs": docs,
        "total": total,
        "page": min(page, pages),
        "pages": pages,
        "kb": kb or "",
        "doc_type": doc_type or "",
        "kbs": _kb_names(request, who),
        "doc_types": DOC_TYPES,
        "stats": _stats(request, who),
        "editor": who.has_role("editor"),
        "query": lambda **kw: _query(kb, doc_type, **{"page": page, **kw}),
    }


def _query(kb: str | None, doc_type: str | None, page: int, **changes: Any) -> str:
    params: dict[str, Any] = {"kb": kb or "", "doc_type": doc_type or "", "page": page}
    params.update(changes)
    return urlencode({k: v for k, v in params.items() if v not in ("", None, 1)})


@router.get("/kb")
def kb_page(
    request: Request,
    who: Page,
    kb: Short = None,
    doc_type: Annotated[str | None, Query(max_length=50)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    context = _list_context(request, who, kb, doc_type, page)
    jobs = request.app.state.server.queries.jobs(who.name, limit=5)
    return render(
        request,
        "kb/list.html",
        who,
        **context,
        jobs=jobs,
        done=done or "",
        reasons=reasons_table(_lang(request, who)),
        label=labeller(_lang(request, who)),
        allowed=sorted(_allowed(request.app.state.server)),
    )


def _lang(request: Request, who: Caller) -> str:
    return locale_of(request, who)


@router.get("/kb/jobs/{job_id}")
def job_page(
    request: Request, who: Page, job_id: Annotated[str, PathParam(min_length=1, max_length=64)]
) -> Response:
    """One upload or re-ingest job: each file's state, and each failed file's reason and hint
    (only the caller's own jobs; the API's checks)."""

    try:
        job = _readable_ids(request, who, _job(request, who, job_id))
    except NotFoundError:
        return _not_found(request, who)
    lang = _lang(request, who)
    for f in job["files"]:
        f["why"], f["hint"] = (
            reason_text(f.get("reason"), lang) if f["state"] == "failed" else ("", "")
        )
    return render(
        request, "kb/job.html", who, job=job, reasons=reasons_table(lang), label=labeller(lang)
    )


# --- editing (editors) ------------------------------------------------------------------
def _forbidden(request: Request, who: Caller) -> Response:
    lang = _lang(request, who)
    return render(
        request,
        "error.html",
        who,
        status=403,
        title="禁止访问" if lang == "zh" else "Forbidden",
        message="此操作需要编辑者角色。" if lang == "zh" else "This needs the editor role.",
    )


def _not_found(request: Request, who: Caller) -> Response:
    lang = _lang(request, who)
    return render(
        request,
        "error.html",
        who,
        status=404,
        title="未找到" if lang == "zh" else "Not found",
        message="没有这个文档或任务，或您无权查看。"
        if lang == "zh"
        else "There is no such document or job, or you may not see it.",
    )


def _failed(request: Request, who: Caller, exc: EbrainError) -> Response:
    if isinstance(exc, NotFoundError):
        return _not_found(request, who)
    lang = _lang(request, who)
    title = "无法完成" if lang == "zh" else "Could not do that"
    message = exc.message + (f" ({exc.hint})" if exc.hint else "")
    return render(request, "error.html", who, status=exc.status, title=title, message=message)


def _back(back: str, done: str) -> RedirectResponse:
    """To the list page the form came from (its filters and page kept), saying what was done."""
    parts = urlsplit(back)
    path = parts.path if parts.path == "/ui/kb" and not parts.netloc else "/ui/kb"
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k in ("kb", "doc_type", "page")]
    query = urlencode([*kept, ("done", done)])
    return RedirectResponse(f"{path}?{query}", status_code=303)


@router.post("/kb/documents/{document_id}")
def edit_document(
    request: Request,
    who: Page,
    document_id: DocId,
    doc_type: Annotated[str, Form(max_length=50)],
    groups: Annotated[str, Form(max_length=6000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/ui/kb",
) -> Response:
    """Change a document's type and ACL groups (comma-separated; empty = everyone)."""
    if not who.has_role("editor"):
        return _forbidden(request, who)
    state = request.app.state.server
    target = f"document:{document_id}"
    try:
        doc = content.visible_document(request, who, document_id)
        if doc_type != doc["doc_type"]:
            state.brain.set_type(document_id, doc_type)
            detail = {"before": doc["doc_type"], "after": doc_type}
            state.audit("document_type_changed", who.name, target=target, detail=detail)
        wanted = [g.strip() for g in groups.replace("，", ",").split(",") if g.strip()]
        if sorted(set(wanted)) != sorted(doc["acl"]):
            after = state.brain.set_groups(document_id, wanted)
            detail = {"before": doc["acl"], "after": after}
            state.audit("document_groups_changed", who.name, target=target, detail=detail)
    except EbrainError as exc:
        return _failed(request, who, exc)
    return _back(back, "saved")


@router.post("/kb/documents/{document_id}/delete")
def delete_document(
    request: Request,
    who: Page,
    document_id: DocId,
    back: Annotated[str, Form(max_length=2000)] = "/ui/kb",
) -> Response:
    """Delete a document (the API's route: same checks, same audit entry)."""
    if not who.has_role("editor"):
        return _forbidden(request, who)
    try:
        content.delete_document(request, who, document_id)
    except EbrainError as exc:
        return _failed(request, who, exc)
    return _back(back, "deleted")


@router.post("/kb/documents/{document_id}/reingest")
def reingest_document(request: Request, who: Page, document_id: DocId) -> Response:
    """Re-ingest a document from its file (the API's route); then its job's page."""
    if not who.has_role("editor"):
        return _forbidden(request, who)
    try:
        job = content.reingest_document(request, who, document_id)
    except EbrainError as exc:
        return _failed(request, who, exc)
    return RedirectResponse(f"/ui/kb/jobs/{job['job_id']}", status_code=303)
