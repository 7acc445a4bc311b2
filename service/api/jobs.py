"""Review jobs: a bounded thread pool inside the server process, backed by the database.

Every job is a review row. The pool runs at most ``workers`` jobs at a time;
each one claims its row (queued -> running, one more attempt), reports its
stages as progress events, and ends succeeded or failed with a reason. On
start-up :meth:`JobRunner.start` recovers what the last process left behind:
jobs left running are re-queued (or failed, once out of attempts) and every
queued job is run again. Nothing is lost silently.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from service.api.execution import review_options
from service.errors import PlanReviewError
from service.settings import Settings
from service.store import reviews as store
from service.store.db import Database

log = logging.getLogger("planreview.api.jobs")


class JobRunner:
    def __init__(self, db: Database, settings: Settings, workers: int, max_attempts: int) -> None:
        self.db = db
        self.settings = settings
        self.workers = workers
        self.max_attempts = max_attempts
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.recovered: store.Recovery | None = None

    @property
    def alive(self) -> bool:
        return self._pool is not None

    def start(self) -> store.Recovery:
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="planreview-job")
        recovery = store.recover(self.db, self.max_attempts)
        self.recovered = recovery
        if recovery.requeued or recovery.failed:
            log.warning(
                "recovered jobs after a restart: %d re-queued, %d failed",
                len(recovery.requeued),
                len(recovery.failed),
            )
        for review_id in recovery.queued:
            self.submit(review_id)
        return recovery

    def submit(self, review_id: str) -> None:
        with self._lock:
            if self._pool is None:
                raise RuntimeError("the job runner is not running")
            self._pool.submit(self._run_safely, review_id)

    def shutdown(self) -> None:
        """Stop taking jobs; queued ones stay queued in the database for the next start."""
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
                )
            except Exception:
                log.exception("could not record the failure of job %s", review_id)

    def run(self, review_id: str) -> None:
        from service.ingest import load_bytes
        from service.review import review_plan

        claimed = store.claim(self.db, review_id)
        if claimed is None:
            return  # already taken, finished, or gone
        try:
            plan = load_bytes(claimed.data, claimed.source, self.settings)
            store.set_stage(self.db, review_id, "parsed")
            review = review_plan(
                plan,
                review_options(claimed.options),
                settings=self.settings,
                progress=lambda stage: store.set_stage(self.db, review_id, stage),
            )
        except PlanReviewError as exc:
            detail = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
            store.fail(self.db, review_id, kind=exc.kind, status=exc.http_status, detail=detail)
            return
        counts: dict[str, int] = {}
        for f in review.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        store.succeed(
            self.db,
            review_id,
            plan.model_dump_json(),
            review.model_dump_json(),
            {
                "findings": len(review.findings),
                "by_severity": counts,
                "overall": review.scores.get("overall"),
                "llm_status": review.engine.llm_status,
            },
        )
        log.info("job %s done: %s", review_id, json.dumps(counts))
