"""Uploads become background ingest jobs: per-file states with the CLI's reasons, SSE progress,
cancel, and unfinished jobs resumed after a restart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ebrain.brain import Brain
from tests.server.harness import Running, make_users, make_workspace, serve, wait_job


def _files(n: int, prefix: str = "note") -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        (
            "files",
            (
                f"{prefix}-{i}.md",
                f"# {prefix} {i}\n\nwidget number {i} ships today\n".encode(),
                "text/markdown",
            ),
        )
        for i in range(n)
    ]


@pytest.mark.fulltext
def test_upload_ingests_in_the_background(fresh: Running) -> None:
    with fresh.client("editor") as c:
        files = [*_files(3), ("files", ("broken.pdf", b"%PDF-1.4 not really", "application/pdf"))]
        r = c.post("/api/uploads", files=files, data={"kb": "team", "acl": "sales"})
        assert r.status_code == 202, r.text
        job = wait_job(c, r.json()["job_id"])
        assert job["state"] == "done" and job["counts"] == {"done": 3, "failed": 1}
        failed = next(f for f in job["files"] if f["state"] == "failed")
        assert failed["name"] == "broken.pdf" and failed["reason"]  # the CLI's reason
        assert all("stored" not in f for f in job["files"])
        hits = c.post("/api/search", json={"query": "widget number 2"}).json()["hits"]
        assert hits[0]["title"] == "note 2"
    with fresh.client("otto") as c:  # not in group sales
        assert c.post("/api/search", json={"query": "widget number 2"}).json()["hits"] == []


def test_upload_twice_updates_the_same_documents(fresh: Running) -> None:
    with fresh.client("editor") as c:
        wait_job(c, c.post("/api/uploads", files=_files(2)).json()["job_id"])
        job = wait_job(c, c.post("/api/uploads", files=_files(2)).json()["job_id"])
        assert {f["status"] for f in job["files"]} == {"unchanged"}
        assert c.get("/api/documents").json()["total"] == 2


def test_progress_over_sse(fresh: Running) -> None:
    with fresh.client("editor") as c:
        job_id = c.post("/api/uploads", files=_files(4)).json()["job_id"]
        with c.stream("GET", f"/api/jobs/{job_id}/events") as r:
            body = "".join(r.iter_text())
    events = [e for e in body.split("\n\n") if e.strip()]
    assert events[0].startswith("event: progress")
    assert events[-1].startswith("event: done")
    assert json.loads(events[-1].split("data: ", 1)[1])["counts"] == {"done": 4}


def test_disallowed_types_and_too_many_files(tmp_path: Path) -> None:
    brain = Brain.open(
        make_workspace(tmp_path, "server:\n  upload_types: .md\n  max_upload_files: 3\n")
    )
    keys = make_users(brain)
    with serve(brain) as srv:
        srv.keys = keys
        with srv.client("editor") as c:
            bad = c.post(
                "/api/uploads", files=[("files", ("x.exe", b"MZ", "application/octet-stream"))]
            )
            assert bad.status_code == 415 and bad.json()["error"]["code"] == "unsupported_type"
            many = c.post("/api/uploads", files=_files(4))
            assert many.status_code == 413
            assert c.get("/api/jobs").json()["jobs"] == []
    brain.close()


def test_cancel_and_resume_after_restart(tmp_path: Path) -> None:
    brain = Brain.open(make_workspace(tmp_path))
    keys = make_users(brain)
    with serve(brain, run_jobs=False) as srv:  # the worker is down: jobs stay queued
        srv.keys = keys
        with srv.client("editor") as c:
            kept = c.post("/api/uploads", files=_files(3, "kept")).json()["job_id"]
            dropped = c.post("/api/uploads", files=_files(2, "dropped")).json()["job_id"]
            assert c.post(f"/api/jobs/{dropped}/cancel").json() == {"cancelled": 2}
            assert c.get(f"/api/jobs/{kept}").json()["state"] == "queued"
    with serve(brain) as srv:  # the restart resumes the unfinished job
        srv.keys = keys
        with srv.client("editor") as c:
            job = wait_job(c, kept)
            assert job["state"] == "done" and job["counts"] == {"done": 3}
            assert c.get(f"/api/jobs/{dropped}").json()["state"] == "cancelled"
            titles = {d["title"] for d in c.get("/api/documents").json()["documents"]}
            assert titles == {"kept 0", "kept 1", "kept 2"}
    audit = [e["action"] for e in brain.audit.export()]
    assert audit.count("upload") == 2
    brain.close()


def test_delete_and_reingest(fresh: Running) -> None:
    with fresh.client("editor") as c:
        job = wait_job(c, c.post("/api/uploads", files=_files(2)).json()["job_id"])
        doc_id = job["files"][0]["document_id"]
        r = c.post(f"/api/documents/{doc_id}/reingest")
        assert r.status_code == 202
        again = wait_job(c, r.json()["job_id"])
        assert (
            again["files"][0]["status"] == "unchanged"
            and again["files"][0]["document_id"] == doc_id
        )
        assert c.get(f"/api/documents/{doc_id}/file").content.startswith(b"# note 0")
        assert c.delete(f"/api/documents/{doc_id}").json() == {"deleted": doc_id}
        assert c.get(f"/api/documents/{doc_id}").status_code == 404
    actions = [e["action"] for e in fresh.brain.audit.export()]
    assert {"upload", "reingest", "delete"} <= set(actions)


def test_jobs_are_seen_only_by_their_starter(fresh: Running) -> None:
    with fresh.client("editor") as c:
        job_id = c.post("/api/uploads", files=_files(1, "private"), data={"acl": "sales"}).json()[
            "job_id"
        ]
        wait_job(c, job_id)
    with fresh.client("admin") as c:  # not in group sales: the file name is not for it
        assert c.get(f"/api/jobs/{job_id}").status_code == 404
        assert c.get("/api/jobs").json()["jobs"] == []
        assert c.get(f"/api/jobs/{job_id}/events").status_code == 404


def test_uploads_never_touch_or_name_documents_the_uploader_cannot_read(fresh: Running) -> None:
    secret = ("files", ("plan.md", b"# Plan\n\nthe hidden merger plan\n", "text/markdown"))
    with fresh.client("admin") as c:  # group hr
        job = wait_job(
            c,
            c.post("/api/uploads", files=[secret], data={"acl": "hr", "kb": "k"}).json()["job_id"],
        )
        secret_id = job["files"][0]["document_id"]
    mine = ("files", ("plan.md", b"# Plan\n\nmy own plan\n", "text/markdown"))
    with fresh.client("editor") as c:  # group sales: same kb, same file name
        job = wait_job(c, c.post("/api/uploads", files=[mine], data={"kb": "k"}).json()["job_id"])
        assert job["files"][0]["status"] == "added" and job["files"][0]["document_id"] != secret_id
        same = wait_job(
            c,
            c.post(
                "/api/uploads",
                files=[("files", ("copy.md", secret[1][1], "text/markdown"))],
                data={"kb": "k"},
            ).json()["job_id"],
        )
        assert same["files"][0]["status"] == "duplicate" and same["files"][0]["document_id"] is None
    with fresh.client("admin") as c:
        text = c.get(f"/api/documents/{secret_id}?text=true").json()["text"]
        assert "hidden merger plan" in text
