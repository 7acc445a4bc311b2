"""What one block looks like, whatever section it sits in (docs/rules-interpretation.md,
"Reading real plans"): a ``label：value`` field, a link, a template row, a record (a heading
whose items are fields), an activity or an outcome. The recognisers in ``facts`` use these
shapes as evidence beside the section a block sits in, so that an item takes its section's
role only if it looks like one."""

from __future__ import annotations

import re

from service.models import Block, BlockKind
from service.rules.extract import cues
from service.rules.extract.normalize import fold
from service.rules.vocabulary import active, builtin_words

# "时间：每季度一次", "Format: online", "**Venue**: Hall 2" (folded text).
_FIELD = re.compile(
    r"^\s*(?:[-*+]\s*)?(?:\*\*|__)?(?P<label>[^:：\n]{1,24}?)(?:\*\*|__)?\s*[:：]\s*(?P<value>\S.*)?$"
)
_LINK_ONLY = re.compile(
    r"^\s*(?:[-*+]\s*)?(?:[①-⑩]|\d{1,2}[.)、]|[(（]?[一二三四五六七八九十]+[)）、])?\s*"
    r"(?:\[[^\]]*\]\([^)]*\)|<?https?://\S+>?)"
    # an attribute list after the link ("{ .md-button }", mkdocs buttons) is styling
    r"(?:\s*\{[^{}]*\})?\s*[。.;；,，]?\s*$"
)


def field_label(text: str) -> str | None:
    """The label of a ``label：value`` line (folded, without markup), or None."""
    m = _FIELD.match(text)
    if m is None:
        return None
    label = m.group("label").strip(" *_")
    if not label or re.search(r"https?$|[。.!?！？]", label):
        return None
    words = len(label.split()) if re.search(r"[a-z]", label) else len(label) / 2
    return label if words <= 4 else None


def field_value(text: str) -> str | None:
    """The value of a ``label：value`` line (folded), or None."""
    if field_label(text) is None:
        return None
    m = _FIELD.match(text)
    return (m.group("value") or "").strip(" *_") if m else None


# A label whose head noun (the end, in Chinese) names a time: "学习周期", "报名时间", "活动时长",
# "Study period". Whatever comes before it, the field says when or how long, not what to do.
_TIME_HEAD = re.compile(
    r"(?:周期|週期|时长|時長|时间|時間|日期|期限|天数|天數|工期|时段|時段|学时|學時|课时|課時)$"
    r"|\b(?:period|length|time ?frame|dates?)$",
    re.I,
)


# Descriptive heads: whatever comes before them ("产品定位", "项目简介"), the field describes.
_DESCRIPTION_HEAD = re.compile(
    r"(?:定位|简介|介绍|概述|概况|说明|背景|宗旨|意义|理由|原因|动机|思路|现状)$"
)


def is_meta_field(text: str) -> bool:
    """A field that describes an activity rather than being work or an outcome: when, where,
    how often, in what form, about what, for whom ("时间：每季度一次", "内容：…", "Venue: …"),
    or any field whose label's head noun names a time ("学习周期：18天")."""
    label = field_label(text)
    if label is None:
        return False
    return bool(
        active().meta_field_label.search(label)
        or _TIME_HEAD.search(label)
        or _DESCRIPTION_HEAD.search(label)
    )


def is_topic_list_label(text: str) -> bool:
    """An item that introduces topics or a scope rather than work ("分享范围：…包括：", "议题：",
    "Topics:")."""
    label = field_label(text) or text.strip().rstrip(":：")
    return bool(active().topic_label.search(label))


def is_link_only(raw: str) -> bool:
    """An item that is nothing but a link ("- [开源实习任务](https://…)")."""
    return bool(_LINK_ONLY.match(raw))


def is_template_row(block: Block) -> bool:
    """A table row whose cells are all placeholders, links or empty ("|xxx|xxx|xx|")."""
    if block.kind != BlockKind.TABLE_ROW or not block.cells:
        return False
    filled = [c.strip() for c in block.cells if c.strip()]
    if not filled:
        return True
    return all(
        cues.EMPTY_CELL.fullmatch(c)
        or cues.TEMPLATE_SLOT.fullmatch(c)
        or re.fullmatch(r"\[[^\]]*\]\([^)]*\)", c)
        for c in filled
    )


def is_owner_field(text: str) -> bool:
    """'组织者：…', 'Owner: …', 'Lead: …' (folded text)."""
    label = field_label(text)
    return label is not None and bool(cues.OWNER_LABEL.match(label + "：x"))


