"""The language server's plain functions: positions, settings, edits, debouncing, re-anchoring."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from markdown_it import MarkdownIt

from service.ingest.markdown import parse_markdown
from service.lsp.critique import outcome_from_review, reanchor
from service.lsp.debounce import Debouncer
from service.lsp.edits import (
    TEMPLATES,
    apply_changes,
    insert_section_change,
    rewrite_change,
    suppress_file_change,
    suppress_line_change,
)
from service.lsp.guidance import first_paragraph
from service.lsp.positions import LineIndex, code_units, column_from_units
from service.lsp.settings import LspSettings, matches_globs, parse_settings
from service.models import Finding, Span
from service.review import ReviewOptions, review_plan
from service.rules.engine import run_rules
from service.rules.extract.facts import build_facts

# -- positions ----------------------------------------------------------------------------


def test_code_units_per_encoding() -> None:
    assert code_units("a中🎯", "utf-16") == 4
    assert code_units("a中🎯", "utf-8") == 8
    assert code_units("a中🎯", "utf-32") == 3


def test_line_index_utf16_with_crlf_emoji_and_bom() -> None:
    buffer = "\ufeff# 标题\r\n- 🎯 提升满意度\r\n"
    index = LineIndex(buffer)
    assert index.lines == ["# 标题", "- 🎯 提升满意度", ""]
    # Line 2, after "- 🎯 " (four code points, five UTF-16 units).
    assert index.position(1, 4) == types.Position(line=1, character=5)
    span = Span(start_line=2, end_line=2, start_col=5, end_col=10)
    assert index.span_range(span) == types.Range(
        start=types.Position(line=1, character=5), end=types.Position(line=1, character=10)
    )
    # The BOM is a character of the buffer's first line, not of the reviewed text.
    assert index.position(0, 2) == types.Position(line=0, character=3)
    assert index.offset(types.Position(line=0, character=3)) == 2
    # UTF-8 counts bytes.
    assert LineIndex(buffer, "utf-8").position(1, 4) == types.Position(line=1, character=7)


def test_offsets_round_trip_and_clamp() -> None:
    text = "# 计划 🚀\n- 🧑‍🏫 培训\n\nplain"
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        assert index.offset(index.offset_position(offset)) == offset
    assert index.position(99, 99) == types.Position(line=3, character=5)
    assert (
        index.span_range(Span(start_line=1, end_line=1, start_col=3, end_col=500)).end.character
        == 7
    )
    # A position inside a surrogate pair snaps to the character's start.
    assert column_from_units("🎯x", 1) == 0 and column_from_units("🎯x", 2) == 1


# -- settings -----------------------------------------------------------------------------


def test_settings_keep_good_values_and_note_bad_ones() -> None:
    settings, notes = parse_settings(
        {
            "llm": True,
            "lang": "zh",
            "debounceMs": -5,
            "select": "smart, raci",
            "ignore": ["bogus", "bsc"],
            "files": 3,
            "unknownKey": 1,
        }
    )
    assert settings.llm == "on" and settings.lang == "zh"
    assert settings.debounce_ms == 200 and settings.files == LspSettings().files
    assert settings.select == ["smart", "raci"] and settings.ignore == ["bsc"]
    assert any("debounceMs" in n for n in notes) and any("bogus" in n for n in notes)
    assert any("files" in n for n in notes)
    nested, _ = parse_settings({"planreview": {"maxDocumentBytes": 5000}})
    assert nested.max_document_bytes == 5000
    default, notes = parse_settings("nonsense")
    assert default == LspSettings() and notes


@pytest.mark.parametrize(
    ("path", "globs", "root", "expected"),
    [
        ("/home/u/plans/q3.md", ["**/*.md"], None, True),
        ("/home/u/plans/q3.MARKDOWN", ["**/*.markdown"], None, True),
        ("/home/u/app.py", ["**/*.md", "**/*.txt"], None, False),
        ("/work/repo/plans/q3.md", ["plans/*.md"], "/work/repo", True),
        ("/work/repo/other/q3.md", ["plans/*.md"], "/work/repo", False),
        ("/work/repo/a/b/c.txt", ["**/*.{md,txt}"], None, True),
        ("C:\\plans\\q3.md", ["**/*.md"], None, True),
    ],
)
def test_globs(path: str, globs: list[str], root: str | None, expected: bool) -> None:
    assert matches_globs(path, globs, root) is expected


# -- edits --------------------------------------------------------------------------------

EN_PLAN = """# Plan

