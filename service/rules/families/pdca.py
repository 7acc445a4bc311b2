"""PDCA: is there a Check (monitoring), an Act (adjusting), and milestones in between?"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from service.models import BlockKind
from service.rules import rewrites
from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.dates import DateMention, find_dates
from service.rules.extract.facts import PlanFacts
from service.rules.extract.normalize import fold
from service.rules.families.resource import any_time


def spans_over_a_month(facts: PlanFacts) -> bool:
    if facts.plan_period:
        start, end = facts.plan_period
        return (end - start).days > 31
    mentions = find_dates(facts.body_text)
    if len(mentions) >= 2:
        return (max(m.end for m in mentions) - min(m.start for m in mentions)).days > 31
    if facts.countdown_days is not None:
        return facts.countdown_days > 31  # "T-3 天 … T-1 天": the run-up to one event
    if facts.plan_has_period:
        return True  # "2027 plan", "H1": longer than a month
    # A section dated to a year, half or quarter ("## 2022年目标", "### 2025 H1").
    for b in facts.plan.blocks:
        if b.kind == BlockKind.HEADING and facts.section.get(b.id) not in ("background", "problem"):
            for m in find_dates(facts.folded[b.id]):
                if (m.end - m.start).days > 31:
                    return True
    return False


_RELATIVE_CHECKPOINT = re.compile(
    r"\b(?:week|month|sprint|wave|phase|stage) \d+|\bmid-|halfway|第[一二三四五六七八九十\d]+(?:周|月)",
    re.I,
)


# A checkpoint placed relative to another ("Eight weeks after Project Initiation", "立项后 2 周").
_RELATIVE_TIMEFRAME = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty)\s+"
    r"(?:days?|weeks?|months?)\s+(?:after|before|from|following)\b"
    r"|(?:后|之后|以后)\s*(?:第\s*)?[一二三四五六七八九十\d]+\s*(?:天|日|周|个月|月)",
    re.I,
)


_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_ZH_MONTH = re.compile(r"^(1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])\s*月(?:份)?$")
_ZH_DIGITS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


def _month_cell(cell: str, year: int) -> list[DateMention]:
    """A table cell that is only a month ("July", "7月", "十一月") as that month of `year`."""
    text = cell.strip(" *_.").lower()
    month = _MONTHS.get(text)
    m = _ZH_MONTH.match(text)
    if month is None and m:
        g = m.group(1)
        month = (
            int(g)
            if g.isdigit()
            else (10 + _ZH_DIGITS.get(g[1:], 0) if g.startswith("十") else _ZH_DIGITS[g])
        )
    if month is None:
        return []
    last = calendar.monthrange(year, month)[1]
    return [DateMention(date(year, month, 1), date(year, month, last), 0, len(cell), False, cell)]


def has_milestones(facts: PlanFacts) -> bool:
    """A dated (or week/month-numbered) milestone, checkpoint or phase, or at least one dated
    item strictly inside the plan period. The word alone ("implement and stabilize phases",
    "各阶段") is not a checkpoint anyone can be held to."""
    for b in facts.plan.blocks:
        if facts.section.get(b.id) in ("background", "problem"):
            continue
        text = facts.folded[b.id]
        m = cues.MILESTONE_CUES.search(text)
        if m and (_RELATIVE_CHECKPOINT.search(m.group(0)) or find_dates(text)):
            return True
        if (
            b.kind == BlockKind.TABLE_ROW
            and not b.is_header
            and cues.MILESTONE_CUES.search(fold(" ".join(b.header or [])))
            and _RELATIVE_TIMEFRAME.search(text)
        ):
            return (
                True  # "| Requirements Analysis Complete | Eight weeks after Project Initiation |"
            )
    period = facts.plan_period
    if period is not None:
        default_year: int | None = period[0].year
    else:
        # Months without a year ("| July | …") still order within the plan: place them in the
        # plan's own year when it names one (any year when it names none).
        years = sorted({m.start.year for m in find_dates(facts.body_text) if m.has_year})
        default_year = years[0] if years else 2000
    dates = []
    title = facts.plan.blocks[0] if facts.plan.blocks else None
    for b in facts.plan.blocks:
        if facts.section.get(b.id) in ("background", "problem") or b is title:
            continue  # section headings count: "## Q1 2026 deliverables" dates a phase
        if b is facts.period_block:
            continue
        found = find_dates(facts.folded[b.id], default_year=default_year)
        if b.kind == BlockKind.TABLE_ROW and b.cells and default_year is not None:
            found += _month_cell(b.cells[0], default_year)  # "| July | Finish navigation |"
        if period is not None and period[1].year != period[0].year:
            # "March" in a plan that runs December 2026 - December 2027 is March 2027.
            found += [
                m
                for m in find_dates(facts.folded[b.id], default_year=period[1].year)
                if not m.has_year
            ]
        if b.kind == BlockKind.HEADING and len(found) != 1:
            continue  # "Goals for March–August 2026" restates the period; "Q1 2026 deliverables" is a phase
        dates.extend(found)
    # A year is not a checkpoint; and without a stated period, the plan's own first and last
    # dates are its span: a milestone must fall between them.
    derived = period is None
    if period is None:
        if not dates:
            return False
        period = (min(m.start for m in dates), max(m.end for m in dates))
    start, end = period
    # A checkpoint is shorter than half the plan: "Q2" inside a quarterly OKR restates the
    # period, while "Q1" in an annual plan is a phase.
    longest = max(31, (end - start).days // 2)
    dates = [m for m in dates if (m.end - m.start).days < min(300, longest)]
    if derived:
        # Without a stated period, the first and last dates ("from October to December") are
        # the span itself, not checkpoints inside it.
        dates = [m for m in dates if m.start != start and m.end != end]
    margin = timedelta(days=7)
    return any(start + margin < m.end and m.end < end - margin for m in dates)


_STATUS_COLUMN = re.compile(
    r"^\W*(?:status|state|progress|done\??|完成情况|完成状态|任务状态|状态|进度|进展|是否完成)\W*$",
    re.I,
)
_TICKED = re.compile(r"^\s*[-*+]\s+\[[xX✓✔]\]\s+\S", re.M)


def _status_tracked(facts: PlanFacts) -> bool:
    """The plan tracks its work's status: a Status column in a task or milestone table that is
    filled in, or a checklist with items ticked off (docs/rules-interpretation.md: a status
    column and checkbox status marking are a check)."""
    if _TICKED.search(facts.plan.text):
        return True
    for b in facts.plan.blocks:
        if b.kind != BlockKind.TABLE_ROW or b.is_header or not b.header or not b.cells:
            continue
        for h, c in zip(b.header, b.cells, strict=False):
            if _STATUS_COLUMN.match(fold(h)) and c.strip(" -—–"):
                return True
    return False


def check(facts: PlanFacts, emit: Emitter) -> None:
    lang = emit.lang
    text = facts.body_text
    # Where a weak check word is about the plan: a monitoring section, a heading ("追踪与回报"),
    # a goal or key result saying how it is measured.
    monitoring = "\n".join(
        facts.folded[b.id]
        for b in facts.plan.blocks
        if facts.section.get(b.id) in ("monitoring", "goals", "okr")
        or (
            b.kind == BlockKind.HEADING and facts.section.get(b.id) not in ("background", "problem")
        )
    )
    # Strong cues count in any paragraph, the background too; the body (``text``) is searched
    # already, so only the background's and problem statement's paragraphs are left to search.
    paragraphs = "\n".join(
        facts.folded[b.id]
        for b in facts.plan.blocks
        if b.kind != BlockKind.HEADING and facts.section.get(b.id) in ("background", "problem")
    )
    if not (
        cues.check_in(text, monitoring)
        or cues.CHECK_CUES_FAST.search(paragraphs)
        or _status_tracked(facts)
    ):
        # Check words said in passing: right 0.25 of the time at first contact and 0.55 on the
        # read waves, against 0.54 and 0.77 without them (eval/README.md, tenth pass).
        hedged = cues.CHECK_HEDGE.search(facts.all_text) is not None
        emit.document(
            "pdca.no-check",
            emit.section_anchor("monitoring"),
            rewrite=rewrites.monitoring_section(lang),
            reading=0.7 if hedged else 1.0,
        )
    # An explicit Act cue counts in any paragraph, the vision included ("we will use the
    # lessons learned for the next ones"); weak words only outside the background.
    if not (cues.act_in(text) or cues.ACT_CUES_FAST.search(paragraphs)):
        emit.document(
            "pdca.no-act",
            emit.section_anchor("monitoring", "iteration"),
            rewrite=rewrites.act_section(lang),
            reading=0.7 if cues.ACT_HEDGE.search(facts.all_text) else 1.0,
        )
    if any_time(facts) and spans_over_a_month(facts) and not has_milestones(facts):
        emit.document(
            "pdca.no-milestones",
            emit.section_anchor("timeline", "tasks"),
            rewrite=rewrites.milestones_table(facts, lang),
        )
