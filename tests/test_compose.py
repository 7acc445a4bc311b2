"""compose.yaml, checked without a Docker engine (issue 13, item 5).

No engine runs here, so the file is checked for what would break a deployment:
the seven services, a health check on each, named volumes declared and used,
the planreview services waiting for healthy Postgres, Redis and Chroma, every
PLANREVIEW_ variable being one the settings read (and reading as intended),
the URLs pointing at the services defined, and every planreview command line
(including the worker health check) being accepted by this version's CLI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.api.settings import ApiSettings
from service.settings import Settings

REPO = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text("utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
PLANREVIEW = ["api1", "api2", "worker1", "worker2"]
_DEFAULT = re.compile(r"\$\{([A-Z_]+):-([^}]*)\}")


def resolved(value: str) -> str:
    """``${VAR:-default}`` as compose reads it with VAR unset."""
    return _DEFAULT.sub(lambda m: m.group(2), value)


def test_the_services_and_their_health_checks() -> None:
    assert set(SERVICES) == {*PLANREVIEW, "postgres", "redis", "chroma"}
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
    for name in PLANREVIEW:
        depends = SERVICES[name]["depends_on"]
        assert {k: v["condition"] for k, v in depends.items()} == {
            "postgres": "service_healthy",
            "redis": "service_healthy",
            "chroma": "service_healthy",
        }


def test_named_volumes_are_declared_and_each_replica_has_its_own() -> None:
    used = [v.split(":")[0] for s in SERVICES.values() for v in s.get("volumes", [])]
    assert sorted(used) == sorted(COMPOSE["volumes"])
    assert len(set(used)) == len(used)  # no two containers share a data dir


def test_environment_is_read_by_the_settings_as_intended(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: resolved(str(v)) for k, v in SERVICES["api1"]["environment"].items()}
    known = {f"PLANREVIEW_{n.upper()}" for n in Settings.model_fields} | {
        f"PLANREVIEW_API_{n.upper()}" for n in ApiSettings.model_fields
    }
    known |= {"OPENAI_API_KEY", "OPENAI_BASE_URL", "PLANREVIEW_DATABASE_URL"}
    assert set(env) <= known, set(env) - known
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.database_url is not None
    assert settings.database_url.startswith("postgresql+psycopg://planreview:")
    assert settings.database_url.endswith("@postgres:5432/planreview")
    postgres_env = SERVICES["postgres"]["environment"]
    assert postgres_env["POSTGRES_USER"] == "planreview" == postgres_env["POSTGRES_DB"]
    assert settings.broker_url == "redis://redis:6379/0"
    assert settings.chroma_host == "chroma" and settings.chroma_port == 8000
    for name in PLANREVIEW:  # every replica sees the same shared state
        assert SERVICES[name]["environment"] == SERVICES["api1"]["environment"]


def planreview(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PLANREVIEW_BROKER_URL": "redis://127.0.0.1:1/0"},
        timeout=120,
    )


@pytest.mark.parametrize("name", PLANREVIEW)
def test_each_command_line_is_accepted_by_this_cli(name: str) -> None:
    command = SERVICES[name]["command"]
    done = planreview(*command, "--help")  # unknown options fail before --help runs
    assert done.returncode == 0, done.stderr
    check = SERVICES[name]["healthcheck"]["test"]
    if check[1] == "planreview":
        done = planreview(*check[2:], "--help")
        assert done.returncode == 0, done.stderr


def test_the_worker_health_check_fails_when_no_worker_answers() -> None:
    check = SERVICES["worker1"]["healthcheck"]["test"]
    done = planreview(*check[2:])  # the broker URL above has nobody behind it
    assert done.returncode == 1 and "Traceback" not in done.stderr
