"""Risk entries: items and rows of risk sections and "Risk:" lines."""

from __future__ import annotations

import re

from service.models import Block, BlockKind
from service.rules.extract import cues, shapes
from service.rules.extract.facts.base import (
    _INTRO_LINE,
    _LIST_NUMBER,
    PlanFacts,
    _heading_statement,
    _is_category,
    _labelled,
    _lead_in,
    _stmt,
)
from service.rules.extract.facts.tasks import _prose_only
from service.rules.extract.sections import classify_heading

_RISK_PROSE = re.compile(
    r"\b(?:could|may|might|risk|if|delay\w*|shortage|fail\w*|late|tight|unavailable|depend\w*)\b"
    r"|可能|风险|如果|若|一旦|延误|延期|不足|短缺|失败|依赖",
    re.I,
)


# What introduces the responses to the risks listed before it: a heading ("## Mitigation Plan",
# "### 风险应对措施") or a label line ("Resolution 解决:", "**对策：**"). Not a heading that lists
# risks beside their responses ("Risks and mitigations", "风险与应对").
_RESPONSE_EN = (
    r"(?:risk\s+)?(?:resolutions?|mitigations?|responses?|countermeasures?|contingenc(?:y|ies)"
    r"|solutions?)(?:\s+(?:plans?|strateg(?:y|ies)|measures|actions|steps))?"
)
_RESPONSE_ZH = r"(?:风险)?(?:(?:解决|应对|防范|缓解|规避)(?:措施|方案|策略|办法|计划)|解决|对策)"
_RESPONSE_LABEL = re.compile(
    rf"^\W*(?:{_RESPONSE_EN}\s*(?:{_RESPONSE_ZH})?|{_RESPONSE_ZH}\s*(?:{_RESPONSE_EN})?)\W*$",
    re.I,
)


def _response_label(facts: PlanFacts, b: Block) -> bool:
    if b.kind == BlockKind.HEADING:
        return bool(_RESPONSE_LABEL.match(_heading_statement(b.text)))
    if b.kind != BlockKind.PARAGRAPH:
        return False
    text = facts.folded[b.id].strip()
    return len(text) <= 40 and bool(_RESPONSE_LABEL.match(text))


def _announced_risk(facts: PlanFacts, b: Block) -> bool:
    """A top-level item of a list introduced by a label that names risks ("Potential risks of
    not getting it right:", "可能遇到的风险："): a list introduced by a label is that part."""
    if b.kind != BlockKind.LIST_ITEM or b.parent_id is not None:
        return False
    lead = _lead_in(facts, b)
    if lead is None:
        return False
    label = facts.folded[lead.id].strip()
    if len(label) > 120 or not label.endswith((":", "：")):
        return False
    return classify_heading(label.rstrip(":： ")) == "risks" and not _RESPONSE_LABEL.match(label)


def _response_paragraph(facts: PlanFacts, b: Block) -> bool:
    """ "Mitigation strategies: create issues…": a labelled response to the risks before it."""
    if b.kind != BlockKind.PARAGRAPH:
        return False
    label = re.split(r"[:：]", facts.folded[b.id], maxsplit=1)
    return (
        len(label) == 2 and bool(label[1].strip()) and bool(_RESPONSE_LABEL.match(label[0] + ":"))
    )


def _response_item(facts: PlanFacts, b: Block) -> bool:
    """A list item labelled as a response ("**對策**：統一在 middleware 處理", "Mitigation: …")."""
    label = shapes.field_label(facts.folded[b.id])
    return label is not None and bool(_RESPONSE_LABEL.match(label + ":"))


def _answered_prose(facts: PlanFacts, b: Block) -> bool:
    """A paragraph of a risks section written only as prose, before the paragraph that answers
    it ("## Challenges and Risks", two lines of risks, "Mitigation strategies: …"): a risk."""
    hid = b.heading_id
    if hid is None or not _prose_only(facts.plan, hid):
        return False
    later = [x for x in facts.plan.under(hid) if x.start_line > b.start_line]
    return any(_response_paragraph(facts, x) for x in later)


