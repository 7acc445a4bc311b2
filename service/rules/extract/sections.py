"""Headings -> plan parts (background, goals, tasks, risks, ...), in both languages."""

from __future__ import annotations

import re

from service.models import Block, BlockKind, Plan
from service.rules.extract.normalize import fold
from service.rules.vocabulary import active

# "第三章", "第二部分" are numbering; 部, 分, 章 and 节 alone start words ("分工", "章程", "部门职责").
_OUTLINE = re.compile(
    r"^(?:[\s#\d.、()（）一二三四五六七八九十壹贰叁肆伍陆柒捌玖拾:：\-*➡️►▶•·]"
    r"|第[一二三四五六七八九十百\d]+(?:章|节|部分)?|部分)+"
)
# Where a heading's head phrase ends: a preposition, a relative clause, a colon, a bracket, a dash.
# Strong separators split a heading into parts ("Q3 2026: Goals", "Phase 2 (risk: high)"); the
# first part that names a plan part decides. Within a part, the head phrase ends at a
# preposition or a relative clause ("Targets for 2026", "Goals we set").
_PARTS = re.compile(r"[:：(（\[【|]|——|\s[-–—]+\s|[–—]")
_CUT_EN = re.compile(
    r"\s(?:for|of|in|on|by|to|with|from|at|during|through|under|per|across|within|towards?|"
    r"that|which|we|we'll|our|you|this|as|vs\.?)\s",
    re.I,
)
_OF_COMPLEMENT = re.compile(
    r"^\s*(?:(?:the|our|a)\s+)?(?:plan|list|overview|summary|table|breakdown|register|set|programme|"
    r"program|register|log|catalogue|inventory)\s+of\s+(?:the\s+|our\s+)?(.+)$",
    re.I,
)
_CONJ = re.compile(r"\s+(?:and|&|or)\s+|\s*[,，/、&]\s*|与|和|以及|及(?!时)|暨", re.I)
# Words after a cue that do not change the part it names ("Risk register", "风险评估", "进度安排").
_TAIL = re.compile(
    r"(?:\s+(?:plans?|list|overview|summary|table|register|log|matrix|breakdown|details|section|"
    r"framework|approach|assessment|analysis|identification|management|planning|control|mitigations?|"
    r"responses?|items|statement|update|updates)"
    r"|的?(?:计划|安排|方案|情况|说明|部分|一览表?|表|清单|明细|分析|管理|评估|控制|识别|应对|因应|控管|配置|预案|机制|"
    r"体系|规划|概况|要点|设定|设置|分解))$",
    re.I,
)
# Trailing numbers, years, quarters and symbols ("Goals 2026", "OKR (Q3)", "目标：").
_TRAILING = re.compile(
    r"(?:[\s\W_]|\d|\b(?:q[1-4]|h[12]|fy\s?\d{2,4})\b|年度|第?[一二三四五六七八九十]+(?:季度|期|阶段))+$",
    re.I,
)
# Modifiers made from a cue ("risk-based", "goal-driven", "target-state") are not its head.
_COMPOUND = re.compile(
    r"\b[a-z]+-(?:based|driven|related|oriented|aware|free|level|state|setting)\b", re.I
)


def _clean(text: str) -> str:
    text = _COMPOUND.sub(" x ", text)
    text = _TRAILING.sub("", text.strip())
    return text.strip()


def _conjunct_kind(conj: str) -> str | None:
    """The part one conjunct names by its head word (its last word, tail words aside)."""
    conj = _clean(conj)
    if not conj:
        return None
    vocab = active()
    patterns = vocab.parts
    stripped = _clean(_TAIL.sub("", conj))
    for text in (stripped, conj) if stripped and stripped != conj else (conj,):
        # The longest cue ending the phrase wins ("监控指标" is monitoring, not "指标" goals);
        # ties go to the earlier part in the vocabulary's order.
        best: tuple[int, int, str] | None = None
        for rank, kind in enumerate(vocab.order):
            m = patterns[kind].search(text)
            if m and (best is None or (m.end() - m.start(), -rank) > (best[0], best[1])):
                best = (m.end() - m.start(), -rank, kind)
        if best is not None:
            return best[2]
    return None


