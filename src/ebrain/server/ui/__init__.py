"""The web UI: server-rendered pages (Jinja2, autoescaped) over the same Brain and the same
callers as the API. No CDN, no web fonts, no front-end build: the few scripts ship in static/.

A page depends on `Page` (the logged-in caller, or a redirect to the login page). Templates
extend base.html and write every visible text as `t("English", "中文")`.
"""

from __future__ import annotations

import hmac
import importlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ebrain.server.errors import ApiError
from ebrain.server.security import CSRF_COOKIE, SESSION_COOKIE, Caller, _rate_limit

router = APIRouter(prefix="/ui", include_in_schema=False)
# The modules whose routes live on `router` (each adds its own pages).
PAGE_MODULES = ("pages", "kb", "admin")
LOCALES = ("en", "zh")
LANG_COOKIE = "ebrain_lang"
HTML_LANG = {"en": "en", "zh": "zh-CN"}
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".txt": "text/plain"}
_STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class NavItem:
    """A link in the top navigation: path, English and Chinese label, least role."""

    path: str
    en: str
    zh: str
    role: str = "viewer"


NAV: list[NavItem] = [
    NavItem("/ui/chat", "Chat", "对话"),
    NavItem("/ui/search", "Search", "搜索"),
]


def add_nav(item: NavItem) -> None:
    """Add a link to the navigation (once per path)."""
    if all(n.path != item.path for n in NAV):
        NAV.append(item)


class LoginRequired(Exception):
    """No (live) session: the page answers with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


# --- who is asking ----------------------------------------------------------------------
def _state(request: Request) -> Any:
    return request.app.state.server


def session_caller(request: Request) -> Caller | None:
    """The caller of the session cookie, resolved like the API does (same user, same groups,
    same Principal, same rate limit), or None without a live session."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    user = _state(request).brain.identity.session_user(token)
    if user is None or getattr(user, "disabled", False):
        return None
    who = Caller(user, None, "session")
    _rate_limit(request, who)
    request.state.caller = who
    return who


