"""Progress on stderr: a Rich bar on a terminal, a plain line every few seconds otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol, TextIO


class Reporter(Protocol):
    def start(self, total: int, done: int) -> None: ...
    def advance(self, ok: int, failed: int) -> None: ...
    def stop(self) -> None: ...


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class _Counts:
    def __init__(self) -> None:
        self.total = 0
        self.done = 0  # including plans found in the cache
        self.fresh = 0  # reviewed in this run
        self.failed = 0
        self.t0 = time.monotonic()

    def rate(self) -> float:
        elapsed = time.monotonic() - self.t0
        return self.fresh / elapsed if elapsed > 0 else 0.0

    def eta(self) -> float | None:
        rate = self.rate()
        return (self.total - self.done) / rate if rate > 0 else None


class NullReporter(_Counts):
    def start(self, total: int, done: int) -> None:
        self.total, self.done = total, done
        self.t0 = time.monotonic()

    def advance(self, ok: int, failed: int) -> None:
        self.done += ok + failed
        self.fresh += ok + failed
        self.failed += failed

    def stop(self) -> None:
        pass


class PlainReporter(NullReporter):
    """One line every ``interval`` seconds (and at the end): for logs and CI."""

    def __init__(self, stream: TextIO | None = None, interval: float = 5.0) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.interval = interval
        self._last = 0.0

    def _line(self) -> None:
        pct = 100 * self.done / self.total if self.total else 100.0
        self.stream.write(
            f"planreview batch: {self.done}/{self.total} plans ({pct:.0f}%), {self.failed} failed, "
            f"{self.rate():.1f} plans/s, ETA {_eta(self.eta())}\n"
        )
        self.stream.flush()

    def start(self, total: int, done: int) -> None:
        super().start(total, done)
        self._last = time.monotonic()
        if done:
            self.stream.write(
                f"planreview batch: {done} of {total} plans already done "
                f"(found in the cache or unreadable), reviewing {total - done}\n"
            )
            self.stream.flush()

    def advance(self, ok: int, failed: int) -> None:
        super().advance(ok, failed)
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._line()

    def stop(self) -> None:
        if self.fresh:
            self._line()


class RichReporter(NullReporter):
    """A Rich progress bar with rate, ETA and failures."""

    def __init__(self) -> None:
        super().__init__()
        self._progress: Any = None
        self._task: Any = None

    def start(self, total: int, done: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        super().start(total, done)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]reviewing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} plans/s"),
            TextColumn("[red]{task.fields[failed]} failed"),
            TextColumn("ETA {task.fields[eta]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task(
            "batch", total=total, completed=done, rate="–", failed=0, eta="?"
        )

    def advance(self, ok: int, failed: int) -> None:
        super().advance(ok, failed)
        if self._progress is not None:
            self._progress.update(
                self._task,
                completed=self.done,
                rate=f"{self.rate():.1f}",
                failed=self.failed,
                eta=_eta(self.eta()),
            )

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=self.done, eta="0s")
            self._progress.stop()
            self._progress = None


def make_reporter(mode: str = "auto") -> NullReporter:
    """auto: Rich on a terminal, plain lines otherwise; or rich, plain, none."""
    if mode == "none":
        return NullReporter()
    if mode == "rich" or (mode == "auto" and sys.stderr.isatty()):
        return RichReporter()
    return PlainReporter()
