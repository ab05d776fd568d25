"""The sample corpus (examples/corpus) as a BEIR corpus: one document per file.

Each file is parsed with ebrain's own parsers (the ones `ebrain ingest` uses); the document's
title is the parsed title, its text the blocks in order. The id is the file's path under
examples/corpus with "/" written "__" (ids are file names in bench/retrieval.py), e.g.
`quality__FA-2024-003_HT-2000过热问题8D报告.pdf`. The deliberately bad files (corpus/bad/)
are left out.

    PYTHONPATH=src .venv/bin/python bench/sample_corpus.py   # id, chars and title per document
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def doc_id(relative_path: str) -> str:
    """The corpus id of a file given by its path under examples/corpus."""
    return relative_path.replace("/", "__")


@cache
def _parsed() -> tuple[tuple[str, str, str], ...]:
    from ebrain.ingest.parsers.dispatch import parse_file

    rows = []
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT).as_posix()
        if not path.is_file() or rel.startswith("bad/"):
            continue
        doc = parse_file(path)
        text = "\n".join(b.text for b in doc.blocks if b.text.strip())
        rows.append((doc_id(rel), doc.title, text))
    return tuple(rows)


def sample_corpus() -> dict[str, tuple[str, str]]:
    """id -> (title, text) of every good file of examples/corpus."""
    return {i: (title, text) for i, title, text in _parsed()}


def main() -> None:
    """List the documents."""
    for i, (title, text) in sample_corpus().items():
        print(f"{i}\t{len(text)}\t{title}")


if __name__ == "__main__":
    main()
