"""The reading layer's model of a plan (PlanFacts, Statement and the other records) and the
helpers every recogniser shares: statements from blocks, labelled lines, lead-ins, task tables,
enclosing action headings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from service.models import Block, BlockKind, Plan
from service.rules.extract.dates import find_dates, has_time_reference
from service.rules.extract.normalize import fold
from service.rules.extract.sections import classify_heading
from service.rules.vocabulary import active

_LIST_NUMBER = re.compile(
    r"^\s*(?:[-*+•·▪◦●○■□➢►]\s*|\d{1,2}(?:\.\d{1,2})+\.?\s+|\(?\d{1,2}[.)、]\s*|[（(]?[一二三四五六七八九十]+[）)、.]\s*|[①②③④⑤⑥⑦⑧⑨⑩]\s*)"
)


_LABEL_PREFIX = re.compile(
    # "KR3.1 每 6 週發佈一次", "O2 - …": a numbered KR or objective label, whole ("3.1", not "3.").
    r"^\s*(?:(?:kr|o)\s*\d+(?:\.\d+)*(?=[\s:：.\-–—)])\s*[:：.\-–—)]?\s*"
    r"|(?:goal|objective|target|kr|key results?|o|okr|risk|task|action|initiative)\s*\d*(?:\.\d+)*\s*[:：.\-–—)]\s*"
    r"|(?:目标|关键结果|关键成果|风险|任务|举措|措施|行动)\s*[一二三四五六七八九十\d]*(?:\.\d+)*\s*[:：、.]\s*)",
    re.I,
)
# A task-list box ("- [ ] KR 2.1 …", "- [x] Sarah review …") is not part of the statement.
_CHECKBOX = re.compile(r"^\[[ xX✓✔]\]\s*")


_PERIOD_LINE = re.compile(
    r"^\s*(?:[-*]\s*)?(?:\*\*)?(?:[a-z]+\s+){0,2}(?:period|window|season|run|timeline|timeframe|time frame|duration|dates?|plan period|"
    r"date (?:created|started|restarted)|"
    r"planning period|horizon|term|schedule|covers|coverage|effective|valid|fiscal (?:year|quarter)|"
    r"[\u4e00-\u9fff]{0,4}(?:周期|期限|时间|日期|时段|期间|年度|计划期|执行期|实施期))"
    r"(?:\*\*)?\s*[:：]"
    r"|(?:执行期|实施期|周期|期限|计划期)为?\s*(?:20\d{2}|\d{1,2}月)"
    r"|\bthis (?:plan|document|roadmap|charter) (?:covers|runs|spans)|\bwill run from\b|本(?:计划|方案)(?:覆盖|适用|执行期)"
    # "Over the course of 5 months (Aug 2021 - Dec 2021), …", "在接下来的 6 个月": the plan's span.
    r"|\bover (?:the (?:course|span) of |the next )?(?:\d+|one|two|three|four|five|six|nine|twelve|"
    r"eighteen)\s+(?:months|weeks|years)\b|(?:接下来|未来)的?\s*(?:\d+|[一二两三四五六七八九十]+)\s*(?:个月|年|周)",
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
    # Risk entries answered by a response list or section of their own after them ("Resolution
    # 解决:" then "(1) …", "## Mitigation Plan"): block ids (docs/rules-interpretation.md).
    risks_answered: set[str] = field(default_factory=set)
    # Rules of conduct under a risk heading ("不做夸大收益承诺"): controls, no risk entries.
    risk_controls: set[str] = field(default_factory=set)
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
    # goals._in_topic_list, worked out once per list: (heading, level, parent) -> all topics?
    topic_lists: dict[tuple[str | None, int, str | None], bool] = field(default_factory=dict)
    body_text: str = ""  # folded text outside background/problem sections
    all_text: str = ""
    # all_text without code, link targets and URLs: where staffing and owners are named.
    prose_text: str = ""
    # Block id -> its index in plan.blocks (the recognisers look at a block's neighbours).
    position: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # the plan's source lines, split once
    # The one person or role named as the whole plan's owner in its staffing part, if any.
    plan_owner: str | None = None
    # First cell of an owner table's rows -> the row's owner, for headings named after a row
    # (raci.keyed_owner); worked out on first use.
    keyed_owners: dict[str, str] | None = None
    # An identifier an owner table's row names ("流程文件更新（PR-001, PR-003）") -> that row's owner,
    # for tasks that refer to the same item (raci.referenced_owner); worked out on first use.
    referenced_owners: dict[str, str] | None = None
    # Heading id -> the role its role card names, or None (raci.duty_holder, worked out once).
    duty_holders: dict[str, str | None] = field(default_factory=dict)
    tables: dict[str, list[Block]] | None = None  # table id -> its data rows (rows_of_table)
    # table id -> each data row's outline number ("2.4.1") or None (tasks._outline_numbers)
    outline_numbers: dict[str, list[str | None]] = field(default_factory=dict)

    def rows_of_table(self, table_id: str) -> list[Block]:
        """The data rows of one table, in order (header excluded)."""
        if self.tables is None:
            self.tables = {rows[0].table_id or "": rows for rows in data_rows_by_table(self.plan)}
        return self.tables.get(table_id, [])

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


# A priority tag and an assignee before the statement ("`P0` @kevina - base32 is supported",
# "P1 - Rewrite the pinning structure"): labels, not its first words.
_TAG_PREFIX = re.compile(
    r"^`?\b[pP][0-9xX]\b`?\s*(?:@[\w.-]+\s*)?(?:[-–—:：]\s*)?|^@[\w.-]+\s*[-–—:：]\s*"
)


def core_text(text: str) -> str:
    """Statement text without list numbering, labels such as 'Goal 1:' or 'KR2', and openers
    such as 'Finally, we want to'."""
    out = _LIST_NUMBER.sub("", text, count=1)
    out = _CHECKBOX.sub("", out.lstrip(), count=1)
    out = _TAG_PREFIX.sub("", out, count=1)
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


_BRACKETED = re.compile(r"\s*[(（【\[][^()（）【】\[\]]*[)）】\]]")
_ASIDE_COLUMN = re.compile(
    r"assumption|means of verification|verification|source|evidence|note|comment|remark|rationale|risk|"
    r"假设|前提|验证|来源|备注|说明|依据|风险",
    re.I,
)


_QUOTE_MARK = re.compile(r"^(?:\s*>)+\s*")


def _names_only_a_period(text: str) -> bool:
    """What a label says after its colon names only a period ("Q3 2026", "2026年"), no
    statement of its own ("## Goals: Q3 2026", "## 目标：2026年")."""
    rest = text.strip(" *_:：")
    return bool(rest) and (_only_dates(rest) or (has_time_reference(rest) and len(rest) < 12))


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
            # "概率【假设】" is a probability (assumed): a bracketed qualifier is not the column.
            if not _ASIDE_COLUMN.search(_BRACKETED.sub("", fold(h)))
        }
    return Statement(
        block=b,
        text=facts.folded[b.id],
        raw=b.text,
        section=facts.section[b.id],
        children=children or [],
        row=row,
    )


_HEADING_MARKUP = re.compile(
    r"<[^>]*>|[\u2190-\u21ff\u2600-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff\ufe0f]+"
)


def _heading_statement(text: str) -> str:
    """A heading's statement text: markup, emoji, numbering, labels and a trailing owner
    tag ("(Brian)") removed (folded)."""
    text = _HEADING_MARKUP.sub(" ", text)
    text = core_text(text)
    text = re.sub(r"\s*[(（][^()（）]{0,40}[)）]\s*$", "", text)
    return fold(text).strip(" .。")


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


def _is_raci_header(header: list[str] | None) -> bool:
    return bool(header) and any(
        re.search(r"raci|responsible|accountable", h, re.I) for h in header or []
    )


def record_aim(facts: PlanFacts, b: Block) -> bool:
    """The aim field of a record of fields under its heading (shapes.is_record_aim)."""
    from service.rules.extract import shapes

    if b.heading_id is None or b.kind != BlockKind.LIST_ITEM:
        return False
    return shapes.is_record_aim(facts.plan.under(b.heading_id), b)


def in_work_package(facts: PlanFacts, b: Block) -> bool:
    """ "目標：…" among the fields of a work package under its heading ("檔案：…", "工作項：",
    "預期產出：…"): the aim of that task, not a goal or an objective of the plan."""
    from service.rules.extract import shapes

    if b.heading_id is None or b.kind == BlockKind.HEADING:
        return False
    return shapes.is_work_package(
        [x for x in facts.plan.under(b.heading_id) if x.kind != BlockKind.HEADING]
    )
