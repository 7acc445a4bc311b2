"""Goal statements: items of goals sections that state an outcome, goal headings, goals announced
in prose, KPI records; and what is not a goal there (measures, requirements, outputs, links)."""

from __future__ import annotations

import re

from service.models import Block, BlockKind
from service.rules.extract import cues, shapes
from service.rules.extract.dates import has_time_reference
from service.rules.extract.facts.base import (
    _HEADING_MARKUP,
    _INTRO_LINE,
    _LIST_NUMBER,
    _TRAILING_GOAL,
    PlanFacts,
    Statement,
    _heading_statement,
    _labelled,
    _lead_in,
    _list_statement,
    _names_only_a_period,
    _only_dates,
    _stmt,
    _task_table,
    core_text,
    in_work_package,
    record_aim,
)
from service.rules.extract.normalize import fold
from service.rules.extract.sections import classify_heading, names_expected_outputs
from service.rules.extract.signals import has_metric
from service.rules.vocabulary import active


def _is_goal_candidate_paragraph(facts: PlanFacts, b: Block, has_items: bool) -> bool:
    text = facts.folded[b.id]
    if cues.GOAL_LINE["en"].match(text) or cues.GOAL_LINE["zh"].match(text):
        return True
    if _INTRO_LINE.search(text):
        return False
    if has_items and not _TRAILING_GOAL.match(text):
        return False
    if len(re.findall(r"[.!?](?:\s|$)|[。！？]", text.strip())) > 1:
        # Prose of several sentences, not a goal statement (Chinese runs its sentences on
        # without a space: "…的規劃。主要研究途徑改為…。").
        return False
    if shapes.is_markup_only(b.text):
        return False  # an image, a bare HTML fragment, a connective ("和", "为此，")
    words = len(text.split()) if re.search(r"[a-z]", text) else len(text) / 2
    # A paragraph is a goal only if it states an outcome: prose about the community's origins
    # or a principle is context ("…是我们的初心").
    return words <= 35 and _outcome_like(facts, b)


_LABEL_ONLY = re.compile(
    r"^(?:(?:strategic\s+)?(?:goal|objective|target|aim|priority|pillar|theme|outcome)s?|目标|战略目标|重点)?"
    r"\s*[一二三四五六七八九十\d]*\s*[:：.]?$"
    r"|^(?:primary|secondary|tertiary|other|overall|general|short[- ]term|long[- ]term|主要|次要|其他|总体)$",
    re.I,
)


_SHARE_TARGET = re.compile(r"\d\s?(?:%|％|个百分点)|(?:≥|>=|>|至少|不低于)\s?\d+(?:\.\d+)?\s?%")


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


_TOPIC_WORDS = 4


def _is_topic(facts: PlanFacts, b: Block) -> bool:
    """A bare name of an area ("Macro expansion", "Imports (use declarations)", "Bugs"): a few
    words, no number, no verb and no outcome."""
    text = core_text(re.sub(r"[(（][^()（）]*[)）]", "", facts.folded[b.id])).strip(" .。")
    if not text or re.search(r"\d|[\u4e00-\u9fff]", text) or len(text.split()) > _TOPIC_WORDS:
        return False
    return not (
        shapes.starts_with_activity(text)
        or cues.GENERIC_VERB["en"].match(text)
        or cues.OUTCOME_START["en"].match(text)
        or _outcome_text(text)
    )


def _in_topic_list(facts: PlanFacts, b: Block) -> bool:
    """Every item of the item's list (three or more, top level, same heading) is a topic.
    The same for every item of one list: worked out once (linear in the plan's size)."""
    key = (b.heading_id, b.level, b.parent_id)
    if key not in facts.topic_lists:
        siblings = [
            x
            for x in facts.plan.under(b.heading_id)
            if x.kind == BlockKind.LIST_ITEM and x.level == b.level and x.parent_id == b.parent_id
        ]
        facts.topic_lists[key] = len(siblings) >= 3 and all(_is_topic(facts, x) for x in siblings)
    return facts.topic_lists[key]


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
    drop: set[str] = set()
    by_id = {g.block.id: g for g in facts.goals}
    for hid in dict.fromkeys(g.block.heading_id for g in facts.goals):
        blocks = facts.plan.under(hid)
        fields = {
            b.id: m
            for b in blocks
            if b.kind in (BlockKind.LIST_ITEM, BlockKind.PARAGRAPH)
            and (m := _KPI_FIELD.match(facts.folded[b.id]))
        }
        labels = {fold(m.group("label")).split()[0] for m in fields.values()}
        if not ({"target", "目标值"} & labels and labels - {"target", "目标值"}):
            continue  # not a record: a lone "Target:" line is an ordinary goal
        goal_line: Statement | None = None
        target: Statement | None = None
        current = ""
        for b in blocks:
            m = fields.get(b.id)
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


