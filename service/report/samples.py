"""Example reviews, English and Chinese, built by hand: for report previews, docs and tests.

They do not run the pipeline: the plans, blocks and findings are constructed
directly, so the renderers can be exercised on their own. Spans are found by
locating each finding's quote in the plan text, as the real rules do.
"""

from __future__ import annotations

import hashlib
import re

from service.models import (
    Block,
    BlockKind,
    Citation,
    EngineInfo,
    Finding,
    Plan,
    PlanInfo,
    Review,
    Span,
)
from service.rules.catalogue import BY_CODE

PLAN_EN = """\
# Q3 growth plan

## Background

Sales fell 8% in Q2 while support tickets rose by a third.

## Goals

- Improve customer satisfaction in all regions
- Grow online revenue from $2.0M to $2.4M by 2025-09-30

## Tasks

| Task | Owner | Due |
|---|---|---|
| Launch the loyalty app | | 2025-08-15 |
| Retrain support staff | Dana (support lead) | 2025-07-31 |

## Budget

Total budget $500k: marketing $300k, tooling $250k.
"""

PLAN_ZH = """\
# 2025年第三季度运营计划

## 一、背景

二季度门店销售额下降 8%，客户投诉增加三成。

## 二、目标

- 提升客户满意度
- 9月30日前将线上销售额从 200 万元提升到 240 万元

## 三、任务分工

| 任务 | 负责人 | 截止 |
|---|---|---|
| 上线会员小程序 | | 8月15日 |
| 培训客服团队 | 王芳（客服主管） | 7月31日 |
"""

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def blocks_from_text(text: str) -> list[Block]:
    """Headings, list items, table rows and paragraphs, one block per line: enough
    structure for the reports (sections by heading) without the real parser."""
    blocks: list[Block] = []
    heading_id: str | None = None
    header: list[str] | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or (re.fullmatch(r"\|?[\s:|-]+\|?", stripped) and "-" in stripped):
            continue
        bid = f"b{len(blocks) + 1}"
        m = _HEADING.match(stripped)
        if m:
            blocks.append(
                Block(
                    id=bid,
                    kind=BlockKind.HEADING,
                    text=m.group(2),
                    start_line=number,
                    end_line=number,
                    level=len(m.group(1)),
                )
            )
            heading_id, header = bid, None
            continue
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            is_header = header is None
            header = cells if is_header else header
            blocks.append(
                Block(
                    id=bid,
                    kind=BlockKind.TABLE_ROW,
                    text=" | ".join(cells),
                    start_line=number,
                    end_line=number,
                    heading_id=heading_id,
                    cells=cells,
                    header=header,
                    is_header=is_header,
                    table_id=f"t{heading_id}",
                )
            )
            continue
        kind = BlockKind.LIST_ITEM if stripped[:2] in ("- ", "* ") else BlockKind.PARAGRAPH
        body = stripped[2:] if kind == BlockKind.LIST_ITEM else stripped
        blocks.append(
            Block(
                id=bid,
                kind=kind,
                text=body,
                start_line=number,
                end_line=number,
                heading_id=heading_id,
            )
        )
    return blocks


def make_plan(text: str, *, source: str, language: str = "en", script: str = "latin") -> Plan:
    title = next((m.group(2) for m in map(_HEADING.match, text.split("\n")) if m), "")
    return Plan(
        source=source,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        language=language,  # type: ignore[arg-type]
        script=script,  # type: ignore[arg-type]
        title=title,
        blocks=blocks_from_text(text),
    )


def span_of(plan: Plan, quote: str) -> Span:
    """The span of the first occurrence of ``quote`` (columns 1-based, end exclusive)."""
    index = plan.text.index(quote)
    before = plan.text[:index]
    start_line = before.count("\n") + 1
    start_col = index - (before.rfind("\n") + 1) + 1
    end_line = start_line + quote.count("\n")
    last = quote.rsplit("\n", 1)[-1]
    end_col = (start_col if end_line == start_line else 1) + len(last)
    return Span(start_line=start_line, end_line=end_line, start_col=start_col, end_col=end_col)


def finding(
    plan: Plan,
    code: str,
    message: str,
    *,
    quote: str = "",
    suggestion: str = "",
    rewrite: str | None = None,
    citations: list[Citation] | None = None,
    origin: str = "rule",
) -> Finding:
    spec = BY_CODE[code]
    span = span_of(plan, quote) if quote else None
    block_id = None
    if span is not None:
        block_id = next(
            (b.id for b in plan.blocks if b.start_line <= span.start_line <= b.end_line), None
        )
    fid = hashlib.sha256(f"{code}\n{quote}\n{plan.sha256}".encode()).hexdigest()[:16]
    return Finding(
        id=fid,
        code=code,
        family=spec.family,
        severity=spec.severity,
        scope=spec.scope,
        span=span,
        quote=quote,
        message=message,
        suggestion=suggestion,
        rewrite=rewrite,
        citations=citations or [],
        origin=origin,  # type: ignore[arg-type]
        block_id=block_id,
    )


