"""Login, logout, first start, language; chat, search and the citation viewer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import Path as PathParam
from fastapi import Query, Request
from fastapi.responses import RedirectResponse, Response

from ebrain.catalog.ui_queries import first_questions
from ebrain.errors import EbrainError, NotFoundError
from ebrain.server.auth_routes import start_session, throttle
from ebrain.server.content import DocId, visible_document
from ebrain.server.errors import ApiError
from ebrain.server.security import CSRF_COOKIE, SESSION_COOKIE
from ebrain.server.ui import (
    LANG_COOKIE,
    LOCALES,
    Page,
    check_form_csrf,
    locale_of,
    prefs,
    render,
    router,
    safe_next,
    session_caller,
)
from ebrain.server.ui.pdfview import find_page, page_count, render_page

FORM_MAX = 2000  # characters kept of any one login form field


def _state(request: Request) -> Any:
    return request.app.state.server


async def _form(request: Request) -> dict[str, str]:
    """The posted form's text fields (bounded)."""
    form = await request.form()
    return {k: str(v)[:FORM_MAX] for k, v in form.items() if isinstance(v, str)}


def _logged_in(request: Request, user: Any, next_url: str) -> Response:
    """A redirect to `next_url` that carries the new session's cookies (set like the API's)."""
    made = start_session(request, user, {})
    response = RedirectResponse(safe_next(next_url), status_code=303)
    response.raw_headers.extend(h for h in made.raw_headers if h[0] == b"set-cookie")
    return response


def _first_run_open(request: Request) -> bool:
    """True while no admin exists (the one-time token can still be claimed)."""
    from ebrain.catalog import identity_queries as q

    with _state(request).brain.engine.connect() as conn:
        return not q.admin_exists(conn)


# --- login, logout, first start, language ---------------------------------------------------
@router.get("/login")
def login_page(request: Request, next: str = Query("/ui/chat", max_length=2000)) -> Response:
    if session_caller(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, safe_next(next))


def _login_form(
    request: Request, next_url: str, username: str = "", error: str = "", status: int = 200
) -> Response:
    first_run = _first_run_open(request)
    return render(
        request,
        "login.html",
        status=status,
        next=next_url,
        username=username,
        error=error,
        first_run=first_run,
    )


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    name, password = form.get("username", "")[:100], form.get("password", "")
    next_url = safe_next(form.get("next"))
    lang = locale_of(request)
    state = _state(request)
    try:
        throttle(request, name)
    except ApiError as exc:
        return _login_form(request, next_url, name, exc.zh if lang == "zh" else exc.message, 429)
    user = state.brain.identity.check_password(name, password) if name and password else None
    if user is None:
        state.audit("login_failed", None, target=name, detail={"via": "web"})
        error = "用户名或密码错误" if lang == "zh" else "Wrong user name or password."
        return _login_form(request, next_url, name, error, 401)
    state.audit("login", user.name, detail={"via": "web"})
    return _logged_in(request, user, next_url)


@router.post("/logout")
async def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await check_form_csrf(request)
        _state(request).brain.identity.end_session(token)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/lang")
async def set_language(request: Request) -> Response:
    """Switch the page language: remembered for the user (when logged in) and in a cookie."""
    who = session_caller(request)
    if who is not None:
        await check_form_csrf(request)
    form = await _form(request)
    locale = form.get("locale", "")
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    if locale in LOCALES:
        if who is not None:
            prefs(request).set_locale(who.name, locale)
        secure = request.url.scheme == "https"
        year = 365 * 24 * 3600
        response.set_cookie(LANG_COOKIE, locale, year, samesite="lax", secure=secure, path="/")
    return response


@router.get("/first-run")
def first_run_page(request: Request) -> Response:
    if not _first_run_open(request):
        return RedirectResponse("/ui/login", status_code=303)
    return render(request, "first_run.html", name="", error="")


@router.post("/first-run")
async def first_run(request: Request) -> Response:
    form = await _form(request)
    name = form.get("name", "")[:100]
    lang = locale_of(request)
    state = _state(request)
    try:
        throttle(request, "first-admin")
        user = state.brain.identity.claim_first_admin(
            form.get("token", "")[:200], name, form.get("password", "")
        )
    except ApiError as exc:
        return render(request, "first_run.html", status=429, name=name, error=_msg(exc, lang))
    except EbrainError as exc:
        state.audit("login_failed", None, target=name, detail={"via": "first_admin"})
        return render(request, "first_run.html", status=403, name=name, error=_msg(exc, lang))
    state.audit("login", user.name, detail={"via": "first_admin"})
    return _logged_in(request, user, "/ui/chat")


def _msg(exc: Any, lang: str) -> str:
    """An error's message in the page language (when it has a Chinese one)."""
    zh = getattr(exc, "zh", "")
    return str(zh) if lang == "zh" and zh else str(exc.message)


