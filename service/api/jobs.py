"""Review jobs: a bounded thread pool inside the server process, backed by the database.

Every job is a review row. The pool runs at most ``workers`` jobs at a time;
each one claims its row (queued -> running, one more attempt) under this
server's owner id and a lease, reports its stages as progress events, and ends
succeeded or failed with a reason. A keeper thread renews the leases of the
jobs this server runs, and every few seconds recovers jobs whose server is
gone (lease expired, or its process on this host ended): they are re-queued
(or failed, once out of attempts) and run here. Several servers may share one
database: a job another live server runs is never taken. Nothing is lost
silently.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from service.api.execution import review_options
from service.errors import PlanReviewError
from service.settings import Settings
from service.store import leases
from service.store import reviews as store
from service.store.db import Database

log = logging.getLogger("planreview.api.jobs")


class JobRunner:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        workers: int,
        max_attempts: int,
        lease_seconds: float = 60.0,
    ) -> None:
        self.db = db
        self.settings = settings
        self.workers = workers
        self.max_attempts = max_attempts
        self.lease_seconds = lease_seconds
        self.owner = leases.owner_id()
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._submitted: set[str] = set()
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None
        self.recovered: store.Recovery | None = None

    @property
    def alive(self) -> bool:
        return self._pool is not None

    def start(self) -> store.Recovery:
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="planreview-job")
        self._stop.clear()
        recovery = self.recover()
        self.recovered = recovery
        self._keeper = threading.Thread(target=self._keep, name="planreview-leases", daemon=True)
        self._keeper.start()
        return recovery

    def recover(self) -> store.Recovery:
        """Take over the jobs of servers that are gone, and run every queued job not yet here."""
        recovery = store.recover(self.db, self.max_attempts, owner_is_gone=leases.owner_is_gone)
        if recovery.requeued or recovery.failed:
            log.warning(
                "recovered jobs of a stopped server: %d re-queued, %d failed",
                len(recovery.requeued),
                len(recovery.failed),
            )
        for review_id in recovery.queued:
            self.submit(review_id)
        return recovery

    def _keep(self) -> None:
        """Renew this server's leases; recover jobs whose server is gone."""
        interval = max(0.2, self.lease_seconds / 3)
        while not self._stop.wait(interval):
            try:
                store.renew_leases(self.db, self.owner, self.lease_seconds)
                self.recover()
            except Exception:  # a database hiccup: try again next round
                log.exception("renewing job leases failed")

    def submit(self, review_id: str) -> None:
        with self._lock:
            if self._pool is None:
                raise RuntimeError("the job runner is not running")
            if review_id in self._submitted:
                return
            self._submitted.add(review_id)
            self._pool.submit(self._run_safely, review_id)

    def shutdown(self) -> None:
        """Stop taking jobs; queued ones stay queued in the database for the next start."""
        self._stop.set()
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def _run_safely(self, review_id: str) -> None:
        try:
            self.run(review_id)
        except Exception:  # never let a job kill the worker thread silently
            log.exception("job %s failed on an internal error", review_id)
            try:
                store.fail(
                    self.db,
                    review_id,
                    kind="internal-error",
                    status=500,
                    detail="the review failed on an internal error; it was logged",
                    owner=self.owner,
                )
            except Exception:
                log.exception("could not record the failure of job %s", review_id)
        finally:
            with self._lock:
                self._submitted.discard(review_id)

    def run(self, review_id: str) -> None:
        claimed = store.claim(self.db, review_id, self.owner, self.lease_seconds)
        if claimed is None:
            return  # already taken, finished, or gone
        execute(self.db, self.settings, claimed, self.owner)


def execute(db: Database, settings: Settings, claimed: store.Claimed, owner: str) -> None:
    """Run a claimed job to its end: stages as events, then succeeded or failed.

    Every write names ``owner``: once another process has taken the job over (the
    lease expired), nothing more is written from here. Used by the in-process job
    runner and by Celery workers (:mod:`service.queue.tasks`) alike.
    """
    from service.ingest import load_bytes
    from service.review import review_plan

    review_id = claimed.id
    try:
        plan = load_bytes(claimed.data, claimed.source, settings)
        store.set_stage(db, review_id, "parsed")
        review = review_plan(
            plan,
            review_options(claimed.options),
            settings=settings,
            progress=lambda stage: store.set_stage(db, review_id, stage),
        )
    except PlanReviewError as exc:
        detail = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
        store.fail(db, review_id, kind=exc.kind, status=exc.http_status, detail=detail, owner=owner)
        return
    counts: dict[str, int] = {}
    for f in review.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    store.succeed(
        db,
        review_id,
        plan.model_dump_json(),
        review.model_dump_json(),
        {
            "findings": len(review.findings),
            "by_severity": counts,
            "overall": review.scores.get("overall"),
            "llm_status": review.engine.llm_status,
        },
        owner=owner,
    )
    log.info("job %s done: %s", review_id, json.dumps(counts))
