"""The API server's side of the queue (service.queue.dispatch) on a real SQLite database,
with a recording stand-in for the Celery app's ``send_task``: queued jobs are enqueued at
start, a publish that fails is retried on the next round, the jobs of a dead worker are
re-queued and enqueued, and a job whose message was lost is enqueued again once stale."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from service.queue.app import REVIEW_TASK
from service.queue.dispatch import BrokerJobs
from service.settings import Settings, get_settings
from service.store import reviews as store
from service.store.db import Database


class RecordingApp:
    """Records what would be published; ``down`` makes publishing fail like a dead broker."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.down = False
        self.event = threading.Event()

    def send_task(self, name: str, args: list[Any]) -> None:
        assert name == REVIEW_TASK
        if self.down:
            raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")
        self.sent.append(args[0])
        self.event.set()


def wait_for(check: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def db() -> Iterator[Database]:
    database = Database.from_settings(get_settings())
    yield database
    database.dispose()


def make(db: Database, app: RecordingApp, stale_after: float = 60.0) -> BrokerJobs:
    settings = Settings(broker_url="redis://127.0.0.1:1/0", data_dir=get_settings().data_dir)
    return BrokerJobs(db, settings, 3, lease_seconds=60, app=app, stale_after=stale_after)


def new_job(db: Database) -> str:
    return store.create_job(db, source="a.md", options={}, data=b"# A", key_id=None)


def test_queued_jobs_are_enqueued_at_start_and_new_ones_on_submit(db: Database) -> None:
    app = RecordingApp()
    left_behind = new_job(db)  # a server died before publishing it
    jobs = make(db, app)
    jobs.start()
    try:
        wait_for(lambda: app.sent == [left_behind])
        fresh = new_job(db)
        jobs.submit(fresh)
        wait_for(lambda: app.sent == [left_behind, fresh])
    finally:
        jobs.shutdown()


def test_a_failed_publish_is_retried_once_the_broker_is_back(db: Database) -> None:
    app = RecordingApp()
    app.down = True
    jobs = make(db, app)
    jobs.start()
    try:
        review_id = new_job(db)
        jobs.submit(review_id)
        wait_for(lambda: review_id in jobs._unsent)
        app.down = False
        jobs.recover()  # the keeper's next round
        wait_for(lambda: app.sent == [review_id])
    finally:
        jobs.shutdown()


def test_a_dead_workers_job_is_requeued_and_enqueued(db: Database) -> None:
    app = RecordingApp()
    review_id = new_job(db)
    assert store.claim(db, review_id, "gone-host/1/x", lease_seconds=0.05) is not None
    time.sleep(0.1)  # the lease lapses: its worker renews it no more
    jobs = make(db, app)
    jobs.start()
    try:
        wait_for(lambda: review_id in app.sent)
        record = store.get_review(db, review_id)
        assert record is not None and record.status == store.QUEUED
        assert "requeued" in [e.event for e in store.events_after(db, review_id, 0)]
    finally:
        jobs.shutdown()


def test_a_job_whose_message_was_lost_is_enqueued_again_once_stale(db: Database) -> None:
    app = RecordingApp()
    jobs = make(db, app, stale_after=0.3)
    jobs.start()
    try:
        review_id = new_job(db)
        jobs.submit(review_id)
        wait_for(lambda: app.sent == [review_id])
        jobs.recover()
        time.sleep(0.05)
        assert app.sent == [review_id]  # not stale yet: no duplicate
        time.sleep(0.4)
        jobs.recover()
        wait_for(lambda: app.sent == [review_id, review_id])
        assert store.claim(db, review_id, "w/1/x") is not None  # it runs somewhere at last
        time.sleep(0.4)
        jobs.recover()
        time.sleep(0.1)
        assert app.sent == [review_id, review_id]  # running jobs are not re-sent
    finally:
        jobs.shutdown()
