"""The API's edges under attack and bad luck (issue 12): real servers, spoken to over loopback."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from service.api.launch import REPO, ServerProcess, start_server
from service.cli.keys import app as keys_app

PLAN = (REPO / "eval" / "plans" / "en-mfg-quality-annual-25.md").read_text("utf-8")
AUTH_BURST = 5


def create_key(data_dir: Path, name: str) -> str:
    env = {**os.environ, "PLANREVIEW_DATA_DIR": str(data_dir)}
    result = CliRunner().invoke(keys_app, ["create", name], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


# The editor's loopback setup: no keys, a small rate limit, reviews in-process.
LOOPBACK_ENV = {
    "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "60",
    "PLANREVIEW_API_RATE_LIMIT_BURST": "12",
    "PLANREVIEW_API_REVIEW_PROCESSES": "0",
    "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
}


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A loopback server without keys, the editor's setup."""
    srv = start_server(
        tmp_path_factory.mktemp("api-local"),
        env=LOOPBACK_ENV,
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    """A loopback server behind a reverse proxy on the same host (the proxy is 127.0.0.1)."""
    data = tmp_path_factory.mktemp("api-proxied")
    from service.settings import get_settings

    get_settings.cache_clear()
    key = create_key(data, "user")
    get_settings.cache_clear()
    srv = start_server(
        data,
        env={
            "PLANREVIEW_API_RATE_LIMIT_PER_MINUTE": "600",
            "PLANREVIEW_API_AUTH_FAILURES_PER_MINUTE": "1",
            "PLANREVIEW_API_AUTH_FAILURES_BURST": str(AUTH_BURST),
            "PLANREVIEW_API_REVIEW_PROCESSES": "0",
            "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
        },
        args=["--forwarded-allow-ips", "127.0.0.1"],
    )
    yield srv, key
    srv.stop()


def from_client(ip: str, key: str | None = None) -> dict[str, str]:
    headers = {"X-Forwarded-For": ip}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return headers


# ------------------------------------------------------------------ item 5: Last-Event-ID


@pytest.mark.parametrize("value", ["9" * 5000, "x1", "1.5", "-3", "1" * 25, "99999999999999999999"])
def test_a_bad_last_event_id_streams_from_the_start(local: ServerProcess, value: str) -> None:
    with httpx.Client(base_url=local.base_url, timeout=30) as c:
        posted = c.post("/v1/reviews?mode=async", json={"text": PLAN, "llm": "off"})
        assert posted.status_code == 202, posted.text
        url = f"/v1/reviews/{posted.json()['id']}/events"
        with c.stream("GET", url, headers={"Last-Event-ID": value}) as r:
            assert r.status_code == 200
            lines = list(r.iter_lines())
    events = [line[7:] for line in lines if line.startswith("event: ")]
    assert events[0] == "queued" and events[-1] in ("done", "failed"), events


# ------------------------------------------------------------------ item 7: critiques auth first


def test_critiques_refuse_a_missing_key_before_reading_the_body(
    proxied: tuple[ServerProcess, str],
) -> None:
    srv, _ = proxied
    host, port = srv.base_url.removeprefix("http://").split(":")
    declared = 19 * 1024 * 1024
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/critiques HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {declared}\r\n\r\n".encode()
            + b'{"text": "'
            + b"a" * 4096
        )
        sock.settimeout(5)
        head = sock.recv(4096)  # before the fix: no answer until all 19 MB have arrived
    assert head.startswith(b"HTTP/1.1 401"), head[:200]


def test_critiques_still_answer_with_a_key(proxied: tuple[ServerProcess, str]) -> None:
    srv, key = proxied
    with httpx.Client(base_url=srv.base_url, timeout=30) as c:
        r = c.post("/v1/critiques", json={"text": PLAN}, headers=from_client("192.0.2.9", key))
        assert r.status_code == 200, r.text and r.json()["findings"]
        bad = c.post("/v1/critiques", json={"txt": PLAN}, headers=from_client("192.0.2.9", key))
        assert bad.status_code == 422 and bad.json()["kind"] == "invalid-request"
        wrong = c.post(
            "/v1/critiques",
            content=b"text=1",
            headers={**from_client("192.0.2.9", key), "Content-Type": "text/plain"},
        )
        assert wrong.status_code == 415


# ------------------------------------------------------------------ item 9: failed authentications


