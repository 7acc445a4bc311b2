"""Settings from the environment (service/envsettings.py): names, aliases, precedence, JSON
lists, and one clear line naming the variable when a value is wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from service.errors import ConfigError
from service.settings import Settings


def test_fields_come_from_prefixed_variables_and_alias_choices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLANREVIEW_MAX_BYTES", "1234")
    monkeypatch.setenv("openai_api_key", "sk-test-not-real")  # names match in any case
    monkeypatch.setenv("PLANREVIEW_EXTRA_KNOWLEDGE_DIRS", '["/srv/guidance", "/opt/more"]')
    s = Settings()
    assert s.max_bytes == 1234
    assert s.openai_api_key is not None
    assert s.openai_api_key.get_secret_value() == "sk-test-not-real"
    assert s.extra_knowledge_dirs == [Path("/srv/guidance"), Path("/opt/more")]
    assert {"max_bytes", "openai_api_key", "extra_knowledge_dirs"} <= s.model_fields_set
    assert "llm_model" not in s.model_fields_set  # defaults are not "set"


def test_keyword_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANREVIEW_MAX_BYTES", "not a number")  # overridden, so never read
    assert Settings(max_bytes=7).max_bytes == 7


def test_a_bad_value_names_the_variable_and_never_repeats_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLANREVIEW_LLM_TIMEOUT", "-5")
    with pytest.raises(ConfigError) as info:
        Settings()
    assert "PLANREVIEW_LLM_TIMEOUT" in str(info.value)
    assert "-5" not in str(info.value)


def test_the_cli_reports_a_bad_variable_in_one_line_with_exit_2(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("# Plan\n\n- Ship the site by June 2027 (Ann)\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PLANREVIEW_MAX_BYTES": "lots"}
    done = subprocess.run(
        [sys.executable, "-m", "service", "review", str(plan)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "PLANREVIEW_MAX_BYTES" in done.stderr
