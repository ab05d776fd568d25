"""The app's basics on a real uvicorn: health, auth, one error shape, headers, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ebrain.brain import Brain
from tests.server.harness import SECRET_MARKERS, Running, make_users, make_workspace, seed, serve


def _error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    if code is not None:
        assert body["error"]["code"] == code
    assert "Traceback" not in response.text
    return dict(body["error"])


def test_health_and_ready(running: Running) -> None:
    with running.client() as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        ready = c.get("/readyz")
        assert ready.status_code == 200 and ready.json()["ingest_worker"] is True


def test_docs_and_openapi_are_served(running: Running) -> None:
    with running.client() as c:
        assert c.get("/openapi.json").json()["info"]["title"] == "ebrain"
        assert c.get("/docs").status_code == 200


def test_anonymous_and_bad_keys_get_401(running: Running) -> None:
    with running.client() as c:
        _error(c.post("/api/search", json={"query": "controller"}), 401, "unauthenticated")
        bad = c.get("/api/kbs", headers={"Authorization": "Bearer eb_nope_nope"})
        _error(bad, 401)
        assert bad.headers["www-authenticate"] == "Bearer"


def test_every_error_has_one_shape(running: Running) -> None:
    with running.client("otto") as c:
        _error(c.get("/no/such/route"), 404, "not_found")
        _error(c.put("/api/search"), 405, "method_not_allowed")
        _error(c.post("/api/search", json={"query": ""}), 422, "invalid_input")
        _error(
            c.post(
                "/api/search", content=b"{not json", headers={"content-type": "application/json"}
            ),
            422,
        )
        _error(c.post("/api/search", json={"query": "x", "since": "2024-13-45"}), 422)
        _error(c.post("/api/search", json={"query": "x", "kb": ["nope"]}), 422)
        _error(c.get("/api/documents/999999"), 404, "not_found")
        _error(c.get("/api/documents/abc"), 422)
        _error(c.get("/api/admin/users"), 403, "permission_denied")


def test_hidden_document_is_404_exactly_like_a_missing_one(running: Running) -> None:
    secret = running.docs["secret"]
    with running.client("otto") as c:
        hidden = _error(c.get(f"/api/documents/{secret}"), 404)
        missing = _error(c.get("/api/documents/987654"), 404)
        assert hidden["message"].replace(str(secret), "N") == missing["message"].replace(
            "987654", "N"
        )
        _error(c.get(f"/api/documents/{secret}/file"), 404)
    with running.client("admin") as c:
        assert c.get(f"/api/documents/{secret}").json()["title"]


def test_counts_exclude_hidden_documents(running: Running) -> None:
    with running.client("otto") as c:
        assert c.get("/api/stats").json()["documents"] == 1
        assert c.get("/api/kbs").json()["kbs"][0]["documents"] == 1
        assert c.get("/api/documents").json()["total"] == 1
    with running.client("admin") as c:
        assert c.get("/api/stats").json()["documents"] == 2  # public + hr: not sales


def test_security_headers_and_no_store(running: Running) -> None:
    with running.client("otto") as c:
        r = c.get("/api/kbs")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert "access-control-allow-origin" not in r.headers  # CORS off by default


def test_request_body_limit_is_413(running: Running) -> None:
    with running.client("otto") as c:
        big = c.post(
            "/api/search",
            content=b"x" * (1024 * 1024 + 10),
            headers={"content-type": "application/json"},
        )
    _error(big, 413, "too_large")


def test_metrics_count_requests_per_route(running: Running) -> None:
    with running.client("sally") as c:
        c.post("/api/search", json={"query": "controller"})
    with running.client("admin") as c:
        text = c.get("/metrics").text
    assert 'ebrain_http_requests_total{method="POST",route="/api/search",status="200"}' in text
    assert "ebrain_retrieval_seconds_count" in text


def test_search_filters_by_groups(running: Running) -> None:
    with running.client("otto") as c:
        hits = c.post("/api/search", json={"query": "QUOKKAPAY quokka team"}).json()["hits"]
        assert all(h["document_id"] != running.docs["secret"] for h in hits)
        assert not any(m in str(hits) for m in SECRET_MARKERS)
    with running.client("admin") as c:
        hits = c.post("/api/search", json={"query": "QUOKKAPAY", "explain": True}).json()["hits"]
        assert hits[0]["document_id"] == running.docs["secret"] and hits[0]["explain"]


def test_key_limited_to_a_kb(running: Running) -> None:
    raw, _ = running.brain.identity.create_key("admin", kbs=["main"])
    headers = {"Authorization": f"Bearer {raw}"}
    with running.client() as c:
        me = c.get("/auth/me", headers=headers).json()
        assert me["kbs"] == ["main"]
        assert (
            c.post("/api/search", json={"query": "controller"}, headers=headers).status_code == 200
        )
        other = c.post(
            "/api/search", json={"query": "controller", "kb": ["other"]}, headers=headers
        )
        _error(other, 403)


def test_an_unexpected_error_is_a_500_without_details(tmp_path: Path) -> None:
    brain = Brain.open(make_workspace(tmp_path))
    with serve(brain) as srv:

        def boom() -> None:
            raise RuntimeError("secret detail /etc/shadow")

        srv.app.add_api_route("/boom", boom)  # this test's own app: a route that fails
        with srv.client() as c:
            r = c.get("/boom")
    brain.close()
    _error(r, 500, "internal_error")
    assert "secret detail" not in r.text and "shadow" not in r.text


def test_server_messages_in_chinese_when_asked(running: Running) -> None:
    with running.client() as c:
        r = c.get("/api/kbs", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert r.json()["error"] == {
            "code": "unauthenticated",
            "message": "需要身份验证：发送 `Authorization: Bearer <API 密钥>` 或先登录",
        }
        assert (
            c.get("/nope", headers={"Accept-Language": "zh"}).json()["error"]["message"] == "未找到"
        )


def test_streamed_bodies_and_uploads_over_the_limits_are_413(tmp_path: Path) -> None:
    config = "server:\n  max_request_kb: 4\n  max_upload_mb: 0.01\n"
    brain = Brain.open(make_workspace(tmp_path, config))
    keys = make_users(brain)
    with serve(brain) as srv:
        srv.keys = keys

        def chunks() -> Any:
            for _ in range(10):
                yield b"x" * 1024  # no Content-Length: counted as it streams

        with srv.client("editor") as c:
            streamed = c.post(
                "/api/search", content=chunks(), headers={"content-type": "application/json"}
            )
            _error(streamed, 413, "too_large")
            big = [("files", ("big.md", b"# big\n" + b"y" * 20_000, "text/markdown"))]
            _error(c.post("/api/uploads", files=big), 413, "too_large")
            small = [("files", ("small.md", b"# small\n", "text/markdown"))]
            assert c.post("/api/uploads", files=small).status_code == 202
    brain.close()


def test_a_kb_limited_key_sees_nothing_of_other_kbs(tmp_path: Path) -> None:
    brain = Brain.open(make_workspace(tmp_path))
    seed(brain, tmp_path)
    note = tmp_path / "other.md"
    note.write_text("# Other note\n\nthe HT-2000 fan in another kb\n", encoding="utf-8")
    other = brain.ingest([note], kb="other", jobs=1).files[0].document_id
    make_users(brain)
    raw, _ = brain.identity.create_key("otto", kbs=["main"])
    with serve(brain) as srv, srv.client() as c:
        headers = {"Authorization": f"Bearer {raw}"}
        _error(c.get(f"/api/documents/{other}", headers=headers), 404)
        assert {d["kb"] for d in c.get("/api/documents", headers=headers).json()["documents"]} == {
            "main"
        }
        assert [k["name"] for k in c.get("/api/kbs", headers=headers).json()["kbs"]] == ["main"]
        hits = c.post("/api/search", json={"query": "HT-2000 fan"}, headers=headers).json()["hits"]
        assert hits and all(h["kb"] == "main" for h in hits)
    brain.close()
