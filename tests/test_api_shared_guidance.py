"""Guidance given to one replica is seen by every replica (issue 13, item 4).

Two real servers with separate data dirs share one Postgres: a document
uploaded to A is found by B's search within its sync interval, and a server
started afterwards has it at once. The folder mirror itself (adoption of
documents from before the database kept them, replacement of stale copies) is
checked on SQLite.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from services import Postgres

from service.api.launch import start_server
from service.settings import Settings
from service.store import guidance
from service.store import keys as key_store
from service.store.db import Database

GUIDANCE = """---
title: Acme review standards
language: en
frameworks: [risk]
---

## Acme: every risk needs a named owner
<!-- id: acme-risk-owner-en; frameworks: risk; codes: risk.no-owner -->
At Acme every risk in a plan names one accountable owner and a review date; the quarterly
operations board checks the zebrafish register before funds are released.
"""


def search(base_url: str, key: str) -> list[str]:
    r = httpx.get(
        f"{base_url}/v1/knowledge/search",
        params={"q": "zebrafish register", "mode": "lexical"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return [hit["chunk_id"] for hit in r.json()]


@pytest.mark.slow
def test_guidance_uploaded_to_one_replica_reaches_the_others(
    tmp_path: Path, postgres: Postgres
) -> None:
    url = postgres.create_database("g")
    db = Database.from_settings(Settings(data_dir=tmp_path / "x", database_url=url))
    admin, _ = key_store.create_key(db, "admin", admin=True)
    env = {
        "PLANREVIEW_DATABASE_URL": url,
        "PLANREVIEW_API_REVIEW_PROCESSES": "0",
        "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "0",
        "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
        "PLANREVIEW_API_GUIDANCE_SYNC_SECONDS": "0.5",
    }
    a = start_server(tmp_path / "a", env=env)
    b = start_server(tmp_path / "b", env=env)
    try:
        assert "acme-risk-owner-en" not in search(b.base_url, admin)
        r = httpx.post(
            f"{a.base_url}/v1/knowledge/documents",
            json={"name": "acme-standards.md", "text": GUIDANCE},
            headers={"Authorization": f"Bearer {admin}"},
            timeout=30,
        )
        assert r.status_code == 201, r.text
        deadline = time.monotonic() + 20
        while "acme-risk-owner-en" not in search(b.base_url, admin):
            assert time.monotonic() < deadline, "replica B never saw the guidance"
            time.sleep(0.3)
        assert search(b.base_url, admin)[0] == "acme-risk-owner-en"
        # An id clash with what A was given is refused by B too.
        clash = httpx.post(
            f"{b.base_url}/v1/knowledge/documents",
            json={"name": "other.md", "text": GUIDANCE},
            headers={"Authorization": f"Bearer {admin}"},
            timeout=30,
        )
        assert clash.status_code == 409, clash.text
    finally:
        a.stop()
        b.stop()
    c = start_server(tmp_path / "c", env=env)  # a new replica: it has it from the start
    try:
        assert search(c.base_url, admin)[0] == "acme-risk-owner-en"
    finally:
        c.stop()
        db.dispose()


def test_the_folder_mirror_adopts_old_documents_and_replaces_stale_copies(tmp_path: Path) -> None:
    db = Database.from_settings(Settings(data_dir=tmp_path))
    folder = tmp_path / "guidance"
    folder.mkdir()
    (folder / "legacy.md").write_text("old single-server upload", "utf-8")
    (folder / "acme.md").write_text("a stale copy", "utf-8")
    guidance.put(db, "acme.md", GUIDANCE.encode(), ["acme-risk-owner-en"])
    guidance.put(db, "new.md", b"from another replica", [])
    assert guidance.sync_folder(db, folder) is True
    assert (folder / "acme.md").read_text("utf-8") == GUIDANCE
    assert (folder / "new.md").read_bytes() == b"from another replica"
    assert set(guidance.digests(db)) == {"acme.md", "new.md", "legacy.md"}  # adopted, not lost
    assert (folder / "legacy.md").read_text("utf-8") == "old single-server upload"
    assert guidance.sync_folder(db, folder) is False  # nothing left to do
    assert not list(folder.glob(".*.tmp"))
