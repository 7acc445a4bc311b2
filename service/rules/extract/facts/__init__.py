"""PlanFacts: what the recognisers found in a plan, for the rule families to judge.

``build_facts`` runs the recognisers in order, one module each: the plan's period (``period``),
OKRs (``okr``), goals (``goals``), RACI tables and the plan's owner (``raci``), tasks (``tasks``),
risks (``risks``), budgets and shares (``budgets``); ``base`` holds the records they fill in and
the helpers they share."""

from __future__ import annotations

from service.models import Block, Plan
from service.rules.extract.facts.base import PlanFacts, Statement, core_text
from service.rules.extract.facts.budgets import HEADING_CURRENCY, _budgets, _percents
from service.rules.extract.facts.goals import _announced_goals, _goals, _kpi_records
from service.rules.extract.facts.okr import _objectives
from service.rules.extract.facts.period import _plan_period, _section_periods, inherits_period
from service.rules.extract.facts.raci import _plan_owner, _raci
from service.rules.extract.facts.risks import _risks
from service.rules.extract.facts.tasks import _tasks
from service.rules.extract.normalize import fold, prose
from service.rules.extract.sections import section_of_blocks

__all__ = [
    "HEADING_CURRENCY",
    "PlanFacts",
    "Statement",
    "build_facts",
    "core_text",
    "inherits_period",
]


def build_facts(plan: Plan) -> PlanFacts:
    section = section_of_blocks(plan)
    folded = {b.id: fold(b.text) for b in plan.blocks}
    facts = PlanFacts(plan=plan, lang=plan.language, section=section, folded=folded)
    facts.position = {b.id: i for i, b in enumerate(plan.blocks)}
    facts.lines = plan.lines
    by_parent: dict[str, list[Block]] = {}
    for b in plan.blocks:
        if b.parent_id:
            by_parent.setdefault(b.parent_id, []).append(b)

    facts.all_text = fold(plan.text)
    facts.prose_text = prose(plan.text)
    _plan_period(facts)
    _section_periods(facts)
    _objectives(facts, by_parent)
    okr_ids = {o.block.id for o in facts.objectives} | {k.block.id for k in facts.krs}
    _goals(facts, by_parent, okr_ids)
    _announced_goals(facts, by_parent, okr_ids)
    _kpi_records(facts)
    _raci(facts)
    facts.plan_owner = _plan_owner(facts)
    _tasks(facts, by_parent, okr_ids | {r.block.id for r in facts.raci_rows})
    _risks(facts, by_parent)
    _budgets(facts)
    _percents(facts)
    body = [folded[b.id] for b in plan.blocks if section[b.id] not in ("background", "problem")]
    facts.body_text = "\n".join(body)
    return facts
