"""Per-document debouncing of diagnostics runs.

An edit after a quiet period (no edit for ``delay``) runs at once, so a single
change gets its diagnostics as fast as the rules allow; edits that come quicker
than ``delay`` (typing) are coalesced into one run ``delay`` after the last.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Job = Callable[[], Awaitable[None]]


class Debouncer:
    """Leading- and trailing-edge debouncing keyed by document URI."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: dict[str, float] = {}
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def trigger(self, key: str, delay: float, job: Job) -> bool:
        """Schedule ``job`` for ``key``; returns True when it runs at once (leading edge)."""
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()
        if delay <= 0:  # not an edit (open, settings): run now, and typing is not affected
            self._spawn(job)
            return True
        now = self._clock()
        last = self._last.get(key)
        self._last[key] = now
        if pending is None and (last is None or now - last >= delay):
            self._spawn(job)
            return True
        loop = asyncio.get_running_loop()
        self._pending[key] = loop.call_later(delay, self._fire, key, job)
        return False

    def _fire(self, key: str, job: Job) -> None:
        self._pending.pop(key, None)
        self._spawn(job)

    def _spawn(self, job: Job) -> None:
        task = asyncio.ensure_future(job())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel(self, key: str) -> None:
        """Forget a document (closed): drop its pending run."""
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()
        self._last.pop(key, None)

    def pending(self, key: str) -> bool:
        return key in self._pending
