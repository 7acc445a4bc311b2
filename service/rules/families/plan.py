"""Plan completeness: unfinished template text left in the plan (``plan.placeholder``)."""

from __future__ import annotations

from service.models import BlockKind
from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.facts import PlanFacts


def placeholder_in(text: str) -> str | None:
    """The placeholder a block's text holds ("TBD", "X%", "待定", "XX市"), or None."""
    m = cues.TEMPLATE_SLOT.search(text)
    if m is None:
        return None
    return m.group(0).strip(" :：")


def check(facts: PlanFacts, emit: Emitter) -> None:
    for b in facts.plan.blocks:
        if b.kind == BlockKind.HEADING and cues.TODO_HEADING.fullmatch(facts.folded[b.id].strip()):
            continue  # "## To do" names a task list; it is not a slot
        if "<!--" in b.text:
            continue  # an HTML comment (suppressions, editor notes) is not plan text
        found = placeholder_in(b.text)
        if found is not None:
            emit.block("plan.placeholder", b, placeholder=found, confidence=0.85)
