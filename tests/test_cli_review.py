"""`planreview review` end to end, as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from docgen import markdown_to_docx, markdown_to_pdf

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample-plan.md"


def run(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "service", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        cwd=cwd or REPO,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    )


def test_review_text_exit_codes_follow_fail_on() -> None:
    result = run("review", str(SAMPLE))
    assert result.returncode == 1  # the sample has error findings
    assert "smart.measurable" in result.stdout
    assert "Traceback" not in result.stderr
    assert run("review", str(SAMPLE), "--fail-on", "never").returncode == 0


def test_review_json_matches_contract() -> None:
    result = run("review", str(SAMPLE), "--format", "json", "--fail-on", "never")
    assert result.returncode == 0
    review = json.loads(result.stdout)
    assert review["schema_version"] == "1"
    assert review["engine"]["tier"] == "offline"
    assert review["engine"]["llm_status"] == "off"
    assert set(review["plan"]) >= {"source", "sha256", "language", "title", "lines", "words"}
    assert review["scores"]["overall"] is not None
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    for f in review["findings"]:
        assert set(f) >= {
            "id",
            "code",
            "family",
            "severity",
            "scope",
            "span",
            "quote",
            "message",
            "suggestion",
            "rewrite",
            "citations",
            "origin",
            "confidence",
        }
        if f["scope"] == "block":
            assert f["quote"] in lines[f["span"]["start_line"] - 1] or "\n" in f["quote"]
        assert f["citations"], f["code"]


def test_stdin_and_several_files(tmp_path: Path) -> None:
    zh = tmp_path / "计划.md"
    zh.write_text("# 2026年计划\n\n## 目标\n\n- 提升品牌影响力\n", encoding="utf-8")
    result = run(
        "review", "-", str(zh), "--format", "json", "--fail-on", "never", stdin=SAMPLE.read_bytes()
    )
    assert result.returncode == 0, result.stderr
    reviews = json.loads(result.stdout)
    assert [r["plan"]["source"] for r in reviews] == ["-", str(zh)]
    assert reviews[1]["plan"]["language"] == "zh"
    assert any("目标" in f["message"] for f in reviews[1]["findings"])


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("empty.md", b"", "empty"),
        ("blank.txt", b"  \n\n \t\n", "empty"),
        ("garbage.md", bytes(range(256)) * 40, "not a text file"),
        ("fake.docx", b"PK\x03\x04 this is not really a zip", ".docx"),
        ("fake.pdf", b"%PDF-1.7\n garbage without objects", ".pdf"),
        ("plan.rtf", b"{\\rtf1 hello}", "supported"),
    ],
)
def test_bad_inputs_exit_2_with_one_line(
    tmp_path: Path, name: str, content: bytes, needle: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("review", str(path))
    assert result.returncode == 2
    err = result.stderr.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert name in err
    assert needle.lower() in err.lower()


def test_missing_file_and_one_bad_among_good(tmp_path: Path) -> None:
    result = run("review", str(tmp_path / "nope.md"))
    assert (
        result.returncode == 2 and "nope.md" in result.stderr and "Traceback" not in result.stderr
    )
    bad = tmp_path / "empty.md"
    bad.write_bytes(b"")
    mixed = run("review", str(SAMPLE), str(bad), "--format", "json", "--fail-on", "never")
    assert mixed.returncode == 2  # an unreadable input, but the good plan is still reviewed
    assert json.loads(mixed.stdout)["plan"]["title"] == "Customer Support Improvement Plan"
    assert "empty.md" in mixed.stderr


def test_config_file_next_to_the_plan(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "planreview.toml").write_text('ignore = ["smart", "raci"]\n', encoding="utf-8")
    review = json.loads(run("review", str(plan), "--format", "json", "--fail-on", "never").stdout)
    assert not {f["family"] for f in review["findings"]} & {"smart", "raci"}
    (tmp_path / "planreview.toml").write_text('select = ["nonsense"]\n', encoding="utf-8")
    result = run("review", str(plan))
    assert result.returncode == 2 and "nonsense" in result.stderr


def test_output_formats_and_show_source(tmp_path: Path) -> None:
    out = tmp_path / "r.sarif"
    assert (
        run(
            "review", str(SAMPLE), "--format", "sarif", "-o", str(out), "--fail-on", "never"
        ).returncode
        == 0
    )
    sarif = json.loads(out.read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    html = run("review", str(SAMPLE), "--format", "html", "--fail-on", "never").stdout
    assert html.lstrip().lower().startswith("<!doctype html")
    source = run(
        "review", str(SAMPLE), "--format", "markdown", "--show-source", "--fail-on", "never"
    ).stdout
    assert source.rstrip("\n") == SAMPLE.read_text(encoding="utf-8").rstrip("\n")


def test_rules_command_lists_the_catalogue() -> None:
    from service.rules.catalogue import RULES

    result = run("rules", "--format", "json")
    listed = {r["code"] for r in json.loads(result.stdout)}
    assert listed == {r.code for r in RULES}
    zh = run("rules", "--lang", "zh").stdout
    assert "目标" in zh


PARITY_PLAN = """# Q3 2026 Field Sales Plan

Period: 2026-07-01 to 2026-09-30

## Goals

- Improve customer satisfaction
- Raise win rate from 18% to 24% by 2026-09-30

## Tasks

| Task | Owner | Due |
|---|---|---|
| Refresh the pitch deck | Ana Silva | 2026-07-31 |
| Run pricing workshops | | 2026-08-15 |

- Publish a competitor battlecard

## Risks

- Two reps may leave during the quarter

## Budget

- Travel: $12,000
- Events: $8,000
- Total: $25,000
"""


def _codes(path: Path) -> list[str]:
    review = json.loads(run("review", str(path), "--format", "json", "--fail-on", "never").stdout)
    return sorted(f["code"] for f in review["findings"])


def test_docx_and_pdf_made_from_markdown_give_the_same_codes(tmp_path: Path) -> None:
    md = tmp_path / "plan.md"
    md.write_text(PARITY_PLAN, encoding="utf-8")
    markdown_to_docx(PARITY_PLAN, tmp_path / "plan.docx")
    markdown_to_pdf(PARITY_PLAN, tmp_path / "plan.pdf")
    expected = _codes(md)
    assert "raci.no-owner" in expected and "consistency.budget-sum" in expected
    assert _codes(tmp_path / "plan.docx") == expected
    pdf_codes = _codes(tmp_path / "plan.pdf")
    # PDF structure is recovered approximately: nearly the same codes.
    overlap = len(set(pdf_codes) & set(expected)) / len(set(expected))
    assert overlap >= 0.8, (pdf_codes, expected)


def test_an_unknown_code_in_select_or_ignore_is_one_line_and_exit_2(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("# Q3 2026 Plan\n\n- Goal: grow revenue 10% by 2026-09-30\n", encoding="utf-8")
    for option in ("--select", "--ignore"):
        proc = run("review", str(plan), option, "smart.nosuch")
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and option in lines[0] and "smart.nosuch" in lines[0]
        assert "Traceback" not in proc.stderr and "pydantic" not in proc.stderr