def record_fields(blocks: list[Block]) -> int:
    """How many of these blocks (a heading's own items) are fields describing an activity:
    its time, place, form or topic, or its owner ("时间：…", "组织者：…")."""
    return sum(1 for b in blocks if is_meta_field(fold(b.text)) or is_owner_field(fold(b.text)))


def is_record(items: list[Block]) -> bool:
    """A heading's top-level items read as the fields of one record (an activity described by
    定位/形式/频率/组织者, an event by Date/Venue/Owner): at least two, and most of them, fields."""
    top = [
        b for b in items if b.kind in (BlockKind.LIST_ITEM, BlockKind.PARAGRAPH) and b.level == 0
    ]
    n = record_fields(top)
    return n >= 2 and n * 2 >= len(top)


# Fields that describe one piece of work: its aim, files, work items, steps, output, acceptance.
_WORK_FIELD = re.compile(
    r"^(?:目标|目的|档案|文件|工作项|工作项目|任务|子任务|步骤|实作|实现|预期产出|产出|交付物?|验收标准|验收|完成标准|"
    r"依赖|工时|预估工时|估时|优先级|状态)$"
    r"|^(?:goal|objective|aim|files?|work items?|tasks?|sub-?tasks?|steps|deliverables?|outputs?|"
    r"expected outputs?|acceptance criteria|definition of done|dependencies|estimate|effort|priority|"
    r"status)$",
    re.I,
)


_AIM_FIELD = re.compile(r"^(?:目标|目的|goal|objective|aim)$", re.I)
_KR_FIELD = re.compile(r"^(?:kr\s*\d*(?:\.\d+)?|key results?|关键结果)$", re.I)


def is_work_package(items: list[Block]) -> bool:
    """A heading's top-level items are the fields of one work package ("目標：…", "檔案：…",
    "工作項：" over its checkboxes, "預期產出：…"): at least three, nearly all fields, two of them
    fields of work. The heading is the task; the fields describe it (docs/rules-interpretation.md,
    "Work packages as field records")."""
    top = [
        b for b in items if b.kind in (BlockKind.LIST_ITEM, BlockKind.PARAGRAPH) and b.level == 0
    ]
    labels = [field_label(fold(b.text)) for b in top]
    fields = [x.strip() for x in labels if x is not None]
    if any(_KR_FIELD.match(x) for x in fields):
        return False  # "Objective: …" over "KR: …" lines: an OKR, not a work package
    work = {x for x in fields if _WORK_FIELD.match(x) and not _AIM_FIELD.match(x)}
    return len(fields) >= 3 and len(fields) * 4 >= len(top) * 3 and len(work) >= 2


def is_record_aim(items: list[Block], b: Block) -> bool:
    """ "目標：…" beside "重點平台：…" (a phase), "目标：…" beside "技术栈：…" (a project's profile):
    the aim field of a record whose top-level list items are all fields, judged with the record
    it describes, not a goal or an objective of the plan (folded labels)."""
    label = field_label(fold(b.text))
    if b.kind != BlockKind.LIST_ITEM or b.level != 0 or label is None:
        return False
    if not _AIM_FIELD.match(label.strip()):
        return False
    top = [x for x in items if x.kind == BlockKind.LIST_ITEM and x.level == 0]
    labels = [field_label(fold(x.text)) for x in top]
    return (
        len(top) >= 2
        and all(x is not None for x in labels)
        and not any(_KR_FIELD.match(x.strip()) for x in labels if x is not None)
        and sum(1 for x in labels if x is not None and _AIM_FIELD.match(x.strip())) == 1
    )


_QUESTION = re.compile(r"[?？]\s*$")
_AMOUNT_LINE = re.compile(
    r"^\s*(?:[$€£¥]|usd|eur|cny|rmb)?\s?\d[\d,.]*\s?(?:k|m|万|千|元)?\b[^\d]{0,30}$", re.I
)
# An end state rather than work ("`benchmarks` repo exists", "The dashboard is public",
# "A performant job controller that scales"): a deliverable, owned by whoever owns the project.
_END_STATE = re.compile(
    r"^(?:an?|the)\s+\S"
    r"|\b(?:exists|is|are)\s+(?:\w+\s+)?(?:implemented|published|public|available|live|released|"
    r"complete|completed|done|in place|merged|reachable|supported|documented)\b",
    re.I,
)
# A statement about the plan rather than work to do ("Our current focus is on…", "As new use
# cases are introduced, there may be a need…", "2025 will be contingent on…").
_STATEMENT = re.compile(
    r"^(?:our|their|its|this|these|it|there|as|if|when|while|since|because)\b[^.;:]{0,80}?"
    r"\b(?:is|are|was|were|will be|may|might|can|could|has|have)\b"
    r"|^(?:19|20)\d\d\s+(?:will|is|was)\b",
    re.I,
)
_ITEM_MARK = re.compile(r"^\s*(?:[-*+]\s*|\d{1,2}[.)、]\s*)?(?:\*\*|__)?")
_MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|<[^>]+>|\*\*|__|[\s\W_]")


