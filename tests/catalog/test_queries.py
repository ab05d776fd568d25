"""The catalog's named queries, through Brain's thin methods and directly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.catalog.queries import Catalog
from ebrain.cli.main import build
from ebrain.errors import InvalidInputError, NotFoundError

OWNER = Principal.owner()


@pytest.mark.parametrize(("limit", "offset"), [(-1, 0), (0, 0), (10_001, 0), (10, -1)])
def test_documents_page_is_validated(brain: Brain, limit: int, offset: int) -> None:
    with pytest.raises(InvalidInputError) as err:
        brain.documents(limit=limit, offset=offset, principal=OWNER)
    assert err.value.hint and ("limit" in err.value.hint or "offset" in err.value.hint)


def test_documents_page_bounds_are_accepted(brain: Brain, small_corpus: Path) -> None:
    brain.ingest([small_corpus])
    assert len(brain.documents(limit=10_000, principal=OWNER)) == 3
    assert [d["id"] for d in brain.documents(limit=1, offset=2, principal=OWNER)] == [3]


def test_docs_list_with_a_negative_limit_is_a_clear_error(workspace: Path) -> None:
    result = CliRunner().invoke(
        build(), ["--workspace", str(workspace), "docs", "list", "--limit", "-1", "--json"]
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "invalid_input"


def test_kbs_documents_rules_errors_and_stats(brain: Brain, small_corpus: Path) -> None:
    brain.ingest([small_corpus], kb="work", tags=["t"], acl=["g"])
    assert [(k.name, k.documents) for k in brain.kbs()] == [("work", 3)]
    doc = brain.documents(kb="work", principal=OWNER)[0]
    assert doc["kb"] == "work" and doc["tags"] == ["t"] and doc["acl"] == ["g"]
    full = brain.document(doc["id"], with_text=True, principal=OWNER)
    assert full["text"] and full["chunks"][0]["ord"] == 0
    brain.set_type(doc["id"], "manual")
    assert brain.document(doc["id"], principal=OWNER)["type_source"] == "user"
    brain.add_type_rule("*/x/*", "contract", kb="work")
    assert ("*/x/*", "contract") in brain.type_rules(brain.kbs()[0].id)
    stats = brain.stats()
    assert stats["documents"] == 3 and stats["by_kb"] == {"work": 3} and stats["errors"] == 0
    assert brain.errors() == []
    brain.remove_document(doc["id"])
    assert brain.remove_kb("work") == 2 and brain.kbs() == []


def test_missing_things_are_not_found(brain: Brain) -> None:
    with pytest.raises(NotFoundError):
        brain.document(42, principal=OWNER)
    with pytest.raises(NotFoundError):
        brain.remove_document(42)
    with pytest.raises(NotFoundError) as err:
        brain.remove_kb("nope")
    assert "known:" in err.value.hint


def test_conversations_and_term_statistics(brain: Brain, small_corpus: Path) -> None:
    catalog = Catalog(brain.engine)
    catalog.create_conversation("c1", "default")
    assert catalog.has_conversation("c1") and not catalog.has_conversation("c2")
    catalog.add_messages("c1", [{"role": "user", "content": "hi", "query": "hi",
                                 "trace_id": "t", "answer": "{}"}])  # fmt: skip
    assert [m[:2] for m in catalog.messages("c1")] == [("user", "hi")]
    brain.ingest([small_corpus])
    assert catalog.chunk_count() == brain.stats()["chunks"] > 0
    assert catalog.fulltext_doc_freq("zzzunknownzzz") == 0


@pytest.mark.parametrize("document_id", [0, -1, 2**63, 10**30])
def test_out_of_range_document_id_is_not_found(brain: Brain, document_id: int) -> None:
    with pytest.raises(NotFoundError):
        brain.catalog.document(document_id)


def test_documents_page_and_counts_are_filtered_in_the_query(brain: Brain, tmp_path: Path) -> None:
    """A reader's page holds only its documents (no short pages), and counts hide the rest."""
    folder = tmp_path / "acl"
    for i in range(6):
        sub = folder / ("hr" if i % 2 else "open")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"d{i}.txt").write_text(f"document number {i} about topic {i * 7}", encoding="utf-8")
    brain.ingest([folder / "hr"], acl=["hr"], jobs=1)
    brain.ingest([folder / "open"], jobs=1)
    reader = Principal.user("r", ["sales"])
    page = brain.documents(limit=2, offset=0, principal=reader)
    assert len(page) == 2 and all(not d["acl"] for d in page)
    assert len(brain.documents(limit=10, principal=reader)) == 3
    counts = brain.document_counts(principal=reader)
    assert sum(r["documents"] for r in counts) == 3
    assert sum(r["documents"] for r in brain.document_counts(principal=OWNER)) == 6
    assert brain.documents(principal=reader, kbs=["nope"]) == []