def _here(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


async def page_caller(request: Request) -> Caller:
    """A page's dependency: the logged-in caller; without one, a redirect to the login page.
    A state-changing request must carry the CSRF token (form field or header)."""
    who = session_caller(request)
    if who is None:
        raise LoginRequired(_here(request) if request.method == "GET" else "/ui/chat")
    if request.method not in ("GET", "HEAD"):
        await check_form_csrf(request)
    return who


Page = Annotated[Caller, Depends(page_caller)]


async def check_form_csrf(request: Request) -> None:
    """Double submit for pages: the `csrf_token` form field (or X-CSRF-Token header) must
    equal the CSRF cookie set at login."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get("x-csrf-token", "")
    if not sent and "form" in request.headers.get("content-type", ""):
        sent = str((await request.form()).get("csrf_token") or "")
    if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise ApiError(403, "missing or wrong CSRF token", "csrf", zh="CSRF 令牌缺失或错误")


def safe_next(raw: str | None) -> str:
    """A local path to go to after login (never another site)."""
    value = raw or ""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/ui/chat"
    return value[:2000]


# --- language -----------------------------------------------------------------------------
def _accept_language(header: str) -> str:
    """'zh' or 'en' from an Accept-Language header (by its q-weights; default en)."""
    best, best_q = "en", -1.0
    for part in header.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        lang = tag.strip().lower()[:2]
        if lang in LOCALES and q > best_q:
            best, best_q = lang, q
    return best


def locale_of(request: Request, who: Caller | None = None) -> str:
    """The page language: the user's remembered choice, else the cookie, else the browser's."""
    if who is not None:
        saved = prefs(request).locale(who.name)
        if saved in LOCALES:
            return str(saved)
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in LOCALES:
        return cookie
    return _accept_language(request.headers.get("accept-language", ""))


def prefs(request: Request) -> Any:
    """The per-user UI preferences in the catalog."""
    from ebrain.catalog.ui_queries import UiPrefs

    return UiPrefs(_state(request).brain.engine)


# --- rendering ----------------------------------------------------------------------------
@cache
def environment() -> jinja2.Environment:
    """The templates of the package, autoescaped (HTML and XML alike)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ebrain.server.ui", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["static"] = lambda name: f"/ui/static/{name}?v={static_version()}"
    env.filters["urlq"] = lambda value: quote(str(value), safe="")
    return env


def render(
    request: Request,
    template: str,
    who: Caller | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page: the template with the language helper, the user, the nav and the CSRF token."""
    lang = context.pop("lang", None) or locale_of(request, who)

    def t(en: str, zh: str) -> str:
        return zh if lang == "zh" else en

    base = {
        "t": t,
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "who": who,
        "nav": [n for n in NAV if who is not None and who.has_role(n.role)],
        "path": request.url.path,
        "here": _here(request),
        "csrf": request.cookies.get(CSRF_COOKIE, ""),
    }
    html = environment().get_template(template).render(**base, **context)
    return HTMLResponse(html, status_code=status)


# --- static files -------------------------------------------------------------------------
@cache
def static_file(name: str) -> bytes | None:
    """A packaged static file's bytes (None when there is none by that name)."""
    if not _STATIC_NAME.match(name) or ".." in name:
        return None
    found = resources.files("ebrain.server.ui") / "static" / name
    return found.read_bytes() if found.is_file() else None


@cache
def static_version() -> str:
    """A short hash of the static files (cache busting after an upgrade)."""
    import hashlib

    digest = hashlib.sha256()
    for name in sorted(p.name for p in (resources.files("ebrain.server.ui") / "static").iterdir()):
        digest.update(static_file(name) or b"")
    return digest.hexdigest()[:10]


@router.get("/static/{name}")
def static(name: str) -> Response:
    data = static_file(name)
    kind = STATIC_TYPES.get("." + name.rsplit(".", 1)[-1]) if data is not None else None
    if data is None or kind is None:
        return Response("not found", status_code=404, media_type="text/plain")
    headers = {"Cache-Control": "public, max-age=86400"}
    return Response(data, media_type=f"{kind}; charset=utf-8", headers=headers)


# --- mounting -----------------------------------------------------------------------------
def install(app: FastAPI) -> None:
    """Add the pages to the app: the routes, `/` -> the chat page, login redirects."""
    for name in PAGE_MODULES:
        importlib.import_module(f"ebrain.server.ui.{name}")
    app.include_router(router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/chat", status_code=303)

    _html_errors(app)

    @app.exception_handler(LoginRequired)
    async def to_login(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/ui/login?next={quote(exc.next_url, safe='')}", 303)


def _html_errors(app: FastAPI) -> None:
    """Errors of the pages as a page (status, message and headers of the API's JSON error)."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from ebrain.errors import EbrainError

    for kind in (ApiError, EbrainError, StarletteHTTPException, RequestValidationError):
        original = app.exception_handlers.get(kind)
        if original is not None:
            app.add_exception_handler(kind, _as_page(original))


def _as_page(original: Any) -> Any:
    async def handler(request: Request, exc: Exception) -> Response:
        response: Response = await original(request, exc)
        path = request.url.path
        if not path.startswith("/ui/") or path.startswith("/ui/static/") or path.endswith(".png"):
            return response
        return error_page(request, response, exc)

    return handler


def error_page(request: Request, response: Response, exc: Exception) -> Response:
    """The API's JSON error rendered as the error page (same status and headers)."""
    import json

    lang = locale_of(request)
    try:
        message = str(json.loads(bytes(response.body))["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = ""
    zh = getattr(exc, "zh", "")
    if lang == "zh" and zh:
        message = str(zh)
    title = "出错了" if lang == "zh" else "Something went wrong"
    page = render(request, "error.html", None, response.status_code, title=title, message=message)
    for name in ("retry-after", "www-authenticate"):
        if name in response.headers:
            page.headers[name] = response.headers[name]
    return page
