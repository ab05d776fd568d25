"""Optional OIDC login (authorization-code flow) with authlib; the ID token is verified with
joserfc (signature from the provider's JWKS, issuer, audience, expiry, nonce). Settings are
read when a login starts, so a server without `server.oidc_issuer` never imports authlib."""

from __future__ import annotations

import secrets
import time
from typing import Any

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse

from ebrain.errors import EbrainError
from ebrain.server.auth_routes import start_session
from ebrain.server.errors import ERROR_RESPONSES, ApiError

router = APIRouter(prefix="/auth/oidc", tags=["auth"], responses=ERROR_RESPONSES)
STATE_TTL_S = 600
MAX_STATES = 10_000


def _settings(state: Any) -> dict[str, str]:
    issuer = str(state.config.get("server.oidc_issuer")).rstrip("/")
    if not issuer:
        raise ApiError(404, "OIDC login is not configured (server.oidc_issuer)")
    return {
        "issuer": issuer,
        "client_id": str(state.config.get("server.oidc_client_id")),
        "client_secret": str(state.config.get("server.oidc_client_secret")),
        "groups_claim": str(state.config.get("server.oidc_groups_claim")),
    }


def _discovery(issuer: str) -> dict[str, Any]:
    try:
        response = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
        response.raise_for_status()
        found: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError):
        raise ApiError(502, "the OIDC provider did not answer its discovery document") from None
    if found.get("issuer", "").rstrip("/") != issuer:
        raise ApiError(502, "the OIDC provider's discovery names another issuer")
    return found


def _client(conf: dict[str, str], redirect: str) -> Any:
    from authlib.integrations.httpx_client import OAuth2Client

    return OAuth2Client(
        conf["client_id"],
        conf["client_secret"],
        scope="openid profile email",
        redirect_uri=redirect,
        timeout=10,
    )


@router.get("/login", summary="Start an OIDC login (redirects to the identity provider)")
def oidc_login(request: Request) -> RedirectResponse:
    state = request.app.state.server
    conf = _settings(state)
    meta = _discovery(conf["issuer"])
    nonce = secrets.token_urlsafe(24)
    redirect = str(request.url_for("oidc_callback"))
    url, token = _client(conf, redirect).create_authorization_url(
        meta["authorization_endpoint"], nonce=nonce
    )
    _remember(state.oidc_states, token, nonce)
    return RedirectResponse(url, status_code=302)


def _remember(states: dict[str, tuple[float, str]], token: str, nonce: str) -> None:
    now = time.monotonic()
    for key in [k for k, (t, _) in states.items() if now - t > STATE_TTL_S]:
        states.pop(key, None)
    if len(states) >= MAX_STATES:
        raise ApiError(429, "too many OIDC logins in progress", headers={"Retry-After": "60"})
    states[token] = (now, nonce)


@router.get("/callback", summary="OIDC redirect target: verifies the ID token, logs in")
def oidc_callback(
    request: Request,
    code: str = Query(min_length=1, max_length=2000),
    state: str = Query(min_length=1, max_length=200),
) -> JSONResponse:
    server = request.app.state.server
    conf = _settings(server)
    started = server.oidc_states.pop(state, None)
    if started is None or time.monotonic() - started[0] > STATE_TTL_S:
        server.audit("login_failed", None, detail={"via": "oidc", "why": "state"})
        raise ApiError(401, "unknown or expired OIDC login; start again", "unauthenticated")
    claims = _verified_claims(request, conf, code, started[1])
    try:
        user = server.brain.identity.user_from_oidc(claims, group_claim=conf["groups_claim"])
    except EbrainError as exc:
        server.audit("login_failed", None, detail={"via": "oidc", "why": exc.code})
        raise ApiError(403, exc.message, "permission_denied") from None
    server.audit("login", user.name, detail={"via": "oidc"})
    return start_session(request, user, {})


def _verified_claims(
    request: Request, conf: dict[str, str], code: str, nonce: str
) -> dict[str, Any]:
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    meta = _discovery(conf["issuer"])
    redirect = str(request.url_for("oidc_callback"))
    try:
        token = _client(conf, redirect).fetch_token(meta["token_endpoint"], code=code)
        keys = KeySet.import_key_set(httpx.get(meta["jwks_uri"], timeout=10).json())
        decoded = jwt.decode(str(token["id_token"]), keys)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": conf["issuer"]},
            aud={"essential": True, "value": conf["client_id"]},
            nonce={"essential": True, "value": nonce},
            sub={"essential": True},
            exp={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, httpx.HTTPError, KeyError, ValueError, TypeError) as exc:
        request.app.state.server.audit("login_failed", None, detail={"via": "oidc", "why": "token"})
        raise ApiError(
            401, f"the OIDC login failed ({type(exc).__name__})", "unauthenticated"
        ) from None
    return dict(decoded.claims)