def _phrase_kind(phrase: str) -> str | None:
    ordered = [k for c in _CONJ.split(phrase) if (k := _conjunct_kind(c))]
    kinds = set(ordered)
    if ordered[:1] == ["tasks"] and "timeline" in kinds:
        return "tasks"  # "實作步驟與時程", "Tasks and timeline": the steps, with their times
    for kind in active().order:
        if kind in kinds:
            return kind
    return None


def classify_heading(text: str) -> str | None:
    """The plan part a heading introduces, or None when it names none.

    The part comes from the heading's head word, not from any word in it: "Targets for 2026"
    is goals, "Target systems" is not; "风险评估" is risks, "目标用户" is not (see
    docs/rules-interpretation.md, "Reading real plans")."""
    # A product named by a head word ("GitHub Projects", "GitHub Actions", "Google Tasks") is a
    # name, not the part the word names.
    text = _PRODUCT_NAME.sub("x", text)
    folded = fold(text).strip()
    # Strip outline numbering so "2.1 Goals" and "一、目标" classify by their words.
    folded = _OUTLINE.sub("", folded) or folded
    for pattern, kind in active().overrides:
        if pattern.search(folded):
            return kind
    if _NOTICES.match(folded.strip(" :：")) or _PROCEDURE.match(folded.strip(" :：")):
        return None  # "活动说明", "参赛须知": what participants must know, not the organisers' work
    if names_open_decisions(text):
        return None  # "待決事項（TBD）": decisions still to be taken, not work and not a slot
    if _EXPECTED_OUTPUTS.match(_strip_emoji(folded).strip(" :：*")):
        return None  # "九、预期成果": the outputs the work should yield, not goals it sets
    if _STANDING_PROGRAMS.match(folded.strip(" :：")):
        return "background"  # "Our Programs & Services": what the organisation runs today
    clause = _whole_phrase_cue(folded)
    if clause is not None:
        return clause
    if _HOW.match(folded):
        # "How we track progress" is monitoring, "How we are minimizing risk" the risks.
        if _HOW_RISK.search(folded):
            return "risks"
        return "monitoring" if _HOW_CHECK.search(folded) else None
    parts = [p for p in _PARTS.split(folded) if p and p.strip()]
    # The head phrase is in the first part; when it names nothing ("Q3 2026: Goals"), the next.
    for part in parts[:2]:
        head = part
        if not re.search(r"[\u4e00-\u9fff]", part):
            pieces = _CUT_EN.split(part)
            head = pieces[0]
            # "Plan of activities", "Overview of risks": a container word takes its kind from
            # what it contains.
            m = _OF_COMPLEMENT.match(part)
            if m and _phrase_kind(_CUT_EN.split(m.group(1))[0].strip()) is not None:
                head = _CUT_EN.split(m.group(1))[0]
        found = _phrase_kind(head.strip())
        if found is not None:
            return found
    return None


_PRODUCT_NAME = re.compile(
    r"\b(?:GitHub|GitLab|Google|Microsoft|Jira|Asana|Notion|Trello|Azure|Slack|Linear|ClickUp|"
    r"Todoist)\s+(?:Projects?|Actions?|Tasks?|Issues?|Milestones?|Boards?|Workflows?|Planner)\b"
)