# A rule of conduct ("不做夸大收益承诺", "商业合作内容必须明确标识", "Never promise returns"): a
# control the plan keeps, not an event that may happen to it.
_CONDUCT_RULE = re.compile(
    r"^\W*(?:do not|don't|never|always|avoid|must|only)\b"
    # at the start of a clause ("站内优先，不在正文硬导流外站"), or after a short subject
    # ("商业合作内容必须明确标识"); not a noun inside a clause ("…之 PHI 边界与禁止训练用途须另经核定").
    r"|(?:^|[，,；;])\W*(?:不做|不在|不要|不得|不可|禁止|严禁|杜绝|一律|坚持|遵守|遵循|避免|保持|务必|必须)"
    r"|^[^，,；;]{1,10}?(?:必须|务必|不得|一律)",
    re.I,
)


def _conduct_rule(text: str) -> bool:
    """An item that states a rule the plan keeps, with no event in it that may happen."""
    return bool(_CONDUCT_RULE.search(text)) and not _RISK_PROSE.search(text)


def _risks(facts: PlanFacts, by_parent: dict[str, list[Block]]) -> None:
    plan = facts.plan
    answering: Block | None = None  # the response heading or label paragraph now in force
    after_risks = False  # the heading before this one was a risk section's
    for b in plan.blocks:
        sec = facts.section[b.id]
        text = facts.folded[b.id]
        explicit = _labelled(cues.RISK_LINE, text)
        if b.kind == BlockKind.HEADING:
            if answering is not None and (
                answering.kind != BlockKind.HEADING or b.level <= answering.level
            ):
                answering = None
            # Only next to risks: "## Solution" in a proposal describes the product.
            if _response_label(facts, b) and (sec == "risks" or after_risks):
                answering = b
                facts.risks_answered.update(r.block.id for r in facts.risks)
            after_risks = sec == "risks"
            continue
        if (
            answering is not None
            and answering.kind == BlockKind.PARAGRAPH
            and b.heading_id != answering.heading_id
        ):
            answering = None
        if explicit:
            facts.risks.append(_stmt(facts, b, by_parent.get(b.id)))
            continue
        if _response_label(facts, b) and (sec == "risks" or facts.risks):
            # "Resolution 解决:" after "(1) …" risks: the items below answer the ones above.
            answering = b
            facts.risks_answered.update(
                r.block.id for r in facts.risks if r.block.heading_id == b.heading_id
            )
            continue
        if answering is not None:
            continue  # a response, not a risk of its own
        if sec != "risks":
            if _announced_risk(facts, b):
                facts.risks.append(_stmt(facts, b, by_parent.get(b.id)))
            continue
        if cues.TBD.fullmatch(text.strip(" .。")) is not None:
            continue
        if b.kind == BlockKind.TABLE_ROW and not b.is_header:
            facts.risks.append(_stmt(facts, b))
        elif (
            b.kind == BlockKind.LIST_ITEM
            and b.parent_id is None
            and _response_item(facts, b)
            and facts.risks
            and facts.risks[-1].block.heading_id == b.heading_id
        ):
            # "- **中等風險**：…" then "- **對策**：…": the second item answers the first. Alone
            # under "### Risk: Low interest", a "Mitigation:" item stands for its heading's risk.
            facts.risks_answered.add(facts.risks[-1].block.id)
        elif b.kind == BlockKind.LIST_ITEM and b.parent_id is None and _conduct_rule(text):
            # "- 不做夸大收益承诺" under "风险与合规边界": a control, not a risk entry.
            facts.risk_controls.add(b.id)
        elif b.kind == BlockKind.LIST_ITEM and b.parent_id is None:
            kids = by_parent.get(b.id, [])
            if _is_category(b, kids) and not any(_response_item(facts, k) for k in kids):
                # "1. **Data Quality**" over "Mitigation: …" and more responses is one risk with
                # its responses, not a category of risks.
                for k in kids:
                    facts.risks.append(_stmt(facts, k, by_parent.get(k.id)))
            else:
                facts.risks.append(_stmt(facts, b, kids))
        elif b.kind == BlockKind.PARAGRAPH and not _INTRO_LINE.search(text):
            if _response_paragraph(facts, b):
                # "Mitigation strategies: create issues…" after the risk paragraphs answers them.
                facts.risks_answered.update(
                    r.block.id for r in facts.risks if r.block.heading_id == b.heading_id
                )
            elif (
                _LIST_NUMBER.match(b.text) or _RISK_PROSE.search(text) or _answered_prose(facts, b)
            ):
                facts.risks.append(_stmt(facts, b))
