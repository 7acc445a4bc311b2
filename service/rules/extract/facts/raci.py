"""Ownership facts: RACI tables, and the one owner named for the whole plan."""

from __future__ import annotations

import re

from service.models import BlockKind
from service.rules.extract.facts.base import PlanFacts, RaciRow, data_rows_by_table

# "- **Primary**: Project maintainer (Mike)", "Project lead: Ana Lee", "项目负责人：张伟" in the plan's
# staffing part: one person or role answers for the whole plan, and so for each task that names
# nobody else (docs/rules-interpretation.md, "An owner for the whole plan").
_PLAN_OWNER_LINE = re.compile(
    r"^\W*(?:primary|project (?:lead|owner|manager)|program(?:me)? (?:lead|manager)|plan owner|owner|"
    r"lead|dri|maintainer|项目负责人|总负责人|负责人|项目经理)\W*\s*[:：]\s*(?P<who>[^,，;；]{2,60})$",
    re.I,
)


# The same said in a sentence, anywhere: "The editorial lead will take responsibility for the
# overall project and its success", "项目组长全面负责整个项目", "由理事长总负责".
_PLAN_OWNER_SENTENCE = re.compile(
    r"(?:^|[.!?;。！？；]\s*)(?:the\s+)?(?P<who>[a-z][\w -]{1,40}?)\s+(?:will\s+(?:take|have|bear|hold)|"
    r"takes|has|bears|holds)\s+(?:the\s+)?(?:overall\s+|full\s+|final\s+|ultimate\s+)?"
    r"responsibility\s+for\s+(?:the\s+)?(?:overall\s+|whole\s+|entire\s+)?"
    r"(?:project|plan|programme|program|initiative)\b"
    r"|(?:^|[.!?;。！？；]\s*)(?:the\s+)?(?P<who2>[a-z][\w -]{1,40}?)\s+(?:is|will be)\s+"
    r"(?:overall\s+|ultimately\s+|fully\s+)?responsible\s+for\s+the\s+(?:overall|whole|entire)\s+"
    r"(?:project|plan|programme|program|initiative)\b"
    r"|(?:^|[.!?;]\s*)this (?:site|project|plan|roadmap|repository|repo) is (?:maintained|run|led|owned) by "
    r"\[?(?P<who4>[a-z][\w .-]{1,40}?)(?=[\],.;(]|\s+with\b|$)"
    r"|(?:^|[。！？；，,]\s*)(?:由)?(?P<who3>[\u4e00-\u9fff\w]{2,12}?)(?:全面|总体|统筹)?(?:总负责|全面负责|"
    r"负责(?:整个|本)(?:项目|计划|活动))",
    re.I,
)


_PLAN_OWNER_HINTS = ("responsib", "负责", "maintained by", "led by", "run by", "owned by")


def _plan_owner(facts: PlanFacts) -> str | None:
    found = {
        m.group("who").strip()
        for b in facts.plan.blocks
        if facts.section.get(b.id) in ("organisation", "resources")
        and (m := _PLAN_OWNER_LINE.match(facts.folded[b.id].replace("*", "")))
    }
    for b in facts.plan.blocks:
        text = facts.folded[b.id].replace("*", "")
        if b.kind not in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM) or not any(
            hint in text for hint in _PLAN_OWNER_HINTS
        ):
            continue  # a word the sentence must hold is missing: no need for the pattern
        for m in _PLAN_OWNER_SENTENCE.finditer(text):
            who = next(g for g in m.group("who", "who2", "who3", "who4") if g)
            if not re.match(r"(?:we|i|you|they|everyone|everybody|each|every|all)\b", who.strip()):
                found.add(who.strip())
    return next(iter(found)) if len(found) == 1 else None


_RACI_CELL = re.compile(r"^\s*(?:[RACI](?:\s*[/,+&]\s*[RACI])*|[RACI]{2,4}|-|—|)\s*$", re.I)


def _raci(facts: PlanFacts) -> None:
    for rows in data_rows_by_table(facts.plan):
        header = rows[0].header or []
        if len(header) < 3:
            continue
        role_cols = list(range(1, len(header)))
        letter_cells = 0
        total_cells = 0
        for r in rows:
            for i in role_cols:
                if i < len(r.cells or []):
                    total_cells += 1
                    cell = (r.cells or [])[i]
                    if cell.strip() and _RACI_CELL.match(cell):
                        letter_cells += 1
        if total_cells == 0 or letter_cells / total_cells < 0.4:
            continue
        for r in rows:
            roles = {header[i]: (r.cells or [])[i] for i in role_cols if i < len(r.cells or [])}
            facts.raci_rows.append(RaciRow(block=r, roles=roles))
