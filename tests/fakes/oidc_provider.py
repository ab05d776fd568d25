"""A minimal OIDC provider on 127.0.0.1 for tests: discovery, JWKS, authorize (auto-consent as
the configured user) and token (a signed RS256 ID token). Protocol boundary we don't own.

Usage::

    idp = start_fake_oidc(client_id="ebrain", client_secret="s3cret")
    idp.claims = {"sub": "u-1", "preferred_username": "ada", "groups": ["hr"]}
    ... server config server.oidc_issuer = idp.issuer ...
    idp.close()
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey


class FakeOIDC:
    """The provider's state: its key, the user it logs in, codes handed out."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.claims: dict[str, Any] = {"sub": "user-1", "preferred_username": "ada"}
        self.codes: dict[str, dict[str, str]] = {}
        self.issuer = ""
        self.audience_override: str | None = None
        self._server: ThreadingHTTPServer | None = None

    def id_token(self, nonce: str) -> str:
        """A signed ID token for the configured claims."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience_override or self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **self.claims,
        }
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)

    def close(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _handler(idp: FakeOIDC) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _json(self, body: Any, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": idp.issuer,
                        "authorization_endpoint": f"{idp.issuer}/authorize",
                        "token_endpoint": f"{idp.issuer}/token",
                        "jwks_uri": f"{idp.issuer}/jwks",
                        "response_types_supported": ["code"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                )
            elif url.path == "/jwks":
                self._json({"keys": [idp.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                self._authorize(parse_qs(url.query))
            else:
                self._json({"error": "not_found"}, 404)

        def _authorize(self, q: dict[str, list[str]]) -> None:
            if q.get("client_id", [""])[0] != idp.client_id or q.get("response_type") != ["code"]:
                self._json({"error": "invalid_request"}, 400)
                return
            code = secrets.token_urlsafe(16)
            idp.codes[code] = {"nonce": q.get("nonce", [""])[0], "redirect": q["redirect_uri"][0]}
            target = q["redirect_uri"][0] + "?" + urlencode({"code": code, "state": q["state"][0]})
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            if not self._client_ok(form):
                self._json({"error": "invalid_client"}, 401)
                return
            grant = idp.codes.pop(form.get("code", [""])[0], None)
            if grant is None or form.get("redirect_uri", [""])[0] != grant["redirect"]:
                self._json({"error": "invalid_grant"}, 400)
                return
            token = idp.id_token(grant["nonce"])
            self._json({"access_token": "at", "token_type": "Bearer", "id_token": token})

        def _client_ok(self, form: dict[str, list[str]]) -> bool:
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            else:
                user = form.get("client_id", [""])[0]
                password = form.get("client_secret", [""])[0]
            return user == idp.client_id and password == idp.client_secret

    return Handler


def start_fake_oidc(client_id: str = "ebrain", client_secret: str = "s3cret") -> FakeOIDC:
    """Start the provider on a free loopback port."""
    idp = FakeOIDC(client_id, client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(idp))
    idp.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    idp._server = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return idp
