"""A crashed review worker costs one request, and the pool heals (issue 12, item 3).

A real server with two worker processes, many synchronous reviews in flight,
and one worker killed with SIGKILL in the middle of them.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from service.api.launch import REPO, ServerProcess, start_server

PLAN = (REPO / "eval" / "plans" / "en-mfg-quality-annual-25.md").read_text("utf-8")
BIG = PLAN * 30  # about half a second of review each
IN_FLIGHT = 24

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc"),
]


def review_workers(server_pid: int) -> list[int]:
    """The server's review worker processes (spawned multiprocessing children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == server_pid and fields[0] != "Z" and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def wait_for_workers(srv: ServerProcess, n: int, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = review_workers(srv.proc.pid)
        if len(pids) == n:
            return pids
        time.sleep(0.2)
    raise AssertionError(f"expected {n} workers, have {review_workers(srv.proc.pid)}")


def post_all(base_url: str, n: int, tag: str) -> list[httpx.Response]:
    results: list[httpx.Response | None] = [None] * n

    def one(i: int) -> None:
        text = f"{BIG}\n\n<!-- {tag} {i} -->\n"  # unique: the review cache must not answer
        with httpx.Client(base_url=base_url, timeout=120) as c:
            results[i] = c.post("/v1/reviews?mode=sync", json={"text": text, "llm": "off"})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def test_a_killed_worker_fails_only_its_own_request_and_is_replaced(tmp_path: Path) -> None:
    srv = start_server(
        tmp_path / "data",
        env={
            "PLANREVIEW_API_REVIEW_PROCESSES": "2",
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
        },
    )
    try:
        first = wait_for_workers(srv, 2)
        killer = threading.Timer(1.5, lambda: os.kill(first[0], signal.SIGKILL))
        killer.start()
        responses = post_all(srv.base_url, IN_FLIGHT, "crash")
        killer.join()
        statuses = [r.status_code for r in responses]
        crashed = [r for r in responses if r.status_code == 503]
        print(f"{IN_FLIGHT} in flight, one worker killed: {len(crashed)} answered 503")
        assert len(crashed) <= 1 and statuses.count(200) >= IN_FLIGHT - 1, statuses
        for r in crashed:
            assert r.json()["kind"] == "worker-crashed" and r.json()["retryable"] is True
        healed = wait_for_workers(srv, 2)
        assert first[0] not in healed

        # a worker killed while idle is replaced before the next request uses it
        os.kill(healed[1], signal.SIGKILL)
        time.sleep(0.5)
        again = post_all(srv.base_url, 4, "idle")
        assert [r.status_code for r in again] == [200] * 4
        assert len(wait_for_workers(srv, 2)) == 2
    finally:
        srv.stop()
