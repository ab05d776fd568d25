"""Who is calling: an API key (`Authorization: Bearer`) or a web session cookie (with a CSRF
token on state-changing requests). Every content route depends on `caller`; anonymous -> 401.

Roles: viewer reads and asks; editor also uploads, deletes and re-ingests; admin also manages
users and keys and reads the audit log. Reads are filtered by the user's groups (the Principal),
whatever the role; a key limited to knowledge bases sees only those.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from ebrain.auth import Principal
from ebrain.server.errors import ApiError
from ebrain.server.limits import retry_after

SESSION_COOKIE = "ebrain_session"
CSRF_COOKIE = "ebrain_csrf"
CSRF_HEADER = "x-csrf-token"
ROLES = {"viewer": 0, "editor": 1, "admin": 2}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
KEY_AUDIT_EVERY_S = 60.0

bearer = HTTPBearer(auto_error=False, description="An API key from `ebrain key create`.")
session_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False)


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: the user, the API key used (if any) and how it came in."""

    user: Any  # ebrain.identity.User
    key: Any = None  # ebrain.identity.ApiKey when authenticated by key
    via: str = "key"

    @property
    def name(self) -> str:
        """The user's name."""
        return str(self.user.name)

    @property
    def principal(self) -> Principal:
        """Who reads: the user's groups filter every search, answer and document view."""
        made: Principal = self.user.principal()
        return made

    @property
    def kbs(self) -> tuple[str, ...]:
        """The knowledge bases this call is limited to (empty = all)."""
        return tuple(self.key.kbs) if self.key is not None and self.key.kbs else ()

    def allows_kb(self, kb: str) -> bool:
        """True when the key (if limited) covers knowledge base `kb`."""
        return not self.kbs or kb in self.kbs

    def scoped_kbs(self, asked: str | list[str] | None) -> str | list[str] | None:
        """The knowledge bases to search: those asked for (403 when outside the key's), or the
        key's own when none were asked for."""
        names = [asked] if isinstance(asked, str) else list(asked or [])
        outside = [n for n in names if not self.allows_kb(n)]
        if outside:
            raise ApiError(
                403,
                "this API key is limited to other knowledge bases",
                zh="此 API 密钥仅限其他知识库",
            )
        if names:
            return asked
        return list(self.kbs) or None

    def has_role(self, role: str) -> bool:
        """True when the user's role is `role` or above."""
        return ROLES.get(str(self.user.role), -1) >= ROLES[role]


class _KeyUse:
    """Audits each key's use at most once a minute (not one audit write per request)."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def due(self, key_id: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(key_id, -1e9) < KEY_AUDIT_EVERY_S:
                return False
            self._last[key_id] = now
            return True


KEY_USE = _KeyUse()


def _unauthenticated() -> ApiError:
    return ApiError(
        401,
        "authentication required: send `Authorization: Bearer <api key>` or log in",
        headers={"WWW-Authenticate": "Bearer"},
        zh="需要身份验证：发送 `Authorization: Bearer <API 密钥>` 或先登录",
    )


def _from_key(request: Request, raw: str) -> Caller:
    state = request.app.state.server
    found = state.brain.identity.authenticate_key(raw)
    if found is None:
        state.audit("login_failed", None, detail={"via": "key"})
        raise _unauthenticated()
    user, key = found
    if getattr(user, "disabled", False):
        raise _unauthenticated()
    if KEY_USE.due(str(key.id)):
        state.audit("key_used", user.name, target=str(key.id))
    return Caller(user, key, "key")


def _from_session(request: Request, token: str) -> Caller:
    state = request.app.state.server
    user = state.brain.identity.session_user(token)
    if user is None or getattr(user, "disabled", False):
        raise _unauthenticated()
    if request.method not in SAFE_METHODS:
        check_csrf(request)
    return Caller(user, None, "session")


def check_csrf(request: Request) -> None:
    """Double submit: the X-CSRF-Token header must equal the CSRF cookie set at login."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), header.encode()):
        raise ApiError(
            403,
            "missing or wrong CSRF token (send the X-CSRF-Token header)",
            "csrf",
            zh="CSRF 令牌缺失或错误（请发送 X-CSRF-Token 头）",
        )


def _rate_limit(request: Request, who: Caller) -> None:
    limiter = request.app.state.server.limiter
    keys = [f"user:{who.name}"] + ([f"key:{who.key.id}"] if who.key is not None else [])
    wait = max(limiter.take(k) for k in keys)
    if wait > 0:
        raise ApiError(
            429,
            "too many requests; slow down",
            headers={"Retry-After": retry_after(wait)},
            zh="请求过多，请稍后再试",
        )


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session: Annotated[str | None, Depends(session_cookie)],
) -> Caller:
    """The authenticated caller (401 otherwise), rate-limited per key and per user. Async on
    purpose: one short indexed lookup, cheaper on the loop than a hop to the thread pool."""
    if credentials is not None and credentials.credentials:
        who = _from_key(request, credentials.credentials)
    elif session:
        who = _from_session(request, session)
    else:
        raise _unauthenticated()
    _rate_limit(request, who)
    request.state.caller = who
    return who


def _holding(who: Caller, role: str) -> Caller:
    """`who`, when it holds `role` or above (403 otherwise)."""
    if not who.has_role(role):
        raise ApiError(403, f"this needs the {role} role", zh=f"此操作需要 {role} 角色")
    return who


def require(role: str) -> Callable[..., Any]:
    """A dependency: the caller, who must hold `role` or above (403 otherwise)."""

    async def dependency(who: Annotated[Caller, Depends(caller)]) -> Caller:
        return _holding(who, role)

    dependency.__name__ = f"require_{role}"
    return dependency


async def metrics_reader(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session: Annotated[str | None, Depends(session_cookie)],
) -> None:
    """/metrics: the scraper's bearer token (`server.metrics_token`), or an admin."""
    token = str(request.app.state.server.brain.config.get("server.metrics_token") or "")
    given = credentials.credentials if credentials is not None else ""
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return
    _holding(await caller(request, credentials, session), "admin")


Viewer = Annotated[Caller, Depends(caller)]
Editor = Annotated[Caller, Depends(require("editor"))]
Admin = Annotated[Caller, Depends(require("admin"))]
