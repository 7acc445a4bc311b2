"""Storage failures are said plainly, and a computed review is not lost (issue 12, item 6).

A real server on a database it cannot write: the SQLite file opened read-only
(``mode=ro``), as after a remount or a permissions change.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.api.launch import REPO, ServerProcess, start_server
from service.settings import Settings
from service.store.db import DB_FILE, Database

PLAN = (REPO / "eval" / "plans" / "en-mfg-quality-annual-25.md").read_text("utf-8")


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("api-storage")
    Database.from_settings(Settings(data_dir=data)).dispose()  # tables exist, then read-only
    url = f"sqlite:///file:{data / DB_FILE}?mode=ro&uri=true"
    srv = start_server(
        data,
        env={
            "DATABASE_URL": url,
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
            "PLANREVIEW_API_REVIEW_PROCESSES": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
        },
    )
    yield srv
    srv.stop()


def test_readiness_fails_when_the_database_cannot_be_written(read_only: ServerProcess) -> None:
    r = httpx.get(f"{read_only.base_url}/readyz", timeout=30)
    assert r.status_code == 503, r.text
    assert r.json()["checks"]["database"] == "the database cannot be written"


def test_a_job_that_cannot_be_stored_is_a_503_storage_problem(read_only: ServerProcess) -> None:
    r = httpx.post(
        f"{read_only.base_url}/v1/reviews?mode=async", json={"text": PLAN, "llm": "off"}, timeout=30
    )
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["kind"] == "storage-unavailable" and body["retryable"] is True
    assert "readonly" in body["detail"] and "INSERT" not in body["detail"]
    assert r.headers["retry-after"]


def test_a_computed_review_is_returned_with_a_warning(read_only: ServerProcess) -> None:
    r = httpx.post(
        f"{read_only.base_url}/v1/reviews", json={"text": PLAN, "llm": "off"}, timeout=30
    )
    assert r.status_code == 200, r.text
    review = r.json()
    assert review["id"] is None and review["findings"] and "location" not in r.headers
    assert any("was not stored" in w for w in review["warnings"]), review["warnings"]


def test_a_writable_database_is_ready(tmp_path: Path) -> None:
    db = Database.from_settings(Settings(data_dir=tmp_path))
    assert db.writable() and db.writable()
