"""`ebrain user|group|key|audit` over a real workspace through the Typer runner: --json
shapes, the key printed once, audited CLI actions, and tampering seen by `audit verify`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ebrain.brain import Brain
from ebrain.catalog.workspace import Workspace
from ebrain.cli.main import build

runner = CliRunner()


def _run(ws: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(build(), ["--workspace", str(ws), *args], input=stdin)
    return result.exit_code, result.stdout


def _json(ws: Path, *args: str, stdin: str | None = None) -> object:
    code, out = _run(ws, *args, "--json", stdin=stdin)
    assert code == 0, out
    return json.loads(out)


def test_users_groups_and_passwords(workspace: Path) -> None:
    made = _json(
        workspace,
        "user",
        "create",
        "alice",
        "-g",
        "sales",
        "--role",
        "editor",
        "--password-stdin",
        stdin="a long passphrase\n",
    )
    assert made == {
        "name": "alice",
        "role": "editor",
        "groups": ["sales"],
        "disabled": False,
        "email": "",
        "created_at": made["created_at"],
        "has_password": True,
    }
    assert _json(workspace, "user", "create", "bob")["has_password"] is False
    assert _json(workspace, "group", "add", "hr", "alice", "bob") == {
        "group": "hr",
        "members": ["alice", "bob"],
    }
    assert _json(workspace, "group", "remove", "hr", "bob") == {"group": "hr", "members": ["alice"]}
    assert _json(workspace, "group", "list") == {"hr": ["alice"], "sales": ["alice"]}
    assert _json(workspace, "user", "role", "bob", "admin") == {"user": "bob", "role": "admin"}
    assert _json(workspace, "user", "passwd", "bob", stdin="another passphrase\n") == {
        "user": "bob",
        "password_set": True,
    }
    assert _json(workspace, "user", "disable", "alice") == {"user": "alice", "disabled": True}
    users = _json(workspace, "user", "list")
    assert [(u["name"], u["role"], u["disabled"]) for u in users] == [
        ("alice", "editor", True),
        ("bob", "admin", False),
    ]
    with Brain.open(workspace) as b:
        assert b.identity.check_password("bob", "another passphrase") is not None
        assert b.identity.check_password("alice", "a long passphrase") is None  # disabled
        actors = {e["actor"] for e in b.audit.export()}
        actions = [e["action"] for e in b.audit.export()]
    assert len(actors) == 1 and next(iter(actors)).startswith("cli:")
    assert actions == [
        "user_created",
        "user_created",
        "group_changed",
        "group_changed",
        "group_changed",
        "role_changed",
        "password_changed",
        "user_disabled",
    ]


def test_errors_use_the_json_shape(workspace: Path) -> None:
    code, out = _run(workspace, "user", "create", "bad name", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "invalid_input"
    code, out = _run(workspace, "user", "disable", "ghost", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "not_found"
    code, out = _run(workspace, "key", "revoke", "nope", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "not_found"


def test_keys(workspace: Path) -> None:
    with Brain.open(workspace) as b:
        b.create_kb("hr")
    _run(workspace, "user", "create", "carol")
    made = _json(workspace, "key", "create", "--user", "carol", "--kb", "hr")
    assert set(made) == {"key", "id", "user", "kbs", "created", "revoked", "last_used"}
    raw, key_id = made["key"], made["id"]
    listed = _json(workspace, "key", "list", "--user", "carol")
    assert listed == [{k: v for k, v in made.items() if k != "key"}]
    assert raw not in json.dumps(listed)
    code, text = _run(workspace, "key", "create", "--user", "carol")
    assert code == 0 and text.strip().startswith("ebk_")  # the key alone on stdout
    with Brain.open(workspace) as b:
        found = b.identity.authenticate_key(raw)
        assert found is not None and found[1].kbs == ("hr",)
    assert _json(workspace, "key", "revoke", key_id) == {"id": key_id, "revoked": True}
    with Brain.open(workspace) as b:
        assert b.identity.authenticate_key(raw) is None


def test_audit_verify_and_export(workspace: Path, tmp_path: Path) -> None:
    for name in ("u1", "u2", "u3"):
        _run(workspace, "user", "create", name)
    result = _json(workspace, "audit", "verify")
    assert result["ok"] is True and result["checked"] == 3
    out = tmp_path / "audit.jsonl"
    summary = _json(workspace, "audit", "export", "--since", "2000-01-01", "--out", str(out))
    assert summary == {"path": str(out), "entries": 3, "since": "2000-01-01"}
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [e["target"] for e in lines] == ["u1", "u2", "u3"]
    code, text = _run(workspace, "audit", "export")
    assert code == 0 and len(text.splitlines()) == 3
    ws = Workspace.open(workspace)  # SQLite or PostgreSQL: tamper behind ebrain's back
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET target = 'someone-else' WHERE seq = 2")
    ws.close()
    code, out = _run(workspace, "audit", "verify", "--json")
    report = json.loads(out)
    assert code == 2 and report["ok"] is False and report["first_bad"] == 2
    assert report["problems"] == [{"seq": 2, "reason": report["reason"]}]
    code, _ = _run(workspace, "audit", "verify")
    assert code == 2


def test_passwd_prompt_and_chinese_messages(workspace: Path) -> None:
    _run(workspace, "user", "create", "dora")
    code, out = _run(workspace, "user", "passwd", "dora", stdin="first pass 1\nfirst pass 1\n")
    assert code == 0 and "dora" in out
    with Brain.open(workspace) as b:
        assert b.identity.check_password("dora", "first pass 1") is not None
    result = runner.invoke(
        build(),
        ["--workspace", str(workspace), "user", "disable", "dora"],
        env={"EBRAIN_LOCALE": "zh"},
    )
    assert result.exit_code == 0 and "已停用" in result.stdout