# --- chat --------------------------------------------------------------------------------------
@router.get("/chat")
def chat_page(request: Request, who: Page, c: str | None = Query(None, max_length=64)) -> Response:
    """Chat: the assistant picker, the history sidebar and (with `c`) a conversation so far."""
    state = _state(request)
    conversations = state.queries.conversations(who.name)
    labels = first_questions(state.brain.engine, [str(c["id"]) for c in conversations])
    for conv in conversations:
        conv["label"] = conv["title"] or labels.get(str(conv["id"])) or conv["created_at"]
    messages: list[dict[str, Any]] = []
    current = None
    if c and state.queries.conversation_owner(c) == who.name:
        messages = _earlier(request, who, c)
        current = c
    assistants = state.brain.assistants()
    chosen = (state.queries.conversation_assistant(current) if current else None) or "default"
    return render(
        request,
        "chat.html",
        who,
        conversations=conversations,
        current=current,
        messages=messages,
        assistants=sorted(assistants.values(), key=lambda a: (a.name != "default", a.name)),
        chosen=chosen,
        cite_href=cite_href,
    )


CITE = re.compile(r"\[(\d{1,3}(?:\s*[,，]\s*\d{1,3})*)\]")


def _earlier(request: Request, who: Any, conversation_id: str) -> list[dict[str, Any]]:
    """A conversation's messages with their citations as links and their notices; a citation
    of a document the caller may no longer read is shown as plain text."""
    from ebrain.catalog.ui_queries import stored_answers

    readable: dict[int, bool] = {}

    def visible(doc_id: int) -> bool:
        if doc_id not in readable:
            readable[doc_id] = _readable(request, who, doc_id, text=False) is not None
        return readable[doc_id]

    out = []
    for row in stored_answers(_state(request).brain.engine, conversation_id):
        answer = row["answer"]
        cites = [c for c in answer.get("citations") or [] if visible(int(c["document_id"]))]
        flagged = answer.get("flagged_sources") or []
        row |= {"parts": _cited_parts(str(row["content"]), cites), "citations": cites}
        row |= {"refused": bool(answer.get("refused")), "flagged": flagged}
        out.append(row)
    return out


def cite_href(c: dict[str, Any]) -> str:
    """The viewer link of a citation (as chat.js builds it)."""
    page = f"&page={int(c['page'])}" if c.get("page") else ""
    return (
        f"/ui/doc/{int(c['document_id'])}?start={int(c['char_start'])}"
        f"&end={int(c['char_end'])}&n={int(c['n'])}{page}#passage"
    )


