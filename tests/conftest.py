"""Shared fixtures: tmp workspaces and a small bilingual corpus written by the tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ebrain.brain import Brain
from tests.pgcluster import Cluster, pg_bin, start_cluster

if os.environ.get("EBRAIN_INDEX_URL", "").startswith("milvus"):
    # `EBRAIN_INDEX_URL=milvus-lite: make test` runs every Brain test on the Milvus index; a
    # venv installed before the `milvus` entry points existed learns them here.
    from tests.index.milvus_support import register as _register_milvus

    _register_milvus()

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
EXAMPLES = REPO / "examples" / "corpus"

SMALL_CORPUS = {
    "minutes/2024-03-05 周例会纪要.md": (
        "# 周例会会议纪要\n\n会议时间：2024年3月5日\n主持人：王芳\n参会人员：张伟、李娜\n\n"
        "## 议题\n\nHT-2000 控制器过热问题，客户为东方机械。\n\n## 行动项\n\n"
        "- 张伟负责在3月15日前完成散热改进方案。\n- 李娜负责回访客户。\n"
    ),
    "contracts/contract-HT2023-015.txt": (
        "采购合同\n合同编号：HT2023-015\n甲方：东方机械有限公司\n乙方：华川智能装备有限公司\n"
        "第一条 甲方向乙方采购 HT-2000 控制器 20 台，总金额人民币 480,000 元。\n"
        "第二条 验收标准：设备连续运行 72 小时无故障。\n第三条 违约责任：延期交付按日支付违约金。\n"
    ),
    "manual/ht2000-manual.md": (
        "# HT-2000 User Manual\n\n## Installation\n\nMount the controller in a ventilated cabinet. "
        "Keep 10 cm clearance for airflow.\n\n## Troubleshooting\n\nWarning: if the controller "
        "overheats, check the fan and the air filter. Replace the filter every 6 months.\n"
    ),
}


# --- the catalog backend: SQLite by default; PostgreSQL with --catalog-backend=postgresql ----
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--catalog-backend",
        default=os.environ.get("EBRAIN_TEST_CATALOG", "sqlite"),
        choices=("sqlite", "postgresql"),
        help="run catalog-concerning tests on this database (env EBRAIN_TEST_CATALOG): "
        "postgresql gives each test a fresh database in a throwaway cluster",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: the test checks SQLite itself (skipped on a PostgreSQL pass)"
    )
    config.addinivalue_line(
        "markers",
        "fulltext: the test searches full text, which the embedded index does only in a SQLite "
        "catalog (on a PostgreSQL pass it needs the Milvus index)",
    )


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for the session (skipped without the binaries)."""
    if pg_bin() is None:
        pytest.skip(
            "PostgreSQL binaries (initdb, pg_ctl) not installed: apt-get install postgresql"
        )
    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """The URL of a fresh, empty PostgreSQL database."""
    return pg_cluster.database()


@pytest.fixture(autouse=True)
def catalog_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """On a PostgreSQL pass, every workspace this test opens uses a fresh PostgreSQL database
    as its catalog (through the `catalog` setting's variable, EBRAIN_CATALOG)."""
    backend = str(request.config.getoption("--catalog-backend"))
    if backend == "postgresql":
        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("checks the SQLite catalog itself")
        milvus = os.environ.get("EBRAIN_INDEX_URL", "").startswith("milvus")
        if request.node.get_closest_marker("fulltext") and not milvus:
            pytest.skip("full-text search on a PostgreSQL catalog needs the Milvus index")
        url = request.getfixturevalue("pg_cluster").database()
        monkeypatch.setenv("EBRAIN_CATALOG", url)
    return backend


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh, initialized, lexical-only workspace folder (tests that need vectors use the
    deterministic `fakehash` embedder from tests/fakes/embedder.py)."""
    path = tmp_path / "ws"
    Brain.init(path).close()
    (path / "config.yaml").write_text("embed:\n  model: none\n", encoding="utf-8")
    return path


@pytest.fixture
def brain(workspace: Path) -> Iterator[Brain]:
    """An opened Brain on a fresh workspace."""
    b = Brain.open(workspace)
    yield b
    b.close()


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A folder of three small documents (Chinese and English)."""
    root = tmp_path / "corpus"
    for rel, text in SMALL_CORPUS.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus in examples/ ingested once, lexical-only (no embedder)."""
    path = tmp_path_factory.mktemp("sample") / "ws"
    Brain.init(path).close()
    (path / "config.yaml").write_text("embed:\n  model: none\n", encoding="utf-8")
    with Brain.open(path) as b:
        b.ingest([EXAMPLES], kb="sample", jobs=1)
    return path