# A heading over the decisions a plan leaves open ("待決事項（TBD）", "未决事项", "Open decisions",
# "Unresolved questions"): topics still to be settled, neither work nor a slot left unfilled
# (docs/rules-interpretation.md, wave 20 zht, "Open decisions and unfinished sections"). A list of
# confirmations to make ("TODO / 待确认事项") stays a task list.
_OPEN_DECISIONS = re.compile(
    r"^(?:待决|未决|待定|尚未决定|待决定|待决策|悬而未决)的?(?:事项|问题|议题|决策|决定)(?:清单|列表)?$"
    r"|^(?:open|pending|outstanding|unresolved|undecided)\s+(?:decisions?|questions?|points?)$"
    r"|^unresolved\s+issues?$|^decisions?\s+(?:pending|still open|to (?:be )?make|to be made)$",
    re.I,
)


def names_open_decisions(text: str) -> bool:
    """A heading that labels the decisions the plan leaves open (its "(TBD)" included)."""
    folded = _OUTLINE.sub("", fold(text).strip()) or fold(text)
    folded = re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", folded).strip(" :：")
    folded = re.sub(r"^[^\w\u4e00-\u9fff]+", "", folded)
    return bool(_OPEN_DECISIONS.match(folded))


# The outputs a plan expects to hand over ("九、预期成果", "整体预期成果", "预期成果与推广路径",
# "成果形式"): deliverables and expected results, like 交付物 and 预期效益; a sub-heading with a part
# of its own ("9.2 衡量指標") keeps it, and an item right under it with a result level ("用户满意度达到
# 90%") is still a goal (facts/goals.py).
_EXPECTED_OUTPUTS = re.compile(
    r"^(?!.*(?:指标|目标|kpi))(?:整体|项目|主要|最终|本项目)?的?预期的?(?:成果|产出)(?:形式|清单|一览)?(?:\s*(?:与|及|和)\s*\S{1,8})?$"
    r"|^成果(?:形式|清单)$"
)


def names_expected_outputs(text: str) -> bool:
    """A heading over the outputs a plan expects ("九、预期成果", "成果形式")."""
    folded = _OUTLINE.sub("", fold(text).strip()) or fold(text)
    return bool(_EXPECTED_OUTPUTS.match(_strip_emoji(folded).strip(" :：*")))


def _strip_emoji(text: str) -> str:
    return re.sub(r"^[^\w\u4e00-\u9fff]+", "", text)


# The organisation's standing programmes, described ("Our Programs & Services", "Core programs",
# "我们的服务", "现有业务"): what it runs today, the context of the plan, not work the plan sets.
_STANDING_PROGRAMS = re.compile(
    r"^(?:our|core|current|existing)\s+(?:core\s+)?(?:programs?|programmes?|services|offerings)"
    r"(?:\s*(?:&|and)\s*(?:programs?|programmes?|services))?$"
    r"|^programs?\s*(?:&|and)\s*services$"
    r"|^(?:我们的|现有的?|核心|目前的?)(?:服务|业务)(?:与服务)?$"
)


# An event's notices and rules for participants: no part of the plan (their items are no tasks).
_NOTICES = re.compile(r"^(?:活动|比赛|赛事|报名|参赛)(?:说明|须知)$|^(?:须知|注意事项)$")
# A procedure written for its readers to follow ("營運測試步驟", "操作说明", "Steps to reproduce"): how
# to do or check something, not the plan's tasks. It names no part, and its sub-headings inherit none.
_PROCEDURE = re.compile(
    r"^[^\w]*\S{0,6}(?:测试步骤|操作步骤|使用步骤|验证步骤|测试流程|操作流程|操作说明|使用说明|操作手册)$"
    r"|^[^\w]*(?:manual\s+)?(?:test(?:ing)? (?:steps|procedure)|steps to reproduce|how to test|usage instructions)$",
    re.I,
)


# "How we set objectives", "How to report progress", "如何设定目标": a heading that asks how
# something is done describes a process; its object is not the part it names.
_HOW = re.compile(r"^(?:how\b|如何|怎样|怎么)", re.I)
_HOW_RISK = re.compile(r"\brisks?\b|风险", re.I)
_HOW_CHECK = re.compile(
    r"\b(?:track|tracks|tracking|measure|measured|review|reviewed|report|reported|monitor|"
    r"evaluate|score|scored|check)\b|跟踪|追踪|评估|复盘|检查|汇报|考核|衡量",
    re.I,
)