def _goal_headings(facts: PlanFacts, beyond: set[str]) -> dict[str, float]:
    """Sub-headings of a goals section that state a goal themselves ("#### Build regional
    capacity…", "### ➡️ Grow the community", "### AI tooling" over prose): the items under
    them are its activities, not further goals. Labels ("GOAL 1:", "Primary"), periods and
    categories whose items are the goals ("### Customer") are not goal headings. Noun-phrase
    sub-headings after the section's own goal items go to `beyond`: other parts, not goals."""
    plan = facts.plan
    out: dict[str, float] = {}  # goal heading id -> how sure the reading is
    for h in plan.blocks:
        if h.kind != BlockKind.HEADING or facts.section[h.id] != "goals" or h.heading_id is None:
            continue
        if _goal_labelled_heading(facts, h):
            # "#### Goal: Enable and Encourage Adoption": a labelled goal is one goal, and the
            # items under it are its initiatives and features unless they state outcomes.
            out[h.id] = 1.0
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
            if _goals_already_listed(facts, h) and not _has_goal_parts(facts, h):
                # "# Goals" with its goals as items, then "## Timeframe", "## Keywords": the
                # section has said its goals; a noun-phrase heading after them over no outcomes
                # starts another part of the plan.
                beyond.add(h.id)
                continue
            # A noun-phrase heading over prose or activities is the goal itself; a weaker
            # reading than a heading that states one, so its findings are a step milder.
            out[h.id] = 0.7
    return out


def _goal_labelled_heading(facts: PlanFacts, h: Block) -> bool:
    """A heading labelled as one goal with a statement after the label ("Goal: Enable adoption"),
    not a goals heading whose label only names the period ("## Goals: Q3 2026")."""
    text = facts.folded[h.id]
    if not _labelled(cues.GOAL_LINE, text) or h.text.rstrip().endswith((":", "：")):
        return False
    rest = re.split(r"[:：]", text, maxsplit=1)[-1].strip(" *_")
    return bool(re.search(r"[a-z\u4e00-\u9fff]", rest)) and not _names_only_a_period(rest)


def _body_paragraphs(facts: PlanFacts, h: Block) -> list[Block]:
    """The paragraphs right under a goal heading, before its first list or label line ("###
    Goal 3: Grow the community" over "There are currently 900 members … by at least 40%
    annually."): the goal's own body, where its target and time may be stated (wave 23 en)."""
    body = []
    for x in facts.plan.under(h.id):
        if x.kind != BlockKind.PARAGRAPH or x.heading_id != h.id:
            break
        if x.text.rstrip().endswith((":", "：")):
            break  # "Strategies:": what follows is how the goal is pursued
        body.append(x)
    return body


def _result_under_expected_outputs(facts: PlanFacts, b: Block) -> bool:
    """A top-level item right under an expected-outputs heading that states a result level with
    its number ("用户满意度达到 90%"): a goal, where the outputs beside it are not (wave 24 zhs;
    docs/rules-interpretation.md, "Outputs are not goals")."""
    if b.kind != BlockKind.LIST_ITEM or b.parent_id is not None or b.heading_id is None:
        return False
    heading = facts.plan.block(b.heading_id)
    if heading is None or not names_expected_outputs(heading.text):
        return False
    text = facts.folded[b.id]
    return has_metric(text) and not shapes.is_deliverable(text) and _outcome_text(text)


_OKR_TITLE = re.compile(r"\bokrs?\b|objectives and key results|关键结果", re.I)


def _okr_sheet_aim(facts: PlanFacts, b: Block) -> bool:
    """A goal line in the front matter of a sheet titled as OKRs, before its first section: the
    aim of the whole sheet, which its objectives and key results spell out (judged by those)."""
    blocks = facts.plan.blocks
    if not blocks or blocks[0].kind != BlockKind.HEADING or b is blocks[0]:
        return False
    if not _OKR_TITLE.search(facts.folded[blocks[0].id]):
        return False
    return all(x.kind != BlockKind.HEADING for x in blocks[1 : facts.position[b.id]])


