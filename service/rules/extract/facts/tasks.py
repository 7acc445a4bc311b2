"""Tasks: items and rows of work sections, activity records, work packages and runbook steps; and
what is not work there (fields, schedules, pauses, forms, totals, scope)."""

from __future__ import annotations

import re

from service.models import Block, BlockKind, Plan
from service.rules.extract import cues, shapes
from service.rules.extract.dates import find_dates, has_any_time
from service.rules.extract.facts.base import (
    _INTRO_LINE,
    _LIST_NUMBER,
    PlanFacts,
    Statement,
    _heading_statement,
    _is_raci_header,
    _labelled,
    _lead_in,
    _list_statement,
    _only_dates,
    _stmt,
    _task_table,
    _under_action_heading,
)
from service.rules.extract.normalize import fold
from service.rules.extract.sections import classify_heading

_DELIVERABLE_COLUMN = re.compile(
    r"deliverable|output|component|artefact|artifact|product|交付物|交付件|产出|成果|组件|模块",
    re.I,
)


def _deliverable_row(b: Block, task_col: int | None) -> bool:
    """A row of a deliverables table that names a thing, not work ("|Application| The app used by
    clients…|"): the scope of the project (docs/rules-interpretation.md, "Deliverables")."""
    if not b.header or not b.cells or task_col is None:
        return False
    if not _DELIVERABLE_COLUMN.search(fold(b.header[task_col])):
        return False
    cell = fold(b.cells[task_col]) if task_col < len(b.cells) else ""
    return bool(cell.strip()) and not shapes.is_action(cell)


def _prose_only(plan: Plan, heading_id: str | None) -> bool:
    """A section written only as paragraphs (no list, no table): each paragraph is an item."""
    return not any(
        x.kind in (BlockKind.LIST_ITEM, BlockKind.TABLE_ROW) for x in plan.under(heading_id)
    )


def owners_named_in(facts: PlanFacts, heading_id: str | None) -> bool:
    """Most top-level items under this heading name an owner (so they are tasks, and one
    without an owner stands out)."""
    if heading_id not in facts.owner_convention:
        facts.owner_convention[heading_id] = _owners_named_in(facts, heading_id)
    return facts.owner_convention[heading_id]


def _owners_named_in(facts: PlanFacts, heading_id: str | None) -> bool:
    from service.rules.extract.signals import owner_in_text

    items = [
        b for b in facts.plan.under(heading_id) if b.kind == BlockKind.LIST_ITEM and b.level == 0
    ]
    if len(items) < 2:
        return False
    named = sum(1 for b in items if owner_in_text(b.text, facts.folded[b.id]))
    return named * 2 >= len(items)


def _records(facts: PlanFacts, by_parent: dict[str, list[Block]]) -> set[str]:
    """Headings in a task section whose items are the fields of one activity ("### 周例会" over
    时间/内容/组织者): each is one task, its owner a field; returns the blocks they cover."""
    from service.rules.extract.signals import owner_in_text

    plan = facts.plan
    covered: set[str] = set()
    groups: dict[str | None, list[Statement]] = {}
    for h in plan.blocks:
        if h.kind != BlockKind.HEADING or facts.section[h.id] != "tasks":
            continue
        items = [b for b in facts.plan.under(h.id) if b.kind != BlockKind.HEADING]
        if not shapes.is_record(items):
            continue
        stmt = _stmt(facts, h, items)
        groups.setdefault(h.heading_id, []).append(stmt)
        covered.update(b.id for b in items)
        for b in items:
            covered.update(k.id for k in _descendants(b, by_parent))
    for stmts in groups.values():
        owned = sum(
            1
            for st in stmts
            if any(owner_in_text(c.text, facts.folded[c.id]) for c in st.children)
            or owner_in_text(st.raw, st.text)
        )
        # An activity with no owner field stands out only where the others name theirs.
        convention = owned * 2 >= len(stmts) and owned >= 1
        for st in stmts:
            st.confidence = 1.0 if convention else 0.3
            facts.tasks.append(st)
    return covered


