"""Resources and schedule: budget, staffing, timeline, buffer."""

from __future__ import annotations

import re
from collections.abc import Iterator

from service.models import BlockKind
from service.rules import rewrites
from service.rules.base import Emitter
from service.rules.extract import cues, shapes
from service.rules.extract.dates import has_any_time, has_time_reference
from service.rules.extract.facts import HEADING_CURRENCY, PlanFacts
from service.rules.extract.facts.base import data_rows_by_table
from service.rules.extract.normalize import fold, prose


def _has_budget(facts: PlanFacts) -> tuple[bool, bool]:
    """(a budget or cost figure exists, the budget is marked TBD)."""
    figure = cues.has_currency_amount(facts.all_text)
    # TBD first: it is rare, and one block that is both is enough.
    tbd = any(
        cues.TBD.search(t) and cues.BUDGET_CUES.search(t)
        for t in (facts.folded[b.id] for b in facts.plan.blocks)
    )
    amount = (
        figure
        or bool(facts.budget_groups)
        or _budget_section_with_figures(facts)
        or bool(_ZERO_BUDGET.search(facts.all_text))
        or _effort_budget(facts)
    )
    return amount, tbd and not figure


# Effort estimated for the work: a column of it ("| 階段 | 工作內容 | 預估時間 |" with "3 天" per
# row, "預估工時", "Effort (days)") or an amount of it ("13人月", "40 person-days"). An effort
# budget is a budget (docs/rules-interpretation.md, "An effort estimate is a budget").
_EFFORT_HEADER = re.compile(
    r"工时|人天|人日|人月|工作量|估时|预估时间|预计时间|预估工期|所需时间|\beffort\b|\bestimated?\b|\bestimates?\b|"
    r"person[- ]?(?:days|hours|months)|man[- ]?(?:days|hours)|story points",
    re.I,
)
_EFFORT_AMOUNT = re.compile(
    r"\d+(?:\.\d+)?\s*(?:人月|人天|人日|person[- ]?(?:days|months|hours)|man[- ]?(?:days|hours))",
    re.I,
)
_MONEY_HEADER = re.compile(
    r"费用|金额|报价|价格|成本|\bcost\b|\bprice\b|\bamount\b|[$€£¥]|nt\$", re.I
)


def _columns(
    facts: PlanFacts, header: re.Pattern[str], *, first: bool = True
) -> Iterator[list[str]]:
    """The cells of each table column whose header matches (the first column too, unless not)."""
    for rows in data_rows_by_table(facts.plan):
        for i, h in enumerate(rows[0].header or []):
            if (first or i > 0) and header.search(fold(h)):
                yield [(r.cells or [])[i] for r in rows if i < len(r.cells or [])]


def _effort_budget(facts: PlanFacts) -> bool:
    # "| 人天 | 費用（NT$） |" over "＿＿＿": the money is still to be filled in, whatever the effort.
    if any(
        cells and all(cues.EMPTY_CELL.match(c) or cues.TEMPLATE_SLOT.search(c) for c in cells)
        for cells in _columns(facts, _MONEY_HEADER)
    ):
        return False
    return bool(_EFFORT_AMOUNT.search(facts.all_text)) or any(
        sum(1 for c in cells if re.search(r"\d", c)) >= 2
        for cells in _columns(facts, _EFFORT_HEADER, first=False)
    )


# A budget stated as none: the plan has decided what it spends ("0 预算", "零预算", "a zero budget",
# "no budget: everything runs on free tiers").
_ZERO_BUDGET = re.compile(
    r"(?:\b0|零)\s*(?:元\s*)?预算|预算\s*(?:为|是|[:：])?\s*(?:0|零)(?!\.\d)(?:\s*元)?(?![\d.])|无预算|不需要预算|"
    r"\b(?:zero|\$0|0)[- ]budget\b|\bbudget (?:is|of) (?:zero|\$?0)\b(?![.,]\d)|\bno budget\b",
    re.I,
)


def _budget_section_with_figures(facts: PlanFacts) -> bool:
    """ "## Budget (USD)" followed by lines with numbers: the currency is in the heading."""
    for b in facts.plan.blocks:
        if (
            b.kind == BlockKind.HEADING
            and facts.section.get(b.id) == "resources"
            and HEADING_CURRENCY.search(facts.folded[b.id])
            and any(re.search(r"\d", facts.folded[x.id]) for x in facts.plan.under(b.id))
        ):
            return True
    return False


def check(facts: PlanFacts, emit: Emitter) -> None:
    lang = emit.lang
    amount, tbd = _has_budget(facts)
    if not amount or tbd:
        note = (" (it is marked TBD)" if lang == "en" else "（预算仍为待定）") if tbd else ""
        emit.document(
            "resource.no-budget",
            emit.section_anchor("resources"),
            tbd=note,
            rewrite=rewrites.budget_table(facts, lang),
        )
    if not cues.STAFF_CUES.search(facts.prose_text) and not _any_owner(facts):
        emit.document(
            "resource.no-staffing",
            emit.section_anchor("organisation", "resources"),
            rewrite=rewrites.raci_table(facts, lang),
        )
    timed = any_time(facts)
    if not timed:
        emit.document(
            "resource.no-timeline",
            emit.section_anchor("timeline"),
            rewrite=rewrites.milestones_table(facts, lang),
        )
    elif not cues.BUFFER_CUES.search(facts.all_text):
        emit.document("resource.no-buffer", emit.section_anchor("timeline", "resources"))


def any_time(facts: PlanFacts) -> bool:
    """Any date, period or duration of the plan's own work (block by block, stopping at the
    first). History in the background ("4.0.1 于 2021.10 发布") is not the plan's timeline, nor
    is a goal's duration metric ("from 20 days to 1-2 business days"): a goal gives a time
    only with a date or period (docs/rules-interpretation.md, Timeline)."""
    if facts.plan_has_period:
        return True  # a dated title, a period line, "a one-year pilot"
    for b in facts.plan.blocks:
        section = facts.section.get(b.id, "")
        if section in ("background", "problem") and b.kind != BlockKind.HEADING:
            continue
        text = facts.folded[b.id]
        if shapes.is_document_metadata(text) or shapes.is_reference_line(b.text):
            continue  # "Created: 27-Mar-2019", ".. [#] email of 2015": not the plan's schedule
        if "/" in text or "`" in text:
            text = prose(b.text)  # ".../groups/1650961761843383/": an address holds no date
        if section in ("goals", "okr"):
            if has_time_reference(text, horizons=False):
                return True  # "首年MAU達5,000人": a horizon, no schedule of the work
        elif has_any_time(text):
            return True
    return False


def _any_owner(facts: PlanFacts) -> bool:
    return bool(cues.OWNER_LABEL.search(facts.prose_text))
