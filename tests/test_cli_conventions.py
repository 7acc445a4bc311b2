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


# --- concise and github formats ---------------------------------------------------------------


def _json_findings(*args: str) -> list[dict[str, object]]:
    result = run("review", *args, "--format", "json", "--fail-on", "never")
    data = json.loads(result.stdout)
    reviews = data if isinstance(data, list) else [data]
    return [f for r in reviews for f in r["findings"]]


def test_concise_is_one_line_per_finding_path_line_col_code_message() -> None:
    import re

    result = run("review", "examples/sample-plan.md", "--format", "concise")
    assert result.returncode == 1  # findings at error level, as with the text report
    lines = result.stdout.splitlines()
    findings = _json_findings("examples/sample-plan.md")
    assert len(lines) == len(findings) > 5
    pattern = re.compile(r"^examples/sample-plan\.md:(\d+):(\d+): ([a-z]+\.[a-z-]+) (.+)$")
    seen = set()
    for line in lines:
        m = pattern.match(line)
        assert m, line
        seen.add((int(m[1]), int(m[2]), m[3], m[4]))
    expected = {
        (
            f["span"]["start_line"] if f["span"] else 1,  # type: ignore[index]
            f["span"]["start_col"] if f["span"] else 1,  # type: ignore[index]
            f["code"],
            f["message"],
        )
        for f in findings
    }
    assert seen == expected
    assert "\x1b[" not in result.stdout  # piped: no colour


