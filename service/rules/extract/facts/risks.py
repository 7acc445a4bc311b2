"""Risk entries: items and rows of risk sections and "Risk:" lines."""

from __future__ import annotations

import re

from service.models import Block, BlockKind
from service.rules.extract import cues
from service.rules.extract.facts.base import (
    _INTRO_LINE,
    _LIST_NUMBER,
    PlanFacts,
    _is_category,
    _labelled,
    _stmt,
)

_RISK_PROSE = re.compile(
    r"\b(?:could|may|might|risk|if|delay\w*|shortage|fail\w*|late|tight|unavailable|depend\w*)\b"
    r"|可能|风险|如果|若|一旦|延误|延期|不足|短缺|失败|依赖",
    re.I,
)


def _risks(facts: PlanFacts, by_parent: dict[str, list[Block]]) -> None:
    plan = facts.plan
    for b in plan.blocks:
        sec = facts.section[b.id]
        text = facts.folded[b.id]
        explicit = _labelled(cues.RISK_LINE, text)
        if b.kind == BlockKind.HEADING:
            continue
        if explicit:
            facts.risks.append(_stmt(facts, b, by_parent.get(b.id)))
            continue
        if sec != "risks":
            continue
        if cues.TBD.fullmatch(text.strip(" .。")) is not None:
            continue
        if b.kind == BlockKind.TABLE_ROW and not b.is_header:
            facts.risks.append(_stmt(facts, b))
        elif b.kind == BlockKind.LIST_ITEM and b.parent_id is None:
            kids = by_parent.get(b.id, [])
            if _is_category(b, kids):
                for k in kids:
                    facts.risks.append(_stmt(facts, k, by_parent.get(k.id)))
            else:
                facts.risks.append(_stmt(facts, b, kids))
        elif (
            b.kind == BlockKind.PARAGRAPH
            and not _INTRO_LINE.search(text)
            and (_LIST_NUMBER.match(b.text) or _RISK_PROSE.search(text))
        ):
            facts.risks.append(_stmt(facts, b))
