"""The API server's side of the queue: jobs are enqueued on Celery instead of run here.

:class:`BrokerJobs` stands in for the in-process :class:`~service.api.jobs.JobRunner`
when ``PLANREVIEW_BROKER_URL`` is set. ``submit`` hands the review id to a sender
thread that publishes it (an HTTP request never waits on the broker; a publish
that fails is retried every round until the broker is back, the job meanwhile
stays queued in the database). At start-up every queued job is enqueued again
(a server that died between storing a job and publishing it leaves one behind;
a duplicate message is harmless, the row decides who runs it). Every third of a
lease the keeper recovers the jobs of workers that are gone (lease expired, or a
dead process on this host) and enqueues them again, and a job still queued
``stale_after`` seconds after this server last enqueued it (or first saw it) is
enqueued once more, in case its message was lost (a broker restarted without its
data): nothing waits forever on a message that no longer exists.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from service.api.jobs import JobRunner
from service.queue.app import REVIEW_TASK, make_app
from service.settings import Settings
from service.store import leases
from service.store import reviews as store
from service.store.db import Database

log = logging.getLogger("planreview.api.queue")


class BrokerJobs(JobRunner):
    def __init__(
        self,
        db: Database,
        settings: Settings,
        max_attempts: int,
        lease_seconds: float = 60.0,
        app: Any = None,
        stale_after: float | None = None,
    ) -> None:
        super().__init__(db, settings, 1, max_attempts, lease_seconds)
        self.app = app if app is not None else make_app(settings)
        self.stale_after = (
            stale_after if stale_after is not None else max(300.0, 10 * lease_seconds)
        )
        self._sent_at: dict[str, float] = {}
        self._outbox: queue.Queue[str | None] = queue.Queue()
        self._unsent: set[str] = set()
        self._sender: threading.Thread | None = None
        self._running = False
        self.published = 0

    @property
    def alive(self) -> bool:
        return self._running

    def start(self) -> store.Recovery:
        self._running = True
        self._stop.clear()
        self._sender = threading.Thread(
            target=self._send_loop, name="planreview-enqueue", daemon=True
        )
        self._sender.start()
        recovery = store.recover(self.db, self.max_attempts, owner_is_gone=leases.owner_is_gone)
        for review_id in recovery.queued:
            self.submit(review_id)
        self.recovered = recovery
        self._keeper = threading.Thread(target=self._keep, name="planreview-leases", daemon=True)
        self._keeper.start()
        return recovery

    def recover(self) -> store.Recovery:
        """Re-enqueue the jobs of workers that are gone (only those: queued ones have a message)."""
        recovery = store.recover(self.db, self.max_attempts, owner_is_gone=leases.owner_is_gone)
        if recovery.requeued or recovery.failed:
            log.warning(
                "recovered jobs of a stopped worker: %d re-queued, %d failed",
                len(recovery.requeued),
                len(recovery.failed),
            )
        for review_id in recovery.requeued:
            self.submit(review_id)
        with self._lock:
            unsent, self._unsent = list(self._unsent), set()
        for review_id in unsent:
            self.submit(review_id)
        self._resend_stale(recovery.queued)
        return recovery

    def _resend_stale(self, queued: list[str]) -> None:
        now = time.monotonic()
        with self._lock:
            self._sent_at = {i: self._sent_at.get(i, now) for i in queued}  # forget ended jobs
            stale = [i for i, at in self._sent_at.items() if now - at > self.stale_after]
        if stale:
            log.warning("enqueuing %d long-queued job(s) again", len(stale))
        for review_id in stale:
            self.submit(review_id)

    def submit(self, review_id: str) -> None:
        if not self._running:
            raise RuntimeError("the job dispatcher is not running")
        with self._lock:
            self._sent_at[review_id] = time.monotonic()
        self._outbox.put(review_id)

    def _send_loop(self) -> None:
        while True:
            review_id = self._outbox.get()
            if review_id is None:
                return
            try:
                self.app.send_task(REVIEW_TASK, args=[review_id])
                self.published += 1
            except Exception as exc:  # the broker is down: the keeper tries again
                log.error("could not enqueue job %s: %s", review_id, str(exc).splitlines()[0][:200])
                with self._lock:
                    self._unsent.add(review_id)

    def shutdown(self) -> None:
        """Stop dispatching; what was not published stays queued in the database."""
        self._stop.set()
        self._running = False
        self._outbox.put(None)
        if self._sender is not None:
            self._sender.join(5)
