"""Identity over a real workspace catalog: passwords, disabled users, API keys (hashed,
revocable, kb-limited), sessions with expiry, the one-time first-admin token, OIDC users."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ebrain.brain import Brain
from ebrain.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from ebrain.identity import Identity
from ebrain.identity.tokens import digest

PASSWORD = "correct horse battery"


class Clock:
    """A settable clock for session expiry."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ident(brain: Brain, clock: Clock) -> Identity:
    return Identity(brain.engine, brain.audit, clock=clock)


def _actions(brain: Brain) -> list[str]:
    return [e["action"] for e in brain.audit.export()]


def test_password_right_wrong_unknown(ident: Identity, brain: Brain) -> None:
    made = ident.create_user("alice", groups=["sales"], role="editor", password=PASSWORD)
    assert made.groups == ("sales",) and made.role == "editor" and not made.disabled
    assert ident.check_password("alice", PASSWORD) == made
    assert ident.check_password("alice", PASSWORD + "x") is None
    assert ident.check_password("nobody", PASSWORD) is None
    assert ident.check_password("alice", "") is None
    stored = brain.engine.connect().exec_driver_sql("SELECT password_hash FROM app_user").scalar()
    assert str(stored).startswith("$argon2id$") and PASSWORD not in str(stored)


def test_no_password_means_no_login_and_short_passwords_refused(ident: Identity) -> None:
    ident.create_user("svc")
    assert ident.check_password("svc", "") is None
    assert ident.check_password("svc", "anything-at-all") is None
    with pytest.raises(InvalidInputError):
        ident.set_password("svc", "short")
    with pytest.raises(InvalidInputError):
        ident.create_user("svc")  # exists
    with pytest.raises(InvalidInputError):
        ident.create_user("bad name")
    with pytest.raises(InvalidInputError):
        ident.create_user("x", role="root")


def test_disabled_user_cannot_log_in_use_keys_or_sessions(ident: Identity) -> None:
    ident.create_user("bob", password=PASSWORD)
    raw, _ = ident.create_key("bob")
    token = ident.create_session("bob", 3600)
    assert ident.authenticate_key(raw) is not None and ident.session_user(token) is not None
    ident.disable_user("bob", actor="cli:test")
    user = ident.get_user("bob")
    assert user is not None and user.disabled
    assert ident.check_password("bob", PASSWORD) is None
    assert ident.authenticate_key(raw) is None
    assert ident.session_user(token) is None
    with pytest.raises(PermissionDeniedError):
        ident.create_session("bob", 60)
    ident.enable_user("bob")
    assert ident.authenticate_key(raw) is not None
    assert ident.session_user(token) is None  # disabling ended the session for good


@pytest.mark.sqlite_only  # reads the SQLite catalog's files
def test_key_is_stored_hashed_only(ident: Identity, brain: Brain, workspace: Path) -> None:
    ident.create_user("carol")
    raw, key = ident.create_key("carol")
    assert raw.startswith(f"ebk_{key.id}_") and len(raw) > 50
    brain.close()
    blobs = b"".join(p.read_bytes() for p in workspace.iterdir() if p.name.startswith("catalog"))
    secret = raw.split("_", 2)[2]
    assert raw.encode() not in blobs and secret.encode() not in blobs
    assert digest(raw).encode() in blobs  # we did look at the right files
    assert key.id.encode() in blobs


def test_authenticate_key_and_last_used(ident: Identity, clock: Clock) -> None:
    ident.create_user("dan", groups=["ops"])
    raw, key = ident.create_key("dan")
    found = ident.authenticate_key(raw)
    assert found is not None
    user, used = found
    assert user.name == "dan" and used.id == key.id
    assert user.principal().groups == ("ops",) and not user.principal().is_owner
    assert ident.list_keys("dan")[0].last_used == clock.now.isoformat(timespec="seconds")
    for bad in (
        "",
        "ebk_",
        "ebk_" + key.id + "_",
        raw + "x",
        raw[:-1],
        "x" * 5000,
        "Bearer " + raw,
    ):
        assert ident.authenticate_key(bad) is None


def test_revoke(ident: Identity, brain: Brain) -> None:
    ident.create_user("erin")
    raw, key = ident.create_key("erin")
    ident.revoke_key(key.id, actor="cli:test")
    assert ident.authenticate_key(raw) is None
    assert ident.list_keys()[0].revoked
    with pytest.raises(NotFoundError):
        ident.revoke_key("nope")
    assert _actions(brain)[-2:] == ["key_created", "key_revoked"]


