"""Communication: stakeholders, reporting line, cadence."""

from __future__ import annotations

from service.rules import rewrites
from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.facts import PlanFacts


def check(facts: PlanFacts, emit: Emitter) -> None:
    if not cues.STAKEHOLDER_CUES.search(facts.body_text):
        emit.document(
            "comm.no-stakeholders",
            emit.section_anchor("communication"),
            rewrite=rewrites.stakeholder_section(emit.lang),
        )
