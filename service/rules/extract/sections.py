"""Headings -> plan parts (background, goals, tasks, risks, ...), in both languages."""

from __future__ import annotations

import re
from functools import lru_cache

from service.models import Block, BlockKind, Plan
from service.rules.extract import cues
from service.rules.extract.normalize import fold


@lru_cache(maxsize=1)
def _compiled() -> dict[str, re.Pattern[str]]:
    out: dict[str, re.Pattern[str]] = {}
    for kind, by_lang in cues.SECTION_CUES.items():
        parts = list(by_lang["en"]) + [re.escape(w) for w in by_lang["zh"]]
        out[kind] = re.compile("|".join(parts), re.I)
    return out


def classify_heading(text: str) -> str | None:
    """The plan part a heading introduces, or None when it names none."""
    folded = fold(text)
    # Strip outline numbering so "2.1 Goals" and "一、目标" classify by their words.
    folded = (
        re.sub(
            r"^[\s#\d.、()（）一二三四五六七八九十壹贰叁肆伍陆柒捌玖拾第章节部分:：-]+", "", folded
        )
        or folded
    )
    for pattern, kind in cues.SECTION_OVERRIDES:
        if re.search(pattern, folded):
            return kind
    patterns = _compiled()
    for kind in cues.SECTION_ORDER:
        if patterns[kind].search(folded):
            return kind
    return None


def section_of_blocks(plan: Plan) -> dict[str, str]:
    """Each block id -> the plan part it sits in ('' when none: preamble or unclassified).

    A heading with no recognised kind inherits its parent's kind, so sub-headings
    under "Goals" (say "Goal 1: ...") stay in goals.
    """
    by_id = {b.id: b for b in plan.blocks}
    heading_kind: dict[str, str] = {}
    headings = [b for b in plan.blocks if b.kind == BlockKind.HEADING]
    title = plan.blocks[0] if plan.blocks and plan.blocks[0].kind == BlockKind.HEADING else None
    if title is not None and title.level > 1 and any(h.level == title.level for h in headings[1:]):
        title = None  # "## Q2 goals" followed by "## Work": the first section, not a title
    title_kind = classify_heading(title.text) if title is not None else None
    # A document titled "Strategic Goals" (or "Q3 OKRs") whose sections name no part of a plan
    # is a list of goals: its unclassified sections are goals (or OKRs).
    fallback = ""
    if title_kind in ("goals", "okr") and not any(
        classify_heading(h.text) in ("goals", "okr") for h in headings if h is not title
    ):
        fallback = title_kind
    for b in plan.blocks:
        if b.kind != BlockKind.HEADING:
            continue
        if b is title:
            # "Q3 OKRs: Growth" or "Risk Management Plan" names the document, not a section.
            heading_kind[b.id] = ""
            continue
        own = classify_heading(b.text)
        if own is None and fallback and b.heading_id in (None, title.id if title else None):
            own = fallback
        parent_kind = heading_kind.get(b.heading_id or "", "")
        if own is None:
            heading_kind[b.id] = parent_kind
        elif parent_kind == "okr" and own in ("goals", "tasks", "organisation", "monitoring"):
            heading_kind[b.id] = "okr"  # objectives under an OKR section
        elif parent_kind in ("goals", "okr") and own in ("organisation", "resources", "monitoring"):
            heading_kind[b.id] = parent_kind
        else:
            heading_kind[b.id] = own
    result: dict[str, str] = {}
    for b in plan.blocks:
        if b.kind == BlockKind.HEADING:
            result[b.id] = heading_kind[b.id]
        else:
            result[b.id] = heading_kind.get(b.heading_id or "", "")
    del by_id
    return result


def heading_chain(plan: Plan, block: Block) -> list[Block]:
    """Enclosing headings of a block, nearest first."""
    by_id = {b.id: b for b in plan.blocks}
    chain: list[Block] = []
    hid = block.heading_id if block.kind != BlockKind.HEADING else block.id
    while hid:
        h = by_id.get(hid)
        if h is None:
            break
        chain.append(h)
        hid = h.heading_id
    return chain