def is_markup_only(raw: str) -> bool:
    """An image, HTML tags or a connective with almost no words of its own ("和", "为此，")."""
    rest = _MARKUP.sub("", raw)
    return len(rest) < (4 if re.search(r"[\u4e00-\u9fff]", rest) else 3) or (
        not re.search(r"[\u4e00-\u9fff]", rest) and len(raw.split()) <= 1 and len(rest) < 6
    )


def is_not_an_action(text: str) -> bool:
    """A line of a work list that is not work: a question, a bare amount, a placeholder, an
    end state or a statement (folded text, list marker allowed)."""
    core = _ITEM_MARK.sub("", text).strip()
    if not core:
        return True
    if _QUESTION.search(core) and len(core) <= 60:
        return True
    if _AMOUNT_LINE.match(core) or cues.TEMPLATE_SLOT.fullmatch(core.strip(" .。").upper()):
        return True
    return bool(_END_STATE.search(core) or _STATEMENT.match(core))


# Emoji, "(選用)", markup, a leading year or quarter ("2024 ensure that …").
_LEADING_NOISE = re.compile(r"^(?:[\W_]|[(（][^)）]{0,8}[)）]|(?:19|20)\d\d\b|q[1-4]\b)+", re.I)


# A task box and an identifier label before the statement ("[ ] SOP-REQ-03：確認…", "T-12: Write …",
# "#4: …"): the work is what follows the identifier, which carries a number.
_ID_LABEL = re.compile(
    r"^(?:\[[ x✓✔]\]\s*)?(?:#\d{1,4}|[a-z]{1,8}(?:-[a-z]{1,8})*-?\d{1,4}(?:\.\d{1,3})*)\s*[:：]\s*",
    re.I,
)


def is_action(text: str) -> bool:
    """A sentence that reads as work to do: it starts with an action verb (folded text)."""
    core = _LEADING_NOISE.sub("", _ID_LABEL.sub("", _ITEM_MARK.sub("", text).strip())).strip()
    return starts_with_activity(core) or bool(cues.ACTION_VERB_EXTRA.match(core))


# An English imperative told by its syntax, so that a verb missing from the lists still reads as
# work: a bare word followed by what a verb takes as its object ("Pick a topic", "Stand up the
# cluster", "Tidy the backlog"). Nouns and adjectives rarely stand before an article in a plan's
# items, and the words that do (determiners, prepositions, auxiliaries, "Key", "Phase") are kept out.
_IMPERATIVE_EN = re.compile(
    r"^(?P<verb>[a-z]{3,14})\s+(?:a|an|the|our|your|their|its|this|that|these|those|each|every|"
    r"all|any|some|new|existing|up|out|down|together|them|it)\b",
    re.I,
)
_NOT_IMPERATIVE = builtin_words("not_imperative")
# Endings of nouns and adjectives ("Increased", "Notes", "Participation", "Social").
_NOT_VERB_ENDING = re.compile(
    r"(?:ed|ing|ly|tion|sion|ment|ness|ity|ance|ence|ship|ism|ist|ous|ful|able|ible|al|ic|[^s]s)$"
)


def starts_with_activity(text: str) -> bool:
    """Work, by its first word (folded text): an activity verb from the lists, or an English
    imperative by its syntax. Verbs that name an improvement or an outcome ("Grow the
    community", "Reach the top 3") are left to their own cues."""
    core = text.strip()
    if cues.ACTIVITY_VERB["en"].match(core) or cues.ACTIVITY_VERB["zh"].match(core):
        return True
    m = _IMPERATIVE_EN.match(core)
    if m is None:
        return False
    verb = m.group("verb").lower()
    return not (
        verb in _NOT_IMPERATIVE
        or _NOT_VERB_ENDING.search(verb)
        or cues.GENERIC_VERB["en"].match(core)
        or cues.OUTCOME_START["en"].match(core)
    )


