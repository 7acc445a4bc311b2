"""The private-service fixtures skip on a developer machine and fail in CI (tests/services.py)."""

from __future__ import annotations

import pytest
from services import REQUIRE_ENV, unavailable


def test_a_missing_service_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install redis-server"):
        unavailable("redis-server is not installed (Debian: apt-get install redis-server)")


def test_a_missing_service_fails_when_ci_requires_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{REQUIRE_ENV}=1"):
        unavailable("Postgres is not installed (Debian: apt-get install postgresql)")