# A ticked task box: the item is reported done (docs/rules-interpretation.md, wave 7).
_TICKED = re.compile(r"^\s*\[[xX✓✔]\]")
_CHECKBOX_ITEM = re.compile(r"^\s*\[[ xX✓✔]\]")
_STRUCK = re.compile(r"^\s*(?:\[[ xX✓✔]\]\s*)?~~[^~]+~~")

# "### 1. Migration 與刪除不變量", "### B-12.1 專案複製完善與資料遷移", "### Step 3: …", "第二步".
_NUMBERED_HEADING = re.compile(
    r"^\W*(?:\d{1,2}(?:\.\d{1,2})?[.)、:：]?\s+|[a-z]{1,3}-\d+(?:\.\d+)*\s+|step\s*\d+\b|"
    r"第[一二三四五六七八九十\d]+步|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）])\s*\S",
    re.I,
)


def _work_packages(facts: PlanFacts, skip: set[str]) -> set[str]:
    """Numbered sub-headings of a work section that name a piece of work ("### 1. Migration 與
    刪除不變量" under "分階段施工", "### B-12.1 …" under "後端任務", the steps of a runbook): each is
    one task, and what it holds (its steps, fields, code) describes that task rather than being
    further tasks. Phases, periods and releases are not work packages (their items are the work
    or the scope); neither is a sub-heading that names a part of its own ("### 5. 交付物")."""
    plan = facts.plan
    covered: set[str] = set()
    for h in plan.blocks:
        if (
            h.kind != BlockKind.HEADING
            or h.id in skip
            or h.heading_id is None
            or facts.section[h.id] != "tasks"
        ):
            continue
        words = _heading_statement(h.text)
        numbered = bool(_NUMBERED_HEADING.match(facts.folded[h.id].lstrip("# ")))
        if (
            not (numbered or shapes.is_action(words))  # "Hire a professional project manager"
            or h.text.rstrip().endswith((":", "："))
            or classify_heading(h.text) is not None
            or shapes.names_a_phase(_LIST_NUMBER.sub("", words).strip())
            or not _under_action_heading(facts, h)
        ):
            continue
        subheadings = [b for b in plan.under(h.id) if b.kind == BlockKind.HEADING]
        if any(not sub.text.rstrip().endswith((":", "：")) for sub in subheadings):
            continue  # a group of further headings, not one piece of work
        body = [b for b in plan.under(h.id) if b.kind != BlockKind.HEADING]
        for sub in subheadings:
            body.extend(plan.under(sub.id))
        if not body or owners_named_in(facts, h.id):
            continue  # "（一）客服体系建设" over its own tasks, some naming owners: a group
        if not numbered and any(shapes.is_action(facts.folded[b.id]) for b in body):
            continue  # "### Close the bank account" over "Close the account and …": the title of its task
        prose = [
            b for b in body if b.kind != BlockKind.LIST_ITEM and not _LIST_NUMBER.match(b.text)
        ]
        if not subheadings and not prose and len(body) >= 2 and not shapes.is_work_package(body):
            continue  # nothing but a list of items under it: they are the work, not its steps
        # Its owner: the heading's own, an owner line in its body ("負責人：…"), the section's
        # or the plan's; not any name-like word in its technical notes.
        owner_lines = [b for b in body if cues.OWNER_LABEL.search(facts.folded[b.id])]
        boxes = [b for b in body if _CHECKBOX_ITEM.match(b.text)]
        if not boxes or not all(_TICKED.match(b.text) for b in boxes):
            facts.tasks.append(_stmt(facts, h, owner_lines))  # every box ticked: done work
        covered.add(h.id)
        covered.update(b.id for b in body)
    return covered


def _descendants(b: Block, by_parent: dict[str, list[Block]]) -> list[Block]:
    out: list[Block] = []
    for k in by_parent.get(b.id, []):
        out.append(k)
        out.extend(_descendants(k, by_parent))
    return out


_CLOCK_TIME = re.compile(r"\d{1,2}[:：]\d{2}(?:\s*[~\-–至到]\s*\d{1,2}[:：]\d{2})?")