def make_review(
    plan: Plan,
    findings: list[Finding],
    *,
    scores: dict[str, int | None] | None = None,
    summary: str = "",
    draft: str | None = None,
    llm_status: str = "off",
    tier: str = "offline",
) -> Review:
    return Review(
        plan=PlanInfo(
            source=plan.source,
            sha256=plan.sha256,
            language=plan.language,
            title=plan.title,
            lines=len(plan.lines),
            words=plan.words,
            source_format=plan.source_format,
            script=plan.script,
        ),
        engine=EngineInfo(
            tier=tier,  # type: ignore[arg-type]
            llm_status=llm_status,
            rules_version="sample",
            knowledge_version="sample",
        ),
        findings=findings,
        scores=scores if scores is not None else {},
        summary=summary,
        draft=draft,
    )


def sample_en(source: str = "plans/q3-growth.md") -> tuple[Review, Plan]:
    plan = make_plan(PLAN_EN, source=source, language="en")
    smart = Citation(
        chunk_id="smart-measurable-en-01",
        title="SMART: Measurable",
        source="knowledge/frameworks/smart.en.md",
    )
    findings = [
        finding(
            plan,
            "smart.measurable",
            "Goal has no target value: say how much, measured how.",
            quote="Improve customer satisfaction in all regions",
            suggestion="State the metric, its baseline and the target.",
            rewrite="Raise CSAT in all regions from 71% to 80% by 2025-09-30.",
            citations=[smart],
        ),
        finding(
            plan,
            "smart.specific",
            "Goal is a generic improvement with no scope.",
            quote="Improve customer satisfaction",
        ),
        finding(
            plan,
            "resource.no-buffer",
            "The schedule reserves no buffer time or budget.",
            suggestion="Keep 10-15% of time and budget in reserve.",
        ),
        finding(
            plan,
            "smart.time-bound",
            "Goal has no deadline or period.",
            quote="Improve customer satisfaction in all regions",
            suggestion="Give the date by which the target must be met.",
        ),
        finding(
            plan,
            "raci.no-owner",
            "Task names no owner.",
            quote="| Launch the loyalty app | | 2025-08-15 |",
            suggestion="Name one accountable person for the launch.",
        ),
        finding(
            plan,
            "consistency.budget-sum",
            "Budget items add up to $550k, not the stated total of $500k.",
            quote="Total budget $500k: marketing $300k, tooling $250k.",
        ),
        finding(
            plan,
            "risk.no-register",
            "The plan identifies no risks.",
            suggestion="Add a risk register: risk, likelihood, impact, owner, mitigation.",
            rewrite="| Risk | Likelihood | Impact | Owner | Mitigation |\n|---|---|---|---|---|\n"
            "| App launch slips | Medium | High | | |",
        ),
        finding(
            plan,
            "pdca.no-check",
            "No monitoring or review mechanism.",
            suggestion="Add a weekly KPI review and a monthly retrospective.",
        ),
    ]
    scores: dict[str, int | None] = {
        "overall": 58,
        "smart": 40,
        "okr": None,
        "raci": 60,
        "pdca": 30,
        "bsc": 75,
        "risk": 20,
        "resource": 70,
    }
    return make_review(
        plan,
        findings,
        scores=scores,
        summary="Two goals, one of them not measurable; no risks and no review cadence.",
    ), plan


def sample_zh(source: str = "plans/三季度运营计划.md") -> tuple[Review, Plan]:
    plan = make_plan(PLAN_ZH, source=source, language="zh", script="hans")
    smart = Citation(
        chunk_id="smart-measurable-zh-01",
        title="SMART：可衡量",
        source="knowledge/frameworks/smart.zh.md",
    )
    findings = [
        finding(
            plan,
            "smart.measurable",
            "目标没有可衡量的指标和目标值。",
            quote="提升客户满意度",
            suggestion="写明指标、基线和目标值。",
            rewrite="9月30日前将客户满意度从 71% 提升到 80%。",
            citations=[smart],
        ),
        finding(
            plan,
            "raci.no-owner",
            "任务没有负责人。",
            quote="| 上线会员小程序 | | 8月15日 |",
            suggestion="为该任务指定唯一的负责人。",
        ),
        finding(
            plan,
            "risk.no-register",
            "计划没有识别任何风险。",
            suggestion="补充风险清单：风险、可能性、影响、责任人、应对措施。",
        ),
    ]
    scores: dict[str, int | None] = {
        "overall": 55,
        "smart": 45,
        "okr": None,
        "raci": 50,
        "pdca": 40,
        "bsc": 70,
        "risk": 10,
        "resource": 60,
    }
    return make_review(plan, findings, scores=scores, summary="目标不够具体，缺少风险清单。"), plan
