"""The one JSON error shape of the API: `{"error": {"code", "message"}}` for every 4xx and 5xx.

No handler ever puts a stack trace, an exception's repr or a file path into a response: an
unexpected exception is logged and answered with a generic `internal_error`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ebrain.errors import EbrainError
from ebrain.i18n import say
from ebrain.i18n_errors import localized, say_error

log = logging.getLogger("ebrain.server")

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    500: "internal_error",
    502: "backend_error",
    503: "unavailable",
}


ZH_STATUS = {
    404: "未找到",
    405: "不允许的请求方法",
    413: "请求体过大",
}


class ErrorDetail(BaseModel):
    """What went wrong: a stable code, a message for people, and maybe a hint."""

    code: str
    message: str
    hint: str | None = None


class ErrorBody(BaseModel):
    """The one error shape of every 4xx and 5xx response."""

    error: ErrorDetail


class ApiError(Exception):
    """An HTTP error raised by a route: status, stable code, message, extra headers."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str = "",
        headers: dict[str, str] | None = None,
        zh: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or HTTP_CODES.get(status, "error")
        self.message = message
        self.zh = zh  # the message in Simplified Chinese (Accept-Language: zh)
        self.headers = headers or {}


def error_response(
    status: int,
    code: str,
    message: str,
    hint: str = "",
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A JSON response in the one error shape."""
    body: dict[str, Any] = {"code": code, "message": message}
    if hint:
        body["hint"] = hint
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def status_of(exc: EbrainError) -> int:
    """The HTTP status of an ebrain error (400 for the kinds that name none)."""
    status = int(getattr(exc, "status", 400))
    return status if 400 <= status <= 599 else 400


async def _ebrain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EbrainError)
    _count(request, exc.code)
    message, hint = localized(exc, lang(request))  # Accept-Language: zh -> Chinese
    return error_response(status_of(exc), exc.code, message, hint)


def lang(request: Request) -> str:
    """'zh' when the caller prefers Chinese (Accept-Language), else 'en'."""
    return "zh" if request.headers.get("accept-language", "").lower().startswith("zh") else "en"


async def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    _count(request, exc.code)
    zh = exc.zh or say_error(exc.message, "zh")  # e.g. an ebrain error's message re-raised
    message = say(exc.message, zh, lang(request))
    return error_response(exc.status, exc.code, message, headers=exc.headers)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    message = say(message, ZH_STATUS.get(exc.status_code, message), lang(request))
    _count(request, code)
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    _count(request, "invalid_input")
    prefix = say("invalid request: ", "请求无效：", lang(request))
    return error_response(422, "invalid_input", prefix + _describe(exc.errors()))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    _count(request, "internal_error")
    message = say(
        "internal error; the server log has details", "内部错误；详情见服务器日志", lang(request)
    )
    return error_response(500, "internal_error", message)


def _describe(errors: Any) -> str:
    """The first few validation problems as `where: what`, without echoing the input."""
    parts = []
    for err in list(errors)[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def _count(request: Request, code: str) -> None:
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.errors.labels(code).inc()


def install(app: FastAPI) -> None:
    """Route every error through the one shape."""
    app.add_exception_handler(EbrainError, _ebrain)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorBody, "description": HTTP_CODES[s].replace("_", " ")}
    for s in (400, 401, 403, 404, 409, 413, 415, 422, 429, 502)
}
