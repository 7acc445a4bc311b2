"""API keys, the rate limit, admin-only guidance and the refusal to serve unprotected."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from service.api.launch import REPO, ServerProcess, free_port, start_server
from service.cli.keys import app as keys_app

PLAN = (REPO / "eval" / "plans" / "en-mfg-quality-annual-25.md").read_text("utf-8")
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


def cli(data_dir: Path, *args: str) -> str:
    env = {**os.environ, "PLANREVIEW_DATA_DIR": str(data_dir)}
    result = CliRunner().invoke(keys_app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, dict]]:
    data = tmp_path_factory.mktemp("api-security")
    from service.settings import get_settings

    get_settings.cache_clear()
    keys = {
        name: cli(data, "create", name, *(["--admin"] if name == "admin" else []))
        for name in ("user", "limited", "admin", "doomed", "reader")
    }
    get_settings.cache_clear()
    srv = start_server(
        data,
        env={
            "PLANREVIEW_API_REQUIRE_KEYS": "true",
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "6",
            "PLANREVIEW_API_RATE_LIMIT_BURST": "4",
            "PLANREVIEW_API_REVIEW_PROCESSES": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
        },
    )
    yield srv, {**keys, "data": data}
    srv.stop()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_keys_are_required_and_checked(secured: tuple[ServerProcess, dict]) -> None:
    srv, keys = secured
    with httpx.Client(base_url=srv.base_url, timeout=30) as c:
        r = c.get("/v1/rules")
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "planreview keys create" in r.json()["hint"]
        assert c.get("/v1/rules", headers=bearer("pr_nope_nope")).status_code == 401
        assert c.get("/v1/rules", headers=bearer(keys["user"])).status_code == 200
        assert c.get("/v1/rules", headers={"X-API-Key": keys["user"]}).status_code == 200
        posted = c.post(
            "/v1/reviews", json={"text": PLAN, "llm": "off"}, headers=bearer(keys["user"])
        )
        assert posted.status_code == 200
        # Probes stay open for orchestrators.
        assert c.get("/healthz").status_code == 200 and c.get("/readyz").status_code == 200
        # Another key cannot see this key's review; admin keys see everything.
        review_url = f"/v1/reviews/{posted.json()['id']}"
        assert c.get(review_url, headers=bearer(keys["reader"])).status_code == 404
        assert c.get(review_url, headers=bearer(keys["admin"])).status_code == 200
        # A key revoked on the command line stops working.
        cli(keys["data"], "revoke", keys["doomed"].split("_")[1])
        assert c.get("/v1/rules", headers=bearer(keys["doomed"])).status_code == 401


def test_rate_limit_answers_429_with_retry_after(secured: tuple[ServerProcess, dict]) -> None:
    srv, keys = secured
    with httpx.Client(base_url=srv.base_url, timeout=30) as c:
        codes = [c.get("/v1/rules", headers=bearer(keys["limited"])).status_code for _ in range(6)]
        assert codes[:4] == [200] * 4 and codes[-1] == 429
        r = c.get("/v1/rules", headers=bearer(keys["limited"]))
        assert r.status_code == 429 and r.json()["kind"] == "rate-limited"
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert r.json()["retryable"] is True
        # Limits are per key: the admin key still has its own budget.
        assert c.get("/v1/rules", headers=bearer(keys["admin"])).status_code == 200


def test_guidance_documents_need_an_admin_key(secured: tuple[ServerProcess, dict]) -> None:
    srv, keys = secured
    doc = {"name": "acme-standards.md", "text": GUIDANCE}
    with httpx.Client(base_url=srv.base_url, timeout=30) as c:
        r = c.post("/v1/knowledge/documents", json=doc, headers=bearer(keys["user"]))
        assert r.status_code == 403 and r.json()["kind"] == "forbidden"
        assert c.post("/v1/knowledge/documents", json=doc).status_code == 401
        bad = c.post(
            "/v1/knowledge/documents",
            files={"file": ("x.md", b"# no front matter\n")},
            headers=bearer(keys["admin"]),
        )
        assert bad.status_code == 422 and "front matter" in bad.json()["detail"]
        ok = c.post(
            "/v1/knowledge/documents",
            files={"file": ("Acme Standards.md", GUIDANCE.encode())},
            headers=bearer(keys["admin"]),
        )
        assert ok.status_code == 201, ok.text
        assert ok.json()["chunks"] == ["acme-risk-owner-en"]
        hits = c.get(
            "/v1/knowledge/search",
            params={"q": "zebrafish register", "mode": "lexical"},
            headers=bearer(keys["reader"]),
        ).json()
        assert hits[0]["chunk_id"] == "acme-risk-owner-en"


def test_keys_are_stored_hashed(secured: tuple[ServerProcess, dict]) -> None:
    _, keys = secured
    raw = (keys["data"] / "planreview.db").read_bytes()
    wal = keys["data"] / "planreview.db-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    for name in ("user", "admin", "limited"):
        secret = keys[name].split("_", 2)[2]
        assert secret.encode() not in raw
    with sqlite3.connect(keys["data"] / "planreview.db") as db:
        hashes = [row[0] for row in db.execute("select key_hash from api_keys")]
    assert all(len(h) == 64 for h in hashes)
    listed = cli(keys["data"], "list")
    assert "admin" in listed and keys["user"] not in listed


def test_refuses_to_listen_beyond_loopback_without_keys(tmp_path: Path) -> None:
    env = {**os.environ, "PLANREVIEW_DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "service.api", "--host", "0.0.0.0", "--port", str(free_port())],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "without API keys" in proc.stderr and "--insecure" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_keys_required_logic() -> None:
    from service.api.app import keys_required
    from service.api.settings import ApiSettings

    assert not keys_required(ApiSettings(host="127.0.0.1"))
    assert not keys_required(ApiSettings(host="::1"))
    assert keys_required(ApiSettings(host="0.0.0.0"))
    assert keys_required(ApiSettings(host="192.168.1.5"))
    assert not keys_required(ApiSettings(host="0.0.0.0", insecure=True))
    assert keys_required(ApiSettings(host="127.0.0.1", require_keys=True))
