"""Units under the API: keys, idempotency records, the rate limiter, zip expansion, names."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from service.api.ratelimit import RateLimiter
from service.api.settings import ApiSettings
from service.api.uploads import expand_zip, is_zip_archive, safe_name
from service.errors import InputError, InputTooLarge
from service.settings import Settings
from service.store import idempotency, keys
from service.store.db import Database


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database.from_settings(Settings(data_dir=tmp_path))


def test_keys_verify_revoke_and_admin(db: Database) -> None:
    key, info = keys.create_key(db, "ci", admin=True)
    assert key.startswith(f"pr_{info.id}_") and len(key) > 40
    found = keys.verify_key(db, key)
    assert found is not None and found.admin and found.name == "ci"
    assert keys.verify_key(db, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert keys.verify_key(db, "not-a-key") is None
    assert keys.active_key_count(db) == 1
    assert keys.revoke_key(db, info.id) is not None
    assert keys.verify_key(db, key) is None and keys.active_key_count(db) == 0
    assert keys.revoke_key(db, "nope") is None
    assert [k.active for k in keys.list_keys(db)] == [False]


def test_idempotency_replay_conflict_and_release(db: Database) -> None:
    first = idempotency.begin(db, "key:a", "k1", "print-1", ttl_hours=24)
    assert isinstance(first, idempotency.Reserved)
    # While the first request runs, a repeat is told to wait.
    assert idempotency.begin(db, "key:a", "k1", "print-1", 24) == idempotency.Conflict(
        "in-progress"
    )
    idempotency.complete(db, first, 201, {"location": "/v1/x"}, b"{}")
    replay = idempotency.begin(db, "key:a", "k1", "print-1", 24)
    assert replay == idempotency.Replay(201, {"location": "/v1/x"}, b"{}")
    assert idempotency.begin(db, "key:a", "k1", "print-2", 24) == idempotency.Conflict(
        "different-request"
    )
    # Keys are per caller, and a failed request frees its key.
    other = idempotency.begin(db, "key:b", "k1", "print-2", 24)
    assert isinstance(other, idempotency.Reserved)
    idempotency.release(db, other)
    assert isinstance(idempotency.begin(db, "key:b", "k1", "print-3", 24), idempotency.Reserved)


def test_rate_limiter_bucket() -> None:
    limiter = RateLimiter(per_minute=60, burst=2)  # one token per second
    assert limiter.take("a", now=0.0) == 0
    assert limiter.take("a", now=0.0) == 0
    assert limiter.take("a", now=0.0) == 1  # empty: retry after 1 s
    assert limiter.take("b", now=0.0) == 0  # per caller
    assert limiter.take("a", now=1.01) == 0  # refilled
    slow = RateLimiter(per_minute=2, burst=1)
    assert slow.take("x", now=0.0) == 0 and slow.take("x", now=0.0) == 30
    assert RateLimiter(per_minute=0, burst=1).take("x") == 0  # off


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_expand_zip_limits() -> None:
    settings = Settings(max_bytes=10_000)
    api = ApiSettings(max_zip_entries=5, max_zip_uncompressed_bytes=15_000)
    items, skipped = expand_zip(
        _zip({"a/x.md": b"# X", "b.docx": b"PK", "c.png": b"1", ".hidden/y.md": b"#"}),
        "lib.zip",
        settings,
        api,
        10,
    )
    assert [n for n, _ in items] == ["a/x.md", "b.docx"]
    assert skipped == ["c.png", ".hidden/y.md"]
    with pytest.raises(InputTooLarge, match="entries"):
        expand_zip(_zip({f"{i}.md": b"#" for i in range(6)}), "z.zip", settings, api, 10)
    with pytest.raises(InputTooLarge, match="allowed for one plan"):
        expand_zip(_zip({"big.md": b"#" * 10_001}), "z.zip", settings, api, 10)
    with pytest.raises(InputTooLarge, match="unpacks to more"):
        expand_zip(_zip({"a.md": b"#" * 9000, "b.md": b"#" * 9000}), "z.zip", settings, api, 10)
    with pytest.raises(InputTooLarge, match="more than"):
        expand_zip(_zip({"a.md": b"#", "b.md": b"#"}), "z.zip", settings, api, 1)
    with pytest.raises(InputError, match="damaged"):
        expand_zip(b"PK\x03\x04nope", "z.zip", settings, api, 10)


def test_zip_or_docx_and_safe_names() -> None:
    assert is_zip_archive("plans.zip", b"")
    assert is_zip_archive("plans.bin", _zip({"a.md": b"#"}))
    assert not is_zip_archive("plan.docx", _zip({"word/document.xml": b"<w/>"}))
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\me\\计划.md") == "计划.md"
    assert safe_name("") == "plan.md" and safe_name("a\x00b.md") == "ab.md"


def test_loopback_anonymous_callers_are_rate_limited_too(tmp_path: Path) -> None:
    import asyncio

    from starlette.requests import Request

    from service.api.app import build_state
    from service.api.deps import get_caller
    from service.api.problems import ApiProblem

    def request(host: str) -> Request:
        return Request(
            {
                "type": "http",
                "method": "GET",
                "path": "/v1/rules",
                "headers": [],
                "client": (host, 5000),
                "query_string": b"",
            }
        )

    settings = Settings(data_dir=tmp_path)
    state = build_state(settings, ApiSettings(rate_limit_per_minute=1, rate_limit_burst=1))
    asyncio.run(get_caller(request("127.0.0.1"), state))
    with pytest.raises(ApiProblem) as exc:
        asyncio.run(get_caller(request("127.0.0.1"), state))
    assert exc.value.status == 429 and exc.value.headers["Retry-After"] == "60"
    asyncio.run(get_caller(request("::1"), state))  # another address, another bucket


def test_failed_authentications_spend_a_budget_per_client(tmp_path: Path) -> None:
    from service.api.ratelimit import RateLimiter

    limiter = RateLimiter(per_minute=60, burst=2)
    assert limiter.peek("a", now=0) == 0 and limiter.peek("a", now=0) == 0  # peeking is free
    limiter.take("a", now=0)
    limiter.take("a", now=0)
    assert limiter.peek("a", now=0) == 1 and limiter.peek("b", now=0) == 0
    assert limiter.peek("a", now=1.0) == 0


def test_an_older_database_gains_new_columns(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "planreview.db"
    with sqlite3.connect(path) as conn:  # a reviews table from before finding_count existed
        conn.execute(
            "CREATE TABLE reviews (id VARCHAR(40) PRIMARY KEY, status VARCHAR(16), "
            "stage VARCHAR(32), source VARCHAR(500))"
        )
        conn.execute(
            "INSERT INTO reviews (id, status, stage, source) "
            "VALUES ('rev_old', 'succeeded', 'done', 'old.md')"
        )
    db = Database.from_settings(Settings(data_dir=tmp_path))
    from service.store import reviews

    record = reviews.get_review(db, "rev_old")
    assert record is not None and record.finding_count is None and record.source == "old.md"
