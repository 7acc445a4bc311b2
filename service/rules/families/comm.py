"""Communication: stakeholders, reporting line, cadence."""

from __future__ import annotations

from service.rules import rewrites
from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.facts import PlanFacts
from service.rules.vocabulary import active


def check(facts: PlanFacts, emit: Emitter) -> None:
    extra = active().stakeholders
    named = cues.STAKEHOLDER_CUES.search(facts.body_text) or (
        extra is not None and extra.search(facts.body_text)
    )
    if not named:
        emit.document(
            "comm.no-stakeholders",
            emit.section_anchor("communication"),
            rewrite=rewrites.stakeholder_section(emit.lang),
        )
