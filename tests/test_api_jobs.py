"""Jobs survive a crash: kill the server mid-batch, start it again, nothing is lost."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from service.api.launch import REPO, ServerProcess, start_server
from service.settings import Settings
from service.store import reviews as store
from service.store.db import Database

PLANS = sorted((REPO / "eval" / "plans").glob("*.md"))[:20]
ENV = {
    "PLANREVIEW_API_WORKERS": "1",
    "PLANREVIEW_API_REVIEW_PROCESSES": "0",
    "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
}


def batch(client: httpx.Client, batch_id: str) -> dict:
    r = client.get(f"/v1/batches/{batch_id}")
    assert r.status_code == 200, r.text
    return r.json()


def wait_for(client: httpx.Client, batch_id: str, done: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = batch(client, batch_id)
        if state["done"] >= done:
            return state
        time.sleep(0.02)
    raise AssertionError(f"batch {batch_id} did not reach {done} done: {state}")


def events(client: httpx.Client, review_id: str) -> list[str]:
    with client.stream("GET", f"/v1/reviews/{review_id}/events") as r:
        return [line[7:] for line in r.iter_lines() if line.startswith("event: ")]


@pytest.mark.slow
def test_jobs_survive_a_killed_server(tmp_path: Path) -> None:
    data = tmp_path / "data"
    files = [("files", (p.name, p.read_bytes())) for p in PLANS]
    srv: ServerProcess = start_server(data, env=ENV)
    try:
        with httpx.Client(base_url=srv.base_url, timeout=30) as c:
            r = c.post("/v1/batches", files=files, data={"llm": "off"})
            assert r.status_code == 202, r.text
            batch_id = r.json()["id"]
            seen = wait_for(c, batch_id, 3)
            srv.kill()  # SIGKILL mid-batch: no shutdown hook runs
    finally:
        srv.kill()
    assert seen["status"] != "completed"
    # What the dead process left behind (a job may be between two plans at the kill: rare).
    left = store.status_counts(Database.from_settings(Settings(data_dir=data)))
    assert left.get(store.QUEUED, 0) > 0 and left.get(store.RUNNING, 0) <= 1

    # Second life: the job left running is re-queued, everything queued runs to the end.
    srv = start_server(data, env=ENV)
    try:
        with httpx.Client(base_url=srv.base_url, timeout=30) as c:
            final = wait_for(c, batch_id, len(PLANS))
            assert final["status"] == "completed" and final["succeeded"] == len(PLANS)
            resumed = [i for i in final["items"] if "requeued" in events(c, i["review_id"])]
            assert len(resumed) == left.get(store.RUNNING, 0), "the job that was running"
            for item in resumed:
                again = c.get(f"/v1/reviews/{item['review_id']}").json()
                assert again["attempts"] == 2 and again["status"] == "succeeded"
            lines = c.get(f"/v1/batches/{batch_id}/results").text.strip().split("\n")
            assert len(lines) == len(PLANS)
    finally:
        srv.stop()


def test_recovery_requeues_then_fails_with_a_reason(tmp_path: Path) -> None:
    db = Database.from_settings(Settings(data_dir=tmp_path))
    first = store.create_job(db, source="a.md", options={"llm": "off"}, data=b"# A", key_id=None)
    second = store.create_job(db, source="b.md", options={}, data=b"# B", key_id=None)
    assert store.claim(db, first) is not None and store.claim(db, first) is None

    recovery = store.recover(db, max_attempts=2)  # the process died while `first` ran
    assert recovery.requeued == [first] and recovery.failed == []
    assert recovery.queued == [first, second]
    assert store.get_review(db, first).status == store.QUEUED  # type: ignore[union-attr]

    assert store.claim(db, first) is not None  # attempt 2 ... and the process dies again
    recovery = store.recover(db, max_attempts=2)
    assert recovery.failed == [first] and recovery.queued == [second]
    record = store.get_review(db, first)
    assert record is not None and record.status == store.FAILED
    assert record.error_kind == "interrupted" and "2 time(s)" in (record.error_detail or "")
    names = [e.event for e in store.events_after(db, first, 0)]
    assert names == ["queued", "started", "requeued", "started", "failed"]


def test_job_results_and_failures_are_recorded(tmp_path: Path) -> None:
    from service.api.jobs import JobRunner

    settings = Settings(data_dir=tmp_path)
    db = Database.from_settings(settings)
    runner = JobRunner(db, settings, workers=1, max_attempts=3)
    good = store.create_job(
        db, source="plan.md", options={"llm": "off"}, data=PLANS[0].read_bytes(), key_id=None
    )
    bad = store.create_job(db, source="plan.md", options={"llm": "off"}, data=b"", key_id=None)
    runner.run(good)
    runner.run(bad)
    ok = store.get_review(db, good)
    assert ok is not None and ok.status == store.SUCCEEDED and ok.review_json and ok.plan_json
    failed = store.get_review(db, bad)
    assert failed is not None and failed.status == store.FAILED
    assert failed.error_status == 422 and "empty" in (failed.error_detail or "")
    stages = [e.data.get("stage") for e in store.events_after(db, good, 0)]
    assert {"parsed", "rules", "retrieve", "done"} <= set(stages)


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_review_workers_do_not_outlive_a_killed_server(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "data", env={"PLANREVIEW_API_REVIEW_PROCESSES": "1"})
    kids = _children(srv.proc.pid)
    assert kids, "the review process pool is running"
    srv.kill()
    deadline = time.monotonic() + 10
    while any(_alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(k) for k in kids), "orphaned review workers"
