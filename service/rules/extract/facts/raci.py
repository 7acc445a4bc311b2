"""Ownership facts: RACI tables, and the one owner named for the whole plan."""

from __future__ import annotations

import re

from service.models import Block, BlockKind
from service.rules.extract import cues
from service.rules.extract.facts.base import (
    _HEADING_MARKUP,
    PlanFacts,
    RaciRow,
    _task_table,
    core_text,
    data_rows_by_table,
)
from service.rules.extract.normalize import fold
from service.rules.extract.signals import owner_in_text, owner_of_row
from service.rules.vocabulary import active

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


def _front_block(facts: PlanFacts) -> set[str]:
    """The lines between the title and the first section heading ("> 制定时间：…", "> 负责人：…")."""
    blocks = facts.plan.blocks
    if not blocks or blocks[0].kind != BlockKind.HEADING:
        return set()
    front: set[str] = set()
    for b in blocks[1:]:
        if b.kind == BlockKind.HEADING:
            break
        if b.kind == BlockKind.PARAGRAPH:
            front.add(b.id)
    return front


def _front_owner(facts: PlanFacts) -> set[str]:
    """An owner line among the document's fields under its title ("> 负责人：老三"), in a plan
    where no other line names an owner: the one person who does the work. Where tasks name
    owners of their own, the front owner is the sponsor, and a task without one still has none."""
    front = _front_block(facts)
    found = {
        m.group("who").strip()
        for b in facts.plan.blocks
        if b.id in front and (m := _PLAN_OWNER_LINE.match(facts.folded[b.id].replace("*", "")))
    }
    if not found:
        return found
    for b in facts.plan.blocks:
        if b.id in front or b.kind == BlockKind.HEADING:
            continue
        if owner_of_row(b)[0] or owner_in_text(b.text, facts.folded[b.id]):
            return set()
    return found


# A role card that runs the whole of the work ("| 队长/统筹 | …把控每日任务、访谈质量、安全与进度 |",
# "| Coordinator | oversees all tasks and the schedule |"): it owns what no other card or line names,
# as an organising committee does (docs/rules-interpretation.md, wave 24 zhs).
_COORDINATOR_ROLE = re.compile(
    r"统筹|总负责|总协调|总指挥|总召|队长|项目负责人|\b(?:coordinator|project (?:lead|manager)|team lead)\b",
    re.I,
)
_WHOLE_WORK = re.compile(
    r"(?:把控|统筹|全面负责|总体负责|协调|督促|跟进)[^。；;]{0,12}(?:任务|进度|全局|整体|全部|各组|各项)"
    r"|\b(?:oversees?|coordinates?|tracks?|owns?)\b[^.;]{0,20}\b(?:all|every|overall|the whole)\b[^.;]{0,20}"
    r"\b(?:tasks?|work|schedule|progress)\b",
    re.I,
)


def _coordinator_card(facts: PlanFacts) -> set[str]:
    found = set()
    for b in facts.plan.blocks:
        cells = b.cells or []
        if b.kind != BlockKind.TABLE_ROW or b.is_header or len(cells) < 2:
            continue
        if facts.section.get(b.id) != "organisation":
            continue
        role, duty = fold(cells[0]).strip(" *_"), fold(" ".join(cells[1:]))
        if _COORDINATOR_ROLE.search(role) and _WHOLE_WORK.search(duty) and len(role) <= 20:
            found.add(role)
    return found if len(found) == 1 else set()


def _plan_owner(facts: PlanFacts) -> str | None:
    found = {
        m.group("who").strip()
        for b in facts.plan.blocks
        if facts.section.get(b.id) in ("organisation", "resources")
        and (m := _PLAN_OWNER_LINE.match(facts.folded[b.id].replace("*", "")))
    }
    if not found:
        found = _front_owner(facts)
    if not found:
        found = _coordinator_card(facts)
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


# -- owners named by headings further up ---------------------------------------------------------
# A chapter on the division of labour ("人员任务分配", "Roles and Responsibilities"), whose sub-headings
# are role cards.
_DIVISION_CHAPTER = re.compile(
    r"分工|分配|职责|人员|角色|岗位|\broles?\b|\bresponsibilit|\bstaffing\b|\bwho does what\b", re.I
)
_KEY_SPACES = re.compile(r"[\s*_`#]+")
# Duty words that name the holder by themselves, wherever the heading stands.
_OWN_DUTIES = re.compile(
    r"(?:职责|配合事项|待办事项|'s (?:duties|responsibilities)|\b(?:duties|responsibilities))$",
    re.I,
)


def _plain_heading(text: str) -> str:
    """A heading's words without markup, emoji and outline numbering, folded."""
    return fold(_HEADING_MARKUP.sub(" ", text)).strip(" *_`.:：-–—")


