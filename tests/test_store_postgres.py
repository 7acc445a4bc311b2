"""Postgres for real, and the Alembic migrations on both databases (issue 13, item 1).

A private Postgres (tests/services.py) on a free port: migrations from empty and
again (a no-op), the migrated schema equal to the models, concurrent upgrades,
the API on Postgres surviving a restart, two API servers on one Postgres never
stealing each other's jobs, and ``planreview db upgrade``.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from llm_server import Received, Scripted, ScriptedLLMServer
from services import Postgres
from sqlalchemy import inspect

from service.api.launch import REPO, ServerProcess, start_server
from service.store import reviews as store
from service.store.db import Database
from service.store.retention import prune
from service.store.schema import current_revision, head_revision
from service.store.tables import Base, utcnow

PLAN = (REPO / "eval" / "plans" / "en-mfg-quality-annual-25.md").read_text("utf-8")
LEASE = 2.0


def schema_drift(db: Database) -> list[Any]:
    """What the migrated database lacks or has beyond the models (alembic's comparison)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # Alembic reports SQLite's and Postgres's spelling of the same type as equal;
    # anything left is a real difference.
    return list(diffs)


@pytest.mark.slow
def test_migrations_from_empty_on_postgres_match_the_models_and_rerun_is_a_no_op(
    postgres: Postgres,
) -> None:
    db = Database(postgres.create_database())
    try:
        assert current_revision(db.engine) is None
        assert db.upgrade() is True
        assert current_revision(db.engine) == head_revision()
        assert schema_drift(db) == []
        assert db.upgrade() is False  # idempotent
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        db.dispose()


def test_migrations_from_empty_on_sqlite_match_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    assert db.upgrade() is True
    assert schema_drift(db) == []
    assert db.upgrade() is False
    assert current_revision(db.engine) == head_revision()


def test_a_database_from_before_migrations_is_upgraded_in_place(tmp_path: Path) -> None:
    """The first release's tables (no lease columns, no finding counts), with a review in them."""
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE batches (id VARCHAR(40) PRIMARY KEY, total INTEGER NOT NULL,
            options_json TEXT NOT NULL, key_id VARCHAR(32), created_at DATETIME NOT NULL);
        CREATE TABLE reviews (id VARCHAR(40) PRIMARY KEY, status VARCHAR(16) NOT NULL,
            stage VARCHAR(32) NOT NULL, source VARCHAR(500) NOT NULL, options_json TEXT NOT NULL,
            input_data BLOB, plan_json TEXT, review_json TEXT, error_kind VARCHAR(64),
            error_status INTEGER, error_detail TEXT, attempts INTEGER NOT NULL,
            batch_id VARCHAR(40) REFERENCES batches(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, key_id VARCHAR(32), created_at DATETIME NOT NULL,
            started_at DATETIME, finished_at DATETIME);
        INSERT INTO reviews VALUES ('rev_old', 'succeeded', 'done', 'old.md', '{}', NULL,
            '{}', '{"findings": []}', NULL, NULL, NULL, 1, NULL, 0, NULL,
            '2026-01-01 00:00:00', NULL, NULL);
        """
    )
    con.commit()
    con.close()
    db = Database(f"sqlite:///{path}")
    assert db.upgrade() is True
    columns = {c["name"] for c in inspect(db.engine).get_columns("reviews")}
    assert {"claimed_by", "lease_until", "finding_count"} <= columns
    assert {c["name"] for c in inspect(db.engine).get_columns("batches")} >= {"skipped_json"}
    old = store.get_review(db, "rev_old")
    assert old is not None and old.review_json == '{"findings": []}'
    # and it works as a current database
    job = store.create_job(db, source="a.md", options={}, data=b"# A", key_id=None)
    assert store.claim(db, job, "here/1/x") is not None


@pytest.mark.slow
def test_servers_starting_together_migrate_once(postgres: Postgres) -> None:
    url = postgres.create_database()
    results: list[bool | BaseException] = []

    def start() -> None:
        db = Database(url)
        try:
            results.append(db.upgrade())
        except BaseException as exc:  # reported below
            results.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results, key=str) == [False, False, False, True], results


def test_db_upgrade_command_migrates_and_then_says_it_is_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"PLANREVIEW_DATABASE_URL": url}
    first = run_cli(["db", "upgrade"], env)
    assert first.returncode == 0, first.stderr
    assert f"from empty to {head_revision()}" in first.stdout
    again = run_cli(["db", "upgrade"], env)
    assert again.returncode == 0 and "already at" in again.stdout


def test_a_missing_driver_or_bad_url_is_a_clear_error_not_a_traceback() -> None:
    bad = run_cli(["db", "upgrade"], {"PLANREVIEW_DATABASE_URL": "mysql+nodriver://u:secret@h/db"})
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr and "secret" not in bad.stderr
    assert "planreview db upgrade:" in bad.stderr
    nonsense = run_cli(["db", "upgrade"], {"PLANREVIEW_DATABASE_URL": "not a url"})
    assert nonsense.returncode == 2 and "not a database URL" in nonsense.stderr
    down = run_cli(
        ["db", "upgrade"], {"PLANREVIEW_DATABASE_URL": "postgresql://u:secret@127.0.0.1:1/db"}
    )
    assert down.returncode == 2 and "Traceback" not in down.stderr, down.stderr
    assert "the database is unavailable" in down.stderr and "secret" not in down.stderr


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        cwd=REPO,
    )


# ------------------------------------------------------------------------------ the API on Postgres


def api_env(url: str, **extra: str) -> dict[str, str]:
    return {
        "PLANREVIEW_DATABASE_URL": url,
        "PLANREVIEW_API_REVIEW_PROCESSES": "0",
        "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
        "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
        **extra,
    }


def wait_status(
    srv: ServerProcess, review_id: str, wanted: set[str], timeout: float = 90
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    got: dict[str, Any] = {}
    while time.monotonic() < deadline:
        r = httpx.get(f"{srv.base_url}/v1/reviews/{review_id}", timeout=10)
        assert r.status_code == 200, r.text
        got = r.json()
        if got["status"] in wanted:
            return got
        time.sleep(0.2)
    raise AssertionError(f"{review_id} never reached {wanted}: {got}")


@pytest.mark.slow
def test_the_api_on_postgres_keeps_its_reviews_across_a_restart(
    tmp_path: Path, postgres: Postgres
) -> None:
    url = postgres.create_database()
    srv = start_server(tmp_path / "a", env=api_env(url))
    try:
        sync = httpx.post(f"{srv.base_url}/v1/reviews", json={"text": PLAN}, timeout=60)
        assert sync.status_code == 200, sync.text
        sync_id = sync.json()["id"]
        job = httpx.post(f"{srv.base_url}/v1/reviews?mode=async", json={"text": PLAN}, timeout=60)
        assert job.status_code == 202, job.text
        job_id = job.json()["id"]
        done = wait_status(srv, job_id, {"succeeded", "failed"})
        assert done["status"] == "succeeded", done
        events = httpx.get(f"{srv.base_url}/v1/reviews/{job_id}/events", timeout=30).text
        assert "event: done" in events
        keyed = httpx.post(
            f"{srv.base_url}/v1/reviews",
            json={"text": PLAN, "name": "keyed.md"},
            headers={"Idempotency-Key": "pg-key-1"},
            timeout=60,
        )
        assert keyed.status_code == 200, keyed.text
        files = [("files", ("a.md", PLAN.encode())), ("files", ("b.md", PLAN.encode()))]
        batch = httpx.post(f"{srv.base_url}/v1/batches", files=files, data={"llm": "off"})
        assert batch.status_code == 202, batch.text
        batch_id = batch.json()["id"]
        stream = httpx.get(f"{srv.base_url}/v1/batches/{batch_id}/events", timeout=60).text
        assert "event: completed" in stream
    finally:
        srv.stop()
    # A new server, another data dir: everything it knows comes from Postgres.
    again = start_server(tmp_path / "b", env=api_env(url))
    try:
        for review_id in (sync_id, job_id):
            r = httpx.get(f"{again.base_url}/v1/reviews/{review_id}", timeout=10)
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["status"] == "succeeded"
            assert body["review"]["findings"] == sync.json()["findings"]
        report = httpx.get(f"{again.base_url}/v1/reviews/{job_id}/report?format=markdown")
        assert report.status_code == 200 and report.text.strip()
        replay = httpx.post(  # the idempotency record is in Postgres too
            f"{again.base_url}/v1/reviews",
            json={"text": PLAN, "name": "keyed.md"},
            headers={"Idempotency-Key": "pg-key-1"},
            timeout=60,
        )
        assert replay.headers.get("idempotent-replayed") == "true"
        assert replay.json()["id"] == keyed.json()["id"]
        lines = httpx.get(f"{again.base_url}/v1/batches/{batch_id}/results").text.splitlines()
        assert [json.loads(line)["status"] for line in lines] == ["succeeded", "succeeded"]
    finally:
        again.stop()
    assert not (tmp_path / "b" / "planreview.db").exists()  # SQLite was never touched
    # Retention works on Postgres too: everything above is finished, so all of it goes.
    db = Database(url)
    try:
        pruned = prune(db, timedelta(0), now=utcnow() + timedelta(seconds=5))
        assert pruned.reviews == 5 and pruned.batches == 1 and pruned.idempotency == 1
        assert store.get_review(db, sync_id) is None
    finally:
        db.dispose()


@pytest.fixture
def slow_llm() -> Iterator[tuple[ScriptedLLMServer, dict[str, float]]]:
    delay = {"seconds": 7.0}

    def answer(_: Received) -> Scripted:
        body = b'{"error": {"message": "slow upstream"}}'
        return Scripted(500, body, {"Content-Type": "application/json"}, hang=delay["seconds"])

    with ScriptedLLMServer() as srv:
        srv.default = answer
        yield srv, delay


@pytest.mark.slow
def test_two_api_servers_on_one_postgres_never_steal_each_others_jobs(
    tmp_path: Path, postgres: Postgres, slow_llm: tuple[ScriptedLLMServer, dict[str, float]]
) -> None:
    llm, delay = slow_llm
    url = postgres.create_database()
    env = api_env(
        url,
        OPENAI_BASE_URL=llm.base_url,
        OPENAI_API_KEY="sk-test-lease",
        PLANREVIEW_LLM_MAX_RETRIES="0",
        PLANREVIEW_LLM_TIMEOUT="30",
        PLANREVIEW_API_JOB_LEASE_SECONDS=str(LEASE),
    )
    a = start_server(tmp_path / "a", env=env)
    b: ServerProcess | None = None
    db = Database(url)
    try:

        def submit() -> str:
            r = httpx.post(
                f"{a.base_url}/v1/reviews?mode=async", json={"text": PLAN, "llm": "on"}, timeout=30
            )
            assert r.status_code == 202, r.text
            return str(r.json()["id"])

        def events(review_id: str) -> list[str]:
            return [e.event for e in store.events_after(db, review_id, 0)]

        first = submit()
        wait_status(a, first, {"running"})
        b = start_server(tmp_path / "b", env=env)
        time.sleep(3 * LEASE)  # several leases: A renews, B's sweeps leave the job alone
        assert "requeued" not in events(first)
        done = wait_status(b, first, {"succeeded", "failed"})  # B reads what A wrote
        assert done["status"] == "succeeded" and done["attempts"] == 1, done
        assert events(first).count("started") == 1

        delay["seconds"] = 0.5
        second = submit()
        wait_status(a, second, {"running"})
        a.kill()  # SIGKILL: A's lease is never renewed again; B takes the job over
        done = wait_status(b, second, {"succeeded", "failed"})
        assert done["status"] == "succeeded" and done["attempts"] == 2, done
        assert "requeued" in events(second)
    finally:
        db.dispose()
        a.kill()
        if b is not None:
            b.stop()
