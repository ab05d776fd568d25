"""The pages over HTTP (no browser): login redirects, CSRF, escaping, static files."""

from __future__ import annotations

from tests.server.harness import Running


def test_pages_need_a_session(ui_server: Running) -> None:
    with ui_server.client() as http:
        page = http.get("/ui/chat", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/ui/login?next=%2Fui%2Fchat")
        login = http.get("/ui/login")
        assert login.status_code == 200
        assert "script-src 'self'" in login.headers["content-security-policy"]
        assert '<label for="username">' in login.text


def test_login_then_chat(ui_server: Running) -> None:
    with ui_server.client() as http:
        bad = http.post("/ui/login", data={"username": "sally", "password": "nope-nope"})
        assert bad.status_code == 401
        ok = http.post(
            "/ui/login",
            data={"username": "sally", "password": "sally-password-1", "next": "//evil.example"},
            follow_redirects=False,
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/ui/chat"
        assert http.get("/ui/chat").status_code == 200


def test_static_files_are_served_and_bounded(ui_server: Running) -> None:
    with ui_server.client() as http:
        js = http.get("/ui/static/htmx.min.js")
        assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
        assert http.get("/ui/static/..%2Fpages.py").status_code == 404
        assert http.get("/ui/static/pages.py").status_code == 404