_HOLIDAY_ITEM = re.compile(
    r"^\W*(?:[\d/.\-年月日\s]+)\s*(?:元旦|春节|除夕|元宵节?|清明节?|劳动节|五一|端午节?|中秋节?|国庆节?|"
    r"圣诞节?|new year'?s(?: day| eve)?|christmas(?: day| eve)?|thanksgiving|easter|public holiday|"
    r"holiday|假期|放假)\W*$",
    re.I,
)


_TOTAL_CELL = re.compile(
    r"^\W*(?:total|subtotal|sum|grand total|合计|总计|小计|总额|共计)\W*$", re.I
)


_PAUSE_ITEM = re.compile(
    r"^\W*(?:[\w-]+\s+){0,2}(?:idle|break|rest|vacation|holiday|off)\s+(?:weeks?|days?|period)\W*$"
    r"|^\W*(?:休息|休假|放假|停工)\S{0,4}$",
    re.I,
)


_DEFINED_AS = re.compile(r"^\W*[\u4e00-\u9fff\w]{1,8}?(?:内容|要求|形式|方式|范围|对象)(?:为|是)")


# An item labelled by a condition on a measure ("满载率 < 85%：…", "If sign-ups < 50: …",
# "低于 80% 时：…"): the response held ready for when a check shows it, not a task to assign.
_CONDITION_LABEL = re.compile(
    r"^\W*(?:if\s+|when\s+|若|如果|当)?[^:：\n]{1,30}?(?:<|>|≤|≥|<=|>=|低于|高于|少于|超过|不足|below|above|under|over)"
    r"\s*\d+(?:\.\d+)?\s*(?:%|％|人|个|元|万)?[^:：\n]{0,8}[:：]\s*\S",
    re.I,
)


_SHARE_VALUE = re.compile(r"^\s*(?:[<>≤≥]=?|约|至少|不低于)?\s*\d+(?:\.\d+)?\s*(?:%|％)")


# A requirement stated as a minimum ("至少 2 天的會議時間。", "超過 2 個議程軌同時進行", "At least two
# tracks in English"): a condition the work must meet, not a piece of work.
_MINIMUM_ITEM = re.compile(
    r"^\W*(?:至少|不少于|不低于|超过|多于|最少|at least|no fewer than|no less than|more than|a minimum of)\s*\d",
    re.I,
)


def _after_response_label(facts: PlanFacts, b: Block) -> bool:
    """Under a heading or after a label of risk responses ("#### 風險對策", "**Mitigation:**")."""
    from service.rules.extract.facts.risks import _response_label

    heading = facts.plan.block(b.heading_id) if b.heading_id else None
    lead = _lead_in(facts, b)
    return (heading is not None and _response_label(facts, heading)) or (
        lead is not None and _response_label(facts, lead)
    )