def test_kb_limited_key(ident: Identity, brain: Brain) -> None:
    brain.create_kb("hr")
    brain.create_kb("sales")
    ident.create_user("fay")
    raw, key = ident.create_key("fay", kbs=["hr"])
    found = ident.authenticate_key(raw)
    assert found is not None and found[1].kbs == ("hr",)
    assert key.allows_kb("hr") and not key.allows_kb("sales")
    with pytest.raises(NotFoundError):
        ident.create_key("fay", kbs=["missing"])
    assert len(ident.list_keys("fay")) == 1  # the failed create left nothing behind
    assert _actions(brain).count("key_created") == 1  # and no audit entry: one transaction


def test_session_expiry_and_logout(ident: Identity, clock: Clock) -> None:
    ident.create_user("gus")
    token = ident.create_session("gus", ttl_s=60)
    assert ident.session_user(token) is not None
    clock.now += timedelta(seconds=59)
    assert ident.session_user(token) is not None
    clock.now += timedelta(seconds=1)
    assert ident.session_user(token) is None
    other = ident.create_session("gus", ttl_s=60)
    ident.end_session(other)
    assert ident.session_user(other) is None
    assert ident.session_user("forged") is None and ident.session_user("") is None


def test_first_admin_token_is_single_use(ident: Identity, brain: Brain) -> None:
    old = ident.first_admin_token()
    token = ident.first_admin_token()
    assert old and token and old != token
    with pytest.raises(PermissionDeniedError):
        ident.claim_first_admin(old, "root", PASSWORD)  # replaced by the newer token
    admin = ident.claim_first_admin(token, "root", PASSWORD)
    assert admin.role == "admin" and ident.check_password("root", PASSWORD) == admin
    with pytest.raises(PermissionDeniedError):
        ident.claim_first_admin(token, "root2", PASSWORD)
    assert ident.first_admin_token() is None
    assert "first_admin_claimed" in _actions(brain)


def test_no_first_admin_token_once_an_admin_exists(ident: Identity) -> None:
    token = ident.first_admin_token()
    assert token is not None
    ident.create_user("boss", role="admin")
    with pytest.raises(PermissionDeniedError):
        ident.claim_first_admin(token, "intruder", PASSWORD)
    assert ident.first_admin_token() is None
    assert ident.get_user("intruder") is None


def test_groups_and_roles_are_audited(ident: Identity, brain: Brain) -> None:
    ident.create_user("hal", groups=["a"], actor="cli:root")
    ident.add_to_group("hal", "b", actor="cli:root")
    ident.add_to_group("hal", "b", actor="cli:root")  # no change, no entry
    ident.remove_from_group("hal", "a", actor="cli:root")
    ident.set_role("hal", "editor", actor="cli:root")
    assert ident.list_groups() == {"b": ["hal"]}
    user = ident.get_user("hal")
    assert user is not None and user.has_role("editor") and not user.has_role("admin")
    entries = list(brain.audit.export())
    assert [e["action"] for e in entries] == [
        "user_created",
        "group_changed",
        "group_changed",
        "role_changed",
    ]
    assert {e["actor"] for e in entries} == {"cli:root"} and brain.audit.verify().ok
    with pytest.raises(NotFoundError):
        ident.add_to_group("nobody", "b")


def test_oidc_users_by_subject(ident: Identity) -> None:
    ident.create_user("admin", role="admin")
    claims = {
        "sub": "idp|1",
        "preferred_username": "admin",
        "email": "a@x.cn",
        "groups": ["hr", "bad group"],
    }
    first = ident.user_from_oidc(claims)
    assert first.name != "admin" and first.role == "viewer" and first.groups == ("hr",)
    again = ident.user_from_oidc({**claims, "groups": "sales, hr"})
    assert again.name == first.name and again.groups == ("hr", "sales")
    other = ident.user_from_oidc({"sub": "idp|2", "email": "张三@x.cn"}, default_role="editor")
    assert other.name == "张三" and other.role == "editor"
    ident.disable_user(first.name)
    with pytest.raises(PermissionDeniedError):
        ident.user_from_oidc(claims)
    with pytest.raises(InvalidInputError):
        ident.user_from_oidc({"email": "no-sub@x.cn"})