Period: 2026-01-01 to 2026-12-31.

## Goals

- Customers
  - Improve customer satisfaction
  - Raise NPS from 20 to 35 by 2026-12-31
- Write help articles
- Goal 1: Improve customer satisfaction

## Tasks

| Task | Owner | Due |
|------|-------|-----|
| Publish 40 articles | Sam | 2026-05-31 |
| Introduce an answer library | | 2026-06-30 |

- Launch the chatbot (Owner: IT lead), by 2026-06-30
- Write help articles
- Hire two agents (Owner: Maria), by 2026-04-30

## Budget

- Chatbot: $35,000
"""

ZH_PLAN = """# 2026年客服中心运营计划

计划周期：2026年1月1日至2026年12月31日。

## 一、目标

- 提升客户满意度

## 二、任务

- 上线智能客服机器人（负责人：李雷），2026年6月30日前完成
"""


def findings_of(text: str) -> list[Finding]:
    return run_rules(parse_markdown(text, source="x.md"))


def find(text: str, code: str, line: int) -> Finding:
    return next(
        f for f in findings_of(text) if f.code == code and f.span and f.span.start_line == line
    )


def lists(text: str) -> list[int]:
    """Nesting levels of the bullet lists markdown-it sees."""
    return [
        t.level
        for t in MarkdownIt("commonmark").enable("table").parse(text)
        if t.type == "bullet_list_open"
    ]


def test_rewrite_keeps_the_label_and_table_rows_keep_their_cells() -> None:
    f = find(EN_PLAN, "smart.measurable", 11)
    change = rewrite_change(EN_PLAN, f)
    assert change is not None
    new = apply_changes(EN_PLAN, [change])
    assert (
        new.split("\n")[10]
        == "- Goal 1: Improve customer satisfaction: [metric] from [baseline] to [target]."
    )
    row = find(EN_PLAN, "raci.no-owner", 18)
    row_change = rewrite_change(EN_PLAN, row)
    assert row_change is not None  # the empty owner cell is filled with a placeholder
    filled = apply_changes(EN_PLAN, [row_change]).split("\n")[17]
    assert "[name or role]" in filled and filled.count("|") == EN_PLAN.split("\n")[17].count("|")
    same = row.model_copy(update={"rewrite": EN_PLAN.split("\n")[17]})
    assert rewrite_change(EN_PLAN, same) is None  # a rewrite that changes nothing is not offered
    multi = row.model_copy(update={"rewrite": "line one\nline two"})
    assert rewrite_change(EN_PLAN, multi) is None


def test_suppress_comments_keep_lists_and_tables_whole() -> None:
    plan = parse_markdown(EN_PLAN, source="x.md")
    before = lists(EN_PLAN)
    text = EN_PLAN
    for code, line in (
        ("smart.measurable", 8),
        ("smart.measurable", 10),
        ("raci.no-owner", 18),
        ("raci.no-owner", 21),
    ):
        plan = parse_markdown(text, source="x.md")
        f = next(
            x
            for x in run_rules(plan)
            if x.code == code
            and x.span
            and plan.lines[x.span.start_line - 1] == EN_PLAN.split("\n")[line - 1]
        )
        change = suppress_line_change(plan, f)
        assert change is not None
        text = apply_changes(text, [change])
        after = {
            (x.code, parse_markdown(text, source="y").lines[x.span.start_line - 1])
            for x in findings_of(text)
            if x.span and x.scope == "block"
        }
        assert (code, EN_PLAN.split("\n")[line - 1]) not in after
    assert lists(text) == before  # no list split, the nested one still nested
    old_rows = [b.text for b in parse_markdown(EN_PLAN, source="a").blocks]
    assert [b.text for b in parse_markdown(text, source="b").blocks] == old_rows
    assert "    <!-- planreview: ignore smart.measurable -->\n  - Improve customer" in text
    assert (
        "| Introduce an answer library | | 2026-06-30 <!-- planreview: ignore raci.no-owner --> |"
        in text
    )
    # A second code on the same block joins the existing comment.
    plan = parse_markdown(text, source="x.md")
    specific = next(
        x
        for x in run_rules(plan)
        if x.code == "smart.specific"
        and x.span
        and "Improve customer satisfaction" in x.quote
        and x.span.start_line == 9
    )
    merged = apply_changes(text, [suppress_line_change(plan, specific)])  # type: ignore[list-item]
    assert "    <!-- planreview: ignore smart.measurable, smart.specific -->" in merged


def test_suppress_file_goes_after_front_matter_and_merges() -> None:
    text = "---\ntitle: Q3\n---\n# Plan\n\n- Improve things\n"
    once = apply_changes(text, [suppress_file_change(text, "bsc")])  # type: ignore[list-item]
    assert once.startswith("---\ntitle: Q3\n---\n<!-- planreview: ignore-file bsc -->\n# Plan")
    twice = apply_changes(once, [suppress_file_change(once, "risk.no-register")])  # type: ignore[list-item]
    assert "<!-- planreview: ignore-file bsc, risk.no-register -->" in twice
    assert suppress_file_change(twice, "bsc") is None
    assert not {f.code for f in findings_of(twice)} & {
        "risk.no-register",
        "bsc.missing-perspective",
    }


def test_templates_go_after_their_section_with_blank_lines() -> None:
    plan = parse_markdown(EN_PLAN, source="x.md")
    facts = build_facts(plan)
    change = insert_section_change(plan, facts, TEMPLATES["milestones"], "en")
    new = apply_changes(EN_PLAN, [change])
    assert (
        "- Hire two agents (Owner: Maria), by 2026-04-30\n\n## Milestones\n\n| Milestone |" in new
    )
    assert "|\n\n## Budget" in new
    risk = apply_changes(
        EN_PLAN, [insert_section_change(plan, facts, TEMPLATES["risk-register"], "en")]
    )
    assert "risk.no-register" not in {f.code for f in findings_of(risk)}
    zh = parse_markdown(ZH_PLAN, source="z.md")
    zh_new = apply_changes(
        ZH_PLAN, [insert_section_change(zh, build_facts(zh), TEMPLATES["risk-register"], "zh")]
    )
    assert zh_new.endswith(
        "2026年6月30日前完成\n\n## 风险与应对\n\n| 风险 | 可能性 | 影响 | 应对措施 | 责任人 |\n|---|---|---|---|---|\n"
        "| 上线智能客服机器人（负责人：李雷），2026年6月30日前完成延期或效果不达预期 | [高/中/低] | [高/中/低] | [应对措施] | [责任人] |\n"
    )
    assert "risk.no-register" not in {f.code for f in findings_of(zh_new)}


# -- debouncing, re-anchoring, outcomes, guidance ------------------------------------------


@pytest.mark.asyncio
async def test_debouncer_runs_leading_edge_then_coalesces() -> None:
    runs: list[float] = []

    async def job() -> None:
        runs.append(asyncio.get_running_loop().time())

    d = Debouncer()
    assert d.trigger("a", 0.05, job) is True  # quiet document: at once
    await asyncio.sleep(0)
    assert len(runs) == 1
    assert d.trigger("a", 0.05, job) is False  # typing: wait
    assert d.trigger("a", 0.05, job) is False
    await asyncio.sleep(0.12)
    assert len(runs) == 2  # the burst ran once, after it stopped
    assert d.trigger("a", 0.05, job) is True  # quiet again
    assert d.trigger("b", 0.05, job) is True  # documents are independent
    d.trigger("a", 0.05, job)
    d.cancel("a")
    await asyncio.sleep(0.1)
    assert len(runs) == 4


def test_reanchor_moves_llm_findings_and_drops_lost_quotes() -> None:
    def gap(quote: str, line: int) -> Finding:
        return Finding(
            code="llm.gap",
            family="llm",
            severity="warning",
            scope="block",
            origin="llm",
            quote=quote,
            message="m",
            span=Span(start_line=line, end_line=line, start_col=3, end_col=3 + len(quote)),
        )

    text = "前言\n\n- 🎯 提升客户满意度\n- 培训客服\n"
    kept = reanchor(
        [
            gap("提升客户满意度", 1),
            gap("不存在的话", 2),
            Finding(
                code="llm.gap",
                family="llm",
                severity="warning",
                scope="document",
                message="m",
                origin="llm",
            ),
        ],
        text,
    )
    assert len(kept) == 2
    assert kept[0].span == Span(start_line=3, end_line=3, start_col=5, end_col=12)


def test_outcome_of_a_failed_llm_tier_keeps_no_findings() -> None:
    plan = parse_markdown(ZH_PLAN, source="z.md")
    review = review_plan(plan, ReviewOptions(llm="off"))
    review.engine.llm_status = "failed: timeout"
    outcome = outcome_from_review(review, 3)
    assert outcome.status == "failed" and not outcome.findings and "timeout" in outcome.message


def test_first_paragraph_skips_comments_and_joins_chinese_lines() -> None:
    body = "<!-- id: x -->\n目标要可衡量，\n写明指标和目标值。\n\nSecond paragraph."
    assert first_paragraph(body) == "目标要可衡量，写明指标和目标值。"
    assert first_paragraph("one\ntwo\n\nthree") == "one two"
    assert first_paragraph("x" * 900).endswith("…")


PLAIN_ZH = """2026年门店运营计划
二、目标
1、提升顾客满意度
2、2026年12月31日前将会员复购率从20%提升到35%
三、任务
1、导入会员系统，负责人：陈志明，2026年6月30日前完成
2、培训全体门店人员
"""


def test_plain_text_chinese_plan_fixes() -> None:
    plan = parse_markdown(PLAIN_ZH, source="z.txt")
    goal = find(PLAIN_ZH, "smart.measurable", 3)
    rewritten = apply_changes(PLAIN_ZH, [rewrite_change(PLAIN_ZH, goal)])  # type: ignore[list-item]
    assert (
        rewritten.split("\n")[2] == "1、提升顾客满意度：[指标]从[基线]提升至[目标值]。"
    )  # numbering kept
    owner = find(PLAIN_ZH, "raci.no-owner", 7)
    suppressed = apply_changes(PLAIN_ZH, [suppress_line_change(plan, owner)])  # type: ignore[list-item]
    assert suppressed.split("\n")[6:8] == [
        "<!-- planreview: ignore raci.no-owner -->",
        "2、培训全体门店人员",
    ]
    assert [b.text for b in parse_markdown(suppressed, source="y").blocks] == [
        b.text for b in plan.blocks
    ]
    assert "raci.no-owner" not in {f.code for f in findings_of(suppressed)}


def test_edits_on_a_crlf_buffer_use_its_line_ends() -> None:
    from service.lsp.actions import EditTarget, text_edit

    buffer = PLAIN_ZH.replace("\n", "\r\n")
    plan = parse_markdown(PLAIN_ZH, source="z.txt")
    change = suppress_line_change(plan, find(PLAIN_ZH, "raci.no-owner", 7))
    assert change is not None
    edit = text_edit(
        change, EditTarget(uri="file:///z.txt", version=1, index=LineIndex(buffer), eol="\r\n")
    )
    assert edit.range.start == types.Position(line=6, character=0) == edit.range.end
    assert edit.new_text == "<!-- planreview: ignore raci.no-owner -->\r\n"


@pytest.mark.parametrize("text", [EN_PLAN, ZH_PLAN, PLAIN_ZH])
def test_sections_proposed_by_document_findings_are_recognised_once_inserted(text: str) -> None:
    from service.lsp.edits import SECTION_AFTER, insert_body_change, section_heading

    plan = parse_markdown(text, source="x.md")
    facts = build_facts(plan)
    checked = 0
    for f in run_rules(plan):
        if f.code in ("pdca.no-check", "pdca.no-act", "comm.no-stakeholders") and f.rewrite:
            assert section_heading(f.rewrite)
            new = apply_changes(
                text, [insert_body_change(plan, facts, f.rewrite, SECTION_AFTER[f.code])]
            )
            assert f.code not in {x.code for x in findings_of(new)}
            old_blocks = [b.text for b in plan.blocks]
            assert all(
                t in [b.text for b in parse_markdown(new, source="y").blocks] for t in old_blocks
            )
            assert "\n\n\n" not in new
            checked += 1
    assert checked == 3


def test_hover_escapes_plan_text_so_it_cannot_become_markup() -> None:
    import markdown_it

    from service.lsp.hover import _escape

    evil = "Grow **sales** [click](javascript:alert(1)) <img src=x onerror=alert(1)> `x` # h"
    html = markdown_it.MarkdownIt("commonmark").render(_escape(evil))
    assert "<strong>" not in html and "<a " not in html and "<img" not in html
    assert "<code>" not in html and "<h1>" not in html
    assert "**sales**" in html  # shown as typed