def test_wrong_keys_are_limited_per_client(proxied: tuple[ServerProcess, str]) -> None:
    srv, key = proxied
    attacker, neighbour = "198.51.100.7", "198.51.100.8"
    with httpx.Client(base_url=srv.base_url, timeout=30) as c:
        statuses = [
            c.get("/v1/rules", headers=from_client(attacker, f"pr_bad{i}_guess{i}")).status_code
            for i in range(30)
        ]
        assert statuses.count(401) == AUTH_BURST and statuses.count(429) == 30 - AUTH_BURST
        limited = c.get("/v1/rules", headers=from_client(attacker, "pr_bad_again"))
        assert limited.json()["kind"] == "auth-rate-limited"
        assert int(limited.headers["Retry-After"]) >= 1
        # another client behind the same proxy keeps its own budget, and a good key works
        assert c.get("/v1/rules", headers=from_client(neighbour, "pr_x_y")).status_code == 401
        assert c.get("/v1/rules", headers=from_client(neighbour, key)).status_code == 200


# ------------------------------------------------------------------ item 14: trust and the peer


def test_a_proxied_server_requires_keys_even_from_loopback(
    proxied: tuple[ServerProcess, str],
) -> None:
    srv, _ = proxied
    with httpx.Client(base_url=srv.base_url, timeout=30) as c:
        assert c.get("/v1/rules").status_code == 401  # the proxy's own address: 127.0.0.1
        assert c.get("/v1/rules", headers=from_client("127.0.0.1")).status_code == 401
        assert c.get("/healthz").status_code == 200


# ------------------------------------------------------------------ item 12: small leaks


def _docx_with_bad_content_types(tmp_path: Path) -> bytes:
    import io
    import zipfile

    from docgen import SAMPLE_EN, markdown_to_docx

    good = tmp_path / "good.docx"
    markdown_to_docx(SAMPLE_EN, good)
    buf = io.BytesIO()
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":  # right name, wrong (un-namespaced) root
                data = b'<?xml version="1.0"?><Types/>'
            zout.writestr(info, data)
    return buf.getvalue()


def test_a_damaged_docx_hint_names_no_internal_exception(
    local: ServerProcess, tmp_path: Path
) -> None:
    data = _docx_with_bad_content_types(tmp_path)
    with httpx.Client(base_url=local.base_url, timeout=30) as c:
        r = c.post("/v1/reviews", files={"file": ("plan.docx", data)}, data={"llm": "off"})
    assert r.status_code == 422, r.text
    text = r.json()["detail"] + " " + r.json()["hint"]
    for leak in ("AttributeError", "lxml", "_Element", "overrides"):
        assert leak not in text, text
    assert "re-save" in text


def test_both_413_paths_answer_the_same_problem(local: ServerProcess) -> None:
    limit = 20 * 1024 * 1024 + 64 * 1024

    def chunks() -> Iterator[bytes]:
        for _ in range(limit // 65536 + 4):
            yield b"x" * 65536

    host, port = local.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/reviews HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {limit + 1}\r\n\r\n".encode()
        )
        raw = b""
        while b"}" not in raw:
            got = sock.recv(65536)
            if not got:
                break
            raw += got
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    with httpx.Client(base_url=local.base_url, timeout=60) as c:
        streamed = c.post(
            "/v1/reviews", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert streamed.status_code == 413, streamed.text
    bodies = []
    for body in (json.loads(payload[: payload.rindex(b"}") + 1]), streamed.json()):
        bodies.append({k: body.get(k) for k in ("kind", "title", "detail", "hint", "type")})
    assert bodies[0] == bodies[1], bodies
    assert bodies[0]["kind"] == "input-too-large" and bodies[0]["hint"]


@pytest.fixture()
def fresh_local(tmp_path: Path) -> Iterator[ServerProcess]:
    """The editor's loopback setup with a rate limit no other test has spent."""
    srv = start_server(
        tmp_path,
        env=LOOPBACK_ENV,
    )
    yield srv
    srv.stop()


def test_loopback_callers_are_rate_limited_and_forwarded_headers_ignored(
    fresh_local: ServerProcess,
) -> None:
    with httpx.Client(base_url=fresh_local.base_url, timeout=30) as c:
        statuses = [
            c.get("/v1/rules", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(40)
        ]
    assert 200 in statuses and 429 in statuses, statuses
