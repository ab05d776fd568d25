"""Login, logout, who am I, and the one-time first admin. Sessions live server-side (identity);
the browser holds an HttpOnly, SameSite cookie and a CSRF cookie it must echo in a header."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ebrain.errors import EbrainError
from ebrain.server.errors import ERROR_RESPONSES, ApiError
from ebrain.server.limits import retry_after
from ebrain.server.schemas import FirstAdminBody, LoginBody
from ebrain.server.security import CSRF_COOKIE, SESSION_COOKIE, Viewer, check_csrf

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)


def _state(request: Request) -> Any:
    return request.app.state.server


def user_view(user: Any) -> dict[str, Any]:
    """A user as JSON (never a password hash)."""
    return {"name": user.name, "role": user.role, "groups": list(user.groups)}


def start_session(request: Request, user: Any, body: dict[str, Any]) -> JSONResponse:
    """A response that logs `user` in: session cookie (HttpOnly) and CSRF cookie."""
    state = _state(request)
    ttl = int(state.config.get("server.session_ttl_s"))
    token = state.brain.identity.create_session(user.name, ttl)
    csrf = secrets.token_urlsafe(32)
    secure = request.url.scheme == "https"
    response = JSONResponse({**body, "user": user_view(user), "csrf_token": csrf})
    response.set_cookie(
        SESSION_COOKIE, token, ttl, httponly=True, samesite="lax", secure=secure, path="/"
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, ttl, httponly=False, samesite="strict", secure=secure, path="/"
    )
    return response


def throttle(request: Request, *names: str) -> None:
    """429 when a login name or the client address tries too often (guessing passwords)."""
    limiter = _state(request).limiter
    client = request.client.host if request.client else "?"
    wait = max(limiter.take(f"login:{n}") for n in (*names, f"ip:{client}"))
    if wait > 0:
        raise ApiError(
            429,
            "too many login attempts; wait",
            headers={"Retry-After": retry_after(wait)},
            zh="登录尝试过多，请稍候",
        )


@router.post("/login", summary="Log in with a password; sets the session and CSRF cookies")
def login(request: Request, body: LoginBody) -> JSONResponse:
    state = _state(request)
    throttle(request, body.username)
    user = state.brain.identity.check_password(body.username, body.password)
    if user is None:
        state.audit("login_failed", None, target=body.username, detail={"via": "password"})
        raise ApiError(401, "wrong user name or password", "unauthenticated", zh="用户名或密码错误")
    state.audit("login", user.name, detail={"via": "password"})
    return start_session(request, user, {})


@router.post("/logout", summary="End the web session")
def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        check_csrf(request)
        _state(request).brain.identity.end_session(token)
    response = JSONResponse({"logged_out": True})
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", summary="Who you are")
def me(who: Viewer) -> dict[str, Any]:
    return {**user_view(who.user), "via": who.via, "kbs": list(who.kbs)}


@router.post("/first-admin", summary="Create the first admin with the one-time token")
def first_admin(request: Request, body: FirstAdminBody) -> JSONResponse:
    state = _state(request)
    throttle(request, "first-admin")
    try:
        user = state.brain.identity.claim_first_admin(body.token, body.name, body.password)
    except EbrainError as exc:
        state.audit("login_failed", None, target=body.name, detail={"via": "first_admin"})
        raise ApiError(403, exc.message, "permission_denied") from None
    return start_session(request, user, {})
