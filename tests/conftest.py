"""Shared fixtures: every test gets an isolated data dir and fresh settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point the data dir (index, cache, database) at a temp dir; no endpoint configured."""
    data = tmp_path_factory.mktemp("planreview-data")
    monkeypatch.setenv("PLANREVIEW_DATA_DIR", str(data))
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "PLANREVIEW_OPENAI_API_KEY",
        "PLANREVIEW_OPENAI_BASE_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    from service.settings import get_settings

    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


@pytest.fixture
def repo() -> Path:
    return REPO


# -- private Postgres and Redis (tests/services.py), one of each per test session -----------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    from services import postgres_server

    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def redis() -> Iterator[object]:
    from services import redis_server

    with redis_server() as server:
        yield server
