"""Web sessions (HttpOnly, SameSite cookies + CSRF), the first admin, rate limits."""

from __future__ import annotations

from pathlib import Path

import httpx

from ebrain.brain import Brain
from tests.server.harness import Running, make_users, make_workspace, serve


def _login(c: httpx.Client, user: str, password: str) -> httpx.Response:
    return c.post("/auth/login", json={"username": user, "password": password})


def test_login_sets_safe_cookies_and_csrf_guards_writes(running: Running) -> None:
    with running.client() as c:
        r = _login(c, "sally", "sally-password-1")
        assert r.status_code == 200, r.text
        cookies = r.headers.get_list("set-cookie")
        session = next(x for x in cookies if x.startswith("ebrain_session="))
        assert "HttpOnly" in session and "SameSite=lax" in session
        assert "Secure" not in session  # plain http on loopback; https gets Secure
        csrf = r.json()["csrf_token"]
        assert c.get("/auth/me").json()["name"] == "sally"
        assert c.post("/api/search", json={"query": "controller"}).status_code == 403
        ok = c.post("/api/search", json={"query": "controller"}, headers={"x-csrf-token": csrf})
        assert ok.status_code == 200
        wrong = c.post("/api/search", json={"query": "x"}, headers={"x-csrf-token": csrf + "x"})
        assert wrong.json()["error"]["code"] == "csrf"
        assert c.post("/auth/logout", headers={"x-csrf-token": csrf}).status_code == 200
        assert c.get("/auth/me").status_code == 401


def test_wrong_password_is_401_and_audited(running: Running) -> None:
    with running.client() as c:
        r = _login(c, "sally", "not-her-password")
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
        assert _login(c, "nobody", "whatever-pass").status_code == 401
    failed = [e for e in running.brain.audit.export() if e["action"] == "login_failed"]
    assert {e["target"] for e in failed} >= {"sally", "nobody"}


def test_first_admin_with_the_one_time_token(tmp_path: Path) -> None:
    brain = Brain.open(make_workspace(tmp_path))
    token = brain.identity.first_admin_token()
    assert token
    with serve(brain) as srv, srv.client() as c:
        bad = c.post(
            "/auth/first-admin", json={"token": "nope", "name": "root", "password": "long-enough-1"}
        )
        assert bad.status_code == 403
        r = c.post(
            "/auth/first-admin", json={"token": token, "name": "root", "password": "long-enough-1"}
        )
        assert r.status_code == 200 and r.json()["user"]["role"] == "admin"
        assert c.get("/api/admin/users").status_code == 200
        again = c.post(
            "/auth/first-admin", json={"token": token, "name": "root2", "password": "long-enough-1"}
        )
        assert again.status_code == 403
    brain.close()


def test_rate_limit_per_key_answers_429_with_retry_after(tmp_path: Path) -> None:
    brain = Brain.open(make_workspace(tmp_path, "server:\n  rate_per_minute: 6\n  rate_burst: 3\n"))
    keys = make_users(brain)
    with serve(brain) as srv:
        srv.keys = keys
        with srv.client("otto") as c:
            codes = [c.get("/api/kbs").status_code for _ in range(5)]
            assert codes[:3] == [200, 200, 200] and codes[-1] == 429
            limited = c.get("/api/kbs")
            assert int(limited.headers["retry-after"]) >= 1
            assert limited.json()["error"]["code"] == "rate_limited"
        with srv.client("sally") as c:  # another user has their own bucket
            assert c.get("/api/kbs").status_code == 200
        with srv.client() as c:  # password guessing is throttled too
            codes = [_login(c, "admin", f"guess-{i}").status_code for i in range(5)]
            assert codes[:3] == [401, 401, 401] and codes[-1] == 429
    brain.close()


def test_admin_manages_users_and_keys(running: Running) -> None:
    with running.client("admin") as c:
        assert (
            c.post("/api/admin/users", json={"name": "vera", "groups": ["sales"]}).status_code
            == 201
        )
        made = c.post("/api/admin/keys", json={"user": "vera", "kbs": ["main"]})
        assert made.status_code == 201
        raw, key_id = made.json()["key"], made.json()["id"]
        with running.client() as anon:
            me = anon.get("/auth/me", headers={"Authorization": f"Bearer {raw}"}).json()
            assert me["name"] == "vera" and me["kbs"] == ["main"]
            assert c.delete(f"/api/admin/keys/{key_id}").status_code == 200
            assert (
                anon.get("/auth/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
            )
        assert c.get("/api/admin/audit/verify").json()["ok"] is True
        actions = {e["action"] for e in c.get("/api/admin/audit").json()["entries"]}
        assert {"user_created", "key_created", "key_revoked"} <= actions


def test_cors_is_off_by_default_and_on_by_setting(tmp_path: Path) -> None:
    brain = Brain.open(make_workspace(tmp_path, "server:\n  cors_origins: https://intra.example\n"))
    make_users(brain)
    with serve(brain) as srv, srv.client() as c:
        pre = c.options(
            "/api/search",
            headers={"Origin": "https://intra.example", "Access-Control-Request-Method": "POST"},
        )
        assert pre.headers["access-control-allow-origin"] == "https://intra.example"
        other = c.options(
            "/api/search",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in other.headers
    brain.close()
