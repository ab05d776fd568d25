"""A real ebrain API on a real uvicorn on 127.0.0.1 (free port), over a tmp workspace."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from ebrain.brain import Brain
from ebrain.server import create_app

LEXICAL = "embed:\n  model: none\ningest:\n  embed: false\n  jobs: 1\n  enrichers: kg\n"

# The secret document: a viewer outside group "hr" must never see any of these strings.
SECRET_TITLE = "Zephyrine salary bands"
SECRET_MARKERS = ("earns the most", "are confidential", "quokka team", "Wombatix", "QK-7731")
SECRET_TEXT = (
    f"# {SECRET_TITLE}\n\nThe QUOKKAPAY salary bands for the quokka team are confidential. "
    "Zephyrine grade one earns the most. Overheating controllers are not covered here. "
    "The bands were agreed with Wombatix Holdings Ltd. under contract QK-7731 on 2025-03-01.\n"
)
PUBLIC_TEXT = (
    "# HT-2000 maintenance\n\nIf the HT-2000 controller overheats, check the fan and the air "
    "filter. Replace the filter every 6 months. Salary questions go to HR.\n"
)
SALES_TEXT = (
    "# Sales playbook\n\nThe HT-2000 controller sells to Dongfang Machinery. Offer the "
    "extended warranty on every deal above 20 units.\n"
)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_workspace(root: Path, extra_config: str = "") -> Path:
    """A lexical-only workspace."""
    path = root / "ws"
    Brain.init(path).close()
    (path / "config.yaml").write_text(LEXICAL + extra_config, encoding="utf-8")
    return path


def seed(brain: Brain, root: Path) -> dict[str, int]:
    """Three documents: public, sales-only, hr-only (the secret); their ids by name."""
    ids = {}
    for name, text, acl, doc_type in (
        ("public", PUBLIC_TEXT, [], "manual"),
        ("sales", SALES_TEXT, ["sales"], "contract"),
        ("secret", SECRET_TEXT, ["hr"], "report"),
    ):
        path = root / "docs" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        report = brain.ingest([path], kb="main", acl=acl, jobs=1)
        doc_id = report.files[0].document_id
        assert doc_id is not None
        brain.set_type(doc_id, doc_type)  # so the assistants' type filters find them
        ids[name] = doc_id
    return ids


def make_users(brain: Brain) -> dict[str, str]:
    """admin (hr), editor (sales), sales viewer, outsider viewer (no groups): raw keys by user."""
    identity: Any = brain.identity
    keys = {}
    for name, role, groups in (
        ("admin", "admin", ["hr"]),
        ("editor", "editor", ["sales"]),
        ("sally", "viewer", ["sales"]),
        ("otto", "viewer", []),
    ):
        identity.create_user(name, role=role, groups=groups, password=f"{name}-password-1")
        keys[name] = identity.create_key(name)[0]
    return keys


@dataclass
class Running:
    """A started server: its URL, the Brain behind it and the users' keys."""

    url: str
    brain: Brain
    keys: dict[str, str] = field(default_factory=dict)
    docs: dict[str, int] = field(default_factory=dict)
    app: Any = None

    def client(self, user: str | None = None, **kwargs: Any) -> httpx.Client:
        """An HTTP client, authenticated with `user`'s key when given."""
        headers = {"Authorization": f"Bearer {self.keys[user]}"} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)


@contextmanager
def serve(brain: Brain, run_jobs: bool = True) -> Iterator[Running]:
    """Run the app on uvicorn in a thread until the block ends."""
    app = create_app(brain, run_jobs=run_jobs)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield Running(f"http://127.0.0.1:{port}", brain, app=app)
    finally:
        server.should_exit = True
        thread.join(30)


def wait_job(client: httpx.Client, job_id: str, timeout: float = 60) -> dict[str, Any]:
    """Poll a job until it is finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")