def _not_work(facts: PlanFacts, b: Block) -> bool:
    """Items of a task section that are not work: fields about an activity (时间/地点/内容),
    links, template rows, the topics listed under a topics label, and the scope of a
    release or phase (the features under "阶段一 2025Q1" or "Milestone: …")."""
    if shapes.is_meta_field(facts.folded[b.id]) or shapes.is_link_only(
        facts.lines[b.start_line - 1]
        if b.kind == BlockKind.LIST_ITEM
        or (b.kind == BlockKind.PARAGRAPH and b.start_line == b.end_line)
        else b.text
    ):
        return True
    if shapes.is_template_row(b):
        return True
    if b.kind == BlockKind.LIST_ITEM and _MINIMUM_ITEM.match(facts.folded[b.id]):
        return True  # "至少 2 天的會議時間": a requirement the work must meet
    if b.kind == BlockKind.LIST_ITEM and _after_response_label(facts, b):
        return True  # "**風險對策**：" then "1. 提交新 sitemap…": the responses to a risk
    if b.kind == BlockKind.TABLE_ROW and shapes.has_fill_in(facts.lines[b.start_line - 1]):
        return True  # a row of results to fill in
    if b.kind != BlockKind.TABLE_ROW and shapes.is_not_an_action(facts.folded[b.id]):
        return True  # "Budget?", "$5k for local swag", "TBA", "The dashboard is public"
    if b.kind != BlockKind.TABLE_ROW and _CONDITION_LABEL.match(facts.folded[b.id]):
        return True  # "满载率 < 85%：加强社区宣传": a response the plan holds ready (an Act)
    label = shapes.field_label(facts.folded[b.id])
    value = shapes.field_value(facts.folded[b.id])
    if label and value and _SHARE_VALUE.match(value) and not shapes.starts_with_activity(label):
        return True  # "目标满载率：90%（月盈余 24 万元）", "保底线：80%": a level, not work
    if value and _only_dates(
        _CLOCK_TIME.sub("", re.sub(r"[(（][^()（）]*[)）]", "", value)), default_year=2000
    ):
        return True  # "**聯合徵稿截止**：2026 年 5 月 23 日": a date of the schedule, not work
    text = facts.folded[b.id]
    if _HOLIDAY_ITEM.match(text):
        return True  # "2025/1/1 元旦": a day off in the schedule, not work
    first = fold(b.cells[0]) if b.kind == BlockKind.TABLE_ROW and b.cells else text
    if _PAUSE_ITEM.match(first):
        return True  # "| KubeCon idle week | --- | --- | week 12 |": a pause, not work
    if _DEFINED_AS.match(text):
        return True  # "打卡内容为学习者自己的学习感悟": what a field holds, said as a sentence
    if b.kind == BlockKind.LIST_ITEM and _TICKED.match(b.text):
        return True  # "- [x] SOP-REQ-01：確認…": reported done, no open work to own
    if b.kind == BlockKind.LIST_ITEM and _STRUCK.match(b.text):
        return True  # "* ~~Set up a public chat room~~ 2015 Q4": struck through, done
    if cues.TEMPLATE_SLOT.fullmatch(re.sub(r"^\s*(?:[-*+]\s*)?(?:\[[ xX]?\]\s*)?", "", text)):
        return True  # "- [ ] ...": an empty slot of a template (plan.placeholder), never a task
    if b.kind == BlockKind.TABLE_ROW and b.cells and _TOTAL_CELL.match(fold(b.cells[0])):
        return True  # "| **總計** | - | - | 33,500,000元 |": the table's total, not work
    if b.kind == BlockKind.TABLE_ROW and shapes.is_comparison_row(b):
        return True  # "| 視覺化 Kanban | ❌ | ✅ |": a row of a comparison matrix, not work
    if b.kind == BlockKind.TABLE_ROW and (_schedule_row(b) or _budget_row(b)):
        return True  # "| 2025/05 | 籌備團隊建立 |": a timeline table without an owner column
    if b.kind == BlockKind.TABLE_ROW and _summary_row(facts, b):
        # "| 2. 开发阶段 |" over "| 2.1 需求分析 | … | 严万丹 |": the work is in its rows.
        return True
    parent = facts.plan.block(b.parent_id) if b.parent_id else None
    while parent is not None:
        ptext = facts.folded[parent.id]
        if shapes.is_meta_field(ptext) or shapes.is_topic_list_label(ptext):
            return True
        parent = facts.plan.block(parent.parent_id) if parent.parent_id else None
    if b.kind == BlockKind.LIST_ITEM:
        lead = _lead_in(facts, b)
        if lead is not None and (
            shapes.is_meta_field(facts.folded[lead.id])
            or shapes.is_topic_list_label(facts.folded[lead.id])
        ):
            return True  # "主要内容：…" then the list of talk topics
        if (
            _under_phase(facts, b)
            and not owners_named_in(facts, b.heading_id)
            and not (
                b.ordered
                and (shapes.is_action(facts.folded[b.id]) or _under_action_heading(facts, b))
            )
        ):
            return True  # a release's features, not the numbered steps of a runbook phase
    return False


_WBS_NUMBER = re.compile(r"^\s*(?:\*\*)?(\d{1,2}(?:\.\d{1,2})*)\.?\s+\S")


