"""Batch progress as server-sent events (issue 14 item 10, built with issue 13's batch path).

A real server reviews a batch of six plans (one of them empty, so it fails);
the event stream gives the counts as they change, one ``item`` event per plan as
it finishes (ids 1..6), then ``completed``; a reconnect with ``Last-Event-ID``
gets only the plans finished after it. An unknown batch is a 404 problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from service.api.launch import REPO, ServerProcess, start_server

PLANS = sorted((REPO / "eval" / "plans").glob("*.md"))[:5]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = start_server(
        tmp_path_factory.mktemp("batch-events"),
        env={
            "PLANREVIEW_API_REVIEW_PROCESSES": "0",
            "PLANREVIEW_API_WORKERS": "1",
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
        },
    )
    try:
        yield srv
    finally:
        srv.stop()


def parse(stream: str) -> list[tuple[str | None, str, dict]]:
    """(id, event, data) of each event in a text/event-stream body."""
    events = []
    for block in stream.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        if "event" in fields:
            events.append((fields.get("id"), fields["event"], json.loads(fields["data"])))
    return events


def test_batch_events_follow_every_plan_to_completion(server: ServerProcess) -> None:
    files = [("files", (p.name, p.read_bytes())) for p in PLANS]
    files.append(("files", ("empty.md", b"")))
    with httpx.Client(base_url=server.base_url, timeout=120) as c:
        r = c.post("/v1/batches", files=files, data={"llm": "off"})
        assert r.status_code == 202, r.text
        batch = r.json()
        assert batch["links"]["events"] == f"/v1/batches/{batch['id']}/events"
        got = parse(c.get(batch["links"]["events"]).text)

        kinds = [e[1] for e in got]
        assert kinds[0] == "progress" and kinds[-1] == "completed"
        items = [e for e in got if e[1] == "item"]
        assert [e[0] for e in items] == [str(n) for n in range(1, 7)]
        assert {e[2]["review_id"] for e in items} == {i["review_id"] for i in batch["items"]}
        assert [e[2]["done"] for e in items] == list(range(1, 7))
        by_source = {e[2]["source"]: e[2] for e in items}
        assert by_source["empty.md"]["status"] == "failed"
        assert "empty" in by_source["empty.md"]["error"]["detail"]
        assert all(by_source[p.name]["status"] == "succeeded" for p in PLANS)
        assert all(by_source[p.name]["findings"] is not None for p in PLANS)
        final = got[-1][2]
        assert final == {
            "status": "completed",
            "total": 6,
            "done": 6,
            "succeeded": 5,
            "failed": 1,
            "running": 0,
            "queued": 0,
        }
        done_counts = [e[2]["done"] for e in got if e[1] == "progress"]
        assert done_counts == sorted(done_counts)  # progress only moves forward

        resumed = parse(c.get(batch["links"]["events"], headers={"Last-Event-ID": "4"}).text)
        assert [e[0] for e in resumed if e[1] == "item"] == ["5", "6"]
        assert [e[2]["review_id"] for e in resumed if e[1] == "item"] == [
            e[2]["review_id"] for e in items[4:]
        ]
        assert resumed[-1][1] == "completed"


def test_unknown_batch_events_are_a_404_problem(server: ServerProcess) -> None:
    r = httpx.get(f"{server.base_url}/v1/batches/bat_nope/events", timeout=30)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_the_event_stream_is_in_the_openapi_schema(server: ServerProcess) -> None:
    schema = httpx.get(f"{server.base_url}/openapi.json", timeout=30).json()
    op = schema["paths"]["/v1/batches/{batch_id}/events"]["get"]
    assert "text/event-stream" in op["responses"]["200"]["content"]