def _goals_already_listed(facts: PlanFacts, h: Block) -> bool:
    """The goals heading above `h` lists its goals as items of its own before `h` comes."""
    parent = facts.plan.block(h.heading_id) if h.heading_id else None
    if parent is None or classify_heading(parent.text) != "goals":
        return False
    # Its items, or those of a goals sub-heading before `h` ("### 工作目标" under "## 工作目标和范围",
    # then "### 交付物").
    goal_heads = {parent.id} | {
        b.id
        for b in facts.plan.blocks[: facts.position[h.id]]
        if b.kind == BlockKind.HEADING
        and b.heading_id == parent.id
        and classify_heading(b.text) == "goals"
    }
    return any(
        b.heading_id in goal_heads and b.kind == BlockKind.LIST_ITEM and b.parent_id is None
        for b in facts.plan.blocks[: facts.position[h.id]]
    )


def _has_goal_parts(facts: PlanFacts, h: Block) -> bool:
    """A heading's body holds a part of a goal of its own ("We'll know we're successful when",
    "Objectives", "成功标准"): a sub-heading or a short label paragraph before the next heading
    of its level or above."""
    for b in facts.plan.blocks[facts.position[h.id] + 1 :]:
        if b.kind == BlockKind.HEADING and b.level <= h.level:
            return False
        if b.kind in (BlockKind.HEADING, BlockKind.PARAGRAPH):
            label = facts.folded[b.id].strip(" *_:：")
            if len(label) <= 60 and _GOAL_PART_HEADING.search(label):
                return True
    return False


def _part_label_scope(facts: PlanFacts, b: Block) -> bool:
    """A list item under a short label paragraph that names a part of the goal above it
    ("1. **Build a knowledge graph**", "*Objectives*", "- Import …"): the label plays the part
    of an "Objectives" sub-heading, so the items are that goal's parts, as under a goal heading."""
    if b.kind != BlockKind.LIST_ITEM or b.parent_id is not None:
        return False
    lead = _lead_in(facts, b)
    if lead is None:
        return False
    between = facts.plan.blocks[facts.position[lead.id] + 1 : facts.position[b.id]]
    if any(x.parent_id is None and x.ordered != b.ordered for x in between):
        return False  # the label introduces another list (the goal "2. …" after "- …" items)
    label = facts.folded[lead.id].strip(" *_:：")
    if not label or len(label) > 30 or len(label.split()) > 3:
        return False
    if not _GOAL_PART_HEADING.search(label):
        return False
    i = facts.position[lead.id]
    before = facts.plan.blocks[i - 1] if i > 0 else None
    return (
        before is not None
        and before.kind == BlockKind.LIST_ITEM
        and before.heading_id == lead.heading_id
    )


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
# An item that opens with an illustration ("2. 例如产业链延伸不足、…", "- e.g. the booking flow"):
# it carries on the item before it, not a goal of its own (wave 24 zhs).
_EXAMPLE_ITEM = re.compile(
    r"^\W*(?:\d{1,2}[.)、]\s*)?(?:例如|比如|譬如|诸如|如：|e\.g\.|for example|for instance|such as)",
    re.I,
)


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
    if b.kind not in (BlockKind.LIST_ITEM, BlockKind.TABLE_ROW) or b.heading_id is None:
        return False
    if not _METRICS_HEADING.search(facts.folded[b.heading_id].strip()):
        return False
    if b.kind == BlockKind.TABLE_ROW:
        # "| 参与指标 | H5 UV、PV、人均完成率 |" in a table with no target column: what is tracked.
        header = [fold(h) for h in b.header or []]
        return (
            not b.is_header
            and not any(_TARGET_COLUMN.search(h) for h in header)
            and not any(has_metric(fold(c)) for c in b.cells or [])
        )
    text = facts.folded[b.id]
    value = shapes.field_value(text)
    judged = value if value else text
    return not has_metric(text) and not _outcome_text(judged) and not _TARGET_WORD.search(text)