def _whole_phrase_cue(folded: str) -> str | None:
    """Cues that are clauses, matched anywhere ("What success looks like", "How we will get there")."""
    for pattern, kind in active().clauses:
        if pattern.search(folded):
            return kind
    return None


# Under a work plan, these name areas or phases of the work ("### Budget", "### Phase 1: …").
_WORK_AREAS = ("monitoring", "organisation", "resources", "communication", "iteration", "timeline")
_NO_PART = re.compile(
    r"^(?:(?:work(?:ing)?\s+)?scope|out of scope|in scope|non-goals|not in scope|contacts?|contact us|"
    r"links?|references?|appendix|glossary|faq|about us|assumptions?|constraints?|dependencies|"
    r"prerequisites|open questions)\s*$|^how\b"
    r"|^(?:工作|职责|业务)?范围$|^不在范围内?$|^非目标$|^联系(?:方式|我们)?$|^附录|^参考|^链接|^常见问题"
    r"|^(?:假设|约束|限制条件|约束条件|依赖|前提|前提条件|待解决问题)$"
    # An option's pros and cons ("**優點**", "**缺點**", "Pros", "Trade-offs"): the weighing, not work.
    r"|^(?:优点|缺点|优势|劣势|利弊|优缺点|pros|cons|pros and cons|advantages|disadvantages|trade-?offs)$"
    r"|^(?:(?:项目|主要|最终)?(?:交付物|可交付成果|交付成果|产出物)|(?:key\s+|project\s+)?deliverables)$"
    # Expected benefits and value ("商业价值预期", "预期效益", "Expected benefits"): what the plan
    # is worth if it succeeds, not goals it sets.
    r"|^(?:预期|预计|期望)?的?(?:商业|战略|经济|社会|综合|品牌|用户)?(?:效益|价值|收益)(?:预期|分析|评估)?$"
    r"|^(?:expected\s+|anticipated\s+|projected\s+)?(?:business\s+|strategic\s+|economic\s+|social\s+)?"
    r"(?:benefits|value)$"
    r"|^(?:如何|怎样|怎么)"
    # A specification or the rules the work must meet ("目標物規格", "競賽規則摘要", "Hardware
    # specifications", "Competition rules"): requirements, described, not goals or work.
    r"|^[\u4e00-\u9fff]{0,8}(?:规格|规则|规范)(?:摘要|说明|一览|表)?$"
    r"|^(?:[\w-]+\s+){0,3}(?:specifications?|specs|rules)$",
    re.I,
)


# A heading that qualifies its words by the project's scope, and a heading that is the scope.
_SCOPE_QUALIFIER = re.compile(
    r"\b(?:in|out[- ]of|within|outside(?: of)?|not in)[- ]scope\b|范围内|范围外|范围之外|不在范围",
    re.I,
)
_NON_GOALS = re.compile(r"\bnon[- ]goals?\b|\bnot (?:goals|in scope)\b|非目标|不做", re.I)
_SCOPE_HEADING = re.compile(
    r"^(?:project\s+|work(?:ing)?\s+)?scope\W*$|^(?:项目|工作)?范围\W*$", re.I
)


_NUMBERED_CHAPTER = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十\d]+[章节部分]|\d{1,2}[.、)]\s*\S|chapter\s+\d)",
    re.I,
)


def _heading_words(text: str) -> str:
    return _OUTLINE.sub("", fold(text).strip()).strip()


def _names_no_part(text: str) -> bool:
    """Headings that name something outside the plan's parts (scope, contacts, appendix)."""
    folded = _OUTLINE.sub("", fold(text).strip()) or fold(text)
    folded = re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", folded).strip(" :：")
    folded = re.sub(r"^[^\w\u4e00-\u9fff]+", "", folded)  # "💰 商业价值预期": an emoji first
    return bool(_NO_PART.search(folded) or _PROCEDURE.match(folded) or names_open_decisions(text))


