"""The regression gate: a run with one rule disabled fails against the baseline of the full
run; a new error on a negative control fails; bless + compare through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.config import ReviewConfig
from service.evaluation.baseline import Tolerance, bless, compare, load_baseline, summary
from service.evaluation.runner import EvalRun, run_eval

# a few dev plans where the rule engine finds owners, risks and SMART problems
PLANS = [
    "en-retail-storeops-04",
    "en-mfg-mes-charter-06",
    "en-hospital-ed-flow-07",
    "zh-catering-stores-01",
    "en-mfg-scrap-05",
]


@pytest.fixture(scope="module")
def full_run() -> EvalRun:
    return run_eval(split="dev", ids=PLANS, retrieval=None)


def test_same_run_has_no_regression(full_run: EvalRun) -> None:
    result = compare(full_run, summary(full_run))
    assert result.ok, [str(r) for r in result.regressions]


@pytest.mark.parametrize("code", ["raci.no-owner", "smart.measurable", "risk.no-mitigation"])
def test_disabling_one_rule_is_reported_as_a_regression(full_run: EvalRun, code: str) -> None:
    assert full_run.metrics.by_code[code].tp > 0, "the fixture plans must exercise the rule"
    crippled = run_eval(split="dev", ids=PLANS, retrieval=None, config=ReviewConfig(ignore=[code]))
    assert code in crippled.meta.disabled_codes
    result = compare(crippled, summary(full_run))
    assert not result.ok
    assert any(code in r.metric for r in result.regressions), [str(r) for r in result.regressions]


def test_new_error_on_a_negative_control_is_a_regression(full_run: EvalRun) -> None:
    worse = full_run.model_copy(deep=True)
    worse.metrics.negative_controls.errors.append(
        {"plan": "en-mfg-scrap-05", "code": "smart.measurable", "line": 14}
    )
    result = compare(worse, summary(full_run))
    assert any(r.metric == "new error on a negative control" for r in result.regressions)


def test_tolerance_absorbs_small_moves(full_run: EvalRun) -> None:
    base = summary(full_run)
    base["metrics"]["overall"]["f1"] = (full_run.metrics.overall.f1 or 0) + 0.015
    assert compare(full_run, base, tolerance=Tolerance()).ok
    base["metrics"]["overall"]["f1"] = (full_run.metrics.overall.f1 or 0) + 0.03
    assert not compare(full_run, base, tolerance=Tolerance()).ok


def test_bless_writes_a_loadable_baseline(full_run: EvalRun, tmp_path: Path) -> None:
    clean = full_run.model_copy(deep=True)
    clean.meta.git_dirty = False  # as in CI's fresh checkout, whatever this working tree holds
    path = bless(clean, tmp_path / "b" / "offline-dev.json")
    data = load_baseline(path)
    assert data["meta"]["mode"] == "offline" and "plans" not in data
    assert data["tolerance"]["f1"] == 0.02


def test_cli_bless_then_gate_exits_1_with_a_clear_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cli import app
    from service.evaluation import runner as eval_runner

    # Bless refuses a dirty tree; this test is about the gate, so measure as on a clean checkout.
    monkeypatch.setattr(eval_runner, "git_state", lambda: ("0" * 40, False))

    runner = CliRunner()
    base = tmp_path / "base.json"
    args = [
        "eval",
        "--split",
        "dev",
        "--retrieval",
        "off",
        "--out",
        str(tmp_path / "out"),
        "--baseline",
        str(base),
    ] + [a for p in PLANS[:3] for a in ("--plan", p)]
    blessed = runner.invoke(app, [*args, "--bless"])
    assert blessed.exit_code == 0, blessed.output
    assert base.is_file()
    same = runner.invoke(app, args)
    assert same.exit_code == 0, same.output
    assert "no regression" in same.output
    worse = runner.invoke(app, [*args, "--ignore", "raci.no-owner"])
    assert worse.exit_code == 1, worse.output
    assert "raci.no-owner" in worse.output and "regression" in worse.output
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert results["comparison"]["regressions"]
    assert results["meta"]["git_sha"] is not None and results["meta"]["config_hash"]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Worst misses" in html
    refused = runner.invoke(app, [*args, "--ignore", "raci.no-owner", "--bless"])
    assert refused.exit_code == 2 and "--allow-regression" in refused.output
    allowed = runner.invoke(
        app, [*args, "--ignore", "raci.no-owner", "--bless", "--allow-regression", "testing"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(base.read_text(encoding="utf-8"))["allowed_regression"]["reason"] == "testing"


def test_cli_missing_named_baseline_and_bad_dataset_exit_2(tmp_path: Path) -> None:
    from service.cli import app

    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "eval",
            "--plan",
            PLANS[0],
            "--retrieval",
            "off",
            "--out",
            str(tmp_path),
            "--baseline",
            str(tmp_path / "nope.json"),
        ],
    )
    assert res.exit_code == 2
    res = runner.invoke(app, ["eval", "--ignore", "no.such-code", "--out", str(tmp_path)])
    assert res.exit_code == 2


@pytest.mark.parametrize("split", ["dev", "test", "real"])
def test_offline_eval_has_no_regression_against_the_committed_baseline(split: str) -> None:
    """The CI gate: the full offline eval of each split against eval/baselines/offline-<split>.json.

    When a change is meant to move the numbers (better rules, new plans), re-bless with
    `planreview eval --split <split> --bless` and commit the baseline with the change.
    """
    from service.evaluation.baseline import baseline_path

    path = baseline_path("offline", split)
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `planreview eval --split {split} --bless`")
    run = run_eval(split=split, retrieval=None)
    result = compare(run, load_baseline(path), baseline_file=str(path))
    hint = f"; if intended, re-bless: planreview eval --split {split} --bless"
    assert result.ok, "\n".join([str(r) for r in result.regressions] + result.notes) + hint


def test_bless_refuses_a_regression_without_a_reason_and_keeps_the_reason(
    full_run: EvalRun, tmp_path: Path
) -> None:
    from service.evaluation.baseline import BlessRefused

    clean = full_run.model_copy(deep=True)
    clean.meta.git_dirty = False
    path = bless(clean, tmp_path / "base.json")
    crippled = run_eval(
        split="dev", ids=PLANS, retrieval=None, config=ReviewConfig(ignore=["raci.no-owner"])
    )
    crippled.meta.git_dirty = False
    previous = compare(crippled, load_baseline(path))
    assert not previous.ok
    with pytest.raises(BlessRefused, match="allow-regression"):
        bless(crippled, path, previous=previous)
    assert load_baseline(path)["meta"]["disabled_codes"] == []  # the old baseline is untouched
    bless(crippled, path, previous=previous, allow_regression="owner rule rewritten next")
    kept = load_baseline(path)["allowed_regression"]
    assert kept["reason"] == "owner rule rewritten next"
    assert any("raci.no-owner" in r for r in kept["regressions"])


def test_bless_refuses_a_dirty_tree(full_run: EvalRun, tmp_path: Path) -> None:
    from service.evaluation.baseline import BlessRefused

    dirty = full_run.model_copy(deep=True)
    dirty.meta.git_dirty = True
    with pytest.raises(BlessRefused, match="uncommitted"):
        bless(dirty, tmp_path / "base.json")
    assert not (tmp_path / "base.json").exists()


def test_other_run_conditions_make_the_comparison_fail(full_run: EvalRun) -> None:
    base = summary(full_run)
    base["meta"]["rules_version"] = "1999.1.1"
    result = compare(full_run, base)
    assert any(r.metric == "run conditions: rules version" for r in result.regressions)
    base = summary(full_run)
    base["meta"]["config_hash"] = "something-else"
    assert any("configuration" in r.metric for r in compare(full_run, base).regressions)


def test_absolute_floors_fail_whatever_the_baseline_says(full_run: EvalRun) -> None:
    from service.evaluation.baseline import Floors

    base = summary(full_run, floors=Floors(min_f1=1.01, min_language_f1=None))
    assert any(r.metric == "floor: overall F1" for r in compare(full_run, base).regressions)
    worse = full_run.model_copy(deep=True)
    worse.metrics.negative_controls.errors.append(
        {"plan": "en-mfg-scrap-05", "code": "smart.measurable", "line": 14}
    )
    result = compare(worse, summary(worse, floors=Floors(max_control_errors=0)))
    assert any(r.metric == "floor: errors on negative controls" for r in result.regressions)