_TARGET_WORD = re.compile(r"\b(?:target|goal|aim|reach|achieve)\b|目标|达到|提升|提高|降低", re.I)


def _under_measures_lead_in(facts: PlanFacts, b: Block) -> bool:
    """A list item under a lead-in that says what will be measured ("Specifically, these
    metrics may include:", "我们将从以下方面评估："): a measure of the Check step, not a goal."""
    return _under_lead_in(facts, b, active().measure_lead_in)


def _under_lead_in(facts: PlanFacts, b: Block, pattern: re.Pattern[str]) -> bool:
    """A list item whose list is introduced by a line ending in ':' that the pattern finds."""
    text = _intro_of(facts, b)
    return text is not None and bool(pattern.search(text))


# "The association seeks to achieve its goal by carrying out the following activities:",
# "我们将通过以下工作实现目标：": the items are the means, not further goals.
_ACTIVITIES_LEAD_IN = re.compile(
    r"\b(?:the following|these|its|our|following) (?:activities|actions|measures|means)\b"
    r"|\bby (?:carrying out|undertaking|doing|means of)\b"
    r"|通过(?:以下|下列|如下)(?:工作|活动|措施|方式|举措)"
    # A label line of its own under a goal ("Strategies:", "策略："): how the goal is pursued.
    r"|^\W*(?:strateg(?:y|ies)|tactics|approach(?:es)?|actions|策略|举措|措施|行动|做法)\W*[:：]\s*$",
    re.I,
)


def _under_activities_lead_in(facts: PlanFacts, b: Block) -> bool:
    """A list item under a lead-in that says the items are the activities that serve the goal
    above: work, not goals of their own."""
    return _under_lead_in(facts, b, _ACTIVITIES_LEAD_IN)


# A lead-in that introduces the system being built ("…升级为一套跑在 LINE 上的线上集章系统：",
# "We will build a platform that:"): the items under it are the system's features.
_SYSTEM_LEAD_IN = re.compile(
    r"(?:系统|平台|工具|应用|app|网站|小程序|机器人)\W{0,3}[:：]\s*$"
    r"|\b(?:a|an|the|our)\s+(?:\w+\s+){0,4}(?:system|platform|tool|app|application|service|site)"
    r"\s+(?:that|which|to|with)\b[^.]{0,40}[:：]\s*$",
    re.I,
)


# A lead-in that says what the audience should take away ("這支影片要在三分鐘內讓評審看懂三件事：",
# "Viewers should understand that:", "Key messages:"): the items are the messages, the content
# of the work, not goals of the plan.
_MESSAGES_LEAD_IN = re.compile(
    r"(?:让|使|帮助)\S{0,12}?(?:看懂|看到|了解|知道|理解|记住|明白|认识到|相信)"
    r"|\b(?:viewers|audiences?|readers|attendees|visitors|judges|people|they)\s+(?:should|will|must)\s+"
    r"(?:understand|know|learn|remember|see|take away)\b"
    r"|\bkey (?:messages?|takeaways?)\b|核心(?:信息|讯息)|传播要点",
    re.I,
)


def _under_messages_lead_in(facts: PlanFacts, b: Block) -> bool:
    return _under_lead_in(facts, b, _MESSAGES_LEAD_IN)


def _under_system_lead_in(facts: PlanFacts, b: Block) -> bool:
    return _under_lead_in(facts, b, _SYSTEM_LEAD_IN)


# A list item labelled by a period of the schedule ("**Sprint 1（Week 1）**：商品、条码、库存底座",
# "Phase 2: migration", "第二阶段：…"): an entry of the timeline, not a goal, unless it states one.
_PERIOD_LABEL = re.compile(
    r"^\W*(?:sprint|phase|stage|week|month|iteration|milestone|m|q)\s*\d{1,2}\b[^:：]{0,20}[:：]"
    r"|^\W*第\s*[一二三四五六七八九十\d]{1,3}\s*(?:阶段|周|个月|月|期|轮)[^:：]{0,20}[:：]",
    re.I,
)


def _schedule_entry(facts: PlanFacts, b: Block) -> bool:
    text = facts.folded[b.id]
    if b.kind != BlockKind.LIST_ITEM or not _PERIOD_LABEL.match(text):
        return False
    value = re.split(r"[:：]", text, maxsplit=1)[1]
    return not has_metric(value) and not _outcome_text(value.strip())