def test_github_annotations_escape_data_and_properties(tmp_path: Path) -> None:
    from service.report.lines import escape_data, escape_property

    assert escape_data("50% done\r\nnext::x") == "50%25 done%0D%0Anext::x"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"

    odd = tmp_path / "q3,plan:50%.md"
    odd.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("review", str(odd), "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len(_json_findings(str(odd)))
    levels = set()
    for line in lines:
        assert line.startswith(("::error ", "::warning ", "::notice "))
        levels.add(line.split(" ", 1)[0])
        props, message = line.split(" ", 1)[1].split("::", 1)
        assert props.startswith("file=q3%2Cplan%3A50%25.md,line=")
        assert ",title=" in props and "\n" not in message
        assert "%0A" in message  # message, newline, suggestion
    assert levels == {"::error", "::warning", "::notice"}


# --- --statistics, --quiet, --exit-zero, --color ----------------------------------------------


def test_statistics_counts_findings_per_code() -> None:
    from collections import Counter

    findings = _json_findings("examples/sample-plan.md")
    expected = Counter(str(f["code"]) for f in findings)
    text = run("review", "examples/sample-plan.md", "--statistics")
    assert text.returncode == 1
    got = {line.split()[1]: int(line.split()[0]) for line in text.stdout.splitlines()}
    assert got == dict(expected)
    rows = json.loads(
        run("review", "examples/sample-plan.md", "--statistics", "--format", "json").stdout
    )
    assert {r["code"]: r["count"] for r in rows} == dict(expected)
    assert rows[0]["count"] == max(expected.values())


def test_quiet_prints_findings_only_and_nothing_for_a_clean_plan(tmp_path: Path) -> None:
    full = run("review", "examples/sample-plan.md").stdout
    quiet = run("review", "examples/sample-plan.md", "-q").stdout
    assert "Scores:" in full and "Scores:" not in quiet and "Tier:" not in quiet
    assert "smart.measurable" in quiet
    clean = tmp_path / "plan.md"
    clean.write_text("# Plan\n", encoding="utf-8")
    result = run("review", str(clean), "-q", "--select", "smart")
    assert result.returncode == 0 and result.stdout == ""


def test_exit_zero_reports_findings_but_exits_0_and_bad_input_still_2(tmp_path: Path) -> None:
    ok = run("review", "examples/sample-plan.md", "--exit-zero", "-f", "concise")
    assert ok.returncode == 0 and "smart.measurable" in ok.stdout
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    assert run("review", str(empty), "--exit-zero").returncode == 2


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ((), {}, False),  # piped, auto
        ((), {"FORCE_COLOR": "1"}, True),
        ((), {"FORCE_COLOR": "0"}, False),
        ((), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        (("--color", "always"), {"NO_COLOR": "1"}, True),
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_color_flag_and_environment(
    args: tuple[str, ...], env: dict[str, str], coloured: bool, fmt: str
) -> None:
    result = run("review", "examples/sample-plan.md", "-f", fmt, *args, env=env)
    assert result.returncode == 1
    assert ("\x1b[" in result.stdout) is coloured
    assert "smart.measurable" in result.stdout


def test_shell_completion_completes_commands_and_rule_codes() -> None:
    script = Path(sys.executable).parent / "planreview"  # completion keys on the program name

    def complete(words: str) -> list[str]:
        env = dict(os.environ)
        env.update(
            _PLANREVIEW_COMPLETE="complete_bash",
            COMP_WORDS=words,
            COMP_CWORD=str(len(words.split()) - 1),
        )
        proc = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
        return proc.stdout.split()

    assert complete("planreview rul") == ["rules"]
    assert complete("planreview rules smart.t") == ["smart.time-bound"]


# --- suppression comments: unknown codes, unused suppressions ---------------------------------

SUPPRESSED = """# Plan 2027

## Goals

<!-- planreview: ignore smart.measureable -->
- Improve customer satisfaction.

<!-- planreview: ignore smart.time-bound -->
- Raise the CSAT score of first-time buyers from 71% to 80% by 2027-06-30.

<!-- planreview: ignore smart.measurable -->
- Improve customer satisfaction in all regions.

<!-- planreview: ignore-file bsc, risk.no-register -->
"""


def test_unknown_codes_in_suppression_comments_are_warned_about(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text(SUPPRESSED, encoding="utf-8")
    result = run("review", str(plan), "-f", "concise", "--exit-zero")
    assert result.returncode == 0
    warnings = result.stderr.splitlines()
    assert warnings == [
        f"{plan}:5: warning: unknown code 'smart.measureable' in a suppression comment: it "
        "suppresses nothing (did you mean smart.measurable or smart.achievable or smart.relevant?)"
    ]
    # the typo suppressed nothing: the finding under it is still reported
    assert f"{plan}:6:3: smart.measurable" in result.stdout


def test_report_unused_suppressions_names_each_idle_code_and_exits_1(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text(SUPPRESSED, encoding="utf-8")
    base = ("review", str(plan), "--select", "smart,risk", "--fail-on", "never")
    assert run(*base).returncode == 0  # findings alone do not fail here
    result = run(*base[:-2], "--fail-on", "error", "--report-unused-suppressions", "-q")
    lines = [line for line in result.stderr.splitlines() if "unused suppression" in line]
    # line 8: the goal has a deadline; line 14: bsc is not selected. Line 11 removed a
    # smart.measurable finding and risk.no-register (line 14) removed the document finding.
    assert lines == [
        f"{plan}:8: warning: unused suppression 'smart.time-bound': there is nothing here for "
        "it to suppress",
        f"{plan}:14: warning: unused suppression 'bsc': there is nothing here for it to suppress",
    ]
    assert result.returncode == 1
    assert run(*base, "--report-unused-suppressions").returncode == 0  # --fail-on never


def test_suppression_warnings_in_chinese() -> None:
    from service.ingest.markdown import parse_markdown
    from service.suppressions import unknown_codes

    text = "# 计划\n\n<!-- planreview: ignore raci.no-ownr -->\n- 上线系统\n"
    plan = parse_markdown(text, source="p.md")
    (problem,) = unknown_codes(plan)
    assert problem.line == 3
    assert problem.message("zh").startswith("忽略注释中的规则代码“raci.no-ownr”不存在")
    assert "raci.no-owner" in problem.message("zh")


# --- --diff, --fix, --unsafe-fixes ------------------------------------------------------------

OKR_PLAN = """# OKR Q3 2027

## Objective 1: Make onboarding effortless

- KR1: Launch the new onboarding wizard.
- KR2: Cut the median time to first value from 9 days to 3 days.

## Tasks

| Task | Owner | Due |
|---|---|---|
| Build the wizard | | 2027-08-15 |
"""


def _codes_in(path: Path) -> set[str]:
    return {str(f["code"]) for f in _json_findings(str(path))}


def test_diff_shows_safe_fixes_and_changes_nothing(tmp_path: Path) -> None:
    plan = tmp_path / "okr-plan.md"
    plan.write_text(OKR_PLAN, encoding="utf-8")
    result = run("review", "okr-plan.md", "--diff", cwd=tmp_path)
    assert result.returncode == 1  # there is something to fix
    assert plan.read_text(encoding="utf-8") == OKR_PLAN
    out = result.stdout
    assert out.startswith("--- a/okr-plan.md\n+++ b/okr-plan.md\n")
    assert "+## Risks" in out  # a risk register pre-filled from the plan's own items
    assert "+| Build the wizard | [name or role] | 2027-08-15 |" in out  # empty owner cell
    assert "-- KR1" not in out  # the author's key result is not rewritten
    assert "1 more with --unsafe-fixes" in result.stderr
    unsafe = run("review", "okr-plan.md", "--diff", "--unsafe-fixes", cwd=tmp_path).stdout
    assert "-- KR1: Launch the new onboarding wizard." in unsafe


def test_fix_applies_safe_fixes_in_place_keeping_encoding_and_line_ends(tmp_path: Path) -> None:
    plan = tmp_path / "okr-plan.md"
    plan.write_bytes(b"\xef\xbb\xbf" + OKR_PLAN.replace("\n", "\r\n").encode("utf-8"))
    before = _codes_in(plan)
    result = run("review", "okr-plan.md", "--fix", "-f", "concise", "--exit-zero", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = plan.read_bytes()
    assert (
        data.startswith(b"\xef\xbb\xbf")
        and b"\r\n" in data
        and b"\n" not in data.replace(b"\r\n", b"")
    )
    text = data[3:].decode("utf-8").replace("\r\n", "\n")
    assert "- KR1: Launch the new onboarding wizard." in text  # the author's words kept
    assert "| Build the wizard | [name or role] | 2027-08-15 |" in text
    after = _codes_in(plan)
    assert "risk.no-register" in before and "risk.no-register" not in after
    assert "raci.no-owner" in before and "raci.no-owner" not in after
    assert "okr.kr-is-task" in after  # left for --unsafe-fixes
    assert "fixed" in result.stderr
    # the report printed is the one of the fixed file
    assert "risk.no-register" not in result.stdout
    # nothing left that is safe: a second --fix changes nothing
    again = plan.read_bytes()
    run("review", "okr-plan.md", "--fix", "--exit-zero", "-q", cwd=tmp_path)
    assert plan.read_bytes() == again


def test_fix_refuses_stdin_and_explains_documents(tmp_path: Path) -> None:
    from docgen import markdown_to_docx

    result = run("review", "-", "--fix")
    assert result.returncode == 2 and "stdin cannot be fixed" in result.stderr
    docx = tmp_path / "plan.docx"
    markdown_to_docx(OKR_PLAN, docx)
    before = docx.read_bytes()
    result = run("review", str(docx), "--fix", "--exit-zero", cwd=tmp_path)
    assert "cannot be fixed" in result.stderr and docx.read_bytes() == before
    assert run("review", "x.md", "--fix", "--diff", cwd=tmp_path).returncode == 2