def _cited_parts(text: str, citations: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The text cut into (piece, link) pairs: each [n] of a known citation links to it."""
    by_n = {int(c["n"]): c for c in citations}
    parts: list[tuple[str, str | None]] = []
    last = 0
    for match in CITE.finditer(text):
        parts.append((text[last : match.start()], None))
        for n in re.split(r"\s*[,，]\s*", match.group(1)):
            cited = by_n.get(int(n))
            parts.append((f"[{n}]", cite_href(cited) if cited else None))
        last = match.end()
    parts.append((text[last:], None))
    return [p for p in parts if p[0]]


# --- search ------------------------------------------------------------------------------------
SEARCH_K = 20


def _segments(text: str, spans: list[Any]) -> list[tuple[str, bool]]:
    """A snippet cut into (text, highlighted) pieces for the template to escape and mark."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for a, b in sorted((int(s[0]), int(s[1])) for s in spans):
        if a < pos or b <= a or b > len(text):
            continue
        out += [(text[pos:a], False), (text[a:b], True)]
        pos = b
    out.append((text[pos:], False))
    return [s for s in out if s[0]]


def _filter_choices(request: Request, who: Any) -> dict[str, list[str]]:
    """The knowledge bases and document types the caller may read (for the filter menus)."""
    rows = _state(request).brain.document_counts(principal=who.principal, kbs=list(who.kbs) or None)
    kbs = [k.name for k in _state(request).brain.kbs() if who.allows_kb(k.name)]
    return {"kbs": kbs, "types": sorted({str(r["doc_type"]) for r in rows})}


@router.get("/search")
def search_page(
    request: Request,
    who: Page,
    q: str = Query("", max_length=1000),
    kb: str = Query("", max_length=100),
    doc_type: str = Query("", alias="type", max_length=50),
    since: str = Query("", max_length=32),
    until: str = Query("", max_length=32),
    tags: str = Query("", max_length=500),
    explain: bool = Query(False),
) -> Response:
    """Search with the API's filters; snippets with highlights; scores with `explain`."""
    form = {"q": q, "kb": kb, "type": doc_type, "since": since, "until": until, "tags": tags}
    hits, error, timings = [], "", {}
    if q.strip():
        try:
            result = _search(request, who, form, explain)
            hits = [
                {**h.to_dict(), "segments": _segments(h.snippet, h.highlights)} for h in result.hits
            ]
            timings = result.timings_ms
        except (EbrainError, ApiError) as exc:
            error = _msg(exc, locale_of(request, who))
    return render(
        request,
        "search.html",
        who,
        form=form,
        explain=explain,
        hits=hits,
        error=error,
        timings=timings,
        choices=_filter_choices(request, who),
        flag_at=float(_state(request).setting("guard.context_threshold", 0.9)),
    )


def _search(request: Request, who: Any, form: dict[str, str], explain: bool) -> Any:
    """brain.search_ex as the caller (the same Principal and key scope as POST /api/search),
    measured and audited like it."""
    state = _state(request)
    tags = [t.strip() for t in form["tags"].split(",") if t.strip()][:20]
    result = state.brain.search_ex(
        form["q"],
        SEARCH_K,
        principal=who.principal,
        kb=who.scoped_kbs(form["kb"] or None),
        doc_type=form["type"] or None,
        tags=tags,
        since=form["since"] or None,
        until=form["until"] or None,
        explain=explain,
    )
    state.metrics.observe_search(result.timings_ms)
    seen = sorted({h.document_id for h in result.hits})
    detail = {"hits": len(result.hits), "via": "web"}
    state.audit_question("search", who.name, form["q"], seen, detail)
    return result


# --- the cited passage in its document ---------------------------------------------------------
WINDOW = 20_000  # characters of text shown on either side of the passage
PASSAGE_MAX = 5_000
Offset = Annotated[int, Query(ge=0, le=2**31)]


def _readable(
    request: Request, who: Any, document_id: int, text: bool = True
) -> dict[str, Any] | None:
    """The document (with its text) if the caller may read it (None: hidden or absent, alike)."""
    try:
        return visible_document(request, who, document_id, text=text)
    except NotFoundError:
        return None


def _not_found(request: Request, who: Any) -> Response:
    lang = locale_of(request, who)
    title = "未找到" if lang == "zh" else "Not found"
    message = (
        "没有这个文档，或您无权查看。"
        if lang == "zh"
        else "No such document, or you may not read it."
    )
    return render(request, "error.html", who, status=404, title=title, message=message, lang=lang)


def _pdf_path(doc: dict[str, Any]) -> Path | None:
    """The original PDF on disk (None for other formats or when it is gone)."""
    if str(doc.get("format")) != "pdf":
        return None
    for raw in doc.get("paths") or []:
        path = Path(raw)
        if path.is_file() and not path.is_symlink():
            return path
    return None


def _cited_page(pdf: Path, doc: dict[str, Any], start: int, passage: str, hint: int | None) -> int:
    """The page that shows the passage: searched on the pages of its chunk (a chunk may span
    pages), else the citation's page, else the chunk's first page, else 1."""
    span = [1, 1]
    for chunk in doc.get("chunks") or []:
        if int(chunk["char_start"]) <= start < int(chunk["char_end"]) and chunk["page_start"]:
            span = [int(chunk["page_start"]), int(chunk["page_end"] or chunk["page_start"])]
            break
    order = [hint] if hint else []
    order += [p for p in range(span[0], span[1] + 1) if p != hint]
    found = find_page(pdf, passage, order) if passage.strip() else None
    return found or hint or span[0]


@router.get("/doc/{document_id}")
def document_page(
    request: Request,
    who: Page,
    document_id: DocId,
    start: Offset = 0,
    end: Offset = 0,
    page: int | None = Query(None, ge=1, le=100_000),
    at: int | None = Query(None, ge=1, le=100_000),
    n: int | None = Query(None, ge=1, le=1000),
) -> Response:
    """A cited passage in its document: the PDF page with the passage marked, or the text
    scrolled to the passage."""
    doc = _readable(request, who, document_id)
    if doc is None:
        return _not_found(request, who)
    text = str(doc.get("text") or "")
    start = min(start, len(text))
    end = min(max(end, start), len(text), start + PASSAGE_MAX)
    context: dict[str, Any] = {"doc": doc, "n": n, "start": start, "end": end}
    context["passage"] = text[start:end]
    pdf = _pdf_path(doc)
    if pdf is not None:
        pages = int(doc.get("pages") or 0) or page_count(pdf)
        cited = min(_cited_page(pdf, doc, start, context["passage"], page), pages)
        context |= {"pdf": True, "pages": pages, "cited": cited, "at": min(at or cited, pages)}
    else:
        context |= {
            "pdf": False,
            "before": text[max(0, start - WINDOW) : start],
            "after": text[end : end + WINDOW],
            "cut_before": start > WINDOW,
            "cut_after": end + WINDOW < len(text),
        }
    return render(request, "document.html", who, **context)


@router.get("/doc/{document_id}/page/{page}.png")
def document_page_image(
    request: Request,
    who: Page,
    document_id: DocId,
    page: Annotated[int, PathParam(ge=1, le=100_000)],
    start: Offset = 0,
    end: Offset = 0,
) -> Response:
    """A PDF page as PNG with the passage (characters start..end of the text) marked."""
    doc = _readable(request, who, document_id)
    pdf = _pdf_path(doc) if doc is not None else None
    if doc is None or pdf is None:
        return Response("not found", status_code=404, media_type="text/plain")
    if page > page_count(pdf):
        return Response("no such page", status_code=404, media_type="text/plain")
    text = str(doc.get("text") or "")
    passage = text[start : min(end, start + PASSAGE_MAX)] if end > start else ""
    png = render_page(pdf, page, passage)
    headers = {"Cache-Control": "private, max-age=300"}
    return Response(png, media_type="image/png", headers=headers)
