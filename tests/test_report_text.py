"""The linter-style text report: grouping by section, positions, footer, colour, languages."""

from __future__ import annotations

import re

import pytest

from service.models import Plan
from service.report import render
from service.report.samples import (
    PLAN_ZH,
    finding,
    make_plan,
    make_review,
    sample_en,
    sample_zh,
)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _section_of(output: str, needle: str) -> str:
    """The section title (2-space indent line) under which ``needle`` appears."""
    current = ""
    for line in output.splitlines():
        if re.match(r"^  \S", line):
            current = line.strip()
        if needle in line:
            return current
    raise AssertionError(f"{needle!r} not in output")


def test_findings_are_grouped_by_section_with_position_severity_and_code() -> None:
    out = render([sample_en()], "text")
    assert re.search(
        r"^    9:3\s+error\s+smart\.measurable\s+Goal has no target value", out, re.MULTILINE
    )
    assert re.search(r"^    16:1\s+error\s+raci\.no-owner\s+Task names no owner\.", out, re.M)
    assert re.search(r"^    9:3\s+warning\s+smart\.specific\s", out, re.M)
    assert _section_of(out, "smart.measurable") == "Goals"
    assert _section_of(out, "raci.no-owner") == "Tasks"
    assert _section_of(out, "consistency.budget-sum") == "Budget"
    assert _section_of(out, "risk.no-register") == "Whole plan"
    assert _section_of(out, "resource.no-buffer") == "Whole plan"
    # Whole plan first, then sections in plan order.
    sections = [line.strip() for line in out.splitlines() if re.match(r"^  [A-Z]", line)]
    assert sections[:4] == ["Whole plan", "Goals", "Tasks", "Budget"]
    # Within a section: by line, then the more severe first.
    goals = out.split("  Goals\n", 1)[1].split("  Tasks\n", 1)[0]
    codes = re.findall(r"^    \d+:\d+\s+\w+\s+(\S+)", goals, re.M)
    assert codes == ["smart.measurable", "smart.time-bound", "smart.specific"]


def test_suggestion_rewrite_and_first_citation_are_indented_under_the_finding() -> None:
    out = render([sample_en()], "text")
    block = out.split("smart.measurable", 1)[1].split("smart.time-bound", 1)[0]
    lines = block.splitlines()
    assert lines[1] == "          suggestion: State the metric, its baseline and the target."
    assert lines[2] == "          rewrite: Raise CSAT in all regions from 71% to 80% by 2025-09-30."
    assert lines[3] == "          see: SMART: Measurable [smart-measurable-en-01]"
    # A multi-line rewrite keeps its lines aligned under the first.
    assert "          rewrite: | Risk | Likelihood |" in out
    assert "\n                   |---|---|---|---|---|\n" in out


def test_footer_counts_scores_tier_and_warnings() -> None:
    review, plan = sample_en()
    plan = plan.model_copy(update={"warnings": ["PDF text extraction may have lost tables."]})
    out = render([(review, plan)], "text")
    assert "  6 errors, 1 warning, 1 info" in out
    assert "Scores: Overall 58 · SMART 40 · OKR n/a · RACI 60" in out
    assert "Tier: offline · LLM: off" in out
    assert "warning: PDF text extraction may have lost tables." in out


def test_failed_llm_tier_is_said_plainly() -> None:
    review, plan = sample_en()
    review = review.model_copy(
        update={"engine": review.engine.model_copy(update={"llm_status": "failed: timeout"})}
    )
    out = render([(review, plan)], "text")
    assert "LLM tier failed (timeout); showing the offline review only." in out
    assert "LLM: failed" not in out


def test_plain_text_has_no_escape_codes_and_colour_only_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    pair = sample_en()
    plain = render([pair], "text")
    assert "\x1b[" not in plain
    coloured = render([pair], "text", color=True)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


def test_rich_markup_in_messages_is_printed_literally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    plan = make_plan("# Plan\n\n- Do [bold]things[/bold]\n", source="p.md")
    f = finding(plan, "raci.no-owner", "No owner for [red]this[/red]", quote="Do [bold]things")
    out = render([(make_review(plan, [f]), plan)], "text", color=True)
    assert "No owner for [red]this[/red]" in ANSI.sub("", out)