# A task-list box ("- [ ] 完成首页内容优化", "- [x] Publish the guide"): the shape of a to-do.
_TODO_BOX = re.compile(r"^\s*\[[ xX✓✔]\]\s")


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
    beyond: set[str] = set()
    goal_headings = _goal_headings(facts, beyond)
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
        and (shapes.is_requirement(facts.folded[b.id]) or _under_system_lead_in(facts, b))
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
            if _goal_labelled_heading(facts, b) and facts.section[b.id] in ("goals", ""):
                facts.goals.append(_stmt(facts, b, _body_paragraphs(facts, b)))
            elif b.id in goal_headings:
                heading_goal = _stmt(facts, b, scoped_items.get(b.id, []))
                heading_goal.confidence = goal_headings[b.id]
                facts.goals.append(heading_goal)
            continue
        if explicit and (
            in_work_package(facts, b)
            or record_aim(facts, b)
            or (b.kind == BlockKind.PARAGRAPH and _step_part(facts, b))
        ):
            continue  # "目標：…" beside "檔案：…" and "工作項：": the aim of one task
        if explicit and _okr_sheet_aim(facts, b):
            continue  # "> 目标：写出一本…实战书" atop "# … OKR & 任务拆解": the sheet's aim, its KRs below
        if explicit:
            if not _under_option(facts, b):
                facts.goals.append(_stmt(facts, b, by_parent.get(b.id)))
            continue
        if _result_under_expected_outputs(facts, b):
            if (stmt := _list_statement(facts, b, by_parent)) is not None:
                facts.goals.append(stmt)  # "4. 用户满意度达到 90%" under "## 预期成果": a result
            continue
        if facts.section[b.id] != "goals" or b.heading_id in beyond:
            continue
        if (
            b.id in links
            or _is_definition_or_label(facts, b)
            or _under_other_label(facts, b)
            or _under_measures_lead_in(facts, b)
            or _under_activities_lead_in(facts, b)
            or _under_messages_lead_in(facts, b)
        ):
            continue  # "- [Q&A discussions](…)": where something is measured, not a goal
        if _QUESTION_ITEM.search(text):
            continue  # "What is a contribution to Jupyter?": a question the plan asks, not a goal
        if b.kind == BlockKind.LIST_ITEM and _EXAMPLE_ITEM.match(text):
            continue  # "2. 例如…": an illustration of the item before it
        if b.kind == BlockKind.LIST_ITEM and _TODO_BOX.match(b.text) and not has_metric(text):
            continue  # "- [ ] 完成首页内容优化" under "近期目标": a to-do of the schedule, not a goal
        if shapes.is_context_field(text):
            continue  # "期間與範圍：下一季、臺灣市場", "依據文件：…": what frames the goals, not one
        if _schedule_entry(facts, b):
            continue  # "Sprint 1（Week 1）：商品、条码、库存底座": the timeline, not a goal
        if b.id in requirements:
            continue  # "用户只能评论/批注文献的段落": what the system must do (scope), not a goal
        if b.kind == BlockKind.LIST_ITEM and shapes.is_deliverable(text):
            continue  # "结题报告一份", "软件著作权 1 项": an output to hand over, not a goal
        if b.kind == BlockKind.LIST_ITEM and _in_topic_list(facts, b):
            continue  # "- Macro expansion", "- Const generics": the areas worked on, not goals
        if _untargeted_measure(facts, b):
            # "GitHub Stars: Growth rate" under "Secondary Metrics": a measure to track.
            facts.measures.append(_stmt(facts, b))
            continue
        if b.id in goal_scope or _part_label_scope(facts, b):
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
        if b.heading_id is not None and _phase_aim_heading(facts, b.heading_id):
            continue  # "### 目标" beside "### 要实现的功能" under "## 迭代 1": that phase's aim
        if b.kind == BlockKind.LIST_ITEM:
            if (stmt := _list_statement(facts, b, by_parent)) is not None:
                if _activity_only(stmt.text):
                    # "Write a tutorial on that topic" under "Stretch goal": work, which a goals
                    # heading may list as often as outcomes; its SMART gaps are said as warnings.
                    stmt.confidence = min(stmt.confidence, 0.6)
                elif not _outcome_like(facts, b):
                    # "各机维护局部搜索图…", "A production-ready registrar": a goal only by where it
                    # stands, with no outcome, change or metric of its own. Such items are goals
                    # about as often as requirements or deliverables (0.70 right as errors on the
                    # real plans, 0.87 for outcome-shaped items): said one severity lower.
                    stmt.confidence = min(stmt.confidence, 0.7)
                facts.goals.append(stmt)
        elif b.kind == BlockKind.TABLE_ROW and not b.is_header:
            task_col, owner_col = _task_table(b)
            if owner_col is not None and task_col is not None:
                continue  # an initiatives table with owners under a "priorities" heading
            if shapes.is_blank_form_row(b) or shapes.has_fill_in(facts.lines[b.start_line - 1]):
                continue  # "|Preferred name| | | |": a log to fill in after launch, not a goal
            if _glossary_row(b):
                continue  # "| 激活 | 转化率 | 多少人真的录了第一杯 |": what a metric means, not a goal
            if _stage_row(b):
                continue  # "| MVP | 双通道稳定收数；… |" under 分期: the schedule toward the goals
            if _target_state_row(b):
                continue  # "| 移动适配 | 无移动优化 | 完整移动端支持 |": what the product becomes
            if _spec_row(b):
                continue  # "| 取物機器人 | 八足連桿 | ≤ 400×400 mm |": the product's specification
            if shapes.is_comparison_row(b):
                continue  # "| 时间 | √ |  |  |": a priority grid ticked, not a goal
            facts.goals.append(_stmt(facts, b))
        elif b.kind == BlockKind.PARAGRAPH and _is_goal_candidate_paragraph(
            facts, b, items_in_heading.get(b.heading_id or "", False)
        ):
            facts.goals.append(_stmt(facts, b))


