"""service/cli/fastpath.py reads a plain `planreview review` line into exactly what typer
would pass to `review_command`, and leaves every other line to typer."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from service.cli import app
from service.cli.commands import review_command
from service.cli.fastpath import DEFAULTS, review_arguments

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample-plan.md"


def _typer_arguments(args: list[str]) -> dict[str, Any]:
    """The keyword arguments typer calls `review_command` with for these arguments."""
    seen: dict[str, Any] = {}

    @functools.wraps(review_command)
    def capture(**kwargs: Any) -> None:
        seen.update(kwargs)

    probe = typer.Typer()
    probe.command("review")(capture)
    probe.command("other")(lambda: None)  # two commands: a group, as in the real app
    result = CliRunner().invoke(probe, args)
    assert result.exit_code == 0, result.output
    return seen


PLAIN = [
    ["review", "plan.md"],
    ["review", "a.md", "b.md", "-"],
    ["review", "plan.md", "--format", "json"],
    ["review", "--format=sarif", "plan.md"],
    ["review", "-f", "concise", "plan.md", "--fail-on", "never"],
    ["review", "plan.md", "--fail-on=warning", "--llm", "off", "--lang", "zh"],
    ["review", "plan.md", "--select", "smart,okr", "--select", "raci", "--ignore=risk.owner"],
    ["review", "plan.md", "--config", "conf/planreview.toml", "-o", "out/report.txt"],
    ["review", "plan.md", "--output=r.md", "--color", "never", "-q", "--statistics"],
    ["review", "plan.md", "--draft", "--show-source", "--exit-zero", "--unsafe-fixes"],
    ["review", "plan.md", "--diff", "--report-unused-suppressions"],
    ["review", "plan.md", "--fix", "--quiet", "--color=always"],
    ["review", "--", "-odd-name.md", "--format"],
]


@pytest.mark.parametrize("args", PLAIN, ids=lambda a: " ".join(a[1:]))
def test_plain_lines_read_as_typer_reads_them(args: list[str]) -> None:
    fast = review_arguments(args)
    assert fast is not None
    expected = _typer_arguments(args)
    assert fast == expected
    assert [type(v) for v in fast.values()] == [type(expected[k]) for k in fast]


def test_defaults_are_those_of_the_command() -> None:
    assert review_arguments(["review", "x.md"]) == {"files": ["x.md"], **DEFAULTS}
    assert _typer_arguments(["review", "x.md"]) == {"files": ["x.md"], **DEFAULTS}


def test_every_option_of_the_command_is_known() -> None:
    from service.cli import fastpath

    command = typer.main.get_command(app).commands["review"]  # type: ignore[attr-defined]
    spellings = {
        opt: (p.name, p.is_flag)
        for p in command.params
        if p.param_type_name == "option"
        for opt in [*p.opts, *p.secondary_opts]
    }
    spellings.pop("--help", None)
    ours = {opt: (name, conv is None) for opt, (name, conv) in fastpath._OPTIONS.items()}
    assert ours == spellings


@pytest.mark.parametrize(
    "args",
    [
        ["review"],
        ["review", "--help"],
        ["review", "plan.md", "--help"],
        ["review", "plan.md", "--format", "JSON"],
        ["review", "plan.md", "--format"],
        ["review", "plan.md", "--format="],
        ["review", "plan.md", "-qf", "json"],
        ["review", "plan.md", "-fjson"],
        ["review", "plan.md", "--format", "json", "--format", "text"],
        ["review", "plan.md", "--draft=yes"],
        ["review", "plan.md", "--no-such-option"],
        ["review", "plan.md", "-o", "-"],
        ["review", "--format", "json"],
        ["rules"],
        ["--version"],
        ["kb", "review", "x"],
    ],
)
def test_other_lines_are_left_to_typer(args: list[str]) -> None:
    assert review_arguments(args) is None


def test_completion_requests_are_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_PLANREVIEW_COMPLETE", "complete_bash")
    assert review_arguments(["review", "plan.md"]) is None


def test_exit_status_and_streams_through_the_fast_path() -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
        )

    failing = run("review", str(SAMPLE))
    assert failing.returncode == 1 and "smart.measurable" in failing.stdout
    assert run("review", str(SAMPLE), "--fail-on", "never").returncode == 0
    missing = run("review", "no-such-plan.md")
    assert missing.returncode == 2 and missing.stderr.startswith("planreview: ")
    both = run("review", str(SAMPLE), "--diff", "--fix")
    assert both.returncode == 2
    assert both.stderr == "planreview: --diff shows the fixes and --fix applies them: use one\n"
