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
