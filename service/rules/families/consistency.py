"""Cross-checks a reader misses: budget sums, percentage shares, dates outside the plan."""

from __future__ import annotations

import itertools
import re

from service.models import BlockKind
from service.rules.base import Emitter
from service.rules.extract.dates import find_dates
from service.rules.extract.facts import PlanFacts

_NOT_MILESTONE = ("background", "problem", "risks")


def _fmt(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


# An estimate given as a range or an approximation ("約 3,500~4,400", "about $12k", "1.2~1.5 万"):
# the items and total are not exact figures that must add up.
_APPROXIMATE = re.compile(
    r"[约約]\s*\d|\d\s*[~～–—]\s*[$€£¥]?\d|\b(?:about|approx(?:imately|\.)?|circa|ca\.|roughly|around)\s*[$€£¥]\d"
    r"|(?<![\w.])~\s*[$€£¥]?\d",  # "~$0.012", "$0.005–0.02"
    re.I,
)
# A total stated as a ceiling ("< $0.04", "≤ 5 萬", "under $2,000", "不超过 3 万", "3 万以内"): the
# items must stay within it, not add up to it.
_CEILING = re.compile(
    r"[<≤]\s*[$€£¥]?\d|\b(?:under|below|less than|up to|at most|no more than|max(?:imum)?)\s*[$€£¥]?\d"
    r"|不超过|不高于|以内|以下|上限",
    re.I,
)


def _budget_sum(facts: PlanFacts, emit: Emitter) -> None:
    for group in facts.budget_groups:
        totals = [x for x in group if x.is_total]
        if any(_APPROXIMATE.search(facts.folded[x.block.id]) for x in totals):
            continue  # "| **合計** | **約 3,500~4,400** |": an estimate, not a sum to check
        items = [x for x in group if not x.is_total]
        if any(_APPROXIMATE.search(facts.folded[x.block.id]) for x in items):
            continue  # "| Claude Vision | ~$0.005–0.02 |": items estimated, their sum is too
        # Sub-totals: when several totals exist, check the last (grand) total against the items.
        total = totals[-1]
        parts = [x for x in items if x.block.start_line <= total.block.start_line] or items
        subtotal_sum = sum(t.amount for t in totals[:-1])
        items_sum = sum(x.amount for x in parts)
        candidates = [items_sum]
        if subtotal_sum:
            candidates.append(subtotal_sum)
        if total.amount <= 0:
            continue
        ceiling = _CEILING.search(facts.folded[total.block.id]) is not None
        if ceiling and any(s <= total.amount * 1.01 for s in candidates):
            continue  # "**合計** < $0.04": within the ceiling it sets
        if all(abs(s - total.amount) / total.amount > 0.01 for s in candidates):
            emit.block(
                "consistency.budget-sum",
                total.block,
                items=_fmt(items_sum),
                total=_fmt(total.amount),
            )


def _percent_sum(facts: PlanFacts, emit: Emitter) -> None:
    for group in facts.percent_groups:
        total = sum(group.values)
        if total > 100.5:
            anchor = group.total_block or group.blocks[-1]
            emit.block("consistency.percent-sum", anchor, total=_fmt(total))


_BASELINE_REF = re.compile(
    r"(?:(?:up|down|rise[sn]?|fall(?:s|en)?|grow(?:s|n)?|drop(?:s|ped)?|increase[sd]?|decrease[sd]?|improve[sd]?)"
    r"\s+(?:\w+\s+){0,3}from|since|vs\.?|versus|than|compared (?:to|with)|as of|as at|比|较|同比|相比|截至|截止到?|[(（])\s*$",
    re.I,
)
_BASELINE_AFTER = re.compile(
    r"^\s*[:：]\s*[$€£¥]?\d[\d.,]*\s*(?:%|％|k\b|m\b|万|亿|元|分|points?\b)", re.I
)
_DEADLINE_BEFORE = re.compile(
    r"\b(?:by|before|until|till|due|deadline|no later than|end of)\s*(?:the\s+)?(?:end of\s+)?$|(?:截止|截至|于)\s*$",
    re.I,
)
# A fact told in the past ("We changed the structure in Q3", "was approved on January 3"):
# its date is history, not a milestone of the plan.
_PAST_NARRATIVE = re.compile(
    r"\b(?:was|were|has been|have been|had been)\s+(?:\w+\s+)?(?:approved|adopted|held|launched|"
    r"completed|founded|created|published|released|signed|agreed|formed|introduced|established|"
    r"started|finished|delivered|ratified|passed)\b"
    r"|\bwe\s+(?:have\s+)?(?:changed|completed|launched|held|introduced|started|finished|released|"
    r"delivered|achieved|reached|moved|hired|migrated|shipped|built|created|reorgani[sz]ed|restructured)\b"
    r"|已于|已经|已完成|已上线|已发布|已举办|曾于|于\S{0,12}(?:完成|举办|召开|发布)了"
    r"|(?:完成|举办|召开|发布|上线|开展|举行)了|(?:举办|举行|召开|发布)的|延续|沿用|承接|以往|往年",
    re.I,
)
# "up from 62% in the December 2026 mock audit": the date dates the baseline value.
_BASELINE_VALUE_BEFORE = re.compile(
    r"\b(?:up |down )?from\s+[$€£¥]?\d[\d.,]*\s*(?:%|k|m|points?)?\s+(?:in|at|as of|on)\s+(?:the\s+)?(?:\w+\s+)?$"
    r"|(?:较|比|相比)\s*$",
    re.I,
)
_RANGE_SEP = re.compile(r"^\s*(?:-|–|—|to|until|through|~|至|到|－|→|->|=>)\s*$", re.I)


_EXAMPLE_BEFORE = re.compile(
    r"(?:例[:：]|例如|比如|举例|\be\.g\.|\bfor (?:example|instance)\b|\bsay,)[^。.;；]*$", re.I
)


def _date_order(facts: PlanFacts, emit: Emitter) -> None:
    period = facts.plan_period
    default_year = period[0].year if period else None
    in_preamble = True
    for b in facts.plan.blocks:
        if b.kind == BlockKind.HEADING and b is not facts.plan.blocks[0]:
            in_preamble = False
        if b.kind == BlockKind.HEADING or facts.section.get(b.id) in _NOT_MILESTONE or b.is_header:
            continue
        if in_preamble and facts.section.get(b.id) == "":
            continue  # "Prepared: 2026-06-20", "日期：…": the document's own dates
        if b is facts.period_block or (b is facts.plan.blocks[0] and b.text == facts.plan.title):
            continue
        text = facts.folded[b.id]
        mentions = find_dates(text, default_year=default_year)
        if not mentions:
            continue
        past = bool(_PAST_NARRATIVE.search(text))
        # An end before its start: "2026-08-01 – 2026-07-15" or Start/End cells of one row.
        reversed_pair = None
        for a, c in itertools.pairwise(mentions):
            between = text[a.col + a.length : c.col]
            if _RANGE_SEP.match(between) and c.end < a.start:
                reversed_pair = (a, c)
                break
        if reversed_pair is None and b.kind == BlockKind.TABLE_ROW and b.header and b.cells:
            start_cell = end_cell = None
            for h, cell in zip(b.header, b.cells, strict=False):
                if re.search(r"start|begin|开始|起始", h, re.I):
                    start_cell = find_dates(cell, default_year=default_year)
                elif re.search(r"end|finish|due|结束|完成|截止", h, re.I):
                    end_cell = find_dates(cell, default_year=default_year)
            if start_cell and end_cell and end_cell[0].end < start_cell[0].start:
                reversed_pair = (start_cell[0], end_cell[0])
        if reversed_pair is not None:
            a, c = reversed_pair
            emit.block(
                "consistency.date-order",
                b,
                key="consistency.date-order.reversed",
                start=a.text,
                end=c.text,
            )
            continue
        if period is None or facts.period_is_fiscal or facts.period_from_fields or past:
            continue  # no period to be outside of, or a fact told in the past tense
        start, end = period
        for m in mentions:
            before = text[max(0, m.col - 12) : m.col]
            if (
                _BASELINE_REF.search(before)
                or _BASELINE_VALUE_BEFORE.search(text[max(0, m.col - 40) : m.col])
                or _BASELINE_AFTER.match(text[m.col + m.length : m.col + m.length + 12])
            ):
                continue  # "up from 2025", "较2025年": a baseline, not a milestone
            if _EXAMPLE_BEFORE.search(text[max(0, m.col - 40) : m.col]):
                continue  # "例：第一赛季于 2020 年 4 月 30 日结束": an example, not a date of the plan
            if m.text.strip().rstrip("年度").isdigit() and (
                m.end < start or not _DEADLINE_BEFORE.search(before)
            ):
                continue  # a bare year ("the 2025 Board", "in 2025") is a reference, not a deadline
            if not m.has_year and m.end < start and end.year > start.year:
                shifted = [d for d in find_dates(text, default_year=end.year) if d.col == m.col]
                if shifted and start <= shifted[0].start <= end:
                    continue  # "by 31 March" in a plan running into next year
            if m.end < start or m.start > end:
                what = "This date" if emit.lang == "en" else "该日期"
                emit.block(
                    "consistency.date-order",
                    b,
                    what=what,
                    date=m.text,
                    start=start.isoformat(),
                    end=end.isoformat(),
                )
                break


def check(facts: PlanFacts, emit: Emitter) -> None:
    _budget_sum(facts, emit)
    _percent_sum(facts, emit)
    _date_order(facts, emit)
