"""The plan's period: from its title, a period line near the top, date fields, a duration, an
event's time or countdown; and the periods of sections (docs/rules-interpretation.md, "Plan
period")."""

from __future__ import annotations

import re

from service.models import Block, BlockKind
from service.rules.extract import shapes
from service.rules.extract.dates import (
    DateMention,
    find_dates,
    has_definite_time,
    has_time_reference,
)
from service.rules.extract.facts.base import (
    _PERIOD_LINE,
    PlanFacts,
    _only_dates,
    data_rows_by_table,
)
from service.rules.extract.normalize import fold

_EVENT_COUNTDOWN = re.compile(
    r"(?<![a-z0-9])[td]\s?[-−–]\s?(?P<n>\d{1,3})\s?(?P<unit>天|日|周|个?月|days?|weeks?|d|w)?(?![a-z0-9])",
    re.I,
)


def _countdown_days(m: re.Match[str]) -> int:
    unit = (m.group("unit") or "d").lower()
    per = 30 if "月" in unit else 7 if unit in ("周", "w") or unit.startswith("week") else 1
    return int(m.group("n")) * per


_LASTS = re.compile(
    r"\b\d+\s*(?:months?|weeks?)\b|\d+\s*(?:个月|個月|周|週)|\b(?:starting|from|beginning)\b|起|开始|開始",
    re.I,
)


