"""JSON (the contract's review JSON) and the Markdown report, including --show-source."""

from __future__ import annotations

import json

import pytest

from service.errors import ConfigError
from service.report import FORMATS, render
from service.report.samples import finding, make_plan, make_review, sample_en, sample_zh


def test_json_for_one_plan_is_exactly_the_review_json() -> None:
    review, plan = sample_zh()
    out = render([(review, plan)], "json")
    assert json.loads(out) == review.model_dump(mode="json")
    assert "提升客户满意度" in out  # not \u-escaped
    assert out.startswith('{\n  "schema_version": "1",')


def test_json_for_several_plans_is_a_list() -> None:
    pairs = [sample_en(), sample_zh()]
    data = json.loads(render(pairs, "json"))
    assert isinstance(data, list)
    assert [d["plan"]["source"] for d in data] == [r.plan.source for r, _ in pairs]
    assert data[1]["scores"]["okr"] is None


@pytest.mark.parametrize("pair", [sample_en(), sample_zh()], ids=["en", "zh"])
def test_show_source_prints_the_plan_text_itself(pair: tuple) -> None:
    review, plan = pair
    assert render([(review, plan)], "markdown", show_source=True) == plan.text


def test_show_source_for_several_plans_names_each() -> None:
    (r1, p1), (r2, p2) = sample_en(), sample_zh()
    out = render([(r1, p1), (r2, p2)], "markdown", show_source=True)
    assert f"<!-- planreview source: {p1.source} -->\n{p1.text}" in out
    assert f"<!-- planreview source: {p2.source} -->\n{p2.text}" in out


def test_markdown_report_has_title_scores_findings_by_family_and_citations() -> None:
    out = render([sample_en()], "markdown")
    assert out.startswith("# Review: Q3 growth plan\n")
    assert "| **Overall** | **58** |" in out
    assert "| OKR | n/a |" in out
    assert "**Findings**: 6 errors, 1 warning, 1 info" in out
    families = [line for line in out.splitlines() if line.startswith("### ")]
    assert families == [
        "### SMART goals",
        "### RACI / ownership",
        "### PDCA monitoring and iteration",
        "### Risk",
        "### Resources and schedule",
        "### Consistency",
    ]
    smart = out.split("### SMART goals", 1)[1].split("### RACI", 1)[0]
    assert "#### 🔴 error · `smart.measurable` · SMART: Measurable" in smart
    assert "[line 9](plans/q3-growth.md#L9)" in smart
    assert "> Improve customer satisfaction in all regions" in smart
    assert "**Suggestion**: State the metric, its baseline and the target." in smart
    assert "```text\nRaise CSAT in all regions from 71% to 80% by 2025-09-30.\n```" in smart
    assert "SMART: Measurable (`smart-measurable-en-01`, knowledge/frameworks/smart.en.md)" in smart
    assert "## Improved draft" not in out


def test_markdown_appends_the_draft_and_says_when_the_llm_failed() -> None:
    review, plan = sample_en()
    review = review.model_copy(
        update={
            "draft": "# Q3 growth plan (improved)\n\n- Raise CSAT to 80% by 2025-09-30\n",
            "engine": review.engine.model_copy(update={"llm_status": "failed: HTTP 429"}),
        }
    )
    out = render([(review, plan)], "markdown")
    assert out.rstrip().endswith(
        "## Improved draft\n\n# Q3 growth plan (improved)\n\n- Raise CSAT to 80% by 2025-09-30"
    )
    assert "LLM tier failed (HTTP 429); showing the offline review only." in out


def test_markdown_keeps_plan_text_from_becoming_markup() -> None:
    plan = make_plan(
        "# Plan <b>x</b>\n\n- Launch <script>alert(1)</script> app\n", source="my plans/p.md"
    )
    f = finding(
        plan,
        "raci.no-owner",
        "No owner <img src=x>.",
        quote="Launch <script>alert(1)</script> app",
        rewrite="Use ```code``` fences",
    )
    out = render([(make_review(plan, [f]), plan)], "markdown")
    assert "<script>" not in out and "<img" not in out and "<b>" not in out
    assert "> Launch &lt;script>alert(1)&lt;/script> app" in out
    assert "````text\nUse ```code``` fences\n````" in out
    assert "[line 3](<my plans/p.md#L3>)" in out


def test_markdown_links_only_when_lines_are_the_files_lines() -> None:
    review, plan = sample_en()
    docx = plan.model_copy(update={"source_format": "docx", "source": "q3.docx"})
    out = render([(review, docx)], "markdown")
    assert "line 9" in out and "](plans/q3-growth.md#L9)" not in out and "#L9" not in out
    stdin = plan.model_copy(update={"source": "-"})
    review_stdin = review.model_copy(
        update={"plan": review.plan.model_copy(update={"source": "-"})}
    )
    assert "#L9" not in render([(review_stdin, stdin)], "markdown")


def test_markdown_in_chinese() -> None:
    out = render([sample_zh()], "markdown")
    assert out.startswith("# 评审报告：2025年第三季度运营计划\n")
    assert "## 评分" in out and "| 框架 | 得分 |" in out
    assert "[第 9 行](plans/三季度运营计划.md#L9)" in out
    assert "**建议**：写明指标、基线和目标值。" in out
    assert "### SMART 目标" in out


def test_several_plans_in_one_markdown_document() -> None:
    out = render([sample_en(), sample_zh()], "markdown")
    assert out.count("\n---\n") == 1
    assert "# Review: Q3 growth plan" in out and "# 评审报告：2025年第三季度运营计划" in out


def test_unknown_format_is_a_user_error() -> None:
    with pytest.raises(ConfigError) as err:
        render([sample_en()], "pdf")
    assert "pdf" in str(err.value) and "sarif" in str(err.value)
    assert set(FORMATS) == {"text", "json", "markdown", "html", "sarif", "concise", "github"}


def test_plan_review_pairs_in_either_order_render_the_same() -> None:
    review, plan = sample_en()
    swapped = [(plan, review)]
    assert render(swapped, "text") == render([(review, plan)], "text")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_copes_with_odd_spans_and_empty_plans(fmt: str) -> None:
    from service.models import Finding, Span

    plan = make_plan("# P\n\n- Grow\n", source="odd.md")
    odd = [
        Finding(
            code="smart.measurable",
            family="smart",
            severity="error",
            scope="block",
            span=Span(start_line=40, end_line=42, start_col=9, end_col=2),
            message="Past the end.",
        ),
        Finding(
            code="llm.gap", family="llm", severity="warning", scope="block", message="No span."
        ),
    ]
    empty = make_plan("", source="empty.md")
    out = render([(make_review(plan, odd), plan), (make_review(empty, odd), empty)], fmt)
    assert out.strip()
    if fmt == "sarif":
        regions = [
            r["locations"][0]["physicalLocation"]["region"]
            for r in json.loads(out)["runs"][0]["results"]
        ]
        lines = len(plan.lines)  # 4: the last one empty, after the final newline
        assert all(r["startLine"] <= lines and r.get("endLine", 1) <= lines for r in regions)
        for r in regions:
            if r.get("endLine") == r["startLine"]:
                assert r["startColumn"] <= r["endColumn"] <= len(plan.lines[r["startLine"] - 1]) + 1
