"""PDCA: is there a Check (monitoring), an Act (adjusting), and milestones in between?"""

from __future__ import annotations

from datetime import timedelta

from service.models import BlockKind
from service.rules import rewrites
from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.dates import find_dates
from service.rules.extract.facts import PlanFacts
from service.rules.families.resource import any_time


def spans_over_a_month(facts: PlanFacts) -> bool:
    if facts.plan_period:
        start, end = facts.plan_period
        return (end - start).days > 31
    mentions = find_dates(facts.body_text)
    if len(mentions) >= 2:
        return (max(m.end for m in mentions) - min(m.start for m in mentions)).days > 31
    return facts.plan_has_period  # "2027 plan", "H1": longer than a month


def has_milestones(facts: PlanFacts) -> bool:
    """Named milestones/phases, or at least one dated item strictly inside the plan period."""
    if cues.MILESTONE_CUES.search(facts.body_text):
        return True
    period = facts.plan_period
    default_year = period[0].year if period else None
    dates = []
    title = facts.plan.blocks[0] if facts.plan.blocks else None
    for b in facts.plan.blocks:
        if facts.section.get(b.id) in ("background", "problem") or b is title:
            continue  # section headings count: "## Q1 2026 deliverables" dates a phase
        if b is facts.period_block:
            continue
        found = find_dates(facts.folded[b.id], default_year=default_year)
        if b.kind == BlockKind.HEADING and len(found) != 1:
            continue  # "Goals for March–August 2026" restates the period; "Q1 2026 deliverables" is a phase
        dates.extend(found)
    if period is None:
        return len({(m.start, m.end) for m in dates}) >= 2
    start, end = period
    margin = timedelta(days=7)
    return any(start + margin < m.end and m.end < end - margin for m in dates)


def check(facts: PlanFacts, emit: Emitter) -> None:
    lang = emit.lang
    text = facts.body_text
    if not cues.CHECK_CUES.search(text):
        emit.document(
            "pdca.no-check",
            emit.section_anchor("monitoring"),
            rewrite=rewrites.monitoring_section(lang),
        )
    if not cues.ACT_CUES.search(text):
        emit.document(
            "pdca.no-act",
            emit.section_anchor("monitoring", "iteration"),
            rewrite=rewrites.act_section(lang),
        )
    if any_time(facts) and spans_over_a_month(facts) and not has_milestones(facts):
        emit.document(
            "pdca.no-milestones",
            emit.section_anchor("timeline", "tasks"),
            rewrite=rewrites.milestones_table(facts, lang),
        )