def test_chinese_plan_gets_chinese_labels() -> None:
    out = render([sample_zh()], "text")
    assert "  整份计划\n" in out
    assert re.search(
        r"^    9:3\s+错误\s+smart\.measurable\s+目标没有可衡量的指标和目标值。", out, re.M
    )
    assert _section_of(out, "smart.measurable") == "二、目标"
    assert "建议：写明指标、基线和目标值。" in out
    assert "改写：9月30日前将客户满意度从 71% 提升到 80%。" in out
    assert "参见：SMART：可衡量 [smart-measurable-zh-01]" in out
    assert "3 个错误，0 个警告，0 个提示" in out
    assert "评分：总分 55 · SMART 45 · OKR n/a" in out
    assert "Whole plan" not in out and "Scores" not in out


def test_traditional_chinese_plan_gets_traditional_labels() -> None:
    from opencc import OpenCC

    text = OpenCC("s2t").convert(PLAN_ZH)
    plan = make_plan(text, source="plan.md", language="zh", script="hant")
    f = finding(plan, "risk.no-register", "計劃沒有識別任何風險。")
    out = render([(make_review(plan, [f]), plan)], "text")
    assert "整份計劃" in out
    assert "錯誤" in out
    assert "整份计划" not in out


def test_sections_fall_back_to_headings_in_the_text_when_the_plan_has_no_blocks() -> None:
    plan = make_plan("Intro line\n\n# Plan\n\n## Goals\n\nGrow sales\n", source="p.md")
    plan = Plan.model_validate({**plan.model_dump(), "blocks": []})
    review = make_review(
        plan,
        [
            finding(plan, "smart.measurable", "No target.", quote="Grow sales"),
            finding(plan, "smart.relevant", "Not tied.", quote="Intro line"),
        ],
    )
    out = render([(review, plan)], "text")
    assert _section_of(out, "smart.measurable") == "Goals"
    assert _section_of(out, "smart.relevant") == "Before the first heading"


def test_nested_sections_show_their_parent_heading() -> None:
    text = "# Plan\n\n## Goals\n\n### Sales\n\n- Grow sales\n"
    plan = make_plan(text, source="p.md")
    review = make_review(
        plan, [finding(plan, "smart.measurable", "No target.", quote="Grow sales")]
    )
    assert _section_of(render([(review, plan)], "text"), "smart.measurable") == "Goals › Sales"


def test_several_plans_and_a_total_line() -> None:
    empty = make_plan("# Fine plan\n\nAll good.\n", source="fine.md")
    out = render([sample_en(), (make_review(empty, []), empty), sample_zh()], "text")
    assert out.index("plans/q3-growth.md") < out.index("fine.md") < out.index("三季度运营计划")
    assert "  No findings.\n" in out
    assert out.rstrip().endswith("Total: 3 plans, 9 errors, 1 warning, 1 info")


def test_the_same_finding_on_many_lines_of_a_list_reads_as_one_entry() -> None:
    from service.report.html import render_html
    from service.report.markdown import render_markdown
    from service.report.text import render_text
    from service.review import ReviewOptions, review_text

    plan_text = (
        "# Q3 2026 Plan\n\n## Tasks\n\n- Migrate billing to the new ledger\n"
        "- Retire the old ledger\n- Train finance staff\n- Publish the runbook\n"
    )
    review = review_text(plan_text, "rep.md", ReviewOptions(llm="off"))
    owners = [f for f in review.findings if f.code == "raci.no-owner"]
    assert [f.span.start_line for f in owners if f.span] == [5, 6, 7, 8]  # JSON: one per line
    from service.ingest import load_bytes

    plan = load_bytes(plan_text.encode(), "rep.md")
    text = render_text([(review, plan)])
    assert text.count("raci.no-owner") == 1
    assert "the same on 4 lines: 5, 6, 7, 8" in text
    md = render_markdown([(review, plan)])
    assert md.count("`raci.no-owner`") == 1 and "Also on 3 more lines" in md
    html = render_html([(review, plan)])
    assert "Also on 3 more lines" in html