def _summary_row(facts: PlanFacts, b: Block) -> bool:
    """A summary row of a work breakdown: its outline number ("2.4") opens the numbers of the
    rows below it ("2.4.1", "2.4.2"), or it is the project's own row (the plan's title) over
    numbered rows. Its work is in those rows."""
    if not b.cells or not b.table_id or b.is_header:
        return False
    rows = facts.rows_of_table(b.table_id)
    numbers = _outline_numbers(facts, b.table_id)
    # A table's rows are consecutive blocks: its index is the distance from the first one.
    i = facts.position[b.id] - facts.position[rows[0].id] if rows else -1
    if not (0 <= i < len(rows) and rows[i].id == b.id):
        return False
    mine = numbers[i]
    if mine is not None:
        return any(n is not None and n.startswith(mine + ".") for n in numbers[i + 1 :])
    first = fold(b.cells[0]).strip(" *")
    return (
        i == 0
        and len(first) >= 2
        and first in fold(facts.plan.title)
        and sum(n is not None for n in numbers[1:]) >= 2
    )


def _outline_numbers(facts: PlanFacts, table_id: str) -> list[str | None]:
    """Each data row's outline number ("2.4.1") or None, read once per table."""
    if table_id not in facts.outline_numbers:
        facts.outline_numbers[table_id] = [
            m.group(1) if (m := _WBS_NUMBER.match(r.cells[0] if r.cells else "")) else None
            for r in facts.rows_of_table(table_id)
        ]
    return facts.outline_numbers[table_id]


_PERIOD_COLUMN = re.compile(
    r"^(?:月份|月|日期|时间|时程|时段|周次|周|季度|阶段|date|dates|when|month|week|period|quarter|phase)$",
    re.I,
)


def _schedule_row(b: Block) -> bool:
    """A row of a timeline table: its first column is the period, no column names an owner."""
    if not b.header or not b.cells or len(b.header) > 3:
        return False
    if not _PERIOD_COLUMN.match(fold(b.header[0]).strip(" *_")):
        return False
    _, owner_col = _task_table(b)
    first = fold(b.cells[0])
    return owner_col is None and bool(
        find_dates(first) or _LIST_NUMBER.match(b.cells[0]) or _RELATIVE_PERIOD.match(first)
    )


_RELATIVE_PERIOD = re.compile(
    r"^\s*(?:weeks?|months?|sprints?|phases?|days?|q[1-4]|h[12]|第)\s*[\d一二三四五六七八九十]",
    re.I,
)


_EFFORT_COLUMN = re.compile(
    r"cost|budget|amount|hours?|effort|time-cost|工时|人天|人日|预算|费用|金额", re.I
)


def _budget_row(b: Block) -> bool:
    """A row of a cost or effort table ("|Design| 20h |"): an amount per item, no owner column."""
    if not b.header or not b.cells or len(b.cells) < 2:
        return False
    _, owner_col = _task_table(b)
    if owner_col is not None or not any(_EFFORT_COLUMN.search(h) for h in b.header[1:]):
        return False
    amounts = [c for c in b.cells[1:] if c.strip()]
    return bool(amounts) and all(re.search(r"\d", c) for c in amounts)


def _work_list(facts: PlanFacts, b: Block) -> bool:
    """The item's list reads as work: most of its items start with an action verb, or name an
    owner, or its heading itself names the work by its own words ("Tasks", "工作任务").
    The same for every item of one list level under one heading: worked out once."""
    key = (b.heading_id, b.level)
    if key not in facts.work_lists:
        facts.work_lists[key] = _reads_as_work(facts, b)
    return facts.work_lists[key]


