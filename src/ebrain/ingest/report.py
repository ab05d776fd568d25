"""What an ingest run did, file by file: the report shown by the CLI and returned by Brain."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["added", "updated", "unchanged", "duplicate", "failed", "pruned", "skipped"]


@dataclass
class FileResult:
    """The outcome for one file."""

    path: str
    status: Status
    size: int = 0
    document_id: int | None = None
    doc_type: str | None = None
    chunks: int = 0
    reason: str | None = None
    message: str | None = None
    hint: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    """The outcome of one ingest run."""

    kb: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    embedded: int = 0
    stopped_early: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Files per status."""
        return dict(Counter(f.status for f in self.files))

    @property
    def failed(self) -> list[FileResult]:
        """The files that could not be ingested."""
        return [f for f in self.files if f.status == "failed"]

    @property
    def skipped(self) -> list[FileResult]:
        """What was found but deliberately not ingested (symlinks not followed, FIFOs)."""
        return [f for f in self.files if f.status == "skipped"]

    @property
    def chunks_added(self) -> int:
        """Chunks written by this run."""
        return sum(f.chunks for f in self.files if f.status in ("added", "updated"))

    @property
    def ok(self) -> bool:
        """True when at least one file is in the knowledge base after this run."""
        return any(f.status not in ("failed", "pruned", "skipped") for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        """The --json shape (documented in docs/cli.md)."""
        return {
            "kb": self.kb,
            "counts": self.counts,
            "chunks_added": self.chunks_added,
            "embedded": self.embedded,
            "bytes": sum(f.size for f in self.files),
            "seconds": round(self.seconds, 3),
            "stopped_early": self.stopped_early,
            "notes": self.notes,
            "files": [asdict(f) for f in self.files],
        }


@dataclass
class Progress:
    """A progress event: `stage` is scan, parse or embed; counts are cumulative."""

    stage: str
    done: int
    total: int
    bytes_done: int = 0
    bytes_total: int = 0
    chunks: int = 0
    path: str = ""
