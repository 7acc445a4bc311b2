"""Risk: is there a register, and does each risk have a response, a rating and an owner?"""

from __future__ import annotations

from service.rules import rewrites
from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.facts import PlanFacts
from service.rules.extract.signals import risk_fields


def check(facts: PlanFacts, emit: Emitter) -> None:
    lang = emit.lang
    if not facts.risks:
        risk_heading = emit.section_anchor("risks")
        mentions = cues.RISK_CUES.search(facts.body_text)
        headed_but_empty = risk_heading is not None
        if not mentions or headed_but_empty:
            emit.document(
                "risk.no-register", risk_heading, rewrite=rewrites.risk_register(facts, lang)
            )
        return
    for r in facts.risks:
        children = "\n".join(facts.folded[c.id] for c in r.children)
        fields = risk_fields(r.text, r.row, children)
        owner = fields["owner"]
        if r.row:
            owner = bool(owner)
        if not fields["mitigation"]:
            emit.block(
                "risk.no-mitigation",
                r.block,
                rewrite=rewrites.with_mitigation(
                    r,
                    lang,
                    mitigation=False,
                    assessment=bool(fields["assessment"]),
                    owner=owner is not False,
                ),
            )
        if not fields["assessment"]:
            emit.block("risk.no-assessment", r.block)
        if owner is False:
            emit.block("risk.no-owner", r.block)