def _reads_as_work(facts: PlanFacts, b: Block) -> bool:
    siblings = [
        x
        for x in facts.plan.under(b.heading_id)
        if x.kind == BlockKind.LIST_ITEM and x.level == b.level
    ]
    actions = sum(1 for x in siblings if shapes.is_action(facts.folded[x.id]))
    if siblings and actions * 2 >= len(siblings):
        return True
    if owners_named_in(facts, b.heading_id):
        return True
    h = facts.plan.block(b.heading_id) if b.heading_id else None
    # A heading that only says when ("预计完成时间，3周") is transparent: its parent names the work.
    while (
        h is not None
        and h.heading_id
        and classify_heading(h.text) is None
        and has_any_time(facts.folded[h.id])
    ):
        h = facts.plan.block(h.heading_id)
    # "## Deliverables" over "Filecoin profiled on …", "At least 1 meetup planned": end states
    # to hand over (docs/rules-interpretation.md, "Deliverables written as end states"), which
    # its heading does not make work; only items that start with an action verb are.
    return (
        h is not None
        and classify_heading(h.text) == "tasks"
        and not _DELIVERABLES_HEADING.search(facts.folded[h.id])
    )


_DELIVERABLES_HEADING = re.compile(r"\bdeliverables?\b|\boutputs\b|交付物|交付成果|产出物?|成果物")


def _under_phase(facts: PlanFacts, b: Block) -> bool:
    """The item's nearest headings (up to its section's) name a phase, release or period."""
    hid = b.heading_id
    depth = 0
    while hid and depth < 3:
        h = facts.plan.block(hid)
        if h is None or h.heading_id is None:
            return False  # the document's title names the plan's period, not a phase
        text = _LIST_NUMBER.sub("", facts.folded[h.id]).strip()
        if shapes.names_a_phase(text) or (
            facts.section.get(h.id) == "timeline" and h.heading_id is not None
        ):
            return True
        hid = h.heading_id
        depth += 1
    return False


def _tasks(facts: PlanFacts, by_parent: dict[str, list[Block]], skip: set[str]) -> None:
    plan = facts.plan
    goal_ids = {g.block.id for g in facts.goals}
    skip = skip | _records(facts, by_parent)
    skip = skip | _work_packages(facts, skip)
    for b in plan.blocks:
        if b.id in skip or b.id in goal_ids:
            continue
        if b.kind != BlockKind.HEADING and _not_work(facts, b):
            continue
        sec = facts.section[b.id]
        text = facts.folded[b.id]
        explicit = _labelled(cues.TASK_LINE, text)
        if b.kind == BlockKind.TABLE_ROW:
            if b.is_header:
                continue
            task_col, owner_col = _task_table(b)
            task_table = owner_col is not None and task_col is not None
            if _is_raci_header(b.header):
                continue
            if owner_col is None and _deliverable_row(b, task_col):
                continue  # "|Backend Server| The server that routes calls…|": scope, not work
            if (
                sec == "tasks"
                and task_col is None
                and owner_col is None
                and not shapes.is_action(fold(b.cells[0]) if b.cells else text)
            ):
                continue  # "| Issue #1 | tasks/T001/ |": a table of something else in a work section
            if sec == "tasks" or (task_table and sec not in ("risks", "okr", "background")):
                facts.tasks.append(_stmt(facts, b))
            continue
        if (
            sec == "timeline"
            and b.kind == BlockKind.LIST_ITEM
            and b.level == 0
            and owners_named_in(facts, b.heading_id)
        ):
            facts.tasks.append(_stmt(facts, b, by_parent.get(b.id)))
            continue
        if sec != "tasks" and not explicit:
            continue
        if b.kind == BlockKind.LIST_ITEM:
            if (stmt := _list_statement(facts, b, by_parent)) is not None:
                if not explicit and not shapes.is_action(text) and not _work_list(facts, b):
                    # "Interest in security", "Languages: Python": a noun phrase in a work
                    # section reads as a requirement or a topic as often as a task.
                    stmt.confidence = 0.4
                facts.tasks.append(stmt)
        elif (
            b.kind == BlockKind.PARAGRAPH
            and len(text) <= 400
            and not _INTRO_LINE.search(text)
            and (
                explicit
                or _LIST_NUMBER.match(b.text)
                or (_prose_only(facts.plan, b.heading_id) and shapes.is_action(text))
            )
        ):
            facts.tasks.append(_stmt(facts, b))
