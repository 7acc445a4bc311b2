"""Two servers on one database never steal each other's jobs (issue 12, item 4).

Real servers sharing a data dir; the job is made slow by a scripted LLM
endpoint on 127.0.0.1 that takes seconds to answer. A job running on a live
server is left alone by the other; when its server is SIGKILLed, the other
takes it over.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from llm_server import Received, Scripted, ScriptedLLMServer

from service.api.launch import REPO, ServerProcess, start_server
from service.settings import Settings
from service.store import reviews as store
from service.store.db import Database

PLAN = (REPO / "eval" / "plans" / "en-mfg-quality-annual-25.md").read_text("utf-8")
LEASE = 2.0


@pytest.fixture
def slow_llm() -> Iterator[tuple[ScriptedLLMServer, dict[str, float]]]:
    delay = {"seconds": 7.0}

    def answer(_: Received) -> Scripted:
        body = b'{"error": {"message": "slow upstream"}}'
        return Scripted(500, body, {"Content-Type": "application/json"}, hang=delay["seconds"])

    with ScriptedLLMServer() as srv:
        srv.default = answer
        yield srv, delay


def env_for(llm: ScriptedLLMServer) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": "sk-test-lease",
        "PLANREVIEW_LLM_MAX_RETRIES": "0",
        "PLANREVIEW_LLM_TIMEOUT": "30",
        "PLANREVIEW_API_JOB_LEASE_SECONDS": str(LEASE),
        "PLANREVIEW_API_REVIEW_PROCESSES": "0",
        "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
        "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
    }


def submit(srv: ServerProcess) -> str:
    r = httpx.post(f"{srv.base_url}/v1/reviews?mode=async", json={"text": PLAN, "llm": "on"})
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def status(srv: ServerProcess, review_id: str) -> dict[str, Any]:
    r = httpx.get(f"{srv.base_url}/v1/reviews/{review_id}", timeout=10)
    assert r.status_code == 200
    return dict(r.json())


def wait_status(srv: ServerProcess, review_id: str, wanted: set[str], timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = status(srv, review_id)
        if got["status"] in wanted:
            return got
        time.sleep(0.2)
    raise AssertionError(f"{review_id} never reached {wanted}: {status(srv, review_id)}")


def event_names(data: Path, review_id: str) -> list[str]:
    db = Database.from_settings(Settings(data_dir=data))
    try:
        return [e.event for e in store.events_after(db, review_id, 0)]
    finally:
        db.dispose()


@pytest.mark.slow
def test_a_second_server_leaves_running_jobs_alone_until_their_server_dies(
    tmp_path: Path, slow_llm: tuple[ScriptedLLMServer, dict[str, float]]
) -> None:
    llm, delay = slow_llm
    data = tmp_path / "data"
    a = start_server(data, env=env_for(llm))
    b: ServerProcess | None = None
    try:
        first = submit(a)
        wait_status(a, first, {"running"})
        b = start_server(data, env=env_for(llm))
        time.sleep(3 * LEASE)  # several leases: A renews, B's sweeps leave the job alone
        assert "requeued" not in event_names(data, first)
        done = wait_status(a, first, {"succeeded", "failed"})
        assert done["status"] == "succeeded" and done["attempts"] == 1, done
        assert event_names(data, first).count("started") == 1

        delay["seconds"] = 0.5
        second = submit(a)
        wait_status(a, second, {"running"})
        a.kill()  # SIGKILL: A's lease is never renewed again
        done = wait_status(b, second, {"succeeded", "failed"})
        assert done["status"] == "succeeded" and done["attempts"] == 2, done
        assert "requeued" in event_names(data, second)
    finally:
        a.kill()
        if b is not None:
            b.stop()


def test_recovery_takes_over_only_expired_leases(tmp_path: Path) -> None:
    db = Database.from_settings(Settings(data_dir=tmp_path))
    job = store.create_job(db, source="a.md", options={}, data=b"# A", key_id=None)
    assert store.claim(db, job, "elsewhere/1/abcd", lease_seconds=0.5) is not None
    assert store.recover(db, 3).requeued == []  # another host's live lease
    assert store.renew_leases(db, "elsewhere/1/abcd", 0.5) == 1
    time.sleep(0.7)
    assert store.recover(db, 3).requeued == [job]
    assert store.claim(db, job, "here/2/ef01", lease_seconds=30) is not None
    assert store.recover(db, 3, owner_is_gone=lambda owner: owner == "here/2/ef01").requeued == [
        job
    ]
    # a server whose job was taken over cannot overwrite the new owner's result
    assert store.claim(db, job, "new/3/0000", lease_seconds=30) is not None
    assert not store.succeed(db, job, "{}", "{}", {}, owner="here/2/ef01")
    assert store.succeed(db, job, "{}", "{}", {}, owner="new/3/0000")
