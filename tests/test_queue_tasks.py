"""What a worker does with each delivery of a review job (service.queue.tasks), on a real
SQLite database: run a queued job; drop a message for a job that has ended; leave a job
another live worker holds (the message is retried); take over a job whose worker died;
fail a job that has been interrupted too often. The batch-plan task gives the entry a
local run would."""

from __future__ import annotations

import base64
import json
import os
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from service.api.launch import REPO
from service.queue import tasks
from service.store import reviews as store
from service.store.db import Database
from service.store.tables import ReviewRow, utcnow

PLAN = (REPO / "eval" / "plans" / "en-mfg-quality-annual-25.md").read_bytes()


@pytest.fixture
def db() -> Iterator[Database]:
    tasks._process.clear()
    database, _owner = tasks.process_state()
    yield database
    tasks._process.clear()
    database.dispose()


def job(db: Database) -> str:
    return store.create_job(db, source="plan.md", options={"llm": "off"}, data=PLAN, key_id=None)


def events(db: Database, review_id: str) -> list[str]:
    return [e.event for e in store.events_after(db, review_id, 0)]


def dead_local_owner() -> str:
    pid = os.getpid()
    while True:  # a pid nobody has
        pid += 7919
        if not Path(f"/proc/{pid}").exists():
            return f"{socket.gethostname()[:100]}/{pid}/dead"


def test_a_queued_job_is_run_and_its_result_written(db: Database) -> None:
    review_id = job(db)
    assert tasks.run_review_job(review_id) == tasks.RAN
    record = store.get_review(db, review_id)
    assert record is not None and record.status == store.SUCCEEDED and record.attempts == 1
    assert json.loads(record.review_json or "{}")["findings"]
    assert (
        events(db, review_id)[:2] == ["queued", "started"] and events(db, review_id)[-1] == "done"
    )
    # a second delivery of the same message changes nothing
    assert tasks.run_review_job(review_id) == tasks.ENDED
    assert events(db, review_id).count("started") == 1


def test_a_job_another_live_worker_holds_is_left_alone(db: Database) -> None:
    review_id = job(db)
    assert store.claim(db, review_id, "elsewhere/123/abcd", lease_seconds=60) is not None
    assert tasks.run_review_job(review_id) == tasks.ELSEWHERE
    record = store.get_review(db, review_id)
    assert record is not None and record.status == store.RUNNING and record.attempts == 1


def test_a_job_whose_worker_died_is_taken_over(db: Database) -> None:
    review_id = job(db)
    assert store.claim(db, review_id, dead_local_owner(), lease_seconds=60) is not None
    assert tasks.run_review_job(review_id) == tasks.RAN
    record = store.get_review(db, review_id)
    assert record is not None and record.status == store.SUCCEEDED and record.attempts == 2
    assert "requeued" in events(db, review_id)


def test_an_expired_lease_on_another_host_is_taken_over(db: Database) -> None:
    review_id = job(db)
    assert store.claim(db, review_id, "elsewhere/123/abcd", lease_seconds=60) is not None
    with db.session() as s:
        s.execute(
            update(ReviewRow)
            .where(ReviewRow.id == review_id)
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )
    assert tasks.run_review_job(review_id) == tasks.RAN
    record = store.get_review(db, review_id)
    assert record is not None and record.status == store.SUCCEEDED and record.attempts == 2


def test_a_job_interrupted_too_often_fails_with_the_reason(db: Database) -> None:
    review_id = job(db)
    with db.session() as s:
        s.execute(update(ReviewRow).where(ReviewRow.id == review_id).values(attempts=2))
    assert store.claim(db, review_id, dead_local_owner(), lease_seconds=60) is not None  # 3rd
    assert tasks.run_review_job(review_id) == tasks.ENDED
    record = store.get_review(db, review_id)
    assert record is not None and record.status == store.FAILED
    assert record.error_kind == "interrupted" and "3 time(s)" in (record.error_detail or "")


def test_the_batch_plan_task_gives_the_entry_a_local_run_gives(tmp_path: Path) -> None:
    from dataclasses import asdict

    from service.batch.worker import Job, review_one

    path = tmp_path / "q3-plan.md"
    path.write_bytes(PLAN)
    local = Job(0, str(path), "lib/q3-plan.md", "key1", '{"llm": "off"}')
    expected = review_one(local)
    payload = {k: v for k, v in asdict(local).items() if k != "path"}
    [got] = tasks.run_batch_plans([[payload, base64.b64encode(PLAN).decode()]])
    assert got["status"] == "ok" and got["entry"] == expected.entry
