"""Login, logout, first start, language; chat, search and the citation viewer."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request
from fastapi.responses import RedirectResponse, Response

from ebrain.errors import EbrainError
from ebrain.server.auth_routes import start_session, throttle
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
def chat_page(request: Request, who: Page) -> Response:
    return render(request, "chat.html", who)
