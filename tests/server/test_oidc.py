"""OIDC login against a small provider running on loopback (tests/fakes/oidc_provider.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ebrain.brain import Brain
from tests.fakes.oidc_provider import FakeOIDC, start_fake_oidc
from tests.server.harness import Running, make_workspace, seed, serve


@pytest.fixture
def idp() -> Iterator[FakeOIDC]:
    provider = start_fake_oidc()
    yield provider
    provider.close()


@pytest.fixture
def sso(tmp_path: Path, idp: FakeOIDC) -> Iterator[Running]:
    config = (
        f"server:\n  oidc_issuer: {idp.issuer}\n  oidc_client_id: ebrain\n"
        "  oidc_client_secret: s3cret\n"
    )
    brain = Brain.open(make_workspace(tmp_path, config))
    docs = seed(brain, tmp_path)
    with serve(brain) as srv:
        srv.docs = docs
        yield srv
    brain.close()


def _sso_login(c: httpx.Client) -> httpx.Response:
    start = c.get("/auth/oidc/login")
    assert start.status_code == 302
    at_idp = httpx.get(start.headers["location"])  # the provider consents at once
    assert at_idp.status_code == 302
    back = urlsplit_path(at_idp.headers["location"])
    return c.get(back)


def urlsplit_path(url: str) -> str:
    """The path and query of a URL (the test client has the base URL)."""
    parts = httpx.URL(url)
    return parts.raw_path.decode()


def test_oidc_login_creates_the_user_with_its_groups(sso: Running, idp: FakeOIDC) -> None:
    idp.claims = {"sub": "idp-42", "preferred_username": "ada", "groups": ["hr"]}
    with sso.client() as c:
        r = _sso_login(c)
        assert r.status_code == 200, r.text
        assert r.json()["user"] == {"name": "ada", "role": "viewer", "groups": ["hr"]}
        csrf = r.json()["csrf_token"]
        hits = c.post("/api/search", json={"query": "QUOKKAPAY"}, headers={"x-csrf-token": csrf})
        assert hits.json()["hits"][0]["document_id"] == sso.docs["secret"]
    actions = [(e["action"], e["actor"]) for e in sso.brain.audit.export()]
    assert ("login", "ada") in actions


def test_oidc_rejects_a_token_for_another_audience(sso: Running, idp: FakeOIDC) -> None:
    idp.audience_override = "someone-else"
    with sso.client() as c:
        r = _sso_login(c)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
        assert c.get("/auth/me").status_code == 401


def test_oidc_rejects_an_unknown_state(sso: Running) -> None:
    with sso.client() as c:
        r = c.get("/auth/oidc/callback", params={"code": "x", "state": "forged"})
        assert r.status_code == 401


def test_oidc_off_without_settings(running: Running) -> None:
    with running.client() as c:
        assert c.get("/auth/oidc/login").status_code == 404