def _plan_period(facts: PlanFacts) -> None:
    plan = facts.plan
    candidates: list[Block] = []
    title_block = next(
        (b for b in plan.blocks if b.kind == BlockKind.HEADING and b.level == 1), None
    )
    if (
        title_block is None
        and plan.blocks
        and (plan.blocks[0].kind == BlockKind.HEADING or plan.blocks[0].text == plan.title)
    ):
        title_block = plan.blocks[0]
    if title_block is not None:
        candidates.append(title_block)
    first_lines_limit = 20
    for b in plan.blocks:
        if b.start_line > first_lines_limit and facts.section.get(b.id) not in ("", "background"):
            break
        if (b.kind != BlockKind.HEADING and _PERIOD_LINE.search(facts.folded[b.id])) or (
            b.kind == BlockKind.TABLE_ROW
            and b.cells
            and _PERIOD_LINE.search(fold(b.cells[0]) + ":")
        ):
            candidates.append(b)
        elif (
            b.kind == BlockKind.HEADING and b is not title_block and _only_dates(facts.folded[b.id])
        ):
            candidates.append(b)  # "## September 2026 – August 2028" under the title
        elif (
            b.kind == BlockKind.PARAGRAPH
            and b.start_line <= 6
            and not any(
                x.kind == BlockKind.HEADING and x.start_line < b.start_line for x in plan.blocks
            )
            and len(b.text) <= 60
            and has_time_reference(facts.folded[b.id])
            and not _METADATA.search(facts.folded[b.id])
        ):
            candidates.append(b)  # title lines of a plain-text plan ("一一五學年度系務發展計畫")
        elif b.kind != BlockKind.HEADING and _BETWEEN_DATES.search(facts.folded[b.id]):
            candidates.append(
                b
            )  # "what the Council will deliver between 1 April 2026 and 31 March 2027"
    # "## 2018 Q4" then "## 2018 Q3", "## 2018 Q2" further down: a sheet of periods, which together
    # are its span (the earlier quarters are not outside the plan).
    for c in [c for c in candidates if c.kind == BlockKind.HEADING and c is not title_block]:
        candidates.extend(
            b
            for b in plan.blocks
            if b.kind == BlockKind.HEADING
            and b.level == c.level
            and b.heading_id == c.heading_id
            and b not in candidates
            and _only_dates(facts.folded[b.id])
        )
    title_text = fold(plan.title)
    if plan.title and (has_definite_time(title_text) or _SPAN.search(title_text)):
        facts.plan_has_period = True
    line_mentions: list[DateMention] = []
    starts: list[DateMention] = []
    ends: list[DateMention] = []
    for b in candidates:
        if b is title_block:
            continue
        text = facts.folded[b.id]
        single = find_dates(text)
        if len(single) == 1 and single[0].start == single[0].end:
            # "| Date Created | 2024-09-10 |" and "| Target End Date | 2025-08-31 |": together a span
            if _START_LABEL.search(text):
                starts.append(single[0])
            elif _END_LABEL.search(text):
                ends.append(single[0])
        if has_definite_time(text) or re.search(r"\d+\s*(?:months?|weeks?|个月|周|天)", text):
            got = find_dates(text)
            # A single day ("Date: 2026-06-20") dates the document; a period spans more, or
            # starts on that day and lasts ("Duration: 12 weeks, starting 1 March 2027").
            if got and (max(m.end for m in got) > min(m.start for m in got) or _LASTS.search(text)):
                facts.plan_has_period = True
                facts.period_block = facts.period_block or b
                line_mentions.extend(got)
            elif not got:
                facts.plan_has_period = True
            if re.search(r"\bfy\s?\d|fiscal|财年", text):
                facts.period_is_fiscal = True
    if (
        not line_mentions
        and starts
        and ends
        and min(m.start for m in starts) < max(m.end for m in ends)
    ):
        facts.plan_has_period = True
        facts.period_from_fields = True
        line_mentions.extend([min(starts, key=lambda m: m.start), max(ends, key=lambda m: m.end)])
    if not facts.plan_has_period and any(
        _PLAN_DURATION.search(facts.folded[b.id])
        for b in plan.blocks[:12]
        if facts.section.get(b.id) in ("", "background", "goals")
    ):
        facts.plan_has_period = True  # "Run a one-year experimental pilot …": the plan's span
    countdown = list(_EVENT_COUNTDOWN.finditer(facts.all_text))
    if not facts.plan_has_period and len(countdown) >= 2:
        # "T-3 天", "T-4週 … T+1天", "D-7": an event plan counts down to its day, and its goals are
        # the event's (docs/rules-interpretation.md, "An event's time"); it spans the countdown.
        facts.plan_has_period = True
        facts.countdown_days = max(_countdown_days(m) for m in countdown)
    if not line_mentions and not facts.plan_has_period:
        # An event proposal states when it runs in a time field anywhere ("时间：2020年3月6日至8日",
        # "Dates: 12–14 May 2026"), often far below the top.
        for b in plan.blocks:
            label = shapes.field_label(facts.folded[b.id])
            if label is None or not _EVENT_TIME_LABEL.search(label):
                continue
            got = find_dates(facts.folded[b.id])
            if got and any(m.has_year for m in got):
                facts.plan_has_period = True  # the goals have a time: the event's
                facts.period_block = b
                if max(m.end for m in got) > min(m.start for m in got):
                    line_mentions.extend(got)  # a span: the plan period
                break
    if not facts.plan_has_period and _short_schedule(facts):
        facts.plan_has_period = True  # a campaign's phases, 7/6-7/31: the time of its goals
    mentions = line_mentions or (find_dates(title_text) if plan.title else [])
    calendar_months = any(
        not m.text.strip().isdigit() and not re.search(r"fy|q[1-4]", m.text) for m in mentions
    )
    if (
        re.search(r"\bfy\s?\d|fiscal|财年", title_text)
        and not line_mentions
        and not calendar_months
    ):
        facts.period_is_fiscal = True  # "FY24-Q3": quarters of a fiscal year we cannot place
    if mentions and not line_mentions and _names_not_period(title_text):
        mentions = []  # "Rust 2024 Edition", "COSCUP 2023": a name, not when the plan runs
        facts.plan_has_period = False
    if (
        mentions
        and not line_mentions
        and (max(m.end for m in mentions) - min(m.start for m in mentions)).days <= 31
    ):
        # A title dated to one day or month ("工作坊 2025/08", "Launch day 12 May", "2024年12月17日
        # 理事会会议记要") names the event or meeting the plan comes from, not the span of the
        # plan: its work comes before or after it.
        mentions = []
    if mentions:
        facts.plan_period = (min(m.start for m in mentions), max(m.end for m in mentions))


