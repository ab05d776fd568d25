"""Rich progress bars fed by the core's Progress events (the core knows nothing of terminals)."""

from __future__ import annotations

from types import TracebackType

from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from ebrain.cli.common import err_console
from ebrain.ingest.report import Progress as Event


class IngestProgress:
    """A live bar per stage (files, MB, chunks, ETA); silent when stderr is not a terminal."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and err_console.is_terminal
        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[chunks]} chunks"),
            TimeRemainingColumn(),
            console=err_console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> IngestProgress:
        if self.enabled:
            self.bar.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.enabled:
            self.bar.stop()

    def __call__(self, event: Event) -> None:
        """Update the bar of the event's stage."""
        if not self.enabled:
            return
        task = self.tasks.get(event.stage)
        if task is None:
            task = self.bar.add_task(event.stage, total=event.total, chunks=0)
            self.tasks[event.stage] = task
        self.bar.update(task, completed=event.done, total=event.total, chunks=event.chunks)