def _role(who: str) -> bool:
    who = who.strip(" *_`:：-–—")
    if not who or len(who) > 30 or re.search(r"\d", who):
        return False
    return bool(
        active().role_name.match(who)
        or cues.PERSON_NAME["en"].fullmatch(who)
        or cues.PERSON_NAME["zh"].fullmatch(who)
        or (cues.ROLE_WORDS.search(who) and len(who.split()) <= 4 and len(who) <= 12)
        or cues.ZH_ROLE_END.search(who)
    )


def _card_holder(facts: PlanFacts, heading: Block) -> str | None:
    text = core_text(_plain_heading(heading.text))
    m = active().duty_heading.match(text)
    if m is None:
        return None
    who = (m.group("label") or m.group("who") or "").strip()
    return who if _role(who) else None


def duty_holder(facts: PlanFacts, heading: Block) -> str | None:
    """The role a role card heading names as the holder of the work under it ("主持人工作",
    "Treasurer duties"), when the heading reads as a card: it sits in a chapter on the division
    of labour, or beside another card (docs/rules-interpretation.md, "Role cards own their work")."""
    if heading.kind != BlockKind.HEADING:
        return None
    if heading.id not in facts.duty_holders:
        facts.duty_holders[heading.id] = _duty_holder(facts, heading)
    return facts.duty_holders[heading.id]


def _duty_holder(facts: PlanFacts, heading: Block) -> str | None:
    who = _card_holder(facts, heading)
    if who is None:
        return None
    if _OWN_DUTIES.search(_plain_heading(heading.text)):
        return who  # "用户配合事项", "Treasurer duties": the words say whose the work is
    parent = facts.plan.block(heading.heading_id) if heading.heading_id else None
    if parent is not None and (
        facts.section.get(parent.id) == "organisation"
        or _DIVISION_CHAPTER.search(_plain_heading(parent.text))
    ):
        return who
    siblings = [
        b
        for b in facts.plan.blocks
        if b.kind == BlockKind.HEADING
        and b.id != heading.id
        and b.heading_id == heading.heading_id
        and b.level == heading.level
    ]
    return who if any(_card_holder(facts, b) for b in siblings) else None


def keyed_owner(facts: PlanFacts, heading: Block) -> str | None:
    """The owner a table gives the row this heading is named after: an overview table
    "| Day 1 | … | 技术团队 |" owns the work under "## Day 1: 网站优化上线"."""
    if facts.keyed_owners is None:
        facts.keyed_owners = _keyed_owners(facts)
    if not facts.keyed_owners or heading.kind != BlockKind.HEADING:
        return None
    text = _KEY_SPACES.sub("", _plain_heading(heading.text).lower())
    for key, who in facts.keyed_owners.items():
        if text == key or (
            text.startswith(key) and not re.match(r"[\w\u4e00-\u9fff]", text[len(key)])
        ):
            return who
    return None


# An item identifier: letters, a hyphen, digits ("PR-001", "RFC-12", "TASK-7"); never a date.
_ITEM_REF = re.compile(r"(?<![\w-])[A-Za-z]{1,6}-\d{1,4}(?![\w-])")


def referenced_owner(facts: PlanFacts, text: str) -> str | None:
    """The owner an owner table gives the item this task refers to by its identifier: "更新
    `PR-001_task-flow.md`" after "| 流程文件更新（PR-001, PR-003）| Keroro |" is Keroro's."""
    if facts.referenced_owners is None:
        facts.referenced_owners = {}
        for rows in data_rows_by_table(facts.plan):
            _, owner_col = _task_table(rows[0])
            if owner_col is None or owner_col == 0:
                continue
            for row in rows:
                has_col, who = owner_of_row(row)
                if has_col and who and row.cells:
                    for ref in _ITEM_REF.findall(row.cells[0]):
                        facts.referenced_owners.setdefault(ref.upper(), who)
    if not facts.referenced_owners:
        return None
    for ref in _ITEM_REF.findall(text.replace("_", " ")):
        who = facts.referenced_owners.get(ref.upper())
        if who:
            return who
    return None


def _keyed_owners(facts: PlanFacts) -> dict[str, str]:
    out: dict[str, str] = {}
    for rows in data_rows_by_table(facts.plan):
        _, owner_col = _task_table(rows[0])
        if owner_col is None or owner_col == 0:
            continue
        for row in rows:
            has_col, who = owner_of_row(row)
            key = _KEY_SPACES.sub("", fold(row.cells[0]).lower()) if row.cells else ""
            if has_col and who and 2 <= len(key) <= 16:
                out.setdefault(key, who)
    return out
