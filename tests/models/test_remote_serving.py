"""The documented remote-models configuration (docs/deploy.md), run as written: embeddings from a
TEI-like server and answers from a vLLM-like server, both real OpenAI-compatible HTTP stand-ins
on loopback (tests/fakes/openai_server.py). Only the two hosts are replaced."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from ebrain.auth import Principal
from ebrain.brain import Brain
from tests.conftest import REPO, SMALL_CORPUS
from tests.fakes.openai_server import CHAT, EMBEDDINGS, FakeOpenAI, reply, start_fake_openai

DOC = REPO / "docs" / "deploy.md"
MARKER = "<!-- remote-models-config"
TEI_HOST, VLLM_HOST = "http://tei:80/v1", "http://vllm:8000/v1"
# Added for the test only: the learned injection detector embeds with the in-process e5 model
# (independent of where embed.model is served; tests/guard covers it), off for speed; and the
# stand-in's vectors are hashes with no meaning, which the refusal model (it reads dense scores)
# would rightly refuse, so it never refuses here.
TEST_ONLY = "guard:\n  learned: false\nanswer:\n  refusal_threshold: 0.0\n"


def documented_config() -> str:
    """The yaml block that follows the marker in docs/deploy.md."""
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"```yaml\n(.*?)```", text[text.index(MARKER) :], re.S)
    assert found is not None, "docs/deploy.md lost its remote-models config block"
    return found.group(1)


@pytest.fixture
def servers() -> Iterator[tuple[FakeOpenAI, FakeOpenAI]]:
    tei, vllm = start_fake_openai(embedding_dim=1024), start_fake_openai()
    yield tei, vllm
    tei.close()
    vllm.close()


def _workspace(tmp_path: Path, tei: FakeOpenAI, vllm: FakeOpenAI) -> Path:
    config = documented_config()
    assert TEI_HOST in config and VLLM_HOST in config
    config = config.replace(TEI_HOST, tei.url).replace(VLLM_HOST, vllm.url)
    ws = tmp_path / "ws"
    Brain.init(ws).close()
    (ws / "config.yaml").write_text(config + TEST_ONLY, encoding="utf-8")
    return ws


def _corpus(root: Path) -> Path:
    for rel, text in SMALL_CORPUS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_documented_config_parses_and_names_both_servers() -> None:
    config = yaml.safe_load(documented_config())
    assert config["embed"]["model"].startswith("openai+http://tei:80/v1?")
    assert config["models"]["qwen"]["url"].startswith("openai+http://vllm:8000/v1#")
    assert "api_key" not in config["models"]["qwen"]  # keys come from the environment


def test_ingest_search_and_ask_through_remote_servers(
    tmp_path: Path, servers: tuple[FakeOpenAI, FakeOpenAI], monkeypatch: pytest.MonkeyPatch
) -> None:
    tei, vllm = servers
    monkeypatch.setenv("TEI_API_KEY", "tei-secret")
    monkeypatch.setenv("VLLM_API_KEY", "vllm-secret")
    vllm.script(reply("总金额为人民币 480,000 元。[1]"))
    owner = Principal.owner()
    with Brain.open(_workspace(tmp_path, tei, vllm)) as brain:
        report = brain.ingest([_corpus(tmp_path / "corpus")])
        hits = brain.search("HT2023-015 总金额", principal=owner, mode="dense")
        answer = brain.ask("合同 HT2023-015 的总金额是多少？", principal=owner)
    embeds = [r for r in tei.requests if r.path == EMBEDDINGS]
    assert report.embedded == report.chunks_added > 0
    assert {r.body["model"] for r in embeds} == {"BAAI/bge-m3"}
    assert {r.headers.get("authorization") for r in embeds} == {"Bearer tei-secret"}
    assert hits and not [r for r in tei.requests if r.path == CHAT]
    (chat,) = vllm.chat_requests()
    assert chat.body["model"] == "Qwen/Qwen2.5-7B-Instruct"
    assert chat.headers.get("authorization") == "Bearer vllm-secret"
    assert "HT2023-015" in chat.body["messages"][-1]["content"]
    assert answer.model == "Qwen/Qwen2.5-7B-Instruct" and "480,000" in answer.text
    assert answer.citations and answer.citations[0].path.endswith("contract-HT2023-015.txt")
