"""Celery workers on Redis running the API's jobs (issue 13, item 2).

Everything real: a private redis-server and Postgres (tests/services.py), a
``planreview serve`` process with both URLs, and two ``planreview worker``
processes. 30 async reviews; one worker is SIGKILLed while it runs one of them;
all 30 succeed, the killed one on a second attempt by the other worker, and no
job ever ran twice at once (one ``started`` event per attempt).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from llm_server import Scripted, ScriptedLLMServer
from services import Postgres, Redis, Worker, start_worker

from service.api.launch import REPO, start_server
from service.store import reviews as store
from service.store.db import Database

PLANS = sorted((REPO / "eval" / "plans").glob("*.md"))[:30]
LEASE = 2.0


def queue_env(pg_url: str, redis: Redis) -> dict[str, str]:
    return {
        "PLANREVIEW_DATABASE_URL": pg_url,
        "PLANREVIEW_BROKER_URL": redis.url(),
        "PLANREVIEW_API_JOB_LEASE_SECONDS": str(LEASE),
        "PLANREVIEW_API_REVIEW_PROCESSES": "0",
        "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
        "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
    }


@pytest.fixture
def queue_env_for(postgres: Postgres, redis: Redis) -> Iterator[dict[str, str]]:
    url = postgres.create_database("q")
    with ScriptedLLMServer() as llm:
        # Each review's LLM call takes a second (then fails: the rule review stands), so
        # that jobs are still running when a worker is killed.
        llm.default = lambda _: Scripted(
            500, b'{"error": {"message": "slow"}}', {"Content-Type": "application/json"}, hang=1.0
        )
        yield {
            **queue_env(url, redis),
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_API_KEY": "sk-test-queue",
            "PLANREVIEW_LLM_MAX_RETRIES": "0",
            "PLANREVIEW_LLM_TIMEOUT": "30",
        }
    import redis as redis_client

    redis_client.Redis.from_url(redis.url()).flushdb()  # the next test starts with no messages


def owner_of(db: Database, review_id: str) -> str | None:
    from service.store.tables import ReviewRow

    with db.session() as s:
        row = s.get(ReviewRow, review_id)
        return row.claimed_by if row is not None else None


def running(db: Database) -> list[tuple[str, str | None]]:
    from sqlalchemy import select

    from service.store.tables import ReviewRow

    with db.session() as s:
        rows = s.execute(
            select(ReviewRow.id, ReviewRow.claimed_by).where(ReviewRow.status == store.RUNNING)
        )
        return [(r[0], r[1]) for r in rows]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def pid_of(owner: str | None) -> int | None:
    if not owner:
        return None
    pid = owner.split("/")[1]
    return int(pid) if pid.isdigit() else None


@pytest.mark.slow
def test_thirty_async_reviews_over_two_workers_survive_one_being_killed(
    tmp_path: Path, queue_env_for: dict[str, str]
) -> None:
    env = queue_env_for
    db = Database(env["PLANREVIEW_DATABASE_URL"])
    server = start_server(tmp_path / "api", env=env)
    other = start_server(tmp_path / "api2", env=env)  # a second replica answers for it all
    workers: list[Worker] = []
    try:
        workers = [start_worker(tmp_path, n, env, concurrency=2) for n in ("w1", "w2")]
        ids = []
        for plan in PLANS:
            r = httpx.post(
                f"{server.base_url}/v1/reviews?mode=async",
                json={"text": plan.read_text("utf-8"), "name": plan.name, "llm": "on"},
                timeout=30,
            )
            assert r.status_code == 202, r.text
            ids.append(r.json()["id"])
        # Kill w1 (SIGKILL, its whole process: no goodbye) while one of its pool processes
        # holds a job.
        victim, killed_job = workers[0], None
        deadline = time.monotonic() + 60
        while killed_job is None and time.monotonic() < deadline:
            children = victim.children()
            for review_id, owner in running(db):
                if pid_of(owner) in children:
                    killed_job = review_id
                    break
            else:
                time.sleep(0.02)
        assert killed_job is not None, "w1 never ran a job"
        pool = victim.children()
        assert ping(env, "w1").returncode == 0  # the health check compose.yaml uses
        victim.proc.kill()
        victim.proc.wait(10)
        assert ping(env, "w1").returncode == 1

        deadline = time.monotonic() + 180
        pending = set(ids)
        while pending and time.monotonic() < deadline:
            for review_id in list(pending):
                record = store.get_review(db, review_id)
                assert record is not None
                if record.status in store.TERMINAL:
                    pending.discard(review_id)
            time.sleep(0.3)
        assert not pending, f"{len(pending)} jobs never ended; w2 log:\n{workers[1].log()[-3000:]}"

        for review_id in ids:
            r = httpx.get(f"{other.base_url}/v1/reviews/{review_id}", timeout=10)
            body = r.json()
            assert body["status"] == "succeeded", body
            events = [e.event for e in store.events_after(db, review_id, 0)]
            assert events.count("started") == body["attempts"], (review_id, events)
            assert events[-1] == "done"
        killed = httpx.get(f"{server.base_url}/v1/reviews/{killed_job}").json()
        assert killed["attempts"] == 2, killed
        assert "requeued" in [e.event for e in store.events_after(db, killed_job, 0)]
        # The SSE stream and the report, served by the other replica for a job a worker ran.
        sse = httpx.get(f"{other.base_url}/v1/reviews/{ids[0]}/events", timeout=30).text
        assert "event: started" in sse and "event: done" in sse
        report = httpx.get(f"{other.base_url}/v1/reviews/{killed_job}/report?format=sarif")
        assert report.status_code == 200 and report.json()["version"] == "2.1.0"
        # The killed worker's pool processes went with it.
        assert not [pid for pid in pool if alive(pid)]

        # A batch upload fans out to the (remaining) worker the same way.
        files = [("files", (p.name, p.read_bytes())) for p in PLANS[:3]]
        r = httpx.post(
            f"{server.base_url}/v1/batches", files=files, data={"llm": "off"}, timeout=60
        )
        assert r.status_code == 202, r.text
        stream = httpx.get(f"{other.base_url}{r.json()['links']['events']}", timeout=120).text
        assert stream.count("event: item") == 3 and "event: completed" in stream
        batch = httpx.get(f"{other.base_url}/v1/batches/{r.json()['id']}", timeout=10).json()
        assert batch["succeeded"] == 3, batch
        ran_by = {pid_of(owner_of(db, item["review_id"])) for item in batch["items"]}
        assert ran_by <= workers[1].children(), ran_by  # w2's pool processes, not a server
    finally:
        for w in workers:
            w.stop()
        server.stop()
        other.stop()
        db.dispose()


def ping(env: dict[str, str], name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", "worker", "--ping", "--name", f"{name}@%h"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=REPO,
        timeout=60,
    )


def test_worker_without_a_broker_says_what_to_set() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PLANREVIEW_BROKER_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "service", "worker"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 2
    assert "PLANREVIEW_BROKER_URL" in done.stderr and "Traceback" not in done.stderr


def test_worker_help_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "service", "worker", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0 and "--concurrency" in done.stdout
