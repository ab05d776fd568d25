"""The pages over HTTP (no browser): login redirects, CSRF, escaping, static files."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from ebrain.brain import Brain
from tests.server.harness import Running, make_workspace, serve


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


@contextmanager
def _logged_in(srv: Running, user: str) -> Iterator[httpx.Client]:
    with srv.client(follow_redirects=True) as http:
        ok = http.post("/ui/login", data={"username": user, "password": f"{user}-password-1"})
        assert ok.status_code == 200, ok.text  # followed to the chat page
        yield http


def test_language_from_the_browser_then_the_cookie(ui_server: Running) -> None:
    with ui_server.client(follow_redirects=True) as http:
        zh = http.get("/ui/login", headers={"Accept-Language": "fr;q=0.9, zh-CN;q=0.8, en;q=0.5"})
        assert '<html lang="zh-CN">' in zh.text and "用户名" in zh.text
        switched = http.post("/ui/lang", data={"locale": "en", "next": "/ui/login"})
        assert switched.status_code == 200  # followed back to the login page
        en = http.get("/ui/login", headers={"Accept-Language": "zh-CN"})
        assert '<html lang="en">' in en.text and "User name" in en.text


def test_state_changes_need_the_csrf_token(ui_server: Running) -> None:
    with _logged_in(ui_server, "otto") as http:
        refused = http.post("/ui/lang", data={"locale": "zh", "next": "/ui/chat"})
        assert refused.status_code == 403
        assert http.post("/ui/logout").status_code == 403
        csrf = http.cookies["ebrain_csrf"]
        out = http.post("/ui/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert out.status_code == 303
        assert http.get("/ui/chat", follow_redirects=False).status_code == 303


def test_hostile_text_is_escaped_and_bounded(ui_server: Running) -> None:
    with _logged_in(ui_server, "sally") as http:
        page = http.get("/ui/search", params={"q": '<script>alert(1)</script> "HT-2000'})
        assert page.status_code == 200
        assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
        too_long = http.get("/ui/search", params={"q": "x" * 5000})
        assert too_long.status_code == 422 and too_long.headers["content-type"].startswith(
            "text/html"
        )
        assert "<h1>Something went wrong</h1>" in too_long.text
        assert http.get("/ui/nowhere").status_code == 404
        bad_date = http.get("/ui/search", params={"q": "HT-2000", "since": "not-a-date"})
        assert bad_date.status_code == 200 and 'role="alert"' in bad_date.text
        viewer = http.get("/ui/doc/1", params={"start": 10**9, "end": 5})
        assert viewer.status_code == 200  # clamped to the text
        assert http.get("/ui/doc/99999999").status_code == 404
        nxt = http.get(
            "/ui/login", params={"next": "https://evil.example/"}, follow_redirects=False
        )
        assert nxt.headers["location"] == "/ui/chat"


def test_someone_elses_conversation_is_not_shown(ui_server: Running) -> None:
    with ui_server.client("sally") as api:
        conv = api.post("/api/conversations", json={}).json()["id"]
        api.post(f"/api/conversations/{conv}/messages", json={"question": "HT-2000 fan?"})
    with _logged_in(ui_server, "otto") as http:
        page = http.get("/ui/chat", params={"c": conv})
        assert page.status_code == 200 and "HT-2000 fan?" not in page.text
    with _logged_in(ui_server, "sally") as http:
        assert "HT-2000 fan?" in http.get("/ui/chat", params={"c": conv}).text


# Words that may stay as they are on a Chinese page: names, the other language's own label.
LATIN_OK = {
    "ebrain",
    "English",
    "BM25",
    "JavaScript",
    "editor",
    "main",
    "manual",
    "contract",
    "report",
}


def _visible_latin(html: str) -> set[str]:
    """Latin words a person sees on the page: text and the labels of attributes."""
    import re

    body = re.sub(r"<script.*?</script>|<head>.*?</head>", "", html, flags=re.S)
    attrs = re.findall(r'(?:placeholder|aria-label|alt|title)="([^"]*)"', body)
    text = re.sub(r"<[^>]+>", " ", body)
    words = set(re.findall(r"[A-Za-z]{3,}", " ".join([text, *attrs])))
    return words - LATIN_OK


def test_chinese_pages_have_no_english_left(ui_server: Running) -> None:
    with ui_server.client() as http:
        login = http.get("/ui/login", headers={"Accept-Language": "zh-CN"})
        assert _visible_latin(login.text) == set()
    with _logged_in(ui_server, "editor") as http:  # no conversations: only the page's words
        http.cookies.set("ebrain_lang", "zh")
        for path in ("/ui/chat", "/ui/search", "/ui/search?q=zzzqqq&explain=true"):
            page = http.get(path)
            assert '<html lang="zh-CN">' in page.text
            assert _visible_latin(page.text) == set(), path
        # and the chat's script strings (data-i18n) are Chinese too
        raw = http.get("/ui/chat").text.split("data-i18n='", 1)[1].split("'", 1)[0]
        strings = json.loads(html.unescape(raw))
        assert len(strings) >= 15
        assert _visible_latin(" ".join(strings.values())) <= {"AI"}


def test_first_run_with_the_one_time_token(tmp_path: Path) -> None:
    brain = Brain.open(make_workspace(tmp_path))
    token = brain.identity.first_admin_token()  # what `ebrain serve` prints
    assert token
    try:
        with serve(brain) as srv, srv.client(follow_redirects=True) as http:
            assert 'href="/ui/first-run"' in http.get("/ui/login").text
            form = {"token": "wrong-token", "name": "boss", "password": "boss-password-1"}
            assert http.post("/ui/first-run", data=form).status_code == 403
            done = http.post("/ui/first-run", data={**form, "token": token})
            assert done.status_code == 200 and str(done.url).endswith("/ui/chat")
            assert ">boss</span>" in done.text  # logged in as the new admin
            again = http.post("/ui/first-run", data={**form, "token": token, "name": "mallory"})
            assert again.status_code == 403  # the token is used up
            assert "/ui/first-run" not in str(http.get("/ui/first-run").url)  # closed
            assert brain.identity.get_user("mallory") is None
    finally:
        brain.close()