# The sibling sub-headings that name a phase's work or output ("### 要实现的功能", "### 任务分配",
# "### 交付物", "### Deliverables", "### Scope").
_PHASE_PART = re.compile(
    r"功能|任务|工作|交付|产出|成果|范围|分工|deliverables?|outputs?|features?|tasks?|work|scope|"
    r"backlog|stories",
    re.I,
)


def _phase_aim_heading(facts: PlanFacts, heading_id: str) -> bool:
    """A goals sub-heading of a phase, beside that phase's work or deliverables: "### 目标" next to
    "### 要实现的功能" and "### 交付物" under "## 迭代 1（Day 1~14）". It states the phase's aim,
    judged with the phase, not a goal of the plan (docs/rules-interpretation.md, wave 23 zhs, as a
    "目标：" line beside "交付：" is, wave 19 zhs)."""
    h = facts.plan.block(heading_id)
    if h is None or h.heading_id is None or classify_heading(h.text) != "goals":
        return False
    parent = facts.plan.block(h.heading_id)
    if parent is None or parent is facts.plan.blocks[0]:
        return False  # "# 2026下半年 經營計畫": the plan's own title and period, not a phase
    if not shapes.names_a_phase(_heading_words(parent.text)):
        return False
    return any(
        x.kind == BlockKind.HEADING
        and x.id != h.id
        and x.level == h.level
        and classify_heading(x.text) != "goals"
        and _PHASE_PART.search(fold(x.text))
        for x in facts.plan.under(parent.id)
    )


def _heading_words(text: str) -> str:
    return re.sub(r"^[^\w\u4e00-\u9fff]+", "", fold(text).strip())


# A column that says what a metric means; a column that holds a target.
_MEANING_COLUMN = re.compile(
    r"^(?:含义|意义|定义|释义|说明|解释|描述|meaning|definition|description|what it (?:measures|means|tells us))$",
    re.I,
)
_TARGET_COLUMN = re.compile(
    r"target|goal|value|baseline|目标|目标值|基线|现状|当前|指标值|达成", re.I
)


# "## Option 2: One major release", "### 方案二", "Alternative B": an option the plan weighs. Its
# "Goals:" line is what that option would aim at, not a goal the plan commits to.
_OPTION_HEADING = re.compile(
    r"^\W*(?:option|alternative|scenario)\s*(?:\d{1,2}|[a-e]|one|two|three)\b|^\W*(?:备选)?方案\s*[一二三四五\da-e]",
    re.I,
)


def _under_option(facts: PlanFacts, b: Block) -> bool:
    hid = b.heading_id
    while hid:
        h = facts.plan.block(hid)
        if h is None:
            return False
        if _OPTION_HEADING.search(_heading_statement(h.text)):
            return True
        hid = h.heading_id
    return False


