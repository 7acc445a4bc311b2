"""Replay mode never reaches the network: a missing cassette is an error, and any socket
connection attempted during replay is refused. LLM-judge metrics are "not evaluated" offline."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from service.evaluation.metrics import NOT_EVALUATED
from service.evaluation.modes import NetworkBlocked, ReplayError, block_network, mode_context
from service.evaluation.runner import run_eval
from service.models import EngineInfo, Plan, PlanInfo, Review


def test_replay_without_cassettes_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match="does not exist"):
        run_eval(
            mode="replay",
            split="dev",
            ids=["en-mfg-scrap-05"],
            cassette_dir=tmp_path / "none",
            retrieval=None,
        )
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReplayError, match="empty"):
        run_eval(
            mode="replay",
            split="dev",
            ids=["en-mfg-scrap-05"],
            cassette_dir=tmp_path / "empty",
            retrieval=None,
        )


def test_block_network_refuses_connections_and_restores_them() -> None:
    real = socket.socket.connect
    with block_network():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            with pytest.raises(NetworkBlocked):
                s.connect(("127.0.0.1", 9))
        finally:
            s.close()
        with pytest.raises(NetworkBlocked):
            socket.create_connection(("example.org", 443))
    assert socket.socket.connect is real


def test_replay_with_a_tier_that_tries_the_network_fails_without_a_socket(tmp_path: Path) -> None:
    cassettes = tmp_path / "cassettes"
    cassettes.mkdir()
    (cassettes / "other-plan.json").write_text("{}", encoding="utf-8")
    attempts: list[Any] = []

    def review_fn(path: Path, options: Any) -> tuple[Plan, Review]:
        # what an LLM tier without the right cassette would do: try the endpoint
        try:
            socket.create_connection(("api.example.invalid", 443), timeout=1)
        except NetworkBlocked as exc:
            attempts.append(exc)
            status = "failed: no cassette for this request"
        else:  # pragma: no cover - would mean the guard leaked
            status = "ok"
        plan = Plan(source=str(path), text="# x", sha256="0")
        info = PlanInfo(source=str(path), sha256="0", language="en", title="x", lines=1, words=1)
        return plan, Review(plan=info, engine=EngineInfo(tier="llm", llm_status=status))

    with pytest.raises(ReplayError, match="did not answer from cassettes"):
        run_eval(
            mode="replay",
            split="dev",
            ids=["en-mfg-scrap-05"],
            cassette_dir=cassettes,
            retrieval=None,
            review_fn=review_fn,
        )
    assert len(attempts) == 1


def test_replay_sets_the_cassette_environment(tmp_path: Path) -> None:
    import os

    (tmp_path / "c.json").write_text("{}", encoding="utf-8")
    with mode_context("replay", tmp_path):
        assert os.environ["PLANREVIEW_LLM_CASSETTES"] == str(tmp_path)
        assert os.environ["PLANREVIEW_LLM_CASSETTE_MODE"] == "replay"
    assert "PLANREVIEW_LLM_CASSETTE_MODE" not in os.environ


def test_live_mode_needs_an_endpoint() -> None:
    from service.errors import ConfigError

    with pytest.raises(ConfigError, match="endpoint"):
        run_eval(mode="live", split="dev", ids=["en-mfg-scrap-05"], retrieval=None)


def test_offline_reports_llm_judge_metrics_as_not_evaluated_never_zero() -> None:
    run = run_eval(split="dev", ids=["en-retail-storeops-04"], retrieval=None)
    assert run.plans[0].predictions, "the plan must draw findings for quote fidelity to be measured"
    for metric in run.metrics.llm_judge.values():
        assert metric.value is None and metric.status == NOT_EVALUATED
    assert run.metrics.retrieval is None and NOT_EVALUATED in run.metrics.retrieval_status
    assert run.metrics.quote_fidelity.value == 1.0


def test_judge_scores_with_an_injected_client() -> None:
    from service.evaluation.judge import judge_outcomes
    from service.evaluation.matching import Prediction
    from service.evaluation.metrics import PlanOutcome
    from service.settings import Settings

    class Fake:
        def ask(self, prompt: str) -> dict[str, Any]:
            return {"score": 5} if "rewrite" in prompt else {"supported": True}

    o = PlanOutcome(
        id="p",
        language="en",
        split="dev",
        predictions=[
            Prediction(code="smart.measurable", quote="Grow", rewrite="Grow ARR 10%", origin="llm")
        ],
    )
    out = judge_outcomes([o], Path("."), Settings(), client=Fake())
    assert out["rewrite_quality"].value == 1.0 and out["faithfulness"].value == 1.0