# "Users can only comment on other people's papers", "The API must return…", "代码需要通过已有集成测试",
# "用户有对该文献进行编辑的功能": what a system, a user or a contribution must or can do.
_REQUIREMENT = re.compile(
    r"^(?:the\s+|a\s+|each\s+|every\s+|all\s+)?(?:system|tool|app|application|platform|service|"
    r"software|product|users?|code|pull requests?|prs?|patch(?:es)?|api|website|site|page|module|"
    r"feature|submissions?|entries|contributions?)s?\s+(?:shall|must|should|can(?:not)?|may|"
    r"will be able to|needs? to|has to|have to|is able to|are able to)\b"
    r"|^(?:对于[^，,]{1,20}[，,]\s*)?(?:用户|系统|平台|软件|产品|代码|pr|功能|页面|接口|模块|函数|"
    r"作品|参赛作品|提交)\S{0,2}?(?:可以|能够|只能|不能|应当?|需要|必须|须|要求)"
    r"|^(?:对于[^，,]{1,20}[，,]\s*)?\S{0,12}(?:有|具有|具备|提供)\S{0,24}的?(?:功能|机制)"
    # A capability, with or without its subject: "可建立商品、绑定条码", "店员可扫码结帐",
    # "以既有身分即可参与", "支持日常营运：…" (not "可能", "能力", "可达到 90%").
    r"|^[^\s，,。：:]{0,6}?(?:可以|能够|可|即可)"
    r"(?!能|达|以上|持续|靠|视|见|用|行|信|控|重现|复现|量|扩展|维|观测|读|开源|移植|选)"
    r"(?![\u4e00-\u9fff]{0,3}[:：])[\u4e00-\u9fff]"
    r"|^(?:支持|支援)[\u4e00-\u9fff]"
    # What the system does by itself: "每日自動從 ERP 擷取…", "由 Apps Script 排程於每日上午定時產製…",
    # "Automatically sync orders to the ledger every night".
    r"|^[^\s，,。：:]{0,6}?自动[\u4e00-\u9fff]|^由[^，,。]{1,30}?(?:排程|定时|自动)"
    r"|^automatically\s+[a-z]+",
    re.I,
)


def is_requirement(text: str) -> bool:
    """A requirement (what a system, a user or a contribution must or can do): scope, neither a
    goal nor a task."""
    return bool(_REQUIREMENT.search(_strip_number(text)))


def _strip_number(text: str) -> str:
    return re.sub(
        r"^\s*(?:[-*+]\s*)?(?:\d{1,2}[.)、]|[(（]?[一二三四五六七八九十]+[)）、])?\s*", "", text
    )


_MARK_CELL = re.compile(
    r"^\W*(?:✅|❌|⚠️?|✔️?|✓|✗|✘|❎|☑️?|√|×|○|●|◯|yes|no|y|n|partial|是|否|有|无|無|支持|不支持)\W*(?:[(（][^)）]{0,20}[)）])?\W*$",
    re.I,
)


def is_comparison_row(b: Block) -> bool:
    """A row of a comparison matrix ("| 視覺化 Kanban | ❌ | ✅ |"), or of a grid ticked in one
    column ("| 时间 | √ |  |  |" under "目标 | 高优先级 | 中优先级 | 低优先级"): what options can
    do, or where an item stands, marked; not work or a goal."""
    row = b.cells or []
    cells = [c for c in row[1:] if c.strip()]
    marks = sum(1 for c in cells if _MARK_CELL.match(c))
    if len(row) >= 3 and cells and marks == len(cells):
        return True
    return len(cells) >= 2 and marks * 2 >= len(cells) and marks >= 1


def is_blank_form_row(b: Block) -> bool:
    """A table row with nothing but its first cell ("|Preferred name| | | |"): a line of a form or
    a log to be filled in later, not a statement of its own."""
    cells = b.cells or []
    return len(cells) >= 3 and bool(cells[0].strip()) and not any(c.strip() for c in cells[1:])


_FILL_IN = re.compile(r"(?<![A-Za-z0-9])(?:\\?_){2,}(?![A-Za-z])")


def has_fill_in(raw_line: str) -> bool:
    """A source line with fill-in blanks ("| gemma-4 (base) | TMMLU+ | \\_\\_.\\_% | 2026-\\_\\_ |"):
    a form for results to write down, not a task or a goal (nor a placeholder)."""
    return bool(_FILL_IN.search(raw_line))


