"""The web UI's page weight and speed: time to the first byte of the chat page on loopback
(median of N) and the JavaScript + CSS bytes each page loads. Goals: first byte <= 100 ms,
JS + CSS <= 150 KB per page. Results: bench/results/ui.json and a Markdown table
(docs/bench/ui.md).

    PYTHONPATH=src .venv/bin/python bench/ui.py              # N = 300 requests per page
    PYTHONPATH=src .venv/bin/python bench/ui.py -n 1000

The server runs as `python -m ebrain serve` in its own process over a lexical workspace with
the sample corpus (examples/corpus, the bad files left out) and a logged-in viewer who has
10 conversations; the client is one keep-alive HTTP/1.1 connection here (first byte = the
status line read after the request was written). Nothing is tuned: no split is involved.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "examples" / "corpus"
CONFIG = "embed:\n  model: none\ningest:\n  embed: false\nserver:\n  rate_per_minute: 0\n"
ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+rel="stylesheet"[^>]+href)="([^"]+)"')
QUESTION = "HT-2000 控制器过热怎么办？"


def setup(root: Path) -> Path:
    """A lexical workspace with the sample corpus, a viewer `bench` and 10 conversations."""
    from ebrain.brain import Brain

    ws = root / "ws"
    Brain.init(ws).close()
    (ws / "config.yaml").write_text(CONFIG, encoding="utf-8")
    files = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and "bad" not in p.parts]
    with Brain.open(ws) as brain:
        brain.ingest(files, kb="sample")
        brain.identity.create_user("bench", role="viewer", password="bench-password-1")
        brain.identity.create_user("boss", role="admin", password="boss-password-1")
    return ws


def start(ws: Path, port: int) -> subprocess.Popen[bytes]:
    """`ebrain serve` on 127.0.0.1:port, once it answers."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    cmd = [sys.executable, "-m", "ebrain", "-w", str(ws), "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


class Session:
    """One keep-alive connection with the session cookies of a logged-in user."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.location = ""

    def request(self, method: str, path: str, body: str = "", form: bool = False) -> Any:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body:
            headers |= {"Content-Type": "application/json", "X-CSRF-Token": self.csrf}
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body.encode(), headers=headers)
            response = self.conn.getresponse()  # returns once the status line and headers are in
        except (ConnectionError, http.client.HTTPException):  # closed after a 500: reconnect
            self.conn.close()
            started = time.perf_counter()
            self.conn.request(method, path, body=body.encode(), headers=headers)
            response = self.conn.getresponse()
        first = time.perf_counter() - started
        data = response.read()
        self.location = response.headers.get("location") or ""
        for raw in response.headers.get_all("set-cookie") or []:
            name, _, rest = raw.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data, first * 1000, (time.perf_counter() - started) * 1000

    @property
    def csrf(self) -> str:
        return self.cookies.get("ebrain_csrf", "")


def login(port: int, user: str = "bench", conversations: int = 10) -> Session:
    """A session of `user` with some conversations (the chat page's history sidebar)."""
    session = Session(port)
    form = f"username={user}&password={user}-password-1&next=/ui/chat"
    status, *_ = session.request("POST", "/ui/login", form, True)
    assert status == 303, status
    for _ in range(conversations):
        _, data, *_ = session.request("POST", "/api/conversations", json.dumps({}))
        conv = json.loads(data)["id"]
        body = json.dumps({"question": QUESTION})
        session.request("POST", f"/api/conversations/{conv}/messages", body)
    return session


def first_bytes(session: Session, path: str, n: int) -> dict[str, float]:
    """Median and p95 (ms) of the first byte and the whole page over n requests (20 warm-up)."""
    for _ in range(20):
        session.request("GET", path)
    firsts, totals = [], []
    for _ in range(n):
        status, _, first, total = session.request("GET", path)
        assert status == 200, (path, status)
        firsts.append(first)
        totals.append(total)
    firsts.sort()
    return {
        "n": n,
        "first_byte_median_ms": round(statistics.median(firsts), 2),
        "first_byte_p95_ms": round(firsts[int(0.95 * (n - 1))], 2),
        "page_median_ms": round(statistics.median(totals), 2),
    }


def weight(session: Session, path: str) -> dict[str, Any]:
    """The page's HTML bytes and the JS + CSS files it loads (all served by this server)."""
    status, html, *_ = session.request("GET", path)
    if status in (302, 303, 307) and session.location.startswith("/ui/"):
        status, html, *_ = session.request("GET", session.location)  # e.g. /ui/admin -> a tab
    if status != 200:
        return {"status": status, "html_bytes": 0, "assets": {}, "js_css_bytes": 0, "external": []}
    assets = sorted(set(ASSET.findall(html.decode())))
    external = [a for a in assets if not a.startswith("/")]
    sizes = {a: len(session.request("GET", a)[1]) for a in assets if a.startswith("/")}
    return {
        "html_bytes": len(html),
        "assets": {a.split("?")[0]: b for a, b in sizes.items()},
        "js_css_bytes": sum(sizes.values()),
        "external": external,
        "status": status,
    }


def pages(session: Session) -> list[str]:
    """The pages to weigh: the core ones, a cited document, and those of the nav bar."""
    _, html, *_ = session.request("GET", "/ui/chat")
    nav = re.findall(r'<li><a href="(/ui/[a-z/-]+)"', html.decode())
    _, data, *_ = session.request("GET", "/api/documents?limit=1")
    doc = json.loads(data)["documents"][0]["id"]
    return list(dict.fromkeys(["/ui/chat", "/ui/search?q=HT-2000", f"/ui/doc/{doc}", *nav]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=300, help="requests per timed page")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ui.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = setup(Path(tmp))
        proc = start(ws, args.port)
        try:
            session = login(args.port)
            timed = {
                p: first_bytes(session, p, args.n) for p in ("/ui/chat", "/ui/search?q=HT-2000")
            }
            weights = {p: weight(session, p) for p in pages(session)}
            admin = login(args.port, "boss", 0)  # the pages only an administrator sees
            weights |= {f"{p} (admin)": weight(admin, p) for p in pages(admin) if p not in weights}
        finally:
            proc.terminate()
            proc.wait(30)
    result = {"machine": _machine(), "timed": timed, "weights": weights}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(table(result))


def _machine() -> dict[str, Any]:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_1m": load,
    }


def table(result: dict[str, Any]) -> str:
    """The Markdown tables of docs/bench/ui.md."""
    rows = ["| page | n | first byte median ms | first byte p95 ms | whole page median ms |"]
    rows.append("|---|---|---|---|---|")
    for page, t in result["timed"].items():
        rows.append(
            f"| `{page}` | {t['n']} | {t['first_byte_median_ms']} | {t['first_byte_p95_ms']} "
            f"| {t['page_median_ms']} |"
        )
    rows += [
        "",
        "| page | status | HTML bytes | JS + CSS bytes | files | from elsewhere |",
        "|---|---|---|---|---|---|",
    ]
    for page, w in result["weights"].items():
        files = ", ".join(f"{Path(a).name} {b}" for a, b in w["assets"].items())
        rows.append(
            f"| `{page}` | {w['status']} | {w['html_bytes']} | {w['js_css_bytes']} | {files} "
            f"| {len(w['external'])} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
