"""Ownership: tasks without owners, RACI rows, overloaded owners."""

from __future__ import annotations

import re
from collections import Counter

from service.models import Block, BlockKind
from service.rules import rewrites
from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.facts import PlanFacts, Statement
from service.rules.extract.facts.raci import duty_holder, keyed_owner, referenced_owner
from service.rules.extract.normalize import fold
from service.rules.extract.signals import owner_in_text, owner_of_row


def _heading_owner(facts: PlanFacts, stmt: Statement) -> str | None:
    """Owner stated for a whole section ("### Workstream A (Owner: Alice)", "负责人：张伟")."""
    hid = stmt.block.heading_id
    if not hid:
        return None
    heading = facts.plan.block(hid)
    if heading is not None:
        who = owner_in_text(heading.text, facts.folded[heading.id])
        if who:
            return who
    for b in facts.plan.under(hid):
        if b.kind.value != "paragraph" or not (
            cues.OWNER_LABEL.match(facts.folded[b.id])
            or re.match(r"^(?:owner|lead|负责人|责任人|牵头)", facts.folded[b.id])
        ):
            continue
        # A section's owner line before its work, or right after the list it covers ("- 预订场地",
        # "- 采购物料", then "负责人：张伟").
        if b.start_line < stmt.block.start_line or _only_list_between(facts, stmt.block, b):
            return owner_in_text(b.text, facts.folded[b.id])
    # Further up: a role card ("#### 主持人工作" over "##### 现场任务") or a heading named after a
    # row of an owner table ("## Day 1: …" after "| Day 1 | … | 技术团队 |"). Not any name-like
    # words of a chapter heading ("## Programme Plan", "### 7.3 Action Items").
    seen: set[str] = set()
    while hid and hid not in seen:
        seen.add(hid)
        h = facts.plan.block(hid)
        if h is None:
            break
        who = duty_holder(facts, h) or keyed_owner(facts, h)
        if who:
            return who
        hid = h.heading_id
    return None


def _only_list_between(facts: PlanFacts, item: Block, line: Block) -> bool:
    """Only list items stand between a list item and a later paragraph: the line closes its list."""
    if item.kind != BlockKind.LIST_ITEM:
        return False
    first, last = facts.position[item.id] + 1, facts.position[line.id]
    return first <= last and all(
        b.kind == BlockKind.LIST_ITEM for b in facts.plan.blocks[first:last]
    )


_GROUP_LABEL = re.compile(
    r"^\s*(?:(?:to|for|owned by|由|交给)\s+([^:：]{2,40}?)\s*[:：]?|([^:：]{2,40}?)\s*[:：])\s*$",
    re.I,
)


_GLOSS = re.compile(
    r"(?<=[\u4e00-\u9fff])\s*[(（]\s*[A-Za-z][A-Za-z-]*(?:\s+[A-Za-z][A-Za-z-]*)+\s*[)）]"
)


def task_owner(facts: PlanFacts, stmt: Statement) -> tuple[bool, str | None]:
    """(an owner is named, who). Table rows with an owner column are judged by that cell."""
    has_col, cell = owner_of_row(stmt.block)
    if has_col:
        return cell is not None, cell
    raw, text = stmt.raw, stmt.text
    if stmt.block.kind == BlockKind.HEADING:
        # "2.1 設計認證系統 (Magic Link)": an English gloss of the Chinese words, not a person.
        raw, text = _GLOSS.sub("", raw), _GLOSS.sub("", text)
    who = owner_in_text(raw, text)
    if who is None:
        for child in stmt.children:
            who = owner_in_text(child.text, facts.folded[child.id])
            if who:
                break
    if who is None and stmt.block.parent_id:
        parent = facts.plan.block(stmt.block.parent_id)
        if parent is not None:
            who = owner_in_text(parent.text, facts.folded[parent.id])
            m = _GROUP_LABEL.match(parent.text)
            group = (m.group(1) or m.group(2) or "") if m else ""
            if who is None and group and cues.ROLE_WORDS.search(group):
                who = group.strip()  # "To SIG Apps:" over the deliverables it takes on
    if who is None:
        who = _heading_owner(facts, stmt)
    if who is None and stmt.block.kind != BlockKind.TABLE_ROW:
        who = referenced_owner(
            facts, stmt.raw
        )  # "更新 PR-001…": the item a row of an owner table owns
    if who is None:
        who = facts.plan_owner
    return who is not None, who


