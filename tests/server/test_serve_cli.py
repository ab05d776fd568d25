"""`ebrain serve` as a user runs it: a subprocess that prints the one-time first-admin token."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.server.harness import free_port, make_workspace

SRC = Path(__file__).resolve().parents[2] / "src"


def test_serve_prints_the_first_admin_token_and_serves(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC), "EBRAIN_LOCALE": "en"}
    cmd = [sys.executable, "-m", "ebrain", "-w", str(ws), "serve", "--port", str(port)]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        token = ""
        assert proc.stdout is not None
        for line in proc.stdout:
            if "One-time token" in line:
                token = next(proc.stdout).strip()
                break
        assert token
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        body = {"token": token, "name": "root", "password": "a long password"}
        r = httpx.post(f"{url}/auth/first-admin", json=body)
        assert r.status_code == 200 and r.json()["user"]["role"] == "admin"
        assert httpx.get(f"{url}/openapi.json").json()["info"]["title"] == "ebrain"
    finally:
        proc.terminate()
        proc.wait(30)


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)


def test_metrics_of_all_workers_behind_the_scrape_token(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "EBRAIN_LOCALE": "en",
        "EBRAIN_SERVER_METRICS_TOKEN": "scrape-token-123",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    cmd = [sys.executable, "-m", "ebrain", "-w", str(ws), "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(url)
        for _ in range(40):  # a new connection each: both workers answer some
            assert httpx.get(f"{url}/readyz").status_code == 200
        assert httpx.get(f"{url}/metrics").status_code == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        assert httpx.get(f"{url}/metrics", headers=wrong).status_code == 401
        good = {"Authorization": "Bearer scrape-token-123"}
        text = httpx.get(f"{url}/metrics", headers=good).text
        counted = [
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("ebrain_http_requests_total{") and 'route="/readyz"' in line
        ]
        assert sum(counted) == 40  # every worker's requests, whichever one answered
    finally:
        proc.terminate()
        proc.wait(30)
