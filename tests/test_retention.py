"""Finished reviews are deleted after their retention (issue 12, item 13).

The real ``planreview db prune`` in a subprocess, and a real server pruning
on its own with a retention of seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from service.api.launch import REPO, start_server
from service.errors import ConfigError
from service.settings import Settings
from service.store import reviews as store
from service.store.db import DB_FILE, Database
from service.store.retention import parse_age
from service.store.tables import BatchRow, EventRow, ReviewRow, utcnow

PLAN = "# Plan\n\n## Goals\n\n- Grow sales by 5% by 2026-12-31\n"


def _age(db: Database, review_id: str, days: float) -> None:
    with db.session() as s:
        when = utcnow() - timedelta(days=days)
        s.execute(
            update(ReviewRow)
            .where(ReviewRow.id == review_id)
            .values(created_at=when, finished_at=when)
        )


def _count(db: Database, table: type) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_db_prune_deletes_only_what_finished_long_ago(tmp_path: Path) -> None:
    db = Database.from_settings(Settings(data_dir=tmp_path))

    def finished(days: float) -> str:
        rid = store.save_finished(
            db, source="p.md", options={}, plan_json="{}", review_json="{}", key_id=None
        )
        _age(db, rid, days)
        return rid

    old, recent = finished(40), finished(5)
    queued = store.create_job(db, source="q.md", options={}, data=b"# Q", key_id=None)
    _age(db, queued, 60)  # old, but still waiting: never pruned
    done_batch, ids = store.create_batch(
        db, items=[("a.md", b"# A"), ("b.md", b"# B")], options={}, key_id=None
    )
    for rid in ids:
        store.claim(db, rid)
        store.succeed(db, rid, "{}", "{}", {})
        _age(db, rid, 45)
    busy_batch, busy_ids = store.create_batch(
        db, items=[("c.md", b"# C"), ("d.md", b"# D")], options={}, key_id=None
    )
    store.claim(db, busy_ids[0])
    store.succeed(db, busy_ids[0], "{}", "{}", {})
    _age(db, busy_ids[0], 45)
    with db.session() as s:
        s.execute(update(BatchRow).values(created_at=utcnow() - timedelta(days=50)))
    events_before = _count(db, EventRow)
    db.dispose()

    env = {**os.environ, "PLANREVIEW_DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "service", "db", "prune", "--older-than", "30d", "--vacuum"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("pruned 3 review(s), 1 batch(es)"), done.stdout

    db = Database(f"sqlite:///{tmp_path / DB_FILE}")
    assert store.get_review(db, old) is None
    assert store.get_review(db, recent) is not None
    assert store.get_review(db, queued) is not None
    assert store.get_batch(db, done_batch) is None and store.get_review(db, ids[0]) is None
    assert store.get_batch(db, busy_batch) is not None  # d.md is still queued
    assert store.get_review(db, busy_ids[0]) is not None
    assert _count(db, EventRow) < events_before
    assert store.events_after(db, old, 0) == []

    usage = subprocess.run(
        [sys.executable, "-m", "service", "db", "prune"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert usage.returncode == 2 and "--older-than" in usage.stderr


def test_parse_age() -> None:
    assert parse_age("30d") == timedelta(days=30) and parse_age("12h") == timedelta(hours=12)
    assert parse_age("2w") == timedelta(weeks=2) and parse_age("7") == timedelta(days=7)
    with pytest.raises(ConfigError):
        parse_age("soon")


@pytest.mark.slow
def test_the_server_prunes_on_its_own(tmp_path: Path) -> None:
    srv = start_server(
        tmp_path / "data",
        env={
            "PLANREVIEW_RETENTION_DAYS": str(2 / 86400),  # two seconds
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
            "PLANREVIEW_API_REVIEW_PROCESSES": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
        },
    )
    try:
        with httpx.Client(base_url=srv.base_url, timeout=30) as c:
            rid = c.post("/v1/reviews", json={"text": PLAN, "llm": "off"}).json()["id"]
            assert c.get(f"/v1/reviews/{rid}").status_code == 200
            deadline = time.monotonic() + 20
            while c.get(f"/v1/reviews/{rid}").status_code == 200:
                assert time.monotonic() < deadline, "never pruned"
                time.sleep(0.5)
            gone = c.get(f"/v1/reviews/{rid}")
            assert gone.status_code == 404 and gone.json()["kind"] == "not-found"
    finally:
        srv.stop()
