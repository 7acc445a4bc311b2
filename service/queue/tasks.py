"""What a ``planreview worker`` runs: review jobs from the database, and batch plans.

A review job's message carries only the review id. The worker claims the row
(queued -> running, under this process's owner id and a lease it renews while
the job runs) exactly as the in-process runner does, so two deliveries of one
message, or a worker and a server, never run a job twice at once:

- the row is queued: claim it and run it;
- it is running under a live lease (another worker has it): retry the message
  later, so that it stays until the job has ended;
- it is running but its owner is gone (lease expired, or a dead process on this
  host): take it over (one more attempt, or failed once out of attempts), run it;
- it has ended: nothing to do (an at-least-once redelivery).

Results and progress events are written to the database with the owner's id,
so a write from a worker that lost its lease changes nothing.

Batch plans (``planreview batch --distributed``) travel with their bytes and come
back through the result backend as the same entry a local run would cache.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from service.api.settings import get_api_settings
from service.errors import StorageUnavailable
from service.settings import get_settings
from service.store import leases
from service.store import reviews as store
from service.store.db import Database

log = logging.getLogger("planreview.worker")

_process: dict[str, Any] = {}


GUIDANCE_SYNC_SECONDS = 5.0


def process_state() -> tuple[Database, str]:
    """This process's database and owner id (new ones after a fork); the guidance folder
    is brought up to date from the database every few seconds."""
    pid = os.getpid()
    if _process.get("pid") != pid:
        _process.clear()
        _process.update(
            pid=pid, db=Database.from_settings(get_settings()), owner=leases.owner_id(), synced=0.0
        )
    if time.monotonic() - _process["synced"] > GUIDANCE_SYNC_SECONDS:
        from service.api.guidance import guidance_dir
        from service.store.guidance import sync_folder

        try:
            sync_folder(_process["db"], guidance_dir(get_settings()))
        except Exception:  # reviews still run, citing what the folder has
            log.exception("syncing guidance from the database failed")
        _process["synced"] = time.monotonic()
    return _process["db"], _process["owner"]


@contextlib.contextmanager
def keep_lease(db: Database, owner: str, lease_seconds: float) -> Iterator[None]:
    """Renew this owner's leases every third of a lease while the block runs."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(max(0.2, lease_seconds / 3)):
            try:
                store.renew_leases(db, owner, lease_seconds)
            except Exception:  # a database hiccup: the next round tries again
                log.exception("renewing the job lease failed")

    thread = threading.Thread(target=renew, name="planreview-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


RAN, ENDED, ELSEWHERE = "ran", "ended", "elsewhere"


def run_review_job(review_id: str) -> str:
    """Run one review job if it is this worker's to run; says what happened."""
    from service.api.jobs import execute

    db, owner = process_state()
    api = get_api_settings()
    claimed = store.claim(db, review_id, owner, api.job_lease_seconds)
    if claimed is None:
        record = store.get_review(db, review_id)
        if record is None:
            log.warning(
                "job %s is not in this worker's database: it was pruned, or this worker's "
                "PLANREVIEW_DATABASE_URL is not the API servers' one",
                review_id,
            )
            return ENDED
        if record.status in store.TERMINAL:
            return ENDED
        if record.status == store.RUNNING:
            recovery = store.recover(db, api.job_max_attempts, owner_is_gone=leases.owner_is_gone)
            if review_id in recovery.failed:
                return ENDED
            claimed = store.claim(db, review_id, owner, api.job_lease_seconds)
        if claimed is None:
            return ELSEWHERE
    with keep_lease(db, owner, api.job_lease_seconds):
        try:
            execute(db, get_settings(), claimed, owner)
        except Exception:
            log.exception("job %s failed on an internal error", review_id)
            store.fail(
                db,
                review_id,
                kind="internal-error",
                status=500,
                detail="the review failed on an internal error; it was logged",
                owner=owner,
            )
    return RAN


def run_batch_plans(items: list[list[Any]]) -> list[dict[str, Any]]:
    """Review a few plans of a distributed batch, each ``[job, base64 bytes]``."""
    return [run_batch_plan(job, data_b64) for job, data_b64 in items]


def run_batch_plan(job: dict[str, Any], data_b64: str) -> dict[str, Any]:
    """Review one plan of a distributed batch from its bytes; the JobResult as a dict."""
    from service.batch.worker import Job, review_one

    # The plan's own file name: a plan without a title is named after it.
    name = Path(job["source"].replace("\\", "/")).name or "plan.md"
    with tempfile.TemporaryDirectory(prefix="planreview-batch-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(base64.b64decode(data_b64))
        result = review_one(Job(**{**job, "path": str(path)}))
    return asdict(result)


def _watch_parent(parent: int) -> None:
    """A pool process whose worker was SIGKILLed exits too (its jobs' leases then lapse)."""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="planreview-parent-watch", daemon=True).start()


def register(app: Any) -> None:
    """Add the tasks and the pool-process set-up to a Celery app."""
    from celery import signals

    from service.queue.app import BATCH_PLAN_TASK, REVIEW_TASK

    @app.task(bind=True, name=REVIEW_TASK, max_retries=None, ignore_result=True)
    def review_job(self: Any, review_id: str) -> str:
        try:
            outcome = run_review_job(review_id)
        except StorageUnavailable as exc:  # the database blinked: keep the message, try again
            log.warning("job %s waits for the database: %s", review_id, exc.message)
            raise self.retry(countdown=5.0) from None
        if outcome == ELSEWHERE:  # keep the message until the job has ended somewhere
            raise self.retry(countdown=max(1.0, get_api_settings().job_lease_seconds / 2))
        return outcome

    @app.task(name=BATCH_PLAN_TASK, ignore_result=False)
    def batch_plans(items: list[list[Any]]) -> list[dict[str, Any]]:
        return run_batch_plans(items)

    @signals.worker_process_init.connect(weak=False)
    def _init(**_: Any) -> None:
        _watch_parent(os.getppid())
        from service.api.execution import warm

        try:
            warm()
        except Exception:  # only the first review is slower
            log.exception("worker warm-up failed")
        process_state()
