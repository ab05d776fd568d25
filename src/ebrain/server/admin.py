"""Admin routes: users, API keys, the audit log."""

from __future__ import annotations

from itertools import islice
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam

from ebrain.errors import NotFoundError
from ebrain.server.auth_routes import user_view
from ebrain.server.errors import ERROR_RESPONSES
from ebrain.server.schemas import KeyBody, UserBody
from ebrain.server.security import Admin

Short = Annotated[str, PathParam(min_length=1, max_length=100)]

router = APIRouter(prefix="/api/admin", tags=["admin"], responses=ERROR_RESPONSES)


def _identity(request: Request) -> Any:
    return request.app.state.server.brain.identity


def key_view(key: Any) -> dict[str, Any]:
    """An API key as JSON (never its secret or hash)."""
    return {
        "id": key.id,
        "user": key.user,
        "kbs": list(key.kbs),
        "created": key.created,
        "revoked": key.revoked,
        "last_used": key.last_used,
    }


@router.get("/users", summary="Every user (admin)")
def list_users(request: Request, who: Admin) -> dict[str, Any]:
    users = _identity(request).list_users()
    return {"users": [u.to_dict() for u in users]}


@router.post("/users", status_code=201, summary="Create a user (admin)")
def create_user(request: Request, who: Admin, body: UserBody) -> dict[str, Any]:
    user = _identity(request).create_user(
        body.name, groups=body.groups, role=body.role, password=body.password, actor=who.name
    )
    return user_view(user)


@router.post("/users/{name}/disable", summary="Disable a user (admin)")
def disable_user(request: Request, who: Admin, name: Short) -> dict[str, Any]:
    identity = _identity(request)
    if identity.get_user(name) is None:
        raise NotFoundError(f"no user {name!r}")
    identity.disable_user(name, actor=who.name)
    return {"disabled": name}


@router.get("/keys", summary="API keys (admin)")
def list_keys(
    request: Request, who: Admin, user: str | None = Query(None, max_length=100)
) -> dict[str, Any]:
    return {"keys": [key_view(k) for k in _identity(request).list_keys(user)]}


@router.post("/keys", status_code=201, summary="Create an API key; the key is shown once (admin)")
def create_key(request: Request, who: Admin, body: KeyBody) -> dict[str, Any]:
    identity = _identity(request)
    if identity.get_user(body.user) is None:
        raise NotFoundError(f"no user {body.user!r}")
    raw, key = identity.create_key(body.user, kbs=body.kbs, actor=who.name)
    return {"key": raw, **key_view(key)}


@router.delete("/keys/{key_id}", summary="Revoke an API key (admin)")
def revoke_key(request: Request, who: Admin, key_id: Short) -> dict[str, Any]:
    _identity(request).revoke_key(key_id, actor=who.name)
    return {"revoked": key_id}


@router.get("/audit", summary="Audit log entries (admin)")
def audit(
    request: Request,
    who: Admin,
    since: str | None = Query(None, max_length=40),
    limit: int = Query(1000, ge=1, le=100_000),
) -> dict[str, Any]:
    log = request.app.state.server.brain.audit
    return {"entries": list(islice(log.export(since), limit))}


@router.get("/audit/verify", summary="Verify the audit log's hash chain (admin)")
def audit_verify(request: Request, who: Admin) -> dict[str, Any]:
    result = request.app.state.server.brain.audit.verify()
    keys = ("ok", "checked", "first_bad", "reason", "head_seq", "problems")
    return {k: getattr(result, k) for k in keys}
