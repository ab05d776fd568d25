"""The permission matrix: every route in the OpenAPI schema is listed here (a new route fails
`test_every_route_is_in_the_matrix` until it is), anonymous callers get 401 on every non-public
route, and a user outside the secret document's group never receives its text, title or
snippet from any route, SSE streams and the OpenAI-compatible endpoints included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.server.harness import SECRET_MARKERS, SECRET_TITLE, Running

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("POST", "/auth/login"),
    ("POST", "/auth/logout"),
    ("POST", "/auth/first-admin"),
    ("GET", "/auth/oidc/login"),
    ("GET", "/auth/oidc/callback"),
}
QUESTION = "What are the QUOKKAPAY salary bands of Zephyrine grade one?"
Call = Callable[[Running, str | None], dict[str, Any]]


def _doc(path: str) -> Call:
    return lambda s, _u: {"url": path.format(id=s.docs["secret"])}


def _json(path: str, body: dict[str, Any]) -> Call:
    return lambda _s, _u: {"url": path, "json": body}


def _conversation(suffix: str, body: dict[str, Any] | None = None) -> Call:
    def make(s: Running, user: str | None) -> dict[str, Any]:
        with s.client(user or "otto") as c:
            cid = c.post("/api/conversations", json={}).json()["id"]
        out: dict[str, Any] = {"url": f"/api/conversations/{cid}{suffix}"}
        if body is not None:
            out["json"] = body
        return out

    return make


def _job(suffix: str) -> Call:
    def make(s: Running, _user: str | None) -> dict[str, Any]:
        files = {"files": ("note.md", b"# note\n\nnothing secret\n", "text/markdown")}
        with s.client("editor") as c:
            job = c.post("/api/uploads", files=files, data={"kb": "main"}).json()["job_id"]
        return {"url": f"/api/jobs/{job}{suffix}"}

    return make


# (method, path) -> how to call it as an outsider (targeting the secret document).
MATRIX: dict[tuple[str, str], Call] = {
    ("GET", "/auth/me"): _json("/auth/me", {}),
    ("GET", "/api/kbs"): _json("/api/kbs", {}),
    ("GET", "/api/documents"): _json("/api/documents", {}),
    ("GET", "/api/documents/{document_id}"): _doc("/api/documents/{id}?text=true"),
    ("DELETE", "/api/documents/{document_id}"): _doc("/api/documents/{id}"),
    ("GET", "/api/documents/{document_id}/file"): _doc("/api/documents/{id}/file"),
    ("POST", "/api/documents/{document_id}/reingest"): _doc("/api/documents/{id}/reingest"),
    ("GET", "/api/stats"): _json("/api/stats", {}),
    ("POST", "/api/search"): _json("/api/search", {"query": QUESTION, "explain": True}),
    ("POST", "/api/ask"): _json("/api/ask", {"question": QUESTION}),
    ("POST", "/api/conversations"): _json("/api/conversations", {}),
    ("GET", "/api/conversations"): _json("/api/conversations", {}),
    ("GET", "/api/conversations/{conversation_id}"): _conversation(""),
    ("POST", "/api/conversations/{conversation_id}/messages"): _conversation(
        "/messages", {"question": QUESTION, "stream": True}
    ),
    ("POST", "/api/feedback"): _json("/api/feedback", {"trace_id": "t1", "rating": "up"}),
    ("POST", "/api/uploads"): _json("/api/uploads", {}),
    ("GET", "/api/jobs"): _json("/api/jobs", {}),
    ("GET", "/api/jobs/{job_id}"): _job(""),
    ("POST", "/api/jobs/{job_id}/cancel"): _job("/cancel"),
    ("GET", "/api/jobs/{job_id}/events"): _job("/events"),
    ("GET", "/api/admin/users"): _json("/api/admin/users", {}),
    ("POST", "/api/admin/users"): _json("/api/admin/users", {"name": "mallory"}),
    ("POST", "/api/admin/users/{name}/disable"): _json("/api/admin/users/admin/disable", {}),
    ("GET", "/api/admin/keys"): _json("/api/admin/keys", {}),
    ("POST", "/api/admin/keys"): _json("/api/admin/keys", {"user": "otto"}),
    ("DELETE", "/api/admin/keys/{key_id}"): _json("/api/admin/keys/nope", {}),
    ("GET", "/api/admin/audit"): _json("/api/admin/audit", {}),
    ("GET", "/api/admin/audit/verify"): _json("/api/admin/audit/verify", {}),
    ("GET", "/metrics"): _json("/metrics", {}),
    ("GET", "/api/kg/entity"): _json("/api/kg/entity?name=ombatix", {}),
    ("GET", "/api/kg/neighbors"): _json("/api/kg/neighbors?name=K-773", {}),
    ("GET", "/api/kg/path"): _json("/api/kg/path?from=ombatix&to=K-773", {}),
    ("GET", "/api/kg/records/{kind}"): _json("/api/kg/records/contract", {}),
    ("GET", "/api/kg/export"): _json("/api/kg/export?format=jsonld", {}),
    ("GET", "/api/kg/insights/support"): _json("/api/kg/insights/support", {}),
    ("GET", "/v1/models"): _json("/v1/models", {}),
    ("POST", "/v1/chat/completions"): _json(
        "/v1/chat/completions",
        {
            "model": "management",
            "messages": [{"role": "user", "content": QUESTION}],
            "stream": True,
        },
    ),
}
# The same question asked without streaming, too.
EXTRA: list[Call] = [
    _json("/api/ask", {"question": QUESTION, "stream": True}),
    _json(
        "/v1/chat/completions",
        {"model": "management", "messages": [{"role": "user", "content": QUESTION}]},
    ),
    _conversation("/messages", {"question": QUESTION}),
    _json("/api/search", {"query": "Zephyrine quokka grade", "mode": "bm25"}),
]


def _routes(running: Running) -> set[tuple[str, str]]:
    with running.client() as c:
        schema = c.get("/openapi.json").json()
    return {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}


def _send(client: httpx.Client, method: str, call: dict[str, Any]) -> httpx.Response:
    url = call.pop("url")
    if method in ("GET", "DELETE"):
        call.pop("json", None)
    return client.request(method, url, **call)


def test_every_route_is_in_the_matrix(running: Running) -> None:
    routes = _routes(running)
    assert routes - PUBLIC - set(MATRIX) == set(), "add the new route to MATRIX"
    assert set(MATRIX) <= routes


def test_anonymous_gets_401_on_every_non_public_route(running: Running) -> None:
    with running.client() as anonymous:
        for (method, _path), make in MATRIX.items():
            response = _send(anonymous, method, make(running, None))
            assert response.status_code == 401, (method, _path, response.text)
            assert response.json()["error"]["code"] == "unauthenticated"


def _assert_no_secret(text: str, where: Any) -> None:
    for marker in (*SECRET_MARKERS, SECRET_TITLE):
        assert marker not in text, (where, marker)


@pytest.mark.parametrize("user", ["otto", "sally", "editor"])
def test_outsiders_never_see_the_secret(running: Running, user: str) -> None:
    with running.client(user) as c:
        for (method, path), make in MATRIX.items():
            if path == "/api/admin/users/{name}/disable" and user != "otto":
                continue
            response = _send(c, method, make(running, user))
            assert response.status_code < 500, (method, path, response.text)
            _assert_no_secret(response.text, (method, path))
        for make in EXTRA:
            call = make(running, user)
            response = _send(c, "POST", call)
            assert response.status_code == 200, response.text
            _assert_no_secret(response.text, call)


def test_the_group_member_does_see_it(running: Running) -> None:
    with running.client("admin") as c:
        hits = c.post("/api/search", json={"query": QUESTION}).json()["hits"]
        assert hits[0]["title"] == SECRET_TITLE
        doc = c.get(f"/api/documents/{running.docs['secret']}?text=true").json()
        assert "QUOKKAPAY" in doc["text"]
        assert c.get(f"/api/documents/{running.docs['secret']}/file").content.startswith(
            b"# Zephyrine"
        )


def test_outsider_cannot_delete_or_reingest_the_secret(running: Running) -> None:
    with running.client("editor") as c:
        assert c.delete(f"/api/documents/{running.docs['secret']}").status_code == 404
        assert c.post(f"/api/documents/{running.docs['secret']}/reingest").status_code == 404
    with running.client("admin") as c:
        assert c.get(f"/api/documents/{running.docs['secret']}").status_code == 200


def test_viewers_cannot_write(running: Running) -> None:
    with running.client("sally") as c:
        assert c.delete(f"/api/documents/{running.docs['public']}").status_code == 403
        files = {"files": ("a.md", b"# a\n", "text/markdown")}
        assert c.post("/api/uploads", files=files).status_code == 403
        assert c.get("/api/admin/audit").status_code == 403
        assert c.get("/metrics").status_code == 403


def test_conversations_belong_to_their_starter(running: Running) -> None:
    with running.client("sally") as c:
        cid = c.post("/api/conversations", json={}).json()["id"]
        assert c.get(f"/api/conversations/{cid}").status_code == 200
    with running.client("otto") as c:
        assert c.get(f"/api/conversations/{cid}").status_code == 404
        assert (
            c.post(f"/api/conversations/{cid}/messages", json={"question": "hi"}).status_code == 404
        )