# An artefact the plan will hand over, named as a thing ("结题报告一份", "软件著作权 1 项", "A final
# report", "Two peer-reviewed papers", "Open-source simulation toolkit (code and data)").
_DELIVERABLE = re.compile(
    r"(?:报告|论文|短文|专利|[著着]作权|申请材料|材料|数据集|数据与曲线|曲线|视频|demo|文档|说明|手册|"
    r"教程|代码|源码|原型|仿真系统|系统|平台|工具包?|模型|图表|对照表|海报|展板|作品)"
    r"(?:\s*[(（][^)）]{0,60}[)）])?\s*(?:[0-9一二两三四五六七八九十]+\s*(?:项|份|篇|个|套|部|件|本|段|张))?"
    r"\s*[。.;；]?$"
    r"|^(?:an?|one|two|three|\d+)?\s*(?:(?:final|interim|technical|annual|progress|peer-reviewed|"
    r"open[- ]source|public|short|written)\s+)*(?:reports?|papers?|articles?|datasets?|toolkits?|"
    r"prototypes?|videos?|manuals?|guides?|posters?)(?:\s*\([^)]{0,60}\))?\s*\.?$",
    re.I,
)


def is_deliverable(text: str) -> bool:
    """A thing the plan will produce, named as a thing: an output to hand over, met or not, not
    a goal with a target of its own (folded text)."""
    core = _strip_number(text).strip(" *_")
    core = re.sub(r"^[(（](?:可选|选做|optional)[)）]\s*", "", core, flags=re.I)
    if starts_with_activity(core):
        return False  # "搭建数据平台": the work that makes it
    return bool(_DELIVERABLE.search(core)) and not re.search(r"\d\s?%|率|提升|降低|增长|达到", core)


_METADATA_LABEL = re.compile(
    r"^(?:created|created on|date created|last updated|updated|last modified|modified|revised|"
    r"last revised|latest revision|revision|revision date|document version|post-history|"
    r"published|date|version|status|last edited|"
    r"创建时间|创建日期|建立时间|建立日期|更新时间|更新日期|最后更新|修订日期|发布日期|发布时间|日期|"
    r"版本|文件版本|文档版本)$",
    re.I,
)
# A field that frames the items around it: their period and scope, the documents they rest on,
# how a measure is defined, a note ("期間與範圍：下一季、臺灣市場", "依據文件：…", "Scope: EMEA").
_CONTEXT_LABEL = re.compile(
    r"^(?:period|time ?frame|scope|period and scope|sources?|references?|based on|basis|"
    r"definitions?|notes?|assumptions?|context|"
    r"期间|范围|期间与范围|期间及范围|适用范围|依据|依据文件|参考|参考文件|参考资料|来源|数据来源|资料来源|"
    r"定义|指标定义|口径|统计口径|说明|备注|注|前提|假设)$",
    re.I,
)


def is_context_field(text: str) -> bool:
    """A ``label：value`` line that frames the items around it (period, scope, sources,
    definitions, notes), not a statement of its own (folded text)."""
    label = field_label(text)
    return label is not None and bool(_CONTEXT_LABEL.match(label.strip()))


_REFERENCE_LINE = re.compile(r"^\s*(?:\.\.\s+\[[^\]]*\]|\[\^?[\w#-]+\]:|\[\d+\]\s)")


def is_document_metadata(text: str) -> bool:
    """A field about the document itself ("Created: 27-Mar-2019", "Last updated: …", "日期：…"),
    not about the work it plans."""
    label = field_label(text)
    return label is not None and bool(_METADATA_LABEL.match(label.strip()))


def is_reference_line(raw: str) -> bool:
    """A footnote or reference entry (".. [#] python-committers email …", "[1]: https://…")."""
    return bool(_REFERENCE_LINE.match(raw))


# A heading that names a phase of the work ("Phase 2", "迭代 1", "第二阶段", "2026 Q3", "Sprint 4").
_PHASE = re.compile(
    r"^(?:phase|stage|milestone|release|version|v\d|wave|sprint|increment|mvp\b)"
    r"|^(?:第[一二三四五六七八九十\d]+|[一二三四五六七八九十]+、)?\s*(?:阶段|期|里程碑|版本|迭代)"
    r"|^阶段[一二三四五六七八九十\d]|里程碑|^\d+(?:\.\d+)+\b|^(?:20\d\d\s*)?(?:q[1-4]|h[12])\b|^20\d\d(?:\s*年)?\s*(?:q[1-4]|h[12]|上半年|下半年|第[一二三四]季度)",
    re.I,
)


def names_a_phase(text: str) -> bool:
    """Folded heading words that name a phase, a stage, a release or a quarter of the work."""
    return bool(_PHASE.search(text))
