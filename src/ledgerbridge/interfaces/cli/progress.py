"""A rich progress bar that implements the flows' ProgressSink: records, rate, ETA and throttling."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class RichProgress:
    """One bar per phase; the description carries the throttle count so a 429 storm is visible."""

    def __init__(self, console: Console | None = None, *, enabled: bool = True) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[throttle]}"),
            console=console or Console(stderr=True),
            transient=False,
            disable=not enabled,
        )
        self._task: TaskID | None = None
        self._throttled = 0

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.finish()
        self._progress.stop()

    def start(self, total: int | None, label: str) -> None:
        self.finish()
        self._task = self._progress.add_task(label, total=total, rate="", throttle=self._throttle_text())

    def advance(self, n: int = 1) -> None:
        if self._task is None:
            self.start(None, "records")
        assert self._task is not None
        self._progress.advance(self._task, n)
        speed = self._progress.tasks[-1].speed
        self._progress.update(self._task, rate=f"{speed:,.0f}/s" if speed else "")

    def throttled(self, n: int = 1) -> None:
        self._throttled += n
        if self._task is not None:
            self._progress.update(self._task, throttle=self._throttle_text())

    def finish(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[-1]
            if task.total is None:
                self._progress.update(self._task, total=task.completed)
            self._progress.stop_task(self._task)
            self._task = None

    def _throttle_text(self) -> str:
        return f"[yellow]throttled {self._throttled}" if self._throttled else ""