# A plan that says it is written as OKRs: its "Objectives" sections hold OKR objectives, which
# are judged as objectives (their key results), not as SMART goals.
_OKR_WORDS = re.compile(r"\bokrs?\b|\bkey results?\b|关键结果", re.I)
_OBJECTIVE_HEAD = re.compile(r"\bobjectives?\b|^目标$", re.I)


def _uses_okrs(plan: Plan, kinds: list[str | None]) -> bool:
    if "okr" in kinds:
        return True
    return bool(_OKR_WORDS.search(fold(plan.text)))


def empty_title(plan: Plan) -> Block | None:
    """A heading with nothing under it, followed by headings of its own level, that names the
    goals or OKRs ("# OKRs for Q2 2018", a rule, then "# scale current platform", "# understand our
    customer"): the document's title, its same-level headings the parts it names."""
    headings = [b for b in plan.blocks if b.kind == BlockKind.HEADING]
    if len(headings) < 3:
        return None
    first = headings[0]
    i = plan.blocks.index(first)
    nxt = plan.blocks[i + 1] if i + 1 < len(plan.blocks) else None
    if nxt is None or nxt.kind != BlockKind.HEADING or nxt.level != first.level:
        return None
    if classify_heading(first.text) not in ("goals", "okr"):
        return None
    return first


