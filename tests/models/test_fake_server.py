"""The fake OpenAI-compatible server itself, spoken to with the official SDK."""

from __future__ import annotations

import openai
import pytest

from tests.fakes.openai_server import FakeOpenAI, hashed_vector


def test_embeddings_are_deterministic(fake_openai: FakeOpenAI) -> None:
    client = openai.OpenAI(base_url=fake_openai.url, api_key="x", max_retries=0)
    first = client.embeddings.create(model="e5", input=["合同", "contract"])
    again = client.embeddings.create(model="e5", input="合同")
    assert [len(d.embedding) for d in first.data] == [16, 16]
    assert first.data[0].embedding == again.data[0].embedding
    assert first.data[0].embedding == pytest.approx(hashed_vector("合同"), abs=1e-6)
    assert first.data[0].embedding != first.data[1].embedding


def test_models_listing_and_recorded_requests(fake_openai: FakeOpenAI) -> None:
    client = openai.OpenAI(base_url=fake_openai.url, api_key="x", max_retries=0)
    assert [m.id for m in client.models.list().data] == ["fake-model"]
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": "a b c"}])
    req = fake_openai.chat_requests()[0]
    assert req.method == "POST" and req.body["model"] == "m"