# A table keyed by the plan's stages ("| 分期 | 成功标准 |", "| 階段 | 主要目的 | 應留下的成果 |",
# "| Phase | Exit criteria |"): what each stage does or delivers, the schedule toward the goals
# (docs/rules-interpretation.md, wave 13), not goals of their own.
_STAGE_COLUMN = re.compile(r"^\W*(?:分期|阶段|期别|phases?|stages?)\W*$", re.I)


def _stage_row(b: Block) -> bool:
    return bool(b.header and _STAGE_COLUMN.match(fold(b.header[0])))


_CURRENT_STATE_COLUMN = re.compile(
    r"^(?:当前|目前|现有)?(?:状态|现状|情况)$|^(?:current(?: state)?|as[- ]is)$", re.I
)
_TARGET_STATE_COLUMN = re.compile(
    r"^(?:目标|未来|升级后|改进后)(?:状态|形态)$|^(?:target state|future state|to[- ]be)$", re.I
)


def _target_state_row(b: Block) -> bool:
    """A row of a current-state / target-state table whose target cell states what the product
    becomes in words ("响应式现代布局", "完整移动端支持"): a requirement of the design, not a goal."""
    header = [fold(h).strip(" *_") for h in b.header or []]
    cols = [i for i, h in enumerate(header) if _TARGET_STATE_COLUMN.match(h)]
    if not cols or not any(_CURRENT_STATE_COLUMN.match(h) for h in header):
        return False
    cells = b.cells or []
    return all(i < len(cells) and not re.search(r"\d", cells[i]) for i in cols)


_SPEC_COLUMN = re.compile(
    r"^(?:类型|规格|尺寸|尺寸限制|型号|材质|重量|操控方式|参数|配置|"
    r"type|spec(?:ification)?s?|size|dimensions?|model|weight|material)$",
    re.I,
)


def _spec_row(b: Block) -> bool:
    """A row of a specification table (类型 / 尺寸限制 / 型号 columns, no target column)."""
    header = [fold(h).strip(" *_") for h in b.header or []]
    return any(_SPEC_COLUMN.match(h) for h in header) and not any(
        _TARGET_COLUMN.search(h) for h in header
    )


def _glossary_row(b: Block) -> bool:
    """A row of a table that defines metrics: a meaning column and no target column."""
    header = [fold(h).strip(" *_") for h in b.header or []]
    return any(_MEANING_COLUMN.match(h) for h in header) and not any(
        _TARGET_COLUMN.search(h) for h in header
    )


# "下半年的整体目标是：", "Our goals for H2 are:", "目标如下：": a lead-in that announces goals.
_GOALS_LEAD_IN = re.compile(
    r"(?:目标|目的|goals?|objectives?|aims?|targets?|kpis?)\s*(?:是|为|如下|包括|有|are|include|for [^:：]{1,30})?"
    r"\s*(?:如下)?\s*[:：]\s*$",
    re.I,
)


# The labelled parts of one step of work ("目標：", "要做：", "完成標準：" under "### Step 1"): the
# step's aim, its work and its check, each a label line over a list.
_STEP_PART_LABEL = re.compile(
    r"^\W*(?:要做|做法|步骤|执行步骤|工作项目?|任务|待办|可做项目|建议内容|建议新增|完成标准|验收标准|验收|"
    r"退出标准|产出|交付物?|预期产出|to ?do|steps|work items?|tasks|deliverables?|outputs?|done when|"
    r"exit criteria|definition of done|acceptance(?: criteria)?)"
    r"\s*(?:[(（][^)）]{0,12}[)）])?\W*[:：]\s*$",
    re.I,
)


def _step_part(facts: PlanFacts, lead: Block) -> bool:
    """A label line beside other label lines of work or acceptance under the same heading."""
    if lead.heading_id is None:
        return False
    return any(
        b.kind == BlockKind.PARAGRAPH
        and b.id != lead.id
        and _STEP_PART_LABEL.match(facts.folded[b.id])
        for b in facts.plan.under(lead.heading_id)
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
        if _step_part(facts, lead):
            continue  # "目標：" beside "要做：" and "完成標準：" under "### Step 2": that step's aim
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