def section_of_blocks(plan: Plan) -> dict[str, str]:
    """Each block id -> the plan part it sits in ('' when none: preamble or unclassified).

    A heading with no recognised kind inherits its parent's kind, so sub-headings
    under "Goals" (say "Goal 1: ...") stay in goals.
    """
    by_id = {b.id: b for b in plan.blocks}
    heading_kind: dict[str, str] = {}
    headings = [b for b in plan.blocks if b.kind == BlockKind.HEADING]
    title = plan.blocks[0] if plan.blocks and plan.blocks[0].kind == BlockKind.HEADING else None
    if title is not None and title.level > 1 and any(h.level == title.level for h in headings[1:]):
        title = None  # "## Q2 goals" followed by "## Work": the first section, not a title
    elif (
        title is not None
        and _NUMBERED_CHAPTER.match(fold(title.text))
        and any(
            h.level == title.level and _NUMBERED_CHAPTER.match(fold(h.text)) for h in headings[1:]
        )
    ):
        title = None  # "# 一、活动目的", "# 二、活动主题", …: every chapter a top heading, no title
    if title is None:
        title = empty_title(plan)
    title_kind = classify_heading(title.text) if title is not None else None
    # A document titled "Strategic Goals" (or "Q3 OKRs") whose sections name no part of a plan
    # is a list of goals: its unclassified sections are goals (or OKRs).
    own_kinds = {h.id: classify_heading(h.text) for h in headings}
    fallback = ""
    if title_kind in ("goals", "okr") and not any(
        own_kinds[h.id] in ("goals", "okr") for h in headings if h is not title
    ):
        fallback = title_kind
    elif title_kind == "okr" and not any(
        own_kinds[h.id] == "okr" for h in headings if h is not title
    ):
        # "# Quarterly Objectives and Key Results" over "## 2018 Q4" and bold objectives, one of
        # which merely says "priorities": the sheet is OKRs, its goal-like headings objectives.
        fallback = "okr"
    okr_doc = _uses_okrs(plan, list(own_kinds.values()))
    scope_headings = {h.id for h in headings if _SCOPE_HEADING.search(_heading_words(h.text))}
    for b in plan.blocks:
        if b.kind != BlockKind.HEADING:
            continue
        if b is title:
            # "Q3 OKRs: Growth" or "Risk Management Plan" names the document, not a section.
            heading_kind[b.id] = ""
            continue
        own = own_kinds[b.id]
        if own == "goals" and okr_doc and _OBJECTIVE_HEAD.search(_heading_words(b.text)):
            own = "okr"
        if own is None and fallback and b.heading_id in (None, title.id if title else None):
            own = fallback
        elif own == "goals" and fallback == "okr":
            own = "okr"
        parent_kind = heading_kind.get(b.heading_id or "", "")
        words = _heading_words(b.text)
        if (
            _SCOPE_QUALIFIER.search(words)
            or _NON_GOALS.search(words)
            or (own == "tasks" and b.heading_id in scope_headings)
        ):
            # "In-Scope Activities:", "Out-of-Scope but Critical Activities:", "### Activities"
            # under "## Scope": what the project covers, not its task list.
            heading_kind[b.id] = ""
            continue
        if own == "tasks" and _repeats_title(title, b):
            # "## 第一次活动计划" under "# 活动计划": the plan named again (this edition of it),
            # over its own labelled parts, not a task section.
            heading_kind[b.id] = ""
            continue
        if own is None and _names_no_part(b.text):
            heading_kind[b.id] = (
                ""  # "工作范围", "Out of scope", "联系方式": not a part of its parent
            )
        elif own is None:
            heading_kind[b.id] = parent_kind
        elif parent_kind == "tasks" and own in _WORK_AREAS:
            heading_kind[b.id] = "tasks"  # "### Budget" / "### Governance" as areas of a work plan
        elif parent_kind == "okr" and own == "tasks" and _objective_level(b, heading_kind, by_id):
            # "### 任务拆解" under "## Objective 1" beside "### Key Results": the objective's own
            # work (its initiatives), not another objective.
            heading_kind[b.id] = "tasks"
        elif parent_kind == "okr" and own in ("goals", "tasks", "organisation", "monitoring"):
            heading_kind[b.id] = "okr"  # objectives under an OKR section
        elif parent_kind in ("goals", "okr") and own in ("organisation", "resources", "monitoring"):
            heading_kind[b.id] = parent_kind
        elif parent_kind == "problem" and own in ("goals", "monitoring"):
            heading_kind[b.id] = (
                "problem"  # "2.3 觀察指標與監控 (Observability Gap)" under the problems
            )
        else:
            heading_kind[b.id] = own
    result: dict[str, str] = {}
    for b in plan.blocks:
        if b.kind == BlockKind.HEADING:
            result[b.id] = heading_kind[b.id]
        elif fallback and title is not None and b.heading_id == title.id:
            result[b.id] = fallback  # items right under a "Q2 2026 Goals" title are its goals
        else:
            result[b.id] = heading_kind.get(b.heading_id or "", "")
    del by_id
    return result


_NUMBERED_OBJECTIVE = re.compile(
    r"\bobjective\s*#?\d|\bo\d\b|目标\s*[一二三四五六七八九十\d]", re.I
)


def _objective_level(b: Block, heading_kind: dict[str, str], by_id: dict[str, Block]) -> bool:
    """A heading right under a numbered objective heading ("## 🎯 Objective 1", "## 目标一")."""
    parent = by_id.get(b.heading_id or "")
    return (
        parent is not None
        and heading_kind.get(parent.id) == "okr"
        and bool(_NUMBERED_OBJECTIVE.search(fold(parent.text)))
    )


def _repeats_title(title: Block | None, b: Block) -> bool:
    """A heading that contains the document's title ("第一次活动计划" under "活动计划")."""
    if title is None:
        return False
    name = _OUTLINE.sub("", fold(title.text)).strip(" #*:：")
    return len(name) >= 3 and name in fold(b.text)


def heading_chain(plan: Plan, block: Block) -> list[Block]:
    """Enclosing headings of a block, nearest first."""
    by_id = {b.id: b for b in plan.blocks}
    chain: list[Block] = []
    hid = block.heading_id if block.kind != BlockKind.HEADING else block.id
    while hid:
        h = by_id.get(hid)
        if h is None:
            break
        chain.append(h)
        hid = h.heading_id
    return chain
