"""The server's own retention: finished reviews past PLANREVIEW_RETENTION_DAYS are pruned.

A daemon thread prunes at start-up and then every hour (more often for a
retention shorter than four hours), so a long-running server's database stays
bounded without a cron job. See :mod:`service.store.retention` for what goes.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from service.store.db import Database
from service.store.retention import prune

log = logging.getLogger("planreview.api.retention")

MAX_INTERVAL = 3600.0


class RetentionKeeper:
    def __init__(self, db: Database, retention_days: float | None) -> None:
        self.db = db
        self.age = timedelta(days=retention_days) if retention_days else None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.age is None or self._thread is not None:
            return
        interval = min(MAX_INTERVAL, max(0.2, self.age.total_seconds() / 4))
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="planreview-retention", daemon=True
        )
        self._thread.start()

    def _run(self, interval: float) -> None:
        assert self.age is not None
        while True:
            try:
                done = prune(self.db, self.age)
                if done.reviews or done.batches:
                    log.info(
                        "retention: pruned %d review(s), %d batch(es)", done.reviews, done.batches
                    )
            except Exception:  # the database may be busy or down: next round
                log.exception("retention pruning failed")
            if self._stop.wait(interval):
                return

    def shutdown(self) -> None:
        self._stop.set()
        self._thread = None
