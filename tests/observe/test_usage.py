"""The usage dashboard's figures (ebrain.observe.usage) over a real catalog: audited asks,
feedback and model calls; cited documents filtered by the reader's groups inside the query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ebrain.answer.guarding import CatalogUsageSink
from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.catalog.dashboard_queries import DashboardQueries
from ebrain.catalog.jobs import JobQueries
from ebrain.catalog.queries import DocScope
from ebrain.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from ebrain.models.usage import UsageRecord
from ebrain.observe.usage import percentile, usage_report

HOSTILE = "<script>alert(1)</script> pay plan"


def _docs(brain: Brain, root: Path) -> dict[str, int]:
    ids = {}
    for name, acl in (("public", []), ("secret", ["hr"])):
        path = root / f"{name}.md"
        title = HOSTILE if name == "secret" else "Public manual"
        path.write_text(f"# {title}\n\nSome text about {name} things.\n", encoding="utf-8")
        doc_id = brain.ingest([path], kb="main", acl=acl).files[0].document_id
        assert doc_id is not None
        ids[name] = doc_id
    return ids


@pytest.fixture
def seeded(brain: Brain, tmp_path: Path) -> dict[str, int]:
    ids = _docs(brain, tmp_path)
    asks = [
        ("ann", "what is the pay plan?", [ids["secret"]], False, 120.0),
        ("ann", "public manual?", [ids["public"]], False, 80.0),
        ("bob", "Where  is the moon?", [], True, 40.0),
        ("bob", "where is the MOON?", [], True, 60.0),
        ("bob", "pay plan again", [ids["secret"], ids["public"]], False, 200.0),
    ]
    brain.audit.store_questions = True
    for actor, question, cited, refused, ms in asks:
        detail = {"refused": refused, "latency_ms": ms, "trace_id": "t"}
        brain.audit.record_ask(actor=actor, question=question, documents=cited, detail=detail)
    feedback = JobQueries(brain.engine)
    for user, rating in (("ann", 1), ("ann", 1), ("bob", -1)):
        feedback.add_feedback("t", user, rating, "")
    sink = CatalogUsageSink(brain.engine)
    for ms, cost in ((100.0, 0.01), (300.0, 0.02)):
        sink.record(
            UsageRecord(
                "gpt-x", "large", prompt_tokens=10, completion_tokens=5, cost=cost, latency_ms=ms
            )
        )
    old = datetime.now(UTC) - timedelta(days=90)
    sink.record(UsageRecord("gpt-old", "small", prompt_tokens=99, at=old))
    return ids


def test_percentile_interpolates() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([10.0, 20.0], 95) == pytest.approx(19.5)


def test_everyone_view_counts_all_questions(brain: Brain, seeded: dict[str, int]) -> None:
    report = usage_report(brain.engine, DocScope(None), days=7)
    assert report.questions == 5 and report.refused == 2
    assert len(report.questions_per_day) == 7
    today = report.questions_per_day[-1]
    assert today[1] == 5
    _, p50, p95 = report.latency_per_day[-1]
    assert p50 == 80.0 and p95 == pytest.approx(184.0)
    assert (report.thumbs_up, report.thumbs_down) == (2, 1)
    assert report.thumbs_up_rate == pytest.approx(2 / 3)
    # one refused question, asked twice in different spellings
    assert report.refused_questions == [("Where is the moon?", 2)]
    [model] = report.models  # the 90-day-old call is outside the window
    assert model["model"] == "gpt-x" and model["calls"] == 2
    assert model["prompt_tokens"] == 20 and model["cost"] == pytest.approx(0.03)
    assert model["p50_ms"] == 200.0


def test_cited_documents_are_filtered_by_the_readers_groups(
    brain: Brain, seeded: dict[str, int]
) -> None:
    owner = usage_report(brain.engine, DocScope(None))
    assert [(d["id"], d["citations"]) for d in owner.top_documents] == [
        (seeded["public"], 2),
        (seeded["secret"], 2),
    ]
    outsider = usage_report(brain.engine, DocScope(("sales",)))
    assert [d["id"] for d in outsider.top_documents] == [seeded["public"]]
    assert HOSTILE not in str(outsider.to_dict())


def test_one_users_view(brain: Brain, seeded: dict[str, int]) -> None:
    report = brain.usage_report(principal=Principal.user("ann", ["hr"]))
    assert report.questions == 2 and report.refused == 0 and not report.everyone
    assert (report.thumbs_up, report.thumbs_down) == (2, 0)
    assert report.models == []  # model calls are not per user
    assert {d["id"] for d in report.top_documents} == set(seeded.values())
    everyone = brain.usage_report(principal=Principal.user("ann", ["hr"]), everyone=True)
    assert everyone.questions == 5


def test_the_report_needs_a_principal(brain: Brain) -> None:
    with pytest.raises(PermissionDeniedError):
        brain.usage_report(principal=None)  # type: ignore[arg-type]


def test_questions_are_not_shown_unless_stored(brain: Brain) -> None:
    brain.audit.store_questions = False
    brain.audit.record_ask(actor="x", question="secret?", documents=[], detail={"refused": True})
    report = usage_report(brain.engine, DocScope(None))
    assert report.refused == 1 and report.refused_questions == [] and not report.questions_stored


def test_set_groups_replaces_the_acl(brain: Brain, tmp_path: Path) -> None:
    ids = _docs(brain, tmp_path)
    sales = Principal.user("sally", ["sales"])
    assert brain.set_groups(ids["secret"], [" sales ", "hr", "sales"]) == ["sales", "hr"]
    assert brain.document(ids["secret"], principal=sales)["acl"] == ["hr", "sales"]
    brain.set_groups(ids["secret"], ["hr"])
    with pytest.raises(PermissionDeniedError):
        brain.document(ids["secret"], principal=sales)
    assert len(brain.documents(principal=sales)) == 1
    brain.set_groups(ids["secret"], [])  # public
    assert len(brain.documents(principal=sales)) == 2


@pytest.mark.parametrize("groups", [["a,b"], ["x" * 101], [f"g{i}" for i in range(51)]])
def test_set_groups_refuses_bad_groups(brain: Brain, groups: list[str]) -> None:
    with pytest.raises(InvalidInputError):
        brain.set_groups(1, groups)


def test_set_groups_of_a_missing_document(brain: Brain) -> None:
    with pytest.raises(NotFoundError):
        brain.set_groups(999, ["hr"])


def test_guard_events_and_audit_pages(brain: Brain, seeded: dict[str, int]) -> None:
    queries = DashboardQueries(brain.engine)
    total, rows = queries.guard_events()
    assert (total, rows) == (0, [])
    entries = queries.audit_entries(limit=2)
    assert [e["action"] for e in entries] == ["ask", "ask"]
    assert entries[0]["seq"] > entries[1]["seq"]
    older = queries.audit_entries(before=entries[1]["seq"], limit=100)
    assert all(e["seq"] < entries[1]["seq"] for e in older)
    assert queries.chunk_total(DocScope(("sales",))) < queries.chunk_total(DocScope(None))


def test_junk_in_audit_details_is_ignored(brain: Brain, tmp_path: Path) -> None:
    ids = _docs(brain, tmp_path)
    junk = ["x", True, 2**70, -1, None, 1.5, ids["public"]]
    brain.audit.record_ask(
        actor="a", question="q", documents=junk, detail={"latency_ms": "slow", "refused": "no"}
    )
    brain.audit.record_ask(
        actor="a", question="q", documents=[], detail={"latency_ms": float("inf")}
    )
    report = usage_report(brain.engine, DocScope(None))
    assert [d["id"] for d in report.top_documents] == [ids["public"]]
    assert report.latency_per_day[-1][1] is None and report.questions == 2 and report.refused == 0


def test_kb_scope_limits_cited_documents(brain: Brain, seeded: dict[str, int]) -> None:
    queries = DashboardQueries(brain.engine)
    everything = queries.visible_documents(seeded.values(), DocScope(None))
    assert set(everything) == set(seeded.values())
    assert queries.visible_documents(seeded.values(), DocScope(None, ("other-kb",))) == {}