_START_LABEL = re.compile(
    r"\b(?:start|starts|started|created|kick-?off|begins?|launch)\b|开始|启动|起始", re.I
)


_END_LABEL = re.compile(
    r"\b(?:end|ends|due|deadline|target end|finish|close)\b|结束|截止|完成日期", re.I
)


# The plan's own duration, said near the top ("a one-year pilot", "this six-month project",
# "为期三个月的活动").
_PLAN_DURATION = re.compile(
    r"\b(?:a|an|this|our|the)\s+(?:\d+|one|two|three|four|six|nine|twelve|eighteen)[- ]"
    r"(?:year|month|week)s?[- ](?:long\s+)?(?:\w+\s+)?"
    r"(?:pilot|project|program|programme|experiment|plan|engagement|initiative|campaign|internship)\b"
    r"|为期\s*(?:\d+|[一二两三四五六七八九十]+)\s*(?:个月|年|周|天)",
    re.I,
)


_NAMED_YEAR = re.compile(
    r"(?:19|20)\d\d\s+(?:edition|release|version|conference|summit|con\b|festival|fest\b|"
    r"cup|games|expo|hackathon|olympics|world cup|大会|年会|峰会|版)"
    r"|(?:edition|version|release|v)\s*(?:19|20)\d\d\b"
    # An event named with its year: "PyCon TW 2022", "MoneroKon 2022", "DjangoCon US 2024".
    r"|\b[a-z]*(?:con|kon|conf|fest|camp|summit|hack|jam|meetup)(?:\s+[a-z]{2,3})?\s+(?:19|20)\d\d\b",
    re.I,
)


def _names_not_period(title: str) -> bool:
    """A year that is part of a name in the title ("Rust 2024 Edition"), with no period word
    (roadmap, plan, goals, OKR, 年度, 计划) that would make it the plan's period."""
    return bool(_NAMED_YEAR.search(title)) and not re.search(
        r"\b(?:roadmap|plan|goals?|okrs?|objectives|strategy|annual|quarter|q[1-4]|h[12]|fy)\b"
        r"|年度|计划|规划|目标|路线图|季度",
        title,
        re.I,
    )


_EVENT_TIME_LABEL = re.compile(
    r"^(?:活动|比赛|大赛|会议|赛事|项目|培训)?(?:时间|日期)$|^(?:event\s+)?(?:dates?|when|time)$",
    re.I,
)


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_BETWEEN_DATES = re.compile(
    r"\b(?:between|from)\s+(?:\d{1,2}\s+)?[a-z]+\s+20\d\d\s+(?:and|to|until|through|–|-)\s+(?:\d{1,2}\s+)?[a-z]+\s+20\d\d"
    # "Runs from March to June 2027": the first month takes the last one's year.
    rf"|\b(?:between|from)\s+(?:\d{{1,2}}\s+)?{_MONTH}\s+(?:and|to|until|through|–|-)\s+(?:\d{{1,2}}\s+)?{_MONTH}\s+20\d\d"
    r"|\b(?:between|from)\s+20\d\d-\d\d-\d\d\s+(?:and|to|until|through|–|-)\s+20\d\d-\d\d-\d\d"
    r"|自?20\d\d年\d{1,2}月(?:\d{1,2}日)?(?:起)?\s*(?:至|到|—|-|~)\s*(?:20\d\d年)?\d{1,2}月",
    re.I,
)


_METADATA = re.compile(
    r"\b(?:prepared|drafted|dated?|version|updated|approved|issued|author)\b|编制|日期|更新|版本|制定人|起草|审核|批准",
    re.I,
)


