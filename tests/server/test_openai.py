"""The OpenAI-compatible endpoints through the real `openai` SDK, streaming included."""

from __future__ import annotations

import json

import openai
import pytest

from tests.server.harness import SECRET_MARKERS, Running

QUESTION = "How often should the HT-2000 air filter be replaced?"


def _client(running: Running, user: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{running.url}/v1", api_key=running.keys[user], max_retries=0)


def test_models_are_the_assistants(running: Running) -> None:
    ids = {m.id for m in _client(running, "otto").models.list()}
    assert {"sales", "support", "management"} <= ids


def test_chat_completion_cites_in_text_and_field(running: Running) -> None:
    done = _client(running, "otto").chat.completions.create(
        model="support", messages=[{"role": "user", "content": QUESTION}]
    )
    text = done.choices[0].message.content or ""
    assert "6 months" in text and "Sources:" in text
    extra = done.model_extra or {}
    assert extra["citations"][0]["document_id"] == running.docs["public"]
    assert extra["ebrain"]["trace_id"]


def test_streaming_chat_completion(running: Running) -> None:
    stream = _client(running, "otto").chat.completions.create(
        model="support", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    text, citations = "", None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        citations = (chunk.model_extra or {}).get("citations", citations)
    assert "6 months" in text and "[1]" in text
    assert citations and citations[0]["document_id"] == running.docs["public"]


def test_follow_up_is_searched_with_the_earlier_turns(running: Running) -> None:
    """Stateless clients send the whole history: the follow-up is searched as a standalone query."""
    client = _client(running, "otto")
    follow_up = "And how often?"
    messages = [
        {"role": "user", "content": "Does the HT-2000 air filter need replacing?"},
        {"role": "assistant", "content": "Yes, it does [1]."},
        {"role": "user", "content": follow_up},
    ]
    done = client.chat.completions.create(model="support", messages=messages)  # type: ignore[arg-type]
    extra = done.model_extra or {}
    assert not extra["ebrain"]["refused"]
    assert extra["citations"][0]["document_id"] == running.docs["public"]
    alone = client.chat.completions.create(
        model="support", messages=[{"role": "user", "content": follow_up}]
    )
    assert (alone.model_extra or {})["ebrain"]["refused"]


def test_unknown_model_and_bad_key(running: Running) -> None:
    with pytest.raises(openai.NotFoundError):
        _client(running, "otto").chat.completions.create(
            model="nope", messages=[{"role": "user", "content": QUESTION}]
        )
    bad = openai.OpenAI(base_url=f"{running.url}/v1", api_key="ebk_wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()


def test_the_secret_is_cited_only_for_its_group(running: Running) -> None:
    question = "What are the QUOKKAPAY salary bands?"
    messages = [{"role": "user", "content": question}]
    admin = _client(running, "admin").chat.completions.create(model="management", messages=messages)
    assert (
        admin.model_extra
        and admin.model_extra["citations"][0]["document_id"] == running.docs["secret"]
    )
    otto = _client(running, "otto").chat.completions.create(model="management", messages=messages)
    dumped = json.dumps(otto.model_dump())
    assert not any(m in dumped for m in SECRET_MARKERS)
    assert all(
        c["document_id"] != running.docs["secret"] for c in (otto.model_extra or {})["citations"]
    )


def test_ask_sse_stream_and_feedback_and_audit(running: Running) -> None:
    with running.client("otto") as c:
        with c.stream("POST", "/api/ask", json={"question": QUESTION, "stream": True}) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            body = "".join(r.iter_text())
        events = [b for b in body.split("\n\n") if b.strip()]
        assert events[-1].startswith("event: answer")
        answer = json.loads(events[-1].split("data: ", 1)[1])
        assert answer["citations"] and not answer["refused"]
        fb = c.post(
            "/api/feedback",
            json={"trace_id": answer["trace_id"], "rating": "down", "comment": "too short"},
        )
        assert fb.status_code == 201
    entries = list(running.brain.audit.export())
    asks = [e for e in entries if e["action"] == "ask" and e["actor"] == "otto"]
    assert asks and asks[-1]["detail"]["documents"] == [running.docs["public"]]
    assert "question" not in asks[-1]["detail"]  # audit.store_questions is off by default
    assert any(e["action"] == "key_used" for e in entries)


def test_conversation_keeps_its_assistant_and_history(running: Running) -> None:
    with running.client("otto") as c:
        cid = c.post("/api/conversations", json={"assistant": "support"}).json()["id"]
        first = c.post(f"/api/conversations/{cid}/messages", json={"question": QUESTION}).json()
        assert first["assistant"] == "support" and first["citations"]
        second = c.post(
            f"/api/conversations/{cid}/messages", json={"question": "And the fan?"}
        ).json()
        assert second["assistant"] == "support"
        messages = c.get(f"/api/conversations/{cid}").json()["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
        assert cid in {x["id"] for x in c.get("/api/conversations").json()["conversations"]}
