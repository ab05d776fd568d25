"""Peer runners for bench/ingest.py: LlamaIndex and LangChain parse + chunk, no embedding.

Runs inside the peer venv (.venv-bench-ingest, see bench/requirements-ingest.txt):
  .venv-bench-ingest/bin/python bench/ingest_peers.py llamaindex FILELIST OUT.json

FILELIST holds one absolute path per line (the same files ebrain ingests). Each file is loaded and
split on its own; an exception on a file is counted as a failure, never fatal. The timed part
excludes interpreter start-up and imports (reported separately as `import_seconds`).
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class PeerResult:
    """What one peer did over the file list."""

    system: str
    files: int = 0
    ok: int = 0
    failed: int = 0
    unsupported: int = 0
    chunks: int = 0
    bytes: int = 0
    seconds: float = 0.0
    import_seconds: float = 0.0
    failures: dict[str, int] = field(default_factory=dict)
    unsupported_ext: dict[str, int] = field(default_factory=dict)


def llamaindex_runner() -> Callable[[Path], int | None]:
    """SimpleDirectoryReader default extractors + SentenceSplitter() defaults, per file."""
    from llama_index.core import SimpleDirectoryReader
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter()
    extractors: dict[str, Any] = {}

    def run(path: Path) -> int | None:
        docs = SimpleDirectoryReader.load_file(
            input_file=path,
            file_metadata=_llama_meta,
            file_extractor=extractors,
            raise_on_error=True,
        )
        return len(splitter.get_nodes_from_documents(docs))

    return run


def _llama_meta(path: str) -> dict[str, Any]:
    from llama_index.core.readers.file.base import default_file_metadata_func

    return default_file_metadata_func(path)


def langchain_runner() -> Callable[[Path], int | None]:
    """A per-extension loader map (no `unstructured`) + RecursiveCharacterTextSplitter(1000, 200)."""
    from langchain_community.document_loaders import (
        BSHTMLLoader,
        CSVLoader,
        Docx2txtLoader,
        JSONLoader,
        PyPDFLoader,
        TextLoader,
    )
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    loaders: dict[str, Callable[[str], Any]] = {
        ".pdf": PyPDFLoader,
        ".docx": Docx2txtLoader,
        ".txt": lambda p: TextLoader(p, autodetect_encoding=True),
        ".md": lambda p: TextLoader(p, autodetect_encoding=True),
        ".csv": CSVLoader,
        ".html": BSHTMLLoader,
        ".json": lambda p: JSONLoader(p, jq_schema=".", text_content=False),
        ".jsonl": lambda p: JSONLoader(p, jq_schema=".", text_content=False, json_lines=True),
    }
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)

    def run(path: Path) -> int | None:
        make = loaders.get(path.suffix.lower())
        if make is None:
            return None
        return len(splitter.split_documents(make(str(path)).load()))

    return run


RUNNERS = {"llamaindex": llamaindex_runner, "langchain": langchain_runner}


def run_all(system: str, paths: list[Path]) -> PeerResult:
    """Load and split every file; count successes, failures and unsupported types."""
    t0 = time.perf_counter()
    runner = RUNNERS[system]()
    result = PeerResult(system, import_seconds=time.perf_counter() - t0)
    fails: Counter[str] = Counter()
    unsupported: Counter[str] = Counter()
    t1 = time.perf_counter()
    for path in paths:
        status, n = _one(runner, path, fails)
        if status == "unsupported":
            unsupported[path.suffix.lower()] += 1
            continue
        result.files += 1
        result.bytes += path.stat().st_size
        if status == "ok":
            result.ok += 1
            result.chunks += n
    result.seconds = time.perf_counter() - t1
    result.failed = sum(fails.values())
    result.unsupported = sum(unsupported.values())
    result.failures, result.unsupported_ext = dict(fails), dict(unsupported)
    return result


def _one(runner: Callable[[Path], int | None], path: Path, fails: Counter[str]) -> tuple[str, int]:
    sink = io.StringIO()
    try:
        with redirect_stdout(sink):
            n = runner(path)
    except Exception as exc:  # a peer's failure on one file is data, not a crash
        fails[f"{path.suffix.lower()}:{type(exc).__name__}"] += 1
        return "failed", 0
    return ("unsupported", 0) if n is None else ("ok", n)


def main() -> None:
    """CLI: SYSTEM FILELIST OUT."""
    system, filelist, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    logging.disable(logging.CRITICAL)
    paths = [Path(x) for x in filelist.read_text("utf-8").splitlines() if x]
    result = run_all(system, paths)
    out.write_text(json.dumps(asdict(result), ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
