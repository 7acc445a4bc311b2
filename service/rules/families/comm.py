"""Communication: stakeholders, reporting line, cadence."""

from __future__ import annotations

from service.rules import rewrites
from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.facts import PlanFacts
from service.rules.vocabulary import active


def check(facts: PlanFacts, emit: Emitter) -> None:
    extra = active().stakeholders
    # Who the plan reports to or hears from counts wherever it is said, the introduction and the
    # closing invitation included ("遇到问题可以通过 issue、微信群反馈社区").
    text = facts.all_text
    named = cues.STAKEHOLDER_CUES.search(text) or (extra is not None and extra.search(text))
    if not named:
        emit.document(
            "comm.no-stakeholders",
            emit.section_anchor("communication"),
            rewrite=rewrites.stakeholder_section(emit.lang),
        )
