"""Permissions are closed by default: every read of document content names a principal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ebrain.auth import Principal, require_read
from ebrain.brain import Brain
from ebrain.errors import PermissionDeniedError
from ebrain.index.base import Filters
from tests.retrieve.brains import build_brain


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Brain]:
    b = build_brain(tmp_path_factory.mktemp("auth"))
    yield b
    b.close()


def test_principals() -> None:
    assert Principal.owner().can_read(["hr"]) and Principal.owner().is_owner
    user = Principal.user("li", ["sales", "", "sales"])
    assert user.groups == ("sales",) and not user.is_owner
    assert user.can_read([]) and user.can_read(["sales", "hr"]) and not user.can_read(["hr"])
    with pytest.raises(PermissionDeniedError) as err:
        require_read(user, ["hr"], "document 3")
    assert err.value.hint and err.value.status == 403


def test_filters_have_no_open_default() -> None:
    with pytest.raises(TypeError):
        Filters()  # type: ignore[call-arg]
    assert not Filters(Principal.owner()).restricts
    assert Filters(Principal.user("li")).restricts


@pytest.mark.parametrize("call", ["search", "search_ex", "ask", "ask_stream", "conversation"])
def test_a_call_without_a_principal_fails(brain: Brain, call: str) -> None:
    method = getattr(brain, call)
    args = () if call == "conversation" else ("薪酬调整 奖金方案",)
    with pytest.raises(TypeError, match="principal"):
        method(*args)
    with pytest.raises(PermissionDeniedError):
        result = method(*args, principal=None)
        list(result) if call == "ask_stream" else None


def test_documents_need_a_principal_and_honour_the_acl(brain: Brain) -> None:
    with pytest.raises(TypeError, match="principal"):
        brain.documents()  # type: ignore[call-arg]
    with pytest.raises(PermissionDeniedError):
        brain.documents(principal=None)  # type: ignore[arg-type]
    everything = {d["title"]: d for d in brain.documents(principal=Principal.owner())}
    assert "薪酬调整" in everything
    public = {d["title"] for d in brain.documents(principal=Principal.user("li"))}
    assert public == {"HT-2000 手册", "Weekly report"}
    salary = everything["薪酬调整"]["id"]
    with pytest.raises(PermissionDeniedError):
        brain.document(salary, with_text=True, principal=Principal.user("li", ["sales"]))
    doc = brain.document(salary, with_text=True, principal=Principal.user("wang", ["hr"]))
    assert "奖金方案" in doc["text"]


def test_a_user_never_sees_what_is_not_shared(brain: Brain) -> None:
    owner = brain.search("薪酬调整 奖金方案", k=1, principal=Principal.owner())
    assert [h.title for h in owner] == ["薪酬调整"]
    for who in (Principal.user("li"), Principal.user("li", ["sales"])):
        hits = brain.search("薪酬调整 奖金方案", k=5, principal=who)
        assert "薪酬调整" not in [h.title for h in hits]
        answer = brain.ask("薪酬调整 奖金方案是什么？", principal=who)
        assert all(c.title != "薪酬调整" for c in answer.citations)
    hr = brain.search("薪酬调整 奖金方案", k=1, principal=Principal.user("wang", ["hr"]))
    assert [h.title for h in hr] == ["薪酬调整"]
