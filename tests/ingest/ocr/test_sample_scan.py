"""The sample corpus's scanned acceptance certificate is answered, cited, with OCR provenance."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from ebrain.auth import Principal
from ebrain.brain import Brain
from ebrain.ingest.ocr import EngineMissing, engine

SCAN = "service/验收/HT2024-010_鲁信锻造_设备验收证书_扫描件.pdf"


def test_question_answered_only_by_the_scan_is_cited(sample_workspace: Path) -> None:
    try:
        engine("auto")
    except EngineMissing as exc:
        pytest.skip(f"no OCR engine here: {exc}")
    with Brain.open(sample_workspace) as brain:
        answer = brain.ask("合同 HT2024-010 的质保期从哪天开始？", principal=Principal.owner())
        top = answer.top_citation
        assert not answer.refused and top is not None and top.path.endswith(SCAN)
        assert "质保期自2024年7月18日起计算" in answer.text
        with brain.engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT confidence, boxes FROM chunk_ocr WHERE chunk_id = :c"),
                {"c": top.chunk_id},
            ).one()
    assert row.confidence > 0.8 and row.boxes.startswith("[[1, ")
