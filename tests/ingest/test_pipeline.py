from __future__ import annotations

import os
import shutil
from pathlib import Path

import sqlalchemy as sa

from ebrain.auth import Principal
from ebrain.brain import Brain

OWNER = Principal.owner()


def _count(brain: Brain, table: str) -> int:
    with brain.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_first_ingest_adds_everything(brain: Brain, small_corpus: Path) -> None:
    report = brain.ingest([small_corpus], kb="k", jobs=1)
    assert report.counts == {"added": 3}
    assert report.chunks_added == _count(brain, "chunk") > 0
    types = {d["title"]: d["doc_type"] for d in brain.documents(kb="k", principal=OWNER)}
    assert "contract" in types.values() and "meeting_minutes" in types.values()


def test_reingest_unchanged_is_a_noop(brain: Brain, small_corpus: Path) -> None:
    brain.ingest([small_corpus], jobs=1)
    before = _count(brain, "chunk")
    report = brain.ingest([small_corpus], jobs=1)
    assert report.counts == {"unchanged": 3}
    assert _count(brain, "chunk") == before


def test_touched_but_identical_file_is_unchanged(brain: Brain, small_corpus: Path) -> None:
    brain.ingest([small_corpus], jobs=1)
    f = next(small_corpus.rglob("*.txt"))
    os.utime(f, (1_000_000_000, 1_000_000_000))
    report = brain.ingest([small_corpus], jobs=1)
    assert report.counts == {"unchanged": 3}


def test_changed_file_becomes_new_version(brain: Brain, small_corpus: Path) -> None:
    brain.ingest([small_corpus], jobs=1)
    f = next(small_corpus.rglob("*.txt"))
    doc_id = next(d["id"] for d in brain.documents(principal=OWNER) if str(f) in d["paths"])
    f.write_text(f.read_text(encoding="utf-8") + "\n第四条 本合同一式两份。\n", encoding="utf-8")
    report = brain.ingest([small_corpus], jobs=1)
    assert report.counts == {"updated": 1, "unchanged": 2}
    doc = brain.document(doc_id, with_text=True, principal=OWNER)
    assert doc["version"] == 2 and "一式两份" in doc["text"]
    with brain.engine.connect() as conn:
        versions = conn.execute(
            sa.text(
                "SELECT number, retired_at IS NULL FROM version WHERE document_id=:d ORDER BY number"
            ),
            {"d": doc_id},
        ).all()
        stale = conn.execute(
            sa.text(
                "SELECT count(*) FROM chunk c JOIN version v ON v.id=c.version_id "
                "WHERE c.document_id=:d AND v.number=1"
            ),
            {"d": doc_id},
        ).scalar_one()
    assert [tuple(v) for v in versions] == [(1, False), (2, True)]
    assert stale == 0


def test_identical_content_at_two_paths_stored_once(brain: Brain, small_corpus: Path) -> None:
    src = next(small_corpus.rglob("*.txt"))
    shutil.copy(src, small_corpus / "copy-of-contract.txt")
    report = brain.ingest([small_corpus], jobs=1)
    assert report.counts == {"added": 3, "duplicate": 1}
    doc = next(d for d in brain.documents(principal=OWNER) if len(d["paths"]) == 2)
    assert {Path(p).name for p in doc["paths"]} == {src.name, "copy-of-contract.txt"}


def test_copy_with_other_groups_keeps_the_documents_acl(
    brain: Brain, small_corpus: Path, tmp_path: Path
) -> None:
    """A copy uploaded with other groups neither opens a restricted document nor closes a public one."""
    src = next(small_corpus.rglob("*.txt"))
    brain.ingest([small_corpus], acl=["hr"], jobs=1)
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(src, other / "copy.txt")
    report = brain.ingest([other], acl=["sales"], jobs=1)
    (result,) = report.files
    assert result.status == "duplicate" and "kept" in result.warnings[-1]
    doc = brain.document(result.document_id, principal=OWNER)
    assert doc["acl"] == ["hr"]
    sales = Principal.user("s", ["sales"])
    assert all(d["id"] != result.document_id for d in brain.documents(principal=sales))


def test_prune_removes_vanished_files(brain: Brain, small_corpus: Path) -> None:
    brain.ingest([small_corpus], jobs=1)
    next(small_corpus.rglob("*.md")).unlink()
    report = brain.ingest([small_corpus], prune=True, jobs=1)
    assert report.counts.get("pruned") == 1
    assert len(brain.documents(principal=OWNER)) == 2


def test_bad_files_do_not_stop_the_batch(brain: Brain, small_corpus: Path) -> None:
    (small_corpus / "empty.txt").write_bytes(b"")
    (small_corpus / "fake.pdf").write_bytes(b"%PDF-1.4\n garbage garbage")
    report = brain.ingest([small_corpus], jobs=1)
    assert report.counts["added"] == 3
    reasons = {Path(f.path).name: f.reason for f in report.failed}
    assert reasons == {"empty.txt": "empty", "fake.pdf": "corrupt"}
    assert {Path(e["path"]).name for e in brain.errors()} == {"empty.txt", "fake.pdf"}
    assert brain.stats()["errors"] == 2


