"""PlanFacts: what the recognisers found in a plan, for the rule families to judge."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from service.models import Block, BlockKind, Plan
from service.rules.extract import cues, shapes
from service.rules.extract.dates import DateMention, find_dates, has_any_time, has_time_reference
from service.rules.extract.normalize import fold
from service.rules.extract.sections import classify_heading, section_of_blocks
from service.rules.extract.signals import has_metric
from service.rules.vocabulary import active

_LIST_NUMBER = re.compile(
    r"^\s*(?:[-*+•·▪◦●○■□➢►]\s*|\d{1,2}(?:\.\d{1,2})+\.?\s+|\(?\d{1,2}[.)、]\s*|[（(]?[一二三四五六七八九十]+[）)、.]\s*|[①②③④⑤⑥⑦⑧⑨⑩]\s*)"
)
_LABEL_PREFIX = re.compile(
    r"^\s*(?:(?:goal|objective|target|kr|key result|o|okr|risk|task|action|initiative)\s*[\d.]*\s*[:：.\-–—)]\s*"
    r"|(?:目标|关键结果|风险|任务|举措|措施|行动)\s*[一二三四五六七八九十\d]*\s*[:：、.]\s*"
    r"|(?:kr|o)\s*\d+(?:\.\d+)?\s*)",
    re.I,
)
_PERIOD_LINE = re.compile(
    r"^\s*(?:[-*]\s*)?(?:\*\*)?(?:[a-z]+\s+){0,2}(?:period|window|season|run|timeline|timeframe|time frame|duration|dates?|plan period|"
    r"date (?:created|started|restarted)|"
    r"planning period|horizon|term|schedule|covers|coverage|effective|valid|fiscal (?:year|quarter)|"
    r"[\u4e00-\u9fff]{0,4}(?:周期|期限|时间|日期|时段|期间|年度|计划期|执行期|实施期))"
    r"(?:\*\*)?\s*[:：]"
    r"|(?:执行期|实施期|周期|期限|计划期)为?\s*(?:20\d{2}|\d{1,2}月)"
    r"|\bthis (?:plan|document|roadmap|charter) (?:covers|runs|spans)|\bwill run from\b|本(?:计划|方案)(?:覆盖|适用|执行期)",
    re.I,
)
_TRAILING_GOAL = re.compile(
    r"^(?:此外|另外|同时|并且|in addition|also|additionally|finally)[,，\s]", re.I
)
_INTRO_LINE = re.compile(r"[:：]\s*$")
_CATEGORY_MAX_WORDS = 5


@dataclass
class Statement:
    """A goal, key result, task or risk: the block plus what was recognised in it."""

    block: Block
    text: str  # folded (Simplified, lower-case) text used for matching
    raw: str  # the block's own text
    section: str
    children: list[Block] = field(default_factory=list)
    row: dict[str, str] = field(default_factory=dict)  # table cells by header
    # How sure the reading is that this block is what it was taken for (1.0: its section and its
    # shape agree). Families report below their catalogue severity, or not at all, when it is low.
    confidence: float = 1.0


@dataclass
class Objective:
    block: Block
    krs: list[Statement]


@dataclass
class RaciRow:
    block: Block
    roles: dict[str, str]  # role -> cell


@dataclass
class AmountLine:
    block: Block
    amount: float
    is_total: bool


@dataclass
class PercentGroup:
    blocks: list[Block]
    values: list[float]
    total_block: Block | None


@dataclass
class PlanFacts:
    plan: Plan
    lang: str
    section: dict[str, str]
    folded: dict[str, str]  # block id -> folded text
    goals: list[Statement] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)
    tasks: list[Statement] = field(default_factory=list)
    risks: list[Statement] = field(default_factory=list)
    # Measures named without a target under a metrics heading ("GitHub Stars: Growth rate"):
    # not goals, but the plan's KPIs for the scorecard's perspectives.
    measures: list[Statement] = field(default_factory=list)
    raci_rows: list[RaciRow] = field(default_factory=list)
    budget_groups: list[list[AmountLine]] = field(default_factory=list)
    percent_groups: list[PercentGroup] = field(default_factory=list)
    plan_has_period: bool = False
    plan_period: tuple[date, date] | None = None
    period_block: Block | None = None
    period_is_fiscal: bool = False
    # The span comes from "Date created" / "Target end date" fields: the group's own lifetime,
    # good enough to place milestones, not to call the work it plans out of range.
    period_from_fields: bool = False
    # Days an event plan counts down from ("T-4週" -> 28) when that countdown is its only period.
    countdown_days: int | None = None
    section_has_period: dict[str, bool] = field(default_factory=dict)
    owner_convention: dict[str | None, bool] = field(default_factory=dict)
    work_lists: dict[tuple[str | None, int], bool] = field(default_factory=dict)  # _work_list
    body_text: str = ""  # folded text outside background/problem sections
    all_text: str = ""
    # Block id -> its index in plan.blocks (the recognisers look at a block's neighbours).
    position: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # the plan's source lines, split once
    # The one person or role named as the whole plan's owner in its staffing part, if any.
    plan_owner: str | None = None

    @property
    def krs(self) -> list[Statement]:
        return [kr for o in self.objectives for kr in o.krs]

    def children(self, block: Block) -> list[Block]:
        return [b for b in self.plan.blocks if b.parent_id == block.id]


def data_rows_by_table(plan: Plan) -> list[list[Block]]:
    """The data rows (header excluded) of each table, table by table in document order."""
    tables: dict[str, list[Block]] = {}
    for b in plan.blocks:
        if b.kind == BlockKind.TABLE_ROW and b.table_id and not b.is_header:
            tables.setdefault(b.table_id, []).append(b)
    return list(tables.values())


_OPENER = re.compile(
    r"^(?:(?:finally|also|first|second|third|lastly|in addition|overall),?\s+)?"
    r"(?:we (?:want|aim|plan|intend|need|hope) to|we will|our (?:goal|aim|objective) is to|aim to|to)\s+"
    r"|^(?:(?:此外|另外|同时)[,，]?\s*)?(?:(?:公司|我们|本部门|我部)(?:要|将|希望)?|力争|争取|努力)?(?=\S)",
    re.I,
)


def core_text(text: str) -> str:
    """Statement text without list numbering, labels such as 'Goal 1:' or 'KR2', and openers
    such as 'Finally, we want to'."""
    out = _LIST_NUMBER.sub("", text, count=1)
    out = _LABEL_PREFIX.sub("", out, count=1)
    out = _OPENER.sub("", out.strip(), count=1)
    return out.strip()


def _is_category(block: Block, children: list[Block]) -> bool:
    """A short list item that only groups its children ("Financial", "一、客户")."""
    if not children:
        return False
    text = core_text(block.text).rstrip(":： ")
    if re.search(r"\d", text):
        return False
    words = len(text.split())
    return (
        (words <= _CATEGORY_MAX_WORDS and len(text) <= 40)
        if re.search(r"[a-z]", text, re.I)
        else len(text) <= 10
    )


_DEFINITION = re.compile(
    r"\b(?:means|is defined as|defined as|refers to|measured (?:as|by|from|on)|counts?|excludes?|excluding|"
    r"includes?|i\.e\.|e\.g\.|for example|such as|source)\b|是指|指的是|定义为|口径|统计|不含|包括|例如|数据来源",
    re.I,
)


def _list_statement(
    facts: PlanFacts, b: Block, by_parent: dict[str, list[Block]]
) -> Statement | None:
    """A list item as a statement: a top-level item, or an item under a top-level category
    ("- Financial" / "  - Grow revenue 20%"); None for categories and explanatory sub-items."""
    kids = by_parent.get(b.id, [])
    parent = facts.plan.block(b.parent_id) if b.parent_id else None
    if parent is not None and _DEFINITION.search(facts.folded[b.id]):
        return None  # "- On time means between 1 minute early and 5 minutes late"
    if parent is None:
        if _is_category(b, kids) and not (b.ordered and _under_action_heading(facts, b)):
            return None
        return _stmt(facts, b, kids)  # a numbered runbook step with sub-steps is one task
    if (
        parent.kind == BlockKind.LIST_ITEM
        and parent.parent_id is None
        and _is_category(parent, by_parent.get(parent.id, []))
    ):
        return _stmt(facts, b, kids)
    return None


def build_facts(plan: Plan) -> PlanFacts:
    section = section_of_blocks(plan)
    folded = {b.id: fold(b.text) for b in plan.blocks}
    facts = PlanFacts(plan=plan, lang=plan.language, section=section, folded=folded)
    facts.position = {b.id: i for i, b in enumerate(plan.blocks)}
    facts.lines = plan.lines
    by_parent: dict[str, list[Block]] = {}
    for b in plan.blocks:
        if b.parent_id:
            by_parent.setdefault(b.parent_id, []).append(b)

    facts.all_text = fold(plan.text)
    _plan_period(facts)
    _section_periods(facts)
    _objectives(facts, by_parent)
    okr_ids = {o.block.id for o in facts.objectives} | {k.block.id for k in facts.krs}
    _goals(facts, by_parent, okr_ids)
    _announced_goals(facts, by_parent, okr_ids)
    _kpi_records(facts)
    _raci(facts)
    facts.plan_owner = _plan_owner(facts)
    _tasks(facts, by_parent, okr_ids | {r.block.id for r in facts.raci_rows})
    _risks(facts, by_parent)
    _budgets(facts)
    _percents(facts)
    body = [folded[b.id] for b in plan.blocks if section[b.id] not in ("background", "problem")]
    facts.body_text = "\n".join(body)
    return facts


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


def _plan_owner(facts: PlanFacts) -> str | None:
    found = {
        m.group("who").strip()
        for b in facts.plan.blocks
        if facts.section.get(b.id) in ("organisation", "resources")
        and (m := _PLAN_OWNER_LINE.match(facts.folded[b.id].replace("*", "")))
    }
    for b in facts.plan.blocks:
        if b.kind not in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM):
            continue
        for m in _PLAN_OWNER_SENTENCE.finditer(facts.folded[b.id].replace("*", "")):
            who = next(g for g in m.group("who", "who2", "who3", "who4") if g)
            if not re.match(r"(?:we|i|you|they|everyone|everybody|each|every|all)\b", who.strip()):
                found.add(who.strip())
    return next(iter(found)) if len(found) == 1 else None


# -- plan period ---------------------------------------------------------------------------------
_EVENT_COUNTDOWN = re.compile(
    r"(?<![a-z0-9])[td]\s?[-−–]\s?(?P<n>\d{1,3})\s?(?P<unit>天|日|周|个?月|days?|weeks?|d|w)?(?![a-z0-9])",
    re.I,
)


def _countdown_days(m: re.Match[str]) -> int:
    unit = (m.group("unit") or "d").lower()
    per = 30 if "月" in unit else 7 if unit in ("周", "w") or unit.startswith("week") else 1
    return int(m.group("n")) * per


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
    title_text = fold(plan.title)
    if plan.title and has_time_reference(title_text):
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
        if has_time_reference(text) or re.search(r"\d+\s*(?:months?|weeks?|个月|周|天)", text):
            got = find_dates(text)
            # A single day ("Date: 2026-06-20") dates the document; a period spans more.
            if got and max(m.end for m in got) > min(m.start for m in got):
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
    r"|(?:edition|version|release|v)\s*(?:19|20)\d\d\b",
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
_BETWEEN_DATES = re.compile(
    r"\b(?:between|from)\s+(?:\d{1,2}\s+)?[a-z]+\s+20\d\d\s+(?:and|to|until|through|–|-)\s+(?:\d{1,2}\s+)?[a-z]+\s+20\d\d"
    r"|\b(?:between|from)\s+20\d\d-\d\d-\d\d\s+(?:and|to|until|through|–|-)\s+20\d\d-\d\d-\d\d"
    r"|自?20\d\d年\d{1,2}月(?:\d{1,2}日)?(?:起)?\s*(?:至|到|—|-|~)\s*(?:20\d\d年)?\d{1,2}月",
    re.I,
)


_METADATA = re.compile(
    r"\b(?:prepared|drafted|dated?|version|updated|approved|issued|author)\b|编制|日期|更新|版本|制定人|起草|审核|批准",
    re.I,
)


def _only_dates(text: str, default_year: int | None = None) -> bool:
    """A line that is nothing but a date range or period ("September 2026 – August 2028"); with a
    ``default_year``, dates without a year ("3月19日") count too."""
    mentions = find_dates(text, default_year=default_year)
    if not mentions:
        return False
    rest = text
    for m in sorted(mentions, key=lambda m: -m.col):
        rest = rest[: m.col] + rest[m.col + m.length :]
    return len(re.sub(r"[\s\-–—~至到()（）:：,，/]|to|until|from|period|周期", "", rest)) <= 4


_SECTION_DEADLINE = re.compile(
    r"\b(?:ready|done|complete|completed|finished|delivered|in place)\s+(?:by|before)\b"
    r"|\b(?:all|these|the) (?:goals|objectives|deliverables) (?:by|before)\b"
    r"|(?:以上|上述)\S{0,8}(?:于|在)\S{0,12}(?:前|之前)(?:完成|达成)",
    re.I,
)


def _section_periods(facts: PlanFacts) -> None:
    for b in facts.plan.blocks:
        if b.kind == BlockKind.HEADING:
            facts.section_has_period[b.id] = has_time_reference(facts.folded[b.id])
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


def inherits_period(facts: PlanFacts, block: Block) -> bool:
    if facts.plan_has_period:
        return True
    by_id = {b.id: b for b in facts.plan.blocks}
    hid = block.heading_id
    while hid:
        if facts.section_has_period.get(hid):
            return True
        h = by_id.get(hid)
        hid = h.heading_id if h else None
    # A parent list item (category) that names the period, e.g. "- By Q4 2026:".
    pid = block.parent_id
    while pid:
        parent = by_id.get(pid)
        if parent is None:
            break
        if has_time_reference(facts.folded[parent.id]):
            return True
        pid = parent.parent_id
    return False


# -- OKR -----------------------------------------------------------------------------------------
_ASIDE_COLUMN = re.compile(
    r"assumption|means of verification|verification|source|evidence|note|comment|remark|rationale|risk|"
    r"假设|前提|验证|来源|备注|说明|依据|风险",
    re.I,
)


_QUOTE_MARK = re.compile(r"^(?:\s*>)+\s*")


def _labelled(line_cues: dict[str, re.Pattern[str]], text: str) -> bool:
    """A line that says what it is ("Goal: …", "> 目标：…"), blockquote markers aside."""
    text = _QUOTE_MARK.sub("", text)
    return bool(line_cues["en"].match(text) or line_cues["zh"].match(text))


def _stmt(facts: PlanFacts, b: Block, children: list[Block] | None = None) -> Statement:
    row = {}
    if b.kind == BlockKind.TABLE_ROW and b.header and b.cells:
        row = {
            h: c
            for h, c in zip(b.header, b.cells, strict=False)
            if not _ASIDE_COLUMN.search(fold(h))
        }
    return Statement(
        block=b,
        text=facts.folded[b.id],
        raw=b.text,
        section=facts.section[b.id],
        children=children or [],
        row=row,
    )


_OBJ_COL = re.compile(r"objective|^目标$|^o$", re.I)
_KR_COL = re.compile(r"key result|\bkrs?\b|关键结果", re.I)


def _okr_tables(facts: PlanFacts, used: set[str]) -> None:
    """Tables with an Objective column and a Key result column: one row per KR."""
    for rows in data_rows_by_table(facts.plan):
        header = [fold(h).strip() for h in rows[0].header or []]
        kr_col = next((i for i, h in enumerate(header) if _KR_COL.search(h)), None)
        obj_col = next(
            (i for i, h in enumerate(header) if i != kr_col and _OBJ_COL.search(h)), None
        )
        if kr_col is None or obj_col is None:
            _labelled_okr_table(facts, rows, used)
            continue
        current: Objective | None = None
        for r in rows:
            cells = r.cells or []
            obj_text = cells[obj_col].strip() if obj_col < len(cells) else ""
            if obj_text or current is None:
                current = Objective(block=r, krs=[])
                facts.objectives.append(current)
            kr = _stmt(facts, r)
            if kr_col < len(cells):
                kr.raw, kr.text = cells[kr_col], fold(cells[kr_col])
            current.krs.append(kr)
            used.add(r.id)


_O_LABEL = re.compile(r"^\s*(?:o|objective|目标)\s*[一二三四五六七八九十\d]+\s*[:：.]?\s*$", re.I)
_KR_LABEL = re.compile(r"^\s*kr\s*\d+(?:\.\d+)?\s*[:：.]?\s*$", re.I)


def _labelled_okr_table(facts: PlanFacts, rows: list[Block], used: set[str]) -> None:
    """'| O1 | 提升会员活跃 |' then '| KR1.1 | … |': objectives and key results by label."""
    labels = [fold((r.cells or [""])[0]) for r in rows]
    if not any(_KR_LABEL.match(x) for x in labels) or not any(_O_LABEL.match(x) for x in labels):
        return
    current: Objective | None = None
    for r, label in zip(rows, labels, strict=True):
        text = " ".join((r.cells or [])[1:])
        if _O_LABEL.match(label):
            current = Objective(block=r, krs=[])
            facts.objectives.append(current)
            used.add(r.id)
        elif _KR_LABEL.match(label) and current is not None:
            kr = _stmt(facts, r)
            kr.raw, kr.text = text, fold(text)
            current.krs.append(kr)
            used.add(r.id)


def _objectives(facts: PlanFacts, by_parent: dict[str, list[Block]]) -> None:
    plan = facts.plan
    lang_kr = cues.KR_LINE
    lang_obj = cues.OBJECTIVE_LINE

    def is_kr(text: str) -> bool:
        return bool(lang_kr["en"].match(text) or lang_kr["zh"].match(text))

    def is_obj(text: str) -> bool:
        t = _LIST_NUMBER.sub("", text)
        return bool(lang_obj["en"].match(t) or lang_obj["zh"].match(t))

    blocks = plan.blocks
    by_id = {b.id: b for b in blocks}
    used: set[str] = set()
    _okr_tables(facts, used)
    # (a) objective headings inside an OKR section, or headings that say "Objective".
    for i, h in enumerate(blocks):
        if h.kind != BlockKind.HEADING:
            continue
        in_okr = (
            facts.section[h.id] == "okr"
            and h.heading_id is not None
            and facts.section.get(h.heading_id) == "okr"
        )
        if not (in_okr or is_obj(facts.folded[h.id])):
            continue
        if is_kr(facts.folded[h.id]) or _objectives_container(facts, h):
            continue
        krs: list[Statement] = []
        # Under a heading that is itself a key result ("#### KR: … by 25%"), the list is the KR's
        # initiatives ("The following initiatives will impact this KR:"), not more key results.
        kr_heading_level: int | None = None
        for b in blocks[i + 1 :]:
            if b.kind == BlockKind.HEADING and b.level <= h.level:
                break
            if b.kind == BlockKind.HEADING:
                if kr_heading_level is not None and b.level <= kr_heading_level:
                    kr_heading_level = None
                if is_kr(facts.folded[b.id]):
                    krs.append(_stmt(facts, b))
                    kr_heading_level = b.level
                continue
            if kr_heading_level is not None:
                continue
            if b.kind == BlockKind.LIST_ITEM and b.level == 0:
                krs.append(_stmt(facts, b, by_parent.get(b.id)))
            elif (b.kind == BlockKind.PARAGRAPH and is_kr(facts.folded[b.id])) or (
                b.kind == BlockKind.TABLE_ROW
                and not b.is_header
                and b.heading_id == h.id
                and not shapes.is_blank_form_row(b)
            ):
                krs.append(_stmt(facts, b))
        if krs or in_okr:
            facts.objectives.append(Objective(block=h, krs=krs))
            used.update(k.block.id for k in krs)
            used.add(h.id)
    # (b) list items / paragraphs that say "Objective" followed by KR lines or nested items.
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.id in used or b.kind in (BlockKind.HEADING, BlockKind.TABLE_ROW):
            i += 1
            continue
        text = facts.folded[b.id]
        in_okr = facts.section[b.id] == "okr"
        kids = by_parent.get(b.id, [])
        if (
            b.kind == BlockKind.LIST_ITEM
            and kids
            and (is_obj(text) or (in_okr and b.level == 0 and not is_kr(text)))
        ):
            krs = [_stmt(facts, k, by_parent.get(k.id)) for k in kids]
            facts.objectives.append(Objective(block=b, krs=krs))
            used.add(b.id)
            used.update(k.id for k in kids)
            i += 1
            continue
        if (
            b.kind == BlockKind.LIST_ITEM
            and not kids
            and b.level == 0
            and in_okr
            and b.heading_id is not None
            and _objectives_container(facts, by_id[b.heading_id])
            and _NAMES_OBJECTIVES.search(facts.folded[b.heading_id])
            and not is_kr(text)
            and not _INTRO_LINE.search(text)
        ):
            # "#### Current quarter objectives" over plain items: objectives with no key result.
            facts.objectives.append(Objective(block=b, krs=[]))
            used.add(b.id)
            i += 1
            continue
        if is_obj(text) and not is_kr(text):
            krs = []
            j = i + 1
            while j < len(blocks):
                nb = blocks[j]
                ntext = facts.folded[nb.id]
                if nb.kind == BlockKind.HEADING or (is_obj(ntext) and not is_kr(ntext)):
                    break
                if is_kr(ntext) or (
                    nb.kind == BlockKind.LIST_ITEM and (nb.parent_id == b.id or nb.level == 0)
                ):
                    krs.append(_stmt(facts, nb, by_parent.get(nb.id)))
                    used.add(nb.id)
                elif nb.kind == BlockKind.PARAGRAPH and krs:
                    break
                j += 1
            if krs or in_okr:
                facts.objectives.append(Objective(block=b, krs=krs))
                used.add(b.id)
            i = j
            continue
        i += 1


_OBJECTIVES_PLURAL = re.compile(r"\bobjectives\b|\bokrs\b|目标$", re.I)
_NAMES_OBJECTIVES = re.compile(r"\bobjectives\b|目标$", re.I)


def _objectives_container(facts: PlanFacts, h: Block) -> bool:
    """An OKR-section heading that names a set of objectives ("Current quarter objectives",
    "Q3 OKRs"), not one objective: its items are the objectives."""
    if h.kind != BlockKind.HEADING or facts.section.get(h.id) != "okr":
        return False
    text = facts.folded[h.id]
    if cues.OBJECTIVE_LINE["en"].match(text) or cues.OBJECTIVE_LINE["zh"].match(text):
        return False  # "Objective 1: …"
    return classify_heading(h.text) in ("goals", "okr") and bool(_OBJECTIVES_PLURAL.search(text))


# -- goals ---------------------------------------------------------------------------------------
def _is_goal_candidate_paragraph(facts: PlanFacts, b: Block, has_items: bool) -> bool:
    text = facts.folded[b.id]
    if cues.GOAL_LINE["en"].match(text) or cues.GOAL_LINE["zh"].match(text):
        return True
    if _INTRO_LINE.search(text):
        return False
    if has_items and not _TRAILING_GOAL.match(text):
        return False
    if len(re.findall(r"[.。!?！？](?:\s|$)", text.strip())) > 1:
        return False  # prose of several sentences, not a goal statement
    if shapes.is_markup_only(b.text):
        return False  # an image, a bare HTML fragment, a connective ("和", "为此，")
    words = len(text.split()) if re.search(r"[a-z]", text) else len(text) / 2
    # A paragraph is a goal only if it states an outcome: prose about the community's origins
    # or a principle is context ("…是我们的初心").
    return words <= 35 and _outcome_like(facts, b)


_HEADING_MARKUP = re.compile(
    r"<[^>]*>|[\u2190-\u21ff\u2600-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff\ufe0f]+"
)
_LABEL_ONLY = re.compile(
    r"^(?:(?:strategic\s+)?(?:goal|objective|target|aim|priority|pillar|theme|outcome)s?|目标|战略目标|重点)?"
    r"\s*[一二三四五六七八九十\d]*\s*[:：.]?$"
    r"|^(?:primary|secondary|tertiary|other|overall|general|short[- ]term|long[- ]term|主要|次要|其他|总体)$",
    re.I,
)
_SHARE_TARGET = re.compile(r"\d\s?(?:%|％|个百分点)|(?:≥|>=|>|至少|不低于)\s?\d+(?:\.\d+)?\s?%")


def _heading_statement(text: str) -> str:
    """A heading's statement text: markup, emoji, numbering, labels and a trailing owner
    tag ("(Brian)") removed (folded)."""
    text = _HEADING_MARKUP.sub(" ", text)
    text = core_text(text)
    text = re.sub(r"\s*[(（][^()（）]{0,40}[)）]\s*$", "", text)
    return fold(text).strip(" .。")


def _verb_initial(text: str) -> bool:
    return any(
        pattern[lang].match(text)
        for pattern in (cues.GENERIC_VERB, cues.ACTIVITY_VERB, cues.OUTCOME_START)
        for lang in ("en", "zh")
    )


def _outcome_like(facts: PlanFacts, b: Block) -> bool:
    """An item that states an outcome (a measured result or a change to reach), not an
    activity: "Increase geographical availability", "Run 2 surveys, >80% satisfaction" are;
    "Host 8 OSPOlogy sessions", "Develop a kit of resources" are not."""

    if shapes.is_meta_field(facts.folded[b.id]):
        return False  # "Rationale: …", "Things we could do: …": a field of the goal above
    text = core_text(facts.folded[b.id])
    label, sep, rest = text.partition(":")
    if not sep:
        label, sep, rest = text.partition("：")
    if sep and rest.strip() and len(label) <= 30 and _outcome_text(rest.strip()):
        return True  # "Safer neighbourhoods: work with partners to make residents feel safer"
    return _outcome_text(text)


def _outcome_text(text: str) -> bool:
    text = core_text(text)
    activity = shapes.starts_with_activity(text)
    outcome_verb = bool(
        cues.OUTCOME_START["en"].match(text) or cues.OUTCOME_START["zh"].match(text)
    )
    for lang in ("en", "zh"):
        m = cues.GENERIC_VERB[lang].match(text)
        # "Develop a kit" is an activity; "Develop our capacity" an outcome.
        rest = text[m.end() :] if m else ""
        artefact = bool(
            re.match(r"\s+(?:a|an|new)\s", rest, re.I)
        )  # "Develop a kit", "Develop an onboarding"
        if m and (not activity or (not artefact and cues.ABSTRACT_OBJECT[lang].search(rest))):
            outcome_verb = True
    if activity and not outcome_verb:
        return bool(_SHARE_TARGET.search(text))  # an activity is a goal only with a result share
    return outcome_verb or has_metric(text)


def _activity_only(text: str) -> bool:
    """Work, not an outcome: starts with an activity verb and states no result."""
    text = core_text(text)
    return shapes.starts_with_activity(text) and not _outcome_text(text)


# The fields of a KPI record ("Metric: …", "- Current: 2", "- Target: 2 or more", "- Plan to
# measure: …"): parts of one goal, not goals of their own.
_KPI_FIELD = re.compile(
    r"^\W*(?P<label>current(?: value| state| level)?|baseline|today|target(?: value)?|metric|measure|"
    r"kpi|plan to measure|how (?:to|we) measure|measurement|data source|"
    r"现状|当前值?|目前|基线|基准|目标值|指标|衡量方式|测量方式|计算方式|数据来源)\s*[:：]\s*(?P<value>.*)$",
    re.I,
)
_GOAL_FIELD = re.compile(r"^\W*(?:goal|目标)\s*[:：]\s*\S", re.I)


def _kpi_records(facts: PlanFacts) -> None:
    """A goal written as a KPI record reads as one goal: the "Goal:" line when there is one (its
    target and baseline from the record's fields), else the "Target:" line (its baseline from
    "Current:"). The record's other fields are not goals, and a heading over such records is
    their category, not a goal (docs/rules-interpretation.md, "KPI records")."""
    by_heading: dict[str | None, list[Statement]] = {}
    for g in facts.goals:
        by_heading.setdefault(g.block.heading_id, []).append(g)
    drop: set[str] = set()
    for hid, _stmts in by_heading.items():
        blocks = facts.plan.under(hid)
        fields = [
            (b, m)
            for b in blocks
            if b.kind in (BlockKind.LIST_ITEM, BlockKind.PARAGRAPH)
            and (m := _KPI_FIELD.match(facts.folded[b.id]))
        ]
        labels = {fold(m.group("label")).split()[0] for _, m in fields}
        if not ({"target", "目标值"} & labels and labels - {"target", "目标值"}):
            continue  # not a record: a lone "Target:" line is an ordinary goal
        goal_line: Statement | None = None
        target: Statement | None = None
        current = ""
        by_id = {g.block.id: g for g in facts.goals}
        for b in blocks:
            m = _KPI_FIELD.match(facts.folded[b.id])
            if _GOAL_FIELD.match(facts.folded[b.id]) and b.id in by_id:
                goal_line, target, current = by_id[b.id], None, ""
                continue
            if m is None:
                continue
            label = fold(m.group("label")).split()[0]
            if label in ("target", "目标值"):
                if goal_line is not None:
                    goal_line.text += " " + facts.folded[b.id]
                    drop.add(b.id)
                else:
                    target = by_id.get(b.id)
                    if target is not None and current and has_metric(current):
                        target.text += f" (baseline: {current})"
            elif label in (
                "current",
                "baseline",
                "today",
                "现状",
                "当前",
                "当前值",
                "目前",
                "基线",
                "基准",
            ):
                current = m.group("value")
                if goal_line is not None and has_metric(current):
                    goal_line.text += f" (baseline: {current})"
                if target is not None and has_metric(current):
                    target.text += f" (baseline: {current})"
                drop.add(b.id)
            else:
                drop.add(b.id)  # "Metric: …", "Plan to measure: …": what and how, not a goal
        if hid is not None:
            drop.add(hid)  # "### Sustainable Maintainership" over its records: their category
    facts.goals = [g for g in facts.goals if g.block.id not in drop]


def _goal_headings(facts: PlanFacts) -> dict[str, float]:
    """Sub-headings of a goals section that state a goal themselves ("#### Build regional
    capacity…", "### ➡️ Grow the community", "### AI tooling" over prose): the items under
    them are its activities, not further goals. Labels ("GOAL 1:", "Primary"), periods and
    categories whose items are the goals ("### Customer") are not goal headings."""
    plan = facts.plan
    out: dict[str, float] = {}  # goal heading id -> how sure the reading is
    for h in plan.blocks:
        if h.kind != BlockKind.HEADING or facts.section[h.id] != "goals" or h.heading_id is None:
            continue
        if classify_heading(h.text) is not None or h.text.rstrip().endswith((":", "：")):
            continue  # the section's own heading ("Goals", "2022 目标"), or a label
        text = _heading_statement(h.text)
        if not text or _LABEL_ONLY.match(text) or _only_dates(text):
            continue
        bare = _HEADING_MARKUP.sub("", h.text).strip(" *_:：")
        if bare.isupper() and len(bare) <= 40:
            continue  # "REVENUE", "CORE TEAM": a label grouping a goal's objectives
        if _GOAL_PART_HEADING.search(text) and len(text) <= 60:
            continue  # "We'll know we're successful when", "Objectives": a part of a goal
        if not re.search(r"[a-z\u4e00-\u9fff]", text) or (
            has_time_reference(text) and len(text) < 12
        ):
            continue
        items = [
            b
            for b in facts.plan.under(h.id)
            if b.kind == BlockKind.LIST_ITEM and b.parent_id is None
        ]
        if _verb_initial(text):
            out[h.id] = 1.0
        elif not items or sum(1 for b in items if _outcome_like(facts, b)) * 2 < len(items):
            # A noun-phrase heading over prose or activities is the goal itself; a weaker
            # reading than a heading that states one, so its findings are a step milder.
            out[h.id] = 0.7
    return out


_GOAL_PART_HEADING = re.compile(
    r"\b(?:objectives|rationale|why|actions|initiatives|activities|tactics|how|approach|"
    r"success|criteria|measures?|kpis?|metrics|deliverables|notes?)\b|successful"
    r"|目标分解|举措|措施|理由|原因|成功标准|衡量|指标|行动|活动",
    re.I,
)


def _goal_scopes(facts: PlanFacts, goal_headings: dict[str, float]) -> dict[str, str]:
    """Block id -> the goal heading it belongs to. A goal heading's scope runs on over the
    headings after it that are not goals themselves (its "Objectives:" part, its "REVENUE"
    labels) until the next goal heading or a heading above its level."""
    scope: dict[str, str] = {}
    current: Block | None = None
    for b in facts.plan.blocks:
        if b.kind == BlockKind.HEADING:
            if b.id in goal_headings:
                current = b
                continue
            if current is not None and (
                b.level < current.level or facts.section.get(b.id) != "goals"
            ):
                current = None
        if current is not None:
            scope[b.id] = current.id
    return scope


_DEFINES = re.compile(
    r"\b(?:defin\w*|terms|glossary|terminology|we mean|refers? to)\b|定义|术语|名词解释|释义", re.I
)


_QUESTION_ITEM = re.compile(r"[?？]\s*$")


def _intro_of(facts: PlanFacts, b: Block) -> str | None:
    """The folded text of the line ending in ':' that introduces a list item's list, or None."""
    if b.kind != BlockKind.LIST_ITEM:
        return None
    lead = _lead_in(facts, b)
    if lead is None:
        return None
    text = facts.folded[lead.id].strip()
    return text if _INTRO_LINE.search(text) else None


def _under_other_label(facts: PlanFacts, b: Block) -> bool:
    """A list item introduced by a label paragraph that names another part ("Overview:",
    "Timeline:", "Background:") is that part, not a goal."""
    text = _intro_of(facts, b)
    if text is None or len(text) > 40:
        return False
    return classify_heading(text.rstrip(":： ")) not in (None, "goals", "okr")


_METRICS_HEADING = re.compile(
    r"\b(?:metrics|kpis?|indicators|measures|measurements)\W*$|(?:指标|指標)\W*$", re.I
)


def _untargeted_measure(facts: PlanFacts, b: Block) -> bool:
    """An item under a heading that names metrics ("Secondary Metrics", "KPIs", "考核指标") that
    states no target and no outcome ("GitHub Stars: Growth rate", "Conversion Rate: % of users
    who become sponsors"): a measure to track (the Check step), not a goal."""
    if b.kind != BlockKind.LIST_ITEM or b.heading_id is None:
        return False
    if not _METRICS_HEADING.search(facts.folded[b.heading_id].strip()):
        return False
    text = facts.folded[b.id]
    value = shapes.field_value(text)
    judged = value if value else text
    return not has_metric(text) and not _outcome_text(judged) and not _TARGET_WORD.search(text)


_TARGET_WORD = re.compile(r"\b(?:target|goal|aim|reach|achieve)\b|目标|达到|提升|提高|降低", re.I)


def _under_measures_lead_in(facts: PlanFacts, b: Block) -> bool:
    """A list item under a lead-in that says what will be measured ("Specifically, these
    metrics may include:", "我们将从以下方面评估："): a measure of the Check step, not a goal."""
    text = _intro_of(facts, b)
    return text is not None and bool(active().measure_lead_in.search(text))


# "The association seeks to achieve its goal by carrying out the following activities:",
# "我们将通过以下工作实现目标：": the items are the means, not further goals.
_ACTIVITIES_LEAD_IN = re.compile(
    r"\b(?:the following|these|its|our|following) (?:activities|actions|measures|means)\b"
    r"|\bby (?:carrying out|undertaking|doing|means of)\b"
    r"|通过(?:以下|下列|如下)(?:工作|活动|措施|方式|举措)",
    re.I,
)


def _under_activities_lead_in(facts: PlanFacts, b: Block) -> bool:
    """A list item under a lead-in that says the items are the activities that serve the goal
    above: work, not goals of their own."""
    text = _intro_of(facts, b)
    return text is not None and bool(_ACTIVITIES_LEAD_IN.search(text))


def _is_definition_or_label(facts: PlanFacts, b: Block) -> bool:
    """A glossary entry under a "we define the following terms:" lead-in, or a bare bold or
    capitalised label paragraph ("**REVENUE**"): context for goals, not a goal."""
    if b.kind == BlockKind.LIST_ITEM:
        lead = _lead_in(facts, b)
        return lead is not None and bool(
            _DEFINES.search(facts.folded[lead.id]) and _INTRO_LINE.search(facts.folded[lead.id])
        )
    if b.kind == BlockKind.PARAGRAPH:
        text = b.text.strip()
        bare = text.strip("*_ ")
        return (
            len(bare.split()) <= 3
            and not re.search(r"\d", bare)
            and (text.startswith(("**", "__")) or (bare.isupper() and len(bare) > 2))
        )
    return False


def _goals(facts: PlanFacts, by_parent: dict[str, list[Block]], skip: set[str]) -> None:
    plan = facts.plan
    goal_sections = {
        h.id for h in plan.blocks if h.kind == BlockKind.HEADING and facts.section[h.id] == "goals"
    }
    goal_headings = _goal_headings(facts)
    goal_scope = _goal_scopes(facts, goal_headings)
    first = plan.blocks[0] if plan.blocks else None
    title_id = first.id if first is not None and first.kind == BlockKind.HEADING else None
    scoped_items: dict[str, list[Block]] = {}
    for x in plan.blocks:
        if x.kind == BlockKind.LIST_ITEM and x.id in goal_scope:
            scoped_items.setdefault(goal_scope[x.id], []).append(x)
    links = {
        b.id
        for b in plan.blocks
        if b.kind == BlockKind.LIST_ITEM and shapes.is_link_only(facts.lines[b.start_line - 1])
    }
    requirements = {
        b.id
        for b in plan.blocks
        if b.kind == BlockKind.LIST_ITEM
        and facts.section[b.id] == "goals"
        and shapes.is_requirement(facts.folded[b.id])
        and not has_metric(facts.folded[b.id])
    }
    items_in_heading: dict[str, bool] = {}
    for b in plan.blocks:
        if (
            (
                b.kind == BlockKind.LIST_ITEM
                and b.parent_id is None
                and b.id not in links
                and b.id not in requirements
            )
            or b.kind == BlockKind.TABLE_ROW
        ) and b.heading_id:
            items_in_heading[b.heading_id] = True
    for b in plan.blocks:
        if b.id in skip:
            continue
        text = facts.folded[b.id]
        explicit = _labelled(cues.GOAL_LINE, text)
        # Items right under a "Q2 2026 Goals" title are in goals by the title (sections.py).
        in_goals = b.heading_id in goal_sections or (
            facts.section[b.id] == "goals" and b.heading_id == title_id
        )
        if b.kind == BlockKind.HEADING:
            # "### Goal 1: Improve X" under a goals section is itself the goal statement.
            if explicit and facts.section[b.id] in ("goals", ""):
                facts.goals.append(_stmt(facts, b))
            elif b.id in goal_headings:
                heading_goal = _stmt(facts, b, scoped_items.get(b.id, []))
                heading_goal.confidence = goal_headings[b.id]
                facts.goals.append(heading_goal)
            continue
        if explicit:
            facts.goals.append(_stmt(facts, b, by_parent.get(b.id)))
            continue
        if facts.section[b.id] != "goals":
            continue
        if (
            b.id in links
            or _is_definition_or_label(facts, b)
            or _under_other_label(facts, b)
            or _under_measures_lead_in(facts, b)
            or _under_activities_lead_in(facts, b)
        ):
            continue  # "- [Q&A discussions](…)": where something is measured, not a goal
        if _QUESTION_ITEM.search(text):
            continue  # "What is a contribution to Jupyter?": a question the plan asks, not a goal
        if b.id in requirements:
            continue  # "用户只能评论/批注文献的段落": what the system must do (scope), not a goal
        if b.kind == BlockKind.LIST_ITEM and shapes.is_deliverable(text):
            continue  # "结题报告一份", "软件著作权 1 项": an output to hand over, not a goal
        if _untargeted_measure(facts, b):
            # "GitHub Stars: Growth rate" under "Secondary Metrics": a measure to track.
            facts.measures.append(_stmt(facts, b))
            continue
        if b.id in goal_scope:
            # Under a goal heading: only items that state an outcome are goals of their own.
            if (
                b.kind == BlockKind.LIST_ITEM
                and b.parent_id is None
                and _outcome_like(facts, b)
                and (stmt := _list_statement(facts, b, by_parent)) is not None
            ):
                facts.goals.append(stmt)
            continue
        if not in_goals:
            continue
        if b.kind == BlockKind.LIST_ITEM:
            if (stmt := _list_statement(facts, b, by_parent)) is not None:
                if _activity_only(stmt.text):
                    # "Write a tutorial on that topic" under "Stretch goal": work, which a goals
                    # heading may list as often as outcomes; its SMART gaps are said as warnings.
                    stmt.confidence = min(stmt.confidence, 0.6)
                facts.goals.append(stmt)
        elif b.kind == BlockKind.TABLE_ROW and not b.is_header:
            task_col, owner_col = _task_table(b)
            if owner_col is not None and task_col is not None:
                continue  # an initiatives table with owners under a "priorities" heading
            if shapes.is_blank_form_row(b) or shapes.has_fill_in(facts.lines[b.start_line - 1]):
                continue  # "|Preferred name| | | |": a log to fill in after launch, not a goal
            facts.goals.append(_stmt(facts, b))
        elif b.kind == BlockKind.PARAGRAPH and _is_goal_candidate_paragraph(
            facts, b, items_in_heading.get(b.heading_id or "", False)
        ):
            facts.goals.append(_stmt(facts, b))


# "下半年的整体目标是：", "Our goals for H2 are:", "目标如下：": a lead-in that announces goals.
_GOALS_LEAD_IN = re.compile(
    r"(?:目标|目的|goals?|objectives?|aims?|targets?|kpis?)\s*(?:是|为|如下|包括|有|are|include|for [^:：]{1,30})?"
    r"\s*(?:如下)?\s*[:：]\s*$",
    re.I,
)


def _announced_goals(facts: PlanFacts, by_parent: dict[str, list[Block]], skip: set[str]) -> None:
    """Goals announced by a lead-in paragraph outside a goals section: the numbered paragraphs
    or top-level list items that follow it, up to the next heading or other paragraph."""
    plan = facts.plan
    taken = {g.block.id for g in facts.goals} | skip
    for i, lead in enumerate(plan.blocks):
        if lead.kind != BlockKind.PARAGRAPH or facts.section[lead.id] in (
            "goals",
            "okr",
            "background",
        ):
            continue
        if not _GOALS_LEAD_IN.search(facts.folded[lead.id]) or len(lead.text) > 200:
            continue
        for b in plan.blocks[i + 1 :]:
            if b.kind == BlockKind.HEADING or b.heading_id != lead.heading_id:
                break
            if b.kind == BlockKind.LIST_ITEM and b.parent_id is not None:
                continue
            numbered = b.kind == BlockKind.PARAGRAPH and _LIST_NUMBER.match(b.text)
            if not (b.kind == BlockKind.LIST_ITEM or numbered):
                break
            if b.id not in taken:
                facts.goals.append(_stmt(facts, b, by_parent.get(b.id)))


# -- tasks ---------------------------------------------------------------------------------------
def _task_table(b: Block) -> tuple[int | None, int | None]:
    """(task column, owner column) indexes of a task-like table, from its header."""
    if not b.header:
        return None, None
    task_col = owner_col = None
    for i, h in enumerate(b.header):
        h = fold(h)
        if owner_col is None and active().owner_column.search(h):
            owner_col = i
        elif task_col is None and active().task_column.search(h):
            task_col = i
    return task_col, owner_col


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
        if (
            not (
                _NUMBERED_HEADING.match(fold(h.text).lstrip("# "))
                or shapes.is_action(words)  # "Hire a professional project manager"
            )
            or h.text.rstrip().endswith((":", "："))
            or classify_heading(h.text) is not None
            or _PHASE_HEADING.search(_LIST_NUMBER.sub("", words).strip())
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
        if not _NUMBERED_HEADING.match(fold(h.text).lstrip("# ")) and any(
            shapes.is_action(facts.folded[b.id]) for b in body
        ):
            continue  # "### Close the bank account" over "Close the account and …": the title of its task
        prose = [
            b for b in body if b.kind != BlockKind.LIST_ITEM and not _LIST_NUMBER.match(b.text)
        ]
        if not subheadings and not prose and len(body) >= 2:
            continue  # nothing but a list of items under it: they are the work, not its steps
        # Its owner: the heading's own, an owner line in its body ("負責人：…"), the section's
        # or the plan's; not any name-like word in its technical notes.
        owner_lines = [b for b in body if cues.OWNER_LABEL.search(facts.folded[b.id])]
        facts.tasks.append(_stmt(facts, h, owner_lines))
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


def _not_work(facts: PlanFacts, b: Block) -> bool:
    """Items of a task section that are not work: fields about an activity (时间/地点/内容),
    links, template rows, the topics listed under a topics label, and the scope of a
    release or phase (the features under "阶段一 2025Q1" or "Milestone: …")."""
    if shapes.is_meta_field(facts.folded[b.id]) or shapes.is_link_only(
        facts.lines[b.start_line - 1] if b.kind == BlockKind.LIST_ITEM else b.text
    ):
        return True
    if shapes.is_template_row(b):
        return True
    if b.kind == BlockKind.TABLE_ROW and shapes.has_fill_in(facts.lines[b.start_line - 1]):
        return True  # a row of results to fill in
    if b.kind != BlockKind.TABLE_ROW and shapes.is_not_an_action(facts.folded[b.id]):
        return True  # "Budget?", "$5k for local swag", "TBA", "The dashboard is public"
    value = shapes.field_value(facts.folded[b.id])
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
    if cues.TEMPLATE_SLOT.fullmatch(re.sub(r"^\s*(?:[-*+]\s*)?(?:\[[ xX]?\]\s*)?", "", text)):
        return True  # "- [ ] ...": an empty slot of a template (plan.placeholder), never a task
    if b.kind == BlockKind.TABLE_ROW and b.cells and _TOTAL_CELL.match(fold(b.cells[0])):
        return True  # "| **總計** | - | - | 33,500,000元 |": the table's total, not work
    if b.kind == BlockKind.TABLE_ROW and shapes.is_comparison_row(b):
        return True  # "| 視覺化 Kanban | ❌ | ✅ |": a row of a comparison matrix, not work
    if b.kind == BlockKind.TABLE_ROW and (_schedule_row(b) or _budget_row(b)):
        return True  # "| 2025/05 | 籌備團隊建立 |": a timeline table without an owner column
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


def _lead_in(facts: PlanFacts, b: Block) -> Block | None:
    """The paragraph that introduces the list an item belongs to (same heading, just before)."""
    plan = facts.plan
    for i in range(facts.position[b.id] - 1, -1, -1):
        prev = plan.blocks[i]
        if prev.heading_id != b.heading_id or prev.kind == BlockKind.HEADING:
            return None
        if prev.kind == BlockKind.LIST_ITEM:
            continue
        return prev if prev.kind == BlockKind.PARAGRAPH else None
    return None


_PHASE_HEADING = re.compile(
    r"^(?:phase|stage|milestone|release|version|v\d|wave|sprint|increment|mvp\b)"
    r"|^(?:第[一二三四五六七八九十\d]+|[一二三四五六七八九十]+、)?\s*(?:阶段|期|里程碑|版本|迭代)"
    r"|^阶段[一二三四五六七八九十\d]|里程碑|^\d+(?:\.\d+)+\b|^(?:20\d\d\s*)?(?:q[1-4]|h[12])\b|^20\d\d(?:\s*年)?\s*(?:q[1-4]|h[12]|上半年|下半年|第[一二三四]季度)",
    re.I,
)


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
    return h is not None and classify_heading(h.text) == "tasks"


def _under_action_heading(facts: PlanFacts, b: Block) -> bool:
    """An enclosing heading names work by its own words ("升級執行步驟", "Action plan"), not
    only by inheriting its chapter's part."""
    hid = b.heading_id
    while hid:
        h = facts.plan.block(hid)
        if h is None:
            return False
        if classify_heading(h.text) == "tasks" and facts.section.get(h.id) == "tasks":
            return True
        hid = h.heading_id
    return False


def _under_phase(facts: PlanFacts, b: Block) -> bool:
    """The item's nearest headings (up to its section's) name a phase, release or period."""
    hid = b.heading_id
    depth = 0
    while hid and depth < 3:
        h = facts.plan.block(hid)
        if h is None or h.heading_id is None:
            return False  # the document's title names the plan's period, not a phase
        text = _LIST_NUMBER.sub("", facts.folded[h.id]).strip()
        if _PHASE_HEADING.search(text) or (
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


# -- risks ---------------------------------------------------------------------------------------
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


# -- RACI ----------------------------------------------------------------------------------------
_RACI_CELL = re.compile(r"^\s*(?:[RACI](?:\s*[/,+&]\s*[RACI])*|[RACI]{2,4}|-|—|)\s*$", re.I)


def _is_raci_header(header: list[str] | None) -> bool:
    return bool(header) and any(
        re.search(r"raci|responsible|accountable", h, re.I) for h in header or []
    )


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


# -- budgets and shares --------------------------------------------------------------------------
_AMOUNT = re.compile(
    r"(?P<cur>[$€£¥])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s?"
    r"(?P<mult>k\b|m\b|bn\b|million\b|billion\b|thousand\b|万|亿|千)?\s?(?P<unit>元|美元|人民币|usd|eur|gbp|cny|rmb)?",
    re.I,
)
_MULT = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "billion": 1e9,
    "万": 1e4,
    "亿": 1e8,
    "千": 1e3,
}
HEADING_CURRENCY = re.compile(
    r"\b(?:usd|eur|gbp|cny|rmb|hkd|twd|dollars?|euros?)\b|[$€£¥]|元|万元|'000|in thousands", re.I
)
_AMOUNT_COLUMN = re.compile(
    r"amount|budget|cost|spend|total|eur|usd|\$|€|£|¥|金额|预算|费用|成本|万元|元|投入", re.I
)
_ASIDE_AMOUNTS = re.compile(
    r"[；;。.]\s*(?:另|另外|此外|另有|另行|plus|in addition|separately|on top of)", re.I
)
_INLINE_BREAKDOWN = re.compile(
    r"[,，;；]\s*(?:其中|包括|含)\s*[:：]?|(?<=[元万亿\d])\s*[:：]|\b(?:of which|broken down as|broken down into|split as|comprising|made up of|consisting of|consists of|funded by|financed by|paid for by)\b\s*[:：]?",
    re.I,
)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
_SHARE_WORD = re.compile(r"share|split|占比|构成", re.I)
_NOT_SHARES = re.compile(
    r"投入|fte|capacity|commitment|utili[sz]ation|availability|completion|progress|完成|进度|达成|增长|growth|change",
    re.I,
)
_SHARE_COLUMN = re.compile(
    r"share|percent|%|split|allocation|weight|占比|比例|比重|权重|分配", re.I
)


def parse_amount(text: str, *, need_currency: bool) -> float | None:
    """The first money amount in ``text`` (scaled by k/m/万/亿), or None."""
    for m in _AMOUNT.finditer(text):
        num = m.group("num")
        if re.fullmatch(r"(?:19|20)\d{2}", num) and not (
            m.group("cur") or m.group("unit") or m.group("mult")
        ):
            continue
        after = text[m.end() : m.end() + 1]
        if after == "%":
            continue
        code_before = re.search(
            r"(?:usd|eur|gbp|cny|rmb|hkd|twd|chf|nt\$|hk\$|港币|新台币|人民币|美元)\s*$",
            text[: m.start()],
            re.I,
        )
        has_cur = bool(
            m.group("cur") or m.group("unit") or (m.group("mult") in ("万", "亿")) or code_before
        )
        if need_currency and not has_cur:
            continue
        value = float(num.replace(",", ""))
        mult = (m.group("mult") or "").lower()
        return value * _MULT.get(mult, 1.0)
    return None


def _amount_cell(row: Block, col: int) -> float | None:
    cells = row.cells or []
    return parse_amount(cells[col], need_currency=False) if col < len(cells) else None


def _budgets(facts: PlanFacts) -> None:
    plan = facts.plan
    # Tables: an amount column and a total row.
    for rows in data_rows_by_table(plan):
        header = rows[0].header or []
        amount_cols = [i for i, h in enumerate(header) if _AMOUNT_COLUMN.search(h)]
        if not amount_cols:
            continue
        col = (
            amount_cols[-1]
            if len(amount_cols) > 1
            and re.search(r"total|合计|小计", header[amount_cols[-1]], re.I) is None
            else amount_cols[0]
        )
        # "| Budget item | Amount | Running Total |": the amount column is the one whose cells
        # are amounts, not the item names under a header that says "budget".
        numeric = [
            i
            for i in amount_cols
            if re.search(r"total|合计|小计", header[i], re.I) is None
            and 2 * sum(1 for r in rows if _amount_cell(r, i) is not None) >= len(rows)
        ]
        if numeric and col not in numeric:
            col = numeric[0]
        unit_scale = (
            1e4
            if re.search(r"万元|万", header[col])
            else (1e3 if re.search(r"\bk\b|000s|千", header[col], re.I) else 1.0)
        )
        lines: list[AmountLine] = []
        for r in rows:
            cells = r.cells or []
            if col >= len(cells):
                continue
            amount = parse_amount(cells[col], need_currency=False)
            if amount is None:
                continue
            if not re.search(r"[万亿kmb]", cells[col], re.I):
                amount *= unit_scale
            first = fold(" ".join(cells[:col]) or cells[0])
            lines.append(
                AmountLine(block=r, amount=amount, is_total=bool(cues.TOTAL_CUES.search(first)))
            )
        if any(line.is_total for line in lines) and sum(1 for x in lines if not x.is_total) >= 2:
            facts.budget_groups.append(lines)
    # Lists under a resources/budget heading with a total line.
    by_heading: dict[str, list[Block]] = {}
    for b in plan.blocks:
        if (
            b.kind in (BlockKind.LIST_ITEM, BlockKind.PARAGRAPH)
            and b.heading_id
            and facts.section[b.id] == "resources"
        ):
            by_heading.setdefault(b.heading_id, []).append(b)
    for heading_id, blocks in by_heading.items():
        heading_text = facts.folded.get(heading_id, "")
        currency_in_heading = bool(HEADING_CURRENCY.search(heading_text))
        scale = 1e4 if "万" in heading_text else 1.0
        lines = []
        for b in blocks:
            text = facts.folded[b.id]
            if b.kind == BlockKind.LIST_ITEM and b.level > 0:
                continue
            amount = parse_amount(text, need_currency=not currency_in_heading)
            if (
                amount is not None
                and currency_in_heading
                and not re.search(r"[万亿kmb$€£¥元]", text)
            ):
                amount *= scale
            if amount is None:
                continue
            is_total = bool(cues.TOTAL_CUES.search(text))
            if b.kind == BlockKind.PARAGRAPH and not is_total:
                continue
            lines.append(AmountLine(block=b, amount=amount, is_total=is_total))
        totals = [x for x in lines if x.is_total]
        if len(totals) == 1 and sum(1 for x in lines if not x.is_total) >= 2:
            facts.budget_groups.append(lines)
    # One sentence: "预算300万元，其中买量180万元、KOL 80万元…" / "Budget: $90k, of which …".
    for b in plan.blocks:
        text = facts.folded[b.id]
        m = _INLINE_BREAKDOWN.search(text)
        if not m or not cues.BUDGET_CUES.search(text[: m.start()]):
            continue
        total = parse_amount(text[: m.start()], need_currency=True)
        breakdown = _ASIDE_AMOUNTS.split(text[m.end() :], maxsplit=1)[
            0
        ]  # "；另…预留30万元" is outside the total
        parts = [
            parse_amount(x.group(0), need_currency=True)
            for x in cues.CURRENCY_AMOUNT.finditer(breakdown)
        ]
        values = [p for p in parts if p is not None]
        if total is not None and len(values) >= 2:
            facts.budget_groups.append(
                [AmountLine(block=b, amount=v, is_total=False) for v in values]
                + [AmountLine(block=b, amount=total, is_total=True)]
            )


_PROGRESS_MARK = re.compile(
    r"(?:=>|->|→|⇒)\s*`?\d+(?:\.\d+)?\s*[%％]"
    r"|\d+(?:\.\d+)?\s*[%％]`?\s*(?:done|complete[d]?|finished|implemented|已?完成|进度)",
    re.I,
)


def _percents(facts: PlanFacts) -> None:
    plan = facts.plan
    for rows in data_rows_by_table(plan):
        header = rows[0].header or []
        cols = [i for i, h in enumerate(header) if _SHARE_COLUMN.search(h)]
        if not cols:
            continue
        col = cols[0]
        vals: list[float] = []
        blocks: list[Block] = []
        total: Block | None = None
        for r in rows:
            cells = r.cells or []
            if col >= len(cells):
                continue
            m = _PERCENT.search(cells[col]) or re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*", cells[col])
            if not m:
                continue
            if cues.TOTAL_CUES.search(fold(cells[0])):
                total = r
                continue
            vals.append(float(m.group(1)))
            blocks.append(r)
        shares = _SHARE_WORD.search(fold(header[col])) or not _NOT_SHARES.search(fold(header[col]))
        if len(vals) >= 2 and max(vals) < 100 and shares:
            facts.percent_groups.append(PercentGroup(blocks, vals, total))
    # Runs of short "label: N%" items or paragraphs under one heading.
    by_heading: dict[str, list[Block]] = {}
    for b in plan.blocks:
        if (
            b.kind in (BlockKind.LIST_ITEM, BlockKind.PARAGRAPH)
            and b.level == 0
            and b.heading_id
            and facts.section[b.id] not in ("goals", "okr", "background", "problem")
        ):
            by_heading.setdefault(b.heading_id, []).append(b)
    for blocks in by_heading.values():
        vals, group = [], []
        for b in blocks:
            text = facts.folded[b.id]
            found = _PERCENT.findall(text)
            if len(found) != 1 or len(text) > 80 or _GROWTH.search(text):
                continue
            if _PROGRESS_MARK.search(text):
                continue  # "Assignees for the program roles => 100%": how far along, not a share
            vals.append(float(found[0]))
            group.append(b)
        if len(vals) >= 2 and (
            facts.section[group[0].id] in ("resources", "organisation", "timeline")
            or all(_SHARE_ITEM.match(facts.folded[b.id]) for b in group)
        ):
            facts.percent_groups.append(PercentGroup(group, vals, None))
    # One sentence that splits a whole: "allocated by depot: Coventry 34%, Leicester 28%, …".
    for b in plan.blocks:
        text = facts.folded[b.id]
        found = _PERCENT.findall(text)
        if len(found) >= 3 and _SPLIT_WORDS.search(text) and not _GROWTH.search(text):
            facts.percent_groups.append(PercentGroup([b], [float(x) for x in found], None))


_GROWTH = re.compile(
    r"\b(?:increase|grow|reduce|raise|cut|lift|improve|target)\w*\b|\b(?:by|to|from|up|down)\s+\d|提升|提高|增长|降低|达到|下降|同比|环比|目标",
    re.I,
)
_SHARE_ITEM = re.compile(
    r"^[^\d%]{1,30}[:：]\s*\d+(?:\.\d+)?\s*%\s*[。.;；]?$|^\d+(?:\.\d+)?\s*%\s+[^\d%]{1,30}$"
)
_SPLIT_WORDS = re.compile(
    r"\b(?:split|allocat\w*|share|shares|breakdown|divided|distribution|time this year|of (?:the |our )?(?:budget|time|spend|capacity))\b|\bof which\b|分配|占比|比例|构成|分布|拆分|其中",
    re.I,
)
