"""The review worker processes: one pipe each, so a crash costs one request, and the pool heals.

Each worker is a spawned process that imports the pipeline once, then answers
review tasks sent down its own pipe, one at a time. A request borrows an idle
worker, sends its task and waits for the answer. When the worker dies while
doing it (killed, out of memory), only that request fails
(:class:`WorkerDied`); the worker is replaced before its slot is given back,
so the pool never shrinks. A worker found dead while idle is replaced before
use and the request goes ahead. (A ``ProcessPoolExecutor`` cannot do this: one
dead worker breaks the whole pool and fails every pending task.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import anyio.to_thread

log = logging.getLogger("planreview.api.workers")

READY_TIMEOUT = 120.0
SPAWN_ATTEMPTS = 3


class WorkerDied(Exception):
    """The worker process ended while it held this request's task."""


@dataclass
class Worker:
    proc: BaseProcess
    conn: Connection


def _watch_parent(parent: int) -> None:
    """In a worker: exit as soon as the server process is gone (even if it was SIGKILLed)."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="planreview-parent-watch", daemon=True).start()


def worker_main(conn: Connection, parent: int) -> None:
    """A worker's life: warm up, say ready, then answer tasks until told to stop."""
    from service.api import execution

    _watch_parent(parent)
    try:
        execution.warm()
    except Exception:  # a failed warm-up only makes the first review slower
        log.exception("review worker warm-up failed")
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        data, name, options = task
        try:
            result: Any = execution.run_review(data, name, options)
        except Exception as exc:  # a bug: the server logs it and answers 500
            result = ("bug", f"{type(exc).__name__}: {exc}"[:500])
        conn.send(result)


class WorkerPool:
    def __init__(self, size: int) -> None:
        self.size = size
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: list[Worker] = []
        self._lock = threading.Lock()
        self._slots: asyncio.Semaphore | None = None
        self.workers: list[Worker] = []
        self.replaced = 0

    # -- life ------------------------------------------------------------------------------
    def _launch(self) -> Worker:
        parent_end, child_end = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(
            target=worker_main, args=(child_end, os.getpid()), name="planreview-review", daemon=True
        )
        proc.start()
        child_end.close()  # so that the worker's death reads as end-of-file here
        return Worker(proc, parent_end)

    @staticmethod
    def _ready(worker: Worker, timeout: float) -> bool:
        try:
            if worker.conn.poll(timeout):
                return bool(worker.conn.recv()[0] == "ready")
        except (EOFError, OSError):
            pass
        return False

    def start(self) -> None:
        """Start every worker and wait until each has warmed up."""
        launched = [self._launch() for _ in range(self.size)]
        deadline = time.monotonic() + READY_TIMEOUT
        for worker in launched:
            if not self._ready(worker, max(0.0, deadline - time.monotonic())):
                for w in launched:
                    self._stop(w, wait=0)
                raise RuntimeError("a review worker did not start")
        with self._lock:
            self.workers = list(launched)
            self._idle = list(launched)

    def _respawn(self, dead: Worker) -> Worker:
        """A fresh worker in place of ``dead`` (``dead`` itself when none would start)."""
        self._stop(dead, wait=0)
        for attempt in range(1, SPAWN_ATTEMPTS + 1):
            worker = self._launch()
            if self._ready(worker, READY_TIMEOUT):
                with self._lock:
                    self.workers = [worker if w is dead else w for w in self.workers]
                    self.replaced += 1
                log.warning(
                    "replaced review worker %s (exit %s)", dead.proc.pid, dead.proc.exitcode
                )
                return worker
            log.error("a replacement review worker did not start (attempt %d)", attempt)
            self._stop(worker, wait=0)
        return dead  # the slot stays; the next request that takes it tries again

    @staticmethod
    def _stop(worker: Worker, wait: float = 5.0) -> None:
        if worker.proc.is_alive():
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
            worker.proc.join(wait)
        if worker.proc.is_alive():
            worker.proc.terminate()
            worker.proc.join(2)
        worker.conn.close()

    def shutdown(self) -> None:
        """Stop every worker (an idle one at once; a busy one after its task, within 5 s)."""
        with self._lock:
            workers, self.workers, self._idle = list(self.workers), [], []
        for worker in workers:
            self._stop(worker)

    # -- work ------------------------------------------------------------------------------
    @staticmethod
    def _call(worker: Worker, task: tuple[bytes, str, dict[str, Any]]) -> Any:
        try:
            worker.conn.send(task)
            return worker.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerDied(str(exc)) from None

    async def run(self, data: bytes, name: str, options: dict[str, Any]) -> Any:
        """The worker's answer to one task; WorkerDied when its worker died doing it."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        async with self._slots:
            with self._lock:
                if not self._idle:
                    raise RuntimeError("the review worker pool is not running")
                worker = self._idle.pop()
            try:
                if not worker.proc.is_alive():  # died while idle: not this request's fault
                    worker = await anyio.to_thread.run_sync(self._respawn, worker)
                try:
                    return await anyio.to_thread.run_sync(self._call, worker, (data, name, options))
                except WorkerDied:
                    worker = await anyio.to_thread.run_sync(self._respawn, worker)
                    raise
            finally:
                with self._lock:
                    self._idle.append(worker)
