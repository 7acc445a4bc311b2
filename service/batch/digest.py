"""What the library-level checks need from one plan, extracted once in the worker.

A :class:`PlanDigest` is small, JSON-serialisable and stored in the batch
cache beside the review, so a resumed run can rerun the library checks
without parsing any plan again. It holds the plan's goals (with the metric,
target and due date each one sets, when it sets one), the people named as
task owners or RACI accountable/responsible, the plan period and which of
the usual plan sections are present.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, Field

from service.models import BlockKind, Plan
from service.rules.extract import cues
from service.rules.extract.dates import find_dates
from service.rules.extract.facts import PlanFacts, Statement, build_facts, core_text
from service.rules.extract.normalize import fold

# The sections a plan is expected to have, in dashboard order.
SECTION_KINDS: tuple[str, ...] = (
    "goals",
    "tasks",
    "organisation",
    "timeline",
    "budget",
    "risk",
    "monitoring",
    "communication",
)


class GoalItem(BaseModel):
    """A goal, objective or key result of a plan."""

    kind: str = Field(description="goal, objective or kr.")
    text: str = Field(description="The statement without numbering or labels ('Goal 1:').")
    line: int = Field(description="First line of the statement in the plan's normalised text.")
    metric: str | None = Field(default=None, description="Normalised metric name, when one is set.")
    metric_label: str | None = Field(default=None, description="The metric as the plan words it.")
    target: str | None = Field(
        default=None, description="Normalised target value ('80%', '1200000')."
    )
    target_text: str | None = Field(default=None, description="The target as the plan writes it.")
    due: str | None = Field(default=None, description="ISO date the target is due, when stated.")


class OwnerItem(BaseModel):
    """A person named as owner, accountable or responsible for some work in a plan."""

    name: str = Field(description="The name as written.")
    key: str = Field(description="Folded, case-insensitive form used to match across plans.")
    role: str = Field(
        description="owner (task owner), accountable (RACI A) or responsible (RACI R)."
    )
    line: int


class PlanDigest(BaseModel):
    """Per-plan facts for the library checks."""

    language: str
    title: str = ""
    goals: list[GoalItem] = Field(default_factory=list)
    owners: list[OwnerItem] = Field(default_factory=list)
    period_start: str | None = Field(default=None, description="ISO start of the plan period.")
    period_end: str | None = Field(default=None, description="ISO end of the plan period.")
    sections: dict[str, bool] = Field(
        default_factory=dict, description="Section kind -> present (see SECTION_KINDS)."
    )


# -- metric targets --------------------------------------------------------------------------------
_VALUE_EN = (
    r"[$€£¥]?\s?\d[\d,]*(?:\.\d+)?\s?(?:%|pp\b|percentage points?|points?\b|k\b|m\b|bn\b|"
    r"million\b|billion\b|x\b|days?\b|hours?\b|minutes?\b|weeks?\b)?"
)
_VERBS_EN = (
    r"raise|increase|grow|lift|boost|improve|reduce|cut|lower|decrease|bring|get|keep|hold|"
    r"maintain|drive|push|expand|shrink|move|take|sustain"
)
_CMP_EN = (
    r"to at least|to at most|to below|to under|to above|to over|to|at least|at most|at|above|below|"
    r"under|over|of|reaches|reach|hits|hit|exceeds|exceed|stays below|stays above|falls to|"
    r"drops to|rises to|grows to|shrinks to|≥|>=|≤|<=|=|:"
)
_EN_PATTERNS = [
    # "Raise CSAT in all regions from 71% to 80% by ..."
    re.compile(
        rf"\b(?:{_VERBS_EN})\s+(?P<metric>[^,;:()]{{2,60}}?)\s+from\s+(?:{_VALUE_EN})\s+"
        rf"(?:to|down to|up to)\s+(?P<target>{_VALUE_EN})",
        re.I,
    ),
    # "Median time-to-first-value falls from 34 days to 21 days"
    re.compile(
        rf"^(?P<metric>[^\d,;:()]{{2,60}}?)\s+(?:\w+\s+)?from\s+(?:{_VALUE_EN})\s+"
        rf"(?:to|down to|up to)\s+(?:under\s+|below\s+|above\s+)?(?P<target>{_VALUE_EN})",
        re.I,
    ),
    # "Reduce churn to 3%", "Keep uptime at 99.9%"
    re.compile(
        rf"\b(?:{_VERBS_EN})\s+(?P<metric>[^\d,;:()]{{2,60}}?)\s+(?:{_CMP_EN})\s+"
        rf"(?P<target>{_VALUE_EN})",
        re.I,
    ),
    # "Conversion rate of 4.5%", "NPS above 45"
    re.compile(
        rf"^(?P<metric>[a-z][^\d,;:()]{{1,60}}?)\s*(?:{_CMP_EN})\s*(?P<target>{_VALUE_EN})", re.I
    ),
    # "Hit $3.5M in online revenue", "Reach 10,000 active users by June"
    re.compile(
        rf"\b(?:reach|hit|achieve|attain|deliver|sign|onboard|acquire|serve|ship|hire|train|"
        rf"close|generate|book|plant|enrol|enroll|recruit)\s+(?P<target>{_VALUE_EN})\s+"
        rf"(?:in\s+|of\s+)?(?P<metric>[a-z][a-z\s-]{{2,50}}?)(?=\s+(?:by|before|in|within|per|each|"
        rf"over|during|across|from)\b|[,.;]|$)",
        re.I,
    ),
]
_VALUE_ZH = r"\d[\d,]*(?:\.\d+)?\s?(?:%|个百分点|万元|亿元|万|亿|元|人次|人|家|个|次|天|小时|分钟|分|台|件|单|户|所|名|场|篇|秒)?"
# A metric name: CJK, Latin and digits ("20秒接通率"), with an optional parenthetical.
_METRIC_ZH = (
    r"[\dA-Za-z\u4e00-\u9fff][\dA-Za-z\u4e00-\u9fff.\s]{1,24}?(?:[(（][^()（）]{1,20}[)）])?"
)
_UP_DOWN_ZH = r"提升|提高|增长|增加|降低|下降|减少|压缩|缩短|扩大|降|升|增"
_ZH_PATTERNS = [
    re.compile(
        rf"(?P<metric>{_METRIC_ZH})(?:从|由)(?:{_VALUE_ZH})"
        rf"\S{{0,3}}?(?:{_UP_DOWN_ZH})?(?:至|到)(?P<target>{_VALUE_ZH})"
    ),
    re.compile(
        rf"(?P<metric>{_METRIC_ZH})(?:(?:{_UP_DOWN_ZH})(?:至|到)|"
        rf"(?:控制|保持|稳定)在|达到|达|不低于|不高于|不超过|不少于|超过|高于|低于|≥|>=|≤|<=)"
        rf"\s*(?P<target>{_VALUE_ZH})"
    ),
]
_ZH_LEAD = re.compile(
    r"^(?:.*?(?:将|把|使|让))?(?:(?:\d{4}年)?(?:年底|年末|年内|全年|上半年|下半年|本季度|季度末|月底)?前?)?"
    r"(?:力争|确保|实现|推动|全面|努力|争取|计划|预计)*"
)
_EN_LEAD = re.compile(r"^(?:the|our|a|an|overall|total)\s+", re.I)
_SCALES = {
    "k": 1e3,
    "m": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "billion": 1e9,
    "万": 1e4,
    "亿": 1e8,
    "万元": 1e4,
    "亿元": 1e8,
}
_PERCENT_UNITS = {
    "%": "%",
    "pp": "pp",
    "percentage point": "pp",
    "percentage points": "pp",
    "point": "pt",
    "points": "pt",
    "个百分点": "pp",
}
_TIME_UNITS = {
    "day": "d",
    "days": "d",
    "hour": "h",
    "hours": "h",
    "week": "w",
    "weeks": "w",
    "minute": "min",
    "minutes": "min",
}
_HEADER_TARGET = re.compile(r"target|goal|to-?be|目标|目标值|计划值", re.I)
_HEADER_METRIC = re.compile(r"metric|kpi|measure|indicator|指标|项目|名称", re.I)


def _number(text: str) -> str:
    return f"{float(text):.6f}".rstrip("0").rstrip(".")


def normalise_value(raw: str) -> str | None:
    """'$1.2M' -> '$1200000'; '80 %' -> '80%'; '4.5万' -> '45000'; None when no number."""
    s = fold(raw).strip().lower().replace(",", "")
    m = re.search(r"(?P<cur>[$€£¥])?\s?(?P<num>\d+(?:\.\d+)?)\s?(?P<unit>[^\d\s]*(?:\s[a-z]+)?)", s)
    if not m:
        return None
    value = float(m.group("num"))
    unit = m.group("unit").strip()
    cur = m.group("cur") or ""
    if unit in _PERCENT_UNITS:
        return f"{_number(m.group('num'))}{_PERCENT_UNITS[unit]}"
    if unit in _SCALES:
        value *= _SCALES[unit]
        unit = "元" if unit.endswith("元") else ""
    elif unit.startswith("x"):
        unit = "x"
    elif unit in _TIME_UNITS:
        unit = _TIME_UNITS[unit]
    elif unit and not re.fullmatch(r"[a-z]+|[\u4e00-\u9fff]{1,2}", unit):
        unit = ""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    keep_unit = (
        unit in ("x", "%", "d", "h", "w", "min")
        or re.fullmatch(r"[\u4e00-\u9fff]+", unit) is not None
    )
    return f"{cur}{text}{unit if keep_unit else ''}"


def metric_key(label: str) -> str:
    """The form two metric names must share to be 'the same metric'."""
    s = fold(label).lower()
    s = re.sub(r"[(（][^()（）]*[)）]", " ", s)  # "(survey)", "（大众点评评分）" qualify, not name
    s = re.sub(r"[\"'“”‘’`*_()（）\[\]【】]", " ", s)
    s = _EN_LEAD.sub("", s.strip())
    s = re.sub(r"[\s\-–—/]+", " ", s).strip(" .,:;，。：；、")
    if re.search(r"[\u4e00-\u9fff]", s):
        s = s.replace(" ", "")
    return s


def _clean_metric(label: str, zh: bool) -> str:
    """Drop leading time phrases, '将/把' and articles; folding keeps offsets, so the
    lead is measured on the folded text and cut from the original."""
    label = label.strip(" ,.;:，。；：、")
    lead = (_ZH_LEAD if zh else _EN_LEAD).match(fold(label))
    if lead:
        label = label[lead.end() :]
    return label.strip()


def metric_target(text: str) -> tuple[str, str] | None:
    """(metric label, target text) a statement sets, or None."""
    folded = fold(text)
    zh = bool(re.search(r"[\u4e00-\u9fff]", folded))
    patterns = _ZH_PATTERNS + _EN_PATTERNS if zh else _EN_PATTERNS
    for pattern in patterns:
        m = pattern.search(folded)
        if not m:
            continue
        label = _clean_metric(text[m.start("metric") : m.end("metric")], zh)
        target = text[m.start("target") : m.end("target")].strip()
        key = metric_key(label)
        if not key or not re.search(r"\d", target) or len(key) < 2:
            continue
        if not zh and len(key.split()) > 8:
            continue
        if re.fullmatch(r"(?:19|20)\d\d", target.strip()):
            continue
        return label, target
    return None


def _row_target(cells: list[str], header: list[str]) -> tuple[str, str] | None:
    """(metric, target) from a KPI table row: the metric column and the target column."""
    if len(cells) < 2:
        return None
    metric_i = next((i for i, h in enumerate(header) if _HEADER_METRIC.search(h)), 0)
    target_i = next(
        (i for i, h in enumerate(header) if _HEADER_TARGET.search(h) and i != metric_i), None
    )
    if target_i is None:
        target_i = next(
            (
                i
                for i in range(len(cells) - 1, -1, -1)
                if i != metric_i and re.search(r"\d", cells[i])
            ),
            None,
        )
    if target_i is None or target_i >= len(cells) or metric_i >= len(cells):
        return None
    label, target = cells[metric_i].strip(), cells[target_i].strip()
    if not label or not re.search(r"\d", target) or re.search(r"\d", label[:1]):
        return None
    return label, target


def _due(text: str, default_year: int | None) -> str | None:
    dates = find_dates(fold(text), default_year=default_year)
    if not dates:
        return None
    last: date = max(d.end for d in dates)
    return last.isoformat()


def _goal(
    kind: str,
    stmt_block_text: str,
    block_cells: list[str] | None,
    block_header: list[str] | None,
    line: int,
    default_year: int | None,
) -> GoalItem:
    text = core_text(stmt_block_text)
    item = GoalItem(kind=kind, text=text, line=line)
    found: tuple[str, str] | None = None
    if block_cells and block_header:
        found = _row_target(block_cells, block_header)
    if found is None:
        found = metric_target(text)
    if found is not None:
        label, target = found
        value = normalise_value(target)
        if value is not None:
            item.metric = metric_key(label)
            item.metric_label = label
            item.target = value
            item.target_text = target
    item.due = _due(text, default_year)
    return item


# -- owners ----------------------------------------------------------------------------------------
_OWNER_LABEL = re.compile(
    r"^(?:owner|owners|lead|led by|dri|responsible|accountable|assignee|负责人|责任人|牵头人?|主责)\s*[:：]?\s*",
    re.I,
)


_ZH_UNIT_END = frozenset("部组科处室心队司局院所厅")


def person_name(who: str | None) -> str | None:
    """A single person's name in an owner string ('Lin Zhao (Data Systems)' -> 'Lin Zhao').

    Teams, departments and roles ('Marketing', '市场部') are not people and give None.
    """
    if not who:
        return None
    who = _OWNER_LABEL.sub("", who.strip()).strip(" ()（）:：-–—@")
    if not who or len(who) > 60:
        return None
    for m in cues.PERSON_NAME["en"].finditer(who):
        name = m.group(0)
        if not cues.ROLE_WORDS.search(name):
            return name
    folded = fold(who)
    for m in cues.PERSON_NAME["zh"].finditer(folded):
        before = folded[m.start() - 1 : m.start()]
        if before and re.match(r"[\u4e00-\u9fff]", before) and before not in _ZH_UNIT_END:
            continue  # "工程部", "工程师": a surname character inside a word
        if cues.ROLE_WORDS.search(m.group(0)):
            continue
        return who[m.start() : m.end()]
    if re.fullmatch(r"[A-Z][a-z]{2,}", who) and not cues.ROLE_WORDS.search(who):
        return who  # a first name on its own ("Alice")
    return None


def person_key(name: str) -> str:
    return " ".join(fold(name).casefold().split())


# -- sections --------------------------------------------------------------------------------------
def _sections(facts: PlanFacts, owners: list[OwnerItem], any_owner: bool) -> dict[str, bool]:
    kinds = set(facts.section.values())
    text = facts.all_text
    return {
        "goals": bool(facts.goals or facts.objectives or kinds & {"goals", "okr"}),
        "tasks": bool(facts.tasks or "tasks" in kinds),
        "organisation": bool("organisation" in kinds or facts.raci_rows or any_owner or owners),
        "timeline": bool("timeline" in kinds or facts.plan_has_period),
        "budget": bool(facts.budget_groups or re.search(r"\bbudget\b|预算|经费|费用", text)),
        "risk": bool(facts.risks or "risks" in kinds),
        "monitoring": "monitoring" in kinds,
        "communication": "communication" in kinds,
    }


def digest_plan(plan: Plan, facts: PlanFacts | None = None) -> PlanDigest:
    """The library-check facts of one plan."""
    from service.rules.families.raci import task_owner

    facts = facts or build_facts(plan)
    default_year = facts.plan_period[1].year if facts.plan_period else None
    goals: list[GoalItem] = []

    def add(kind: str, stmt: Statement) -> None:
        b = stmt.block
        cells = b.cells if b.kind == BlockKind.TABLE_ROW else None
        goals.append(_goal(kind, stmt.raw, cells, b.header, b.start_line, default_year))

    for g in facts.goals:
        add("goal", g)
    for o in facts.objectives:
        goals.append(_goal("objective", o.block.text, None, None, o.block.start_line, default_year))
        for kr in o.krs:
            add("kr", kr)

    owners: list[OwnerItem] = []
    any_owner = False
    for task in facts.tasks:
        named, who = task_owner(facts, task)
        any_owner = any_owner or named
        name = person_name(who)
        if name:
            owners.append(
                OwnerItem(name=name, key=person_key(name), role="owner", line=task.block.start_line)
            )
    for row in facts.raci_rows:
        for role, cell in row.roles.items():
            letters = cell.upper()
            name = person_name(role)
            if not name:
                continue
            if "A" in letters:
                owners.append(
                    OwnerItem(
                        name=name,
                        key=person_key(name),
                        role="accountable",
                        line=row.block.start_line,
                    )
                )
            elif "R" in letters:
                owners.append(
                    OwnerItem(
                        name=name,
                        key=person_key(name),
                        role="responsible",
                        line=row.block.start_line,
                    )
                )
    start, end = facts.plan_period if facts.plan_period else (None, None)
    return PlanDigest(
        language=plan.language,
        title=plan.title,
        goals=[g for g in goals if g.text],
        owners=owners,
        period_start=start.isoformat() if start else None,
        period_end=end.isoformat() if end else None,
        sections=_sections(facts, owners, any_owner),
    )