_SECTION_DEADLINE = re.compile(
    r"\b(?:ready|done|complete|completed|finished|delivered|in place)\s+(?:by|before)\b"
    r"|\b(?:all|these|the) (?:goals|objectives|deliverables) (?:by|before)\b"
    r"|(?:以上|上述)\S{0,8}(?:于|在)\S{0,12}(?:前|之前)(?:完成|达成)",
    re.I,
)


# A span named by its length in a title or heading ("7天营销执行计划", "30-Day Launch Plan",
# "📈 7天核心指标预期", "三个月行动方案"): the time of the goals under it, though no calendar date
# is given. Not a lead time ("3天前", "2 weeks before").
_SPAN = re.compile(
    r"(?<![\d.])(?:\d{1,3}|[一二两三四五六七八九十百]{1,3})\s*[-‐ ]?\s*(?:天|周|星期|个月|days?|weeks?|months?)"
    r"(?!\s*(?:前|后))(?!\s*(?:ago|before|after|later|notice|out)\b)",
    re.I,
)


def _section_periods(facts: PlanFacts) -> None:
    for b in facts.plan.blocks:
        if b.kind == BlockKind.HEADING:
            text = facts.folded[b.id]
            facts.section_has_period[b.id] = has_time_reference(text) or bool(_SPAN.search(text))
    # "We should have something ready by Q1 2026" in the section's own prose: its goals' time.
    for b in facts.plan.blocks:
        if (
            b.kind == BlockKind.PARAGRAPH
            and b.heading_id
            and facts.section.get(b.id) in ("goals", "okr")
            and _SECTION_DEADLINE.search(facts.folded[b.id])
            and find_dates(facts.folded[b.id])
        ):
            facts.section_has_period[b.heading_id] = True


# A column header that is a time ("| 指标 | 30 天目标 | 90 天目标 |", "| KPI | Q3 target |").
_WINDOW = re.compile(r"\d+\s*(?:天|日|周|週|个月|個月|days?|weeks?|months?)", re.I)


def inherits_period(facts: PlanFacts, block: Block) -> bool:
    if facts.plan_has_period:
        return True
    if (
        block.kind == BlockKind.TABLE_ROW
        and block.header
        and any(_WINDOW.search(h) or find_dates(fold(h)) for h in block.header[1:])
    ):
        return True
    hid = block.heading_id
    while hid:
        if facts.section_has_period.get(hid):
            return True
        h = facts.plan.block(hid)
        hid = h.heading_id if h else None
    # A parent list item (category) that names the period, e.g. "- By Q4 2026:".
    pid = block.parent_id
    while pid:
        parent = facts.plan.block(pid)
        if parent is None:
            break
        if has_time_reference(facts.folded[parent.id]):
            return True
        pid = parent.parent_id
    return False


_TIME_COLUMN = re.compile(
    r"时间|日期|期间|时程|期程|档期|\b(?:dates?|when|period|timing|time)\b", re.I
)


def _short_schedule(facts: PlanFacts) -> bool:
    """A schedule table near the top whose time column dates every row and spans at most four
    months ("| 第一阶段 | 7/6－7/12 | … |" … "| 第三阶段 | 7/25－7/31 | … |"): the campaign's own
    time, which its goals share (docs/rules-interpretation.md, "A short schedule near the top")."""
    total = len(facts.lines) or max((b.end_line for b in facts.plan.blocks), default=0)
    for rows in data_rows_by_table(facts.plan):
        head = rows[0]
        if head.start_line > max(60, total * 0.35):
            break
        if not head.header or len(rows) < 2:
            continue
        col = next((i for i, h in enumerate(head.header) if _TIME_COLUMN.search(fold(h))), None)
        if col is None:
            continue
        dates = []
        for row in rows:
            cells = row.cells or []
            cell = cells[col] if col < len(cells) else ""
            got = find_dates(fold(cell), default_year=2000)
            if not got:
                break
            dates.extend(got)
        else:
            first, last = min(m.start for m in dates), max(m.end for m in dates)
            if 0 < (last - first).days <= 122:
                return True
    return False