def test_fixed_file_clears_its_error(brain: Brain, small_corpus: Path) -> None:
    empty = small_corpus / "later.txt"
    empty.write_bytes(b"")
    brain.ingest([small_corpus], jobs=1)
    empty.write_text("后来补上的内容，关于验收。", encoding="utf-8")
    brain.ingest([small_corpus], jobs=1)
    assert brain.errors() == []


def test_strict_stops_at_first_error(brain: Brain, small_corpus: Path) -> None:
    (small_corpus / "a-empty.txt").write_bytes(b"")
    report = brain.ingest([small_corpus], jobs=1, strict=True)
    assert report.stopped_early
    assert report.files[-1].status == "failed"


def test_tags_and_acl_recorded(brain: Brain, small_corpus: Path) -> None:
    brain.ingest([small_corpus], tags=["q1"], acl=["legal"], jobs=1)
    doc = brain.documents(principal=OWNER)[0]
    assert doc["tags"] == ["q1"] and doc["acl"] == ["legal"]


def test_type_override_and_rules(brain: Brain, small_corpus: Path) -> None:
    brain.add_type_rule("*/manual/*", "other")
    brain.ingest([small_corpus], jobs=1)
    docs = {Path(d["paths"][0]).parent.name: d for d in brain.documents(principal=OWNER)}
    assert docs["manual"]["doc_type"] == "other"
    brain.set_type(docs["minutes"]["id"], "report")
    assert brain.document(docs["minutes"]["id"], principal=OWNER)["doc_type"] == "report"


def test_parallel_ingest_matches_serial(tmp_path: Path, small_corpus: Path) -> None:
    for i in range(6):
        (small_corpus / f"extra{i}.txt").write_text(
            f"第{i}份报告：本周完成情况良好。" * 20, encoding="utf-8"
        )
    results = []
    for jobs in (1, 2):
        with Brain.init(tmp_path / f"ws{jobs}") as b:
            b.ingest([small_corpus], jobs=jobs)
            results.append(
                sorted(
                    (d["title"], d["n_chunks"], d["doc_type"]) for d in b.documents(principal=OWNER)
                )
            )
    assert results[0] == results[1]


def test_fts_index_consistent_after_updates(brain: Brain, small_corpus: Path) -> None:
    brain.ingest([small_corpus], jobs=1)
    f = next(small_corpus.rglob("*.md"))
    f.write_text("# 新内容\n\n完全不同的文本。", encoding="utf-8")
    brain.ingest([small_corpus], prune=True, jobs=1)
    with brain.engine.connect() as conn:
        conn.execute(sa.text("INSERT INTO chunk_fts(chunk_fts) VALUES('integrity-check')"))


def test_ingest_from_a_threaded_process(brain: Brain, small_corpus: Path) -> None:
    """The server ingests from a worker thread: the pool starts without forking other threads' locks."""
    import threading

    from ebrain.ingest.pool import start_context

    out: dict[str, object] = {}

    def run() -> None:
        out["method"] = start_context().get_start_method()
        out["counts"] = brain.ingest([small_corpus], jobs=2).counts

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(120)
    assert out["method"] == "forkserver"
    assert out["counts"] == {"added": 3}


def test_acl_folder_rules_give_groups_at_ingest(brain: Brain, tmp_path: Path) -> None:
    """A folder rule restricts the files under it; files elsewhere stay public."""
    root = tmp_path / "share"
    (root / "hr").mkdir(parents=True)
    (root / "pub").mkdir()
    (root / "hr" / "pay.txt").write_text("salary bands for 2024 engineers", encoding="utf-8")
    (root / "pub" / "faq.txt").write_text("office opening hours are nine to six", encoding="utf-8")
    brain.add_acl_rule("*/hr/*", ["hr"])
    report = brain.ingest([root], jobs=1)
    acl = {
        Path(f.path).name: brain.document(f.document_id, principal=OWNER)["acl"]
        for f in report.files
    }
    assert acl == {"pay.txt": ["hr"], "faq.txt": []}
    sales = Principal.user("s", ["sales"])
    assert [Path(d["paths"][0]).name for d in brain.documents(principal=sales)] == ["faq.txt"]
    assert brain.acl_rules() == [("*/hr/*", "hr")]


def test_an_acl_rule_needs_a_pattern_and_a_group(brain: Brain) -> None:
    import pytest

    from ebrain.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        brain.add_acl_rule("*/hr/*", [" "])
    with pytest.raises(InvalidInputError):
        brain.add_acl_rule("*" * 501, ["hr"])
    with pytest.raises(InvalidInputError):
        brain.add_acl_rule("*/hr/*", ["g" * 101])
    assert brain.acl_rules() == []
