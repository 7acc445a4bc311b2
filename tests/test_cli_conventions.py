"""Linter conventions of the `planreview` command: --version, `rules CODE`, output formats and
flags, run as a user runs them (a real process, real files, exit codes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.explain import documented_codes, examples, explain
from service.review import ReviewOptions, review_text
from service.rules import catalogue

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample-plan.md"


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "service", *args],
        capture_output=True,
        timeout=120,
        cwd=cwd or REPO,
        env=full_env,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    )


# --- --version and `rules CODE` ---------------------------------------------------------------


def test_version_prints_the_package_version() -> None:
    from importlib.metadata import version

    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"planreview {version('planreview')}"


def test_rules_code_explains_one_rule_in_english() -> None:
    result = run("rules", "smart.measurable")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("smart.measurable: SMART: Measurable")
    for heading in (
        "What it checks:",
        "Why it matters:",
        "Fails:",
        "Passes:",
        "How to fix:",
        "Guidance it cites:",
    ):
        assert heading in out
    # the guidance a smart.measurable finding cites, and the finding's own suggestion
    assert "smart-measurable-en" in out
    assert "State the metric, its current baseline and the target value" in out
    assert "Reduce delivery delays in the northern region" in out  # the failing example


def test_rules_code_in_chinese_and_as_json() -> None:
    zh = run("rules", "raci.no-owner", "--lang", "zh")
    assert zh.returncode == 0
    assert "检查什么：" in zh.stdout and "如何修改：" in zh.stdout
    assert "raci-no-owner-zh" in zh.stdout
    data = json.loads(run("rules", "risk.no-register", "--format", "json").stdout)
    assert data["code"] == "risk.no-register" and data["severity"] == "error"
    assert data["example_bad"] and data["example_good"] and data["fix"]
    assert data["guidance"][0]["chunk_id"].startswith("risk-")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("rules", "smart.measureable"), "did you mean smart.measurable"),
        (("rules", "bogus.code"), "unknown rule code 'bogus.code'"),
        (("rules", "smart"), "is a family, not a code"),
        (("rules", "bogus", "--lang", "zh"), "未知的规则代码"),
    ],
)
def test_rules_with_an_unknown_code_is_one_line_and_exit_2(
    args: tuple[str, ...], expected: str
) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and expected in result.stderr


def test_every_catalogue_code_is_explained() -> None:
    assert sorted(documented_codes()) == sorted(r.code for r in catalogue.RULES)
    for spec in catalogue.RULES:
        for lang in ("en", "zh"):
            h = explain(spec.code, lang, with_guidance=False)
            assert h.checks and h.why and h.fix, (spec.code, lang)


# Judgement codes: the rules never report them, so their examples cannot be checked offline.
_JUDGED = {r.code for r in catalogue.RULES if r.llm_only} | {"smart.relevant"}


@pytest.mark.parametrize("code", sorted(r.code for r in catalogue.RULES if r.code not in _JUDGED))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_failing_example_fires_its_rule_and_the_passing_one_does_not(
    code: str, lang: str
) -> None:
    ex = examples(code)
    options = ReviewOptions(llm="off")
    bad = {f.code for f in review_text(ex["bad"][lang], "example.md", options).findings}
    good = {f.code for f in review_text(ex["good"][lang], "example.md", options).findings}
    assert code in bad, f"{code} ({lang}): the failing example does not fire it"
    assert code not in good, f"{code} ({lang}): the passing example still fires it"
