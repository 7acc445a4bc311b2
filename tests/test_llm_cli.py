"""`planreview llm usage|record|replay`, in process, against the scripted server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llm_server import ScriptedLLMServer, dead_base_url
from typer.testing import CliRunner

from service.cli import app
from service.settings import get_settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample-plan.md"
ZH_PLAN = REPO / "eval" / "plans" / "zht-saas-okr-01.md"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PLANREVIEW_LLM_CASSETTES", "PLANREVIEW_LLM_CASSETTE_MODE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PLANREVIEW_LLM_RETRIEVAL", "lexical")
    get_settings.cache_clear()


def test_usage_dry_run_reports_calls_and_tokens_within_budget() -> None:
    plans = [SAMPLE] + ([ZH_PLAN] if ZH_PLAN.exists() else [])
    result = CliRunner().invoke(
        app, ["llm", "usage", "--format", "json", "--draft", *map(str, plans)]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == len(plans)
    for row in rows:
        assert row["calls"] == 2 and row["round_trips"] == 2
        assert 0 < row["prompt_tokens"] <= row["plan_tokens"] + 3000
        assert row["within_budget"] and row["status"] == "ok: no findings"


def test_usage_refuses_live_without_an_endpoint() -> None:
    result = CliRunner().invoke(app, ["llm", "usage", "--live", str(SAMPLE)])
    assert result.exit_code == 2


def test_record_then_replay_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cassettes = tmp_path / "cassettes"
    with ScriptedLLMServer() as server:
        server.enqueue_json({"findings": [], "risks": [], "summary": "Fine."})
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-record")
        get_settings.cache_clear()
        result = CliRunner().invoke(
            app, ["llm", "record", str(SAMPLE), "--cassettes", str(cassettes)]
        )
        assert result.exit_code == 0, result.output
        assert ": ok: no findings (1 calls" in result.output and "1 cassettes in" in result.output
        assert len(server.requests) == 1
    monkeypatch.setenv("OPENAI_BASE_URL", dead_base_url())
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["llm", "replay", str(SAMPLE), "--cassettes", str(cassettes)])
    assert result.exit_code == 0, result.output
    assert ": ok: no findings (1 calls" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(app, ["llm", "replay", str(SAMPLE), "--cassettes", str(empty)])
    assert result.exit_code == 1 and "failed: no cassette for request" in result.output


def test_usage_says_why_a_draft_was_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sections = [
        f"## Workstream {i}\n\n"
        + "\n".join(
            f"- Task {i}.{j}: migrate the regional ledger number {j} to the new platform, "
            "owned by the finance operations team"
            for j in range(1, 9)
        )
        for i in range(1, 13)
    ]
    plan = tmp_path / "long.md"
    plan.write_text("# Migration\n\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    monkeypatch.setenv("PLANREVIEW_LLM_CONTEXT_TOKENS", "4000")
    monkeypatch.setenv("PLANREVIEW_LLM_MAX_OUTPUT_TOKENS", "600")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["llm", "usage", "--draft", str(plan)])
    assert result.exit_code == 0, result.output
    assert "note: LLM tier: draft skipped: the token budget is spent" in result.output
    rows = json.loads(
        CliRunner().invoke(app, ["llm", "usage", "--draft", "--format", "json", str(plan)]).output
    )
    assert any("draft skipped" in n for n in rows[0]["notes"])
