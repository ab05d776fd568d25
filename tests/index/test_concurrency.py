"""One Brain serves many threads: searches, asks, an ingest and embedding at once; and two
embedding runs on one workspace share the pending chunks instead of both doing all of them."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from ebrain.auth import Principal
from ebrain.brain import Brain
from tests.fakes.embedder import register_counting
from tests.retrieve.brains import build_brain

OWNER = Principal.owner()
SALES = Principal.user("li", ["sales"])
QUERIES = ["HT2023-015 采购合同", "风扇 通风 检查", "weekly report fan issue", "HT-2000 手册"]


def _extra_docs(folder: Path, n: int) -> Path:
    """Documents for another kb, in wording the searched documents do not share."""
    folder.mkdir(parents=True)
    for i in range(n):
        text = f"# 物流周报 {i}\n\n仓库盘点第 {i} 批，叉车保养与货架编号 W{i:03d} 已登记。"
        (folder / f"log-{i}.md").write_text(text, encoding="utf-8")
    return folder


Seen = tuple[int, frozenset[int], frozenset[int]]


def _seen(brain: Brain, q: str, principal: Principal) -> Seen:
    """The top hit, the set of hits (kb main: the other kb's new documents change BM25
    statistics, so lower ranks may swap) and the answer's cited chunks."""
    hits = brain.search(q, k=3, kb="main", principal=principal)
    answer = brain.ask(q, kb="main", principal=principal)
    ids = [h.chunk_id for h in hits]
    return ids[0], frozenset(ids), frozenset(c.chunk_id for c in answer.citations)


def _snapshot(brain: Brain, principal: Principal) -> dict[str, Seen]:
    return {q: _seen(brain, q, principal) for q in QUERIES}


def _run_threads(targets: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(fn: Callable[[], None]) -> None:
        try:
            fn()
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(fn,)) for fn in targets]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


def test_searches_and_asks_from_many_threads_while_ingesting(tmp_path: Path) -> None:
    brain = build_brain(tmp_path)
    expected = {who: _snapshot(brain, who) for who in (OWNER, SALES)}
    fresh = Brain.open(brain.workspace.path)  # nothing built yet: lazy parts race too
    extra = _extra_docs(tmp_path / "extra", 30)
    seen: list[Seen] = []

    def reader(n: int) -> Callable[[], None]:
        who = OWNER if n % 2 else SALES

        def run() -> None:
            for i in range(30):
                q = QUERIES[(n + i) % len(QUERIES)]
                got = _seen(fresh, q, who)
                assert got == expected[who][q], (q, who, got)
                seen.append(got)

        return run

    def writer() -> None:
        for part in sorted(extra.iterdir())[::10]:
            fresh.ingest([p for p in extra.iterdir() if p.name >= part.name], kb="logs", jobs=1)
        fresh.embed_pending()

    errors = _run_threads([writer, *(reader(n) for n in range(8))])
    assert errors == [], errors[:3]
    assert len(seen) == 8 * 30
    assert fresh.index_status()["pending"] == 0
    assert fresh.search("叉车保养 货架编号 W007", k=1, principal=OWNER)[0].kb == "logs"
    fresh.close()
    brain.close()


def test_two_embedding_runs_share_the_work(tmp_path: Path) -> None:
    model = register_counting()
    spec = f"fakecount:{uuid.uuid4().hex}"  # past embedder_for's cache
    ws = tmp_path / "ws"
    Brain.init(ws).close()
    (ws / "config.yaml").write_text(
        f"embed:\n  model: '{spec}'\n  batch_size: 4\ningest:\n  embed: false\n", encoding="utf-8"
    )
    with Brain.open(ws) as brain:
        brain.ingest([_extra_docs(tmp_path / "docs", 40)], jobs=1)
        chunks = brain.index_status()["chunks"]
    assert chunks >= 40 and model.texts == 0
    brains = [Brain.open(ws), Brain.open(ws)]  # two engines: as two processes would be
    start = threading.Barrier(2)
    done: list[int] = []

    def embed(b: Brain) -> Callable[[], None]:
        def run() -> None:
            start.wait()
            done.append(b.embed_pending())

        return run

    assert _run_threads([embed(b) for b in brains]) == []
    assert sum(done) == chunks and model.texts == chunks
    assert all(n > 0 for n in done)  # both really took part
    with brains[0].engine.connect() as conn:
        vectors = conn.execute(sa.text("SELECT count(*) FROM chunk_vector")).scalar_one()
        claims = conn.execute(sa.text("SELECT count(*) FROM embed_claim")).scalar_one()
    assert vectors == chunks and claims == 0
    for b in brains:
        b.close()