_TEAM_WORDS = re.compile(
    r"\b(?:team|teams|ops|operations|department|dept|office|unit|group|squad|crew|committee|board|"
    r"council|agency|vendor|vendors|contractor|partners?|projects|services|forestry|facilities|"
    r"engineering|marketing|sales|finance|support|legal|procurement|hr|it|staff|desk)\b"
    r"|部|组|中心|团队|小组|办公室|委员会|科|处|室|厂商|供应商|外包|公司|机构|门店|各",
    re.I,
)
_SINGLE_ROLE = re.compile(
    r"^(?:pm|pmo lead|ceo|cfo|coo|cto|cmo|cio|vp\b.*|(?:head|director|manager|lead) of .+|"
    r".*\b(?:manager|director|lead|head|owner|coordinator|officer|chair)|"
    r".*(?:经理|主任|院长|校长|总监|主管|店长|组长|队长|负责人|专员|老师|书记|局长|科长|处长))$",
    re.I,
)


def _person(who: str) -> str | None:
    """One person's name or one-person role from an owner string; None for teams and vendors."""
    who = re.sub(
        r"^(?:owner|lead|负责人|责任人|牵头人?|dri|responsible)\s*[:：]?\s*",
        "",
        who.strip(),
        flags=re.I,
    )
    who = who.strip(" ()（）:：-–—@")
    if not who or len(who) > 30 or re.search(r"[,，、/&+]| and |和|及", who):
        return None
    if cues.PERSON_NAME["zh"].fullmatch(fold(who)):
        return who
    if _SINGLE_ROLE.match(who) and not _TEAM_WORDS.search(
        re.sub(r"(?:经理|主任|总监|主管|负责人)$", "", who)
    ):
        return who
    if _TEAM_WORDS.search(who):
        return None
    if cues.PERSON_NAME["en"].fullmatch(who) or re.fullmatch(r"@?[A-Za-z][\w.-]{1,20}", who):
        return who
    return None


def check(facts: PlanFacts, emit: Emitter) -> None:
    lang = emit.lang
    owners: Counter[str] = Counter()
    for task in facts.tasks:
        named, who = task_owner(facts, task)
        if not named:
            emit.block(
                "raci.no-owner",
                task.block,
                rewrite=rewrites.with_owner(task, lang),
                reading=task.confidence,
            )
        elif who:
            person = _person(who)
            if person:
                owners[person] += 1
    for row in facts.raci_rows:
        activity = (row.block.cells or [""])[0]
        letters = [c.upper() for c in row.roles.values()]
        a_count = sum(len(re.findall(r"A", c)) for c in letters)
        r_count = sum(len(re.findall(r"R", c)) for c in letters)
        if a_count == 0:
            emit.block("raci.no-accountable", row.block, task=activity)
        elif a_count > 1:
            emit.block("raci.multiple-accountable", row.block, task=activity, n=a_count)
        if r_count == 0:
            emit.block("raci.no-responsible", row.block, task=activity)
        for role, cell in row.roles.items():
            person = _person(role)  # a department that does most of the work is no bottleneck
            if "R" in cell.upper() and person:
                owners[person] += 1
    total = max(len(facts.tasks), len(facts.raci_rows))
    if owners and total:
        who, n = owners.most_common(1)[0]
        if n >= 4 and n > total / 2:
            emit.document(
                "raci.overloaded",
                emit.section_anchor("tasks", "organisation"),
                who=who,
                n=n,
                total=total,
                rewrite=rewrites.raci_table(facts, lang),
            )
