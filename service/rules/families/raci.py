"""Ownership: tasks without owners, RACI rows, overloaded owners."""

from __future__ import annotations

import re
from collections import Counter

from service.rules import rewrites
from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.facts import PlanFacts, Statement
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
    for b in facts.plan.blocks:
        before = b.heading_id == hid and b.kind.value == "paragraph" and b.start_line < stmt.block.start_line
        if before and (cues.OWNER_LABEL.match(facts.folded[b.id])
                       or re.match(r"^(?:owner|lead|负责人|责任人|牵头)", facts.folded[b.id])):
            return owner_in_text(b.text, facts.folded[b.id])
    return None


def task_owner(facts: PlanFacts, stmt: Statement) -> tuple[bool, str | None]:
    """(an owner is named, who). Table rows with an owner column are judged by that cell."""
    has_col, cell = owner_of_row(stmt.block)
    if has_col:
        return cell is not None, cell
    who = owner_in_text(stmt.raw, stmt.text)
    if who is None:
        for child in stmt.children:
            who = owner_in_text(child.text, facts.folded[child.id])
            if who:
                break
    if who is None and stmt.block.parent_id:
        parent = facts.plan.block(stmt.block.parent_id)
        if parent is not None:
            who = owner_in_text(parent.text, facts.folded[parent.id])
    if who is None:
        who = _heading_owner(facts, stmt)
    return who is not None, who


def _person(who: str) -> str | None:
    """A single person's name from an owner string (teams don't count for overload)."""
    who = re.sub(r"^(?:owner|lead|负责人|责任人|牵头人?|dri|responsible)\s*[:：]?\s*", "", who.strip(), flags=re.I)
    who = who.strip(" ()（）:：-–—@")
    looks_like_team = not who or (cues.ROLE_WORDS.search(who) and not cues.PERSON_NAME["zh"].fullmatch(who))
    if looks_like_team and not re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z]+)?", who):
        return None
    if len(who) > 30 or re.search(r"[,，、/&]| and |和|及", who):
        return None
    return who


def check(facts: PlanFacts, emit: Emitter) -> None:
    lang = emit.lang
    owners: Counter[str] = Counter()
    for task in facts.tasks:
        named, who = task_owner(facts, task)
        if not named:
            emit.block("raci.no-owner", task.block, rewrite=rewrites.with_owner(task, lang))
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
            if "R" in cell.upper():
                owners[role] += 1
    total = max(len(facts.tasks), len(facts.raci_rows))
    if owners and total:
        who, n = owners.most_common(1)[0]
        if n >= 4 and n > total / 2:
            emit.document("raci.overloaded", emit.section_anchor("tasks", "organisation"),
                          who=who, n=n, total=total, rewrite=rewrites.raci_table(facts, lang))
