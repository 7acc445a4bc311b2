"""Per-statement signals: metrics, targets, baselines, owners, risk fields."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from service.models import Block, BlockKind
from service.rules.extract import cues
from service.rules.extract.dates import find_dates
from service.rules.extract.normalize import fold
from service.rules.vocabulary import active, builtin_words

_LABELS = re.compile(
    r"\b(?:kr|o|q|h|fy|goal|objective|phase|stage|step|sprint|wave|week|month|v|version|iso|"
    r"section|part|tier|level)\s*[-\s]?\d+(?:\.\d+)*\b|第[一二三四五六七八九十\d]+[季度周月阶段期步章节条]|"
    r"^\s*\(?\d{1,2}[.)、]\s+|^\s*\d+(?:\.\d+)+\s+|[（(]\d+[）)]|\b\d+(?:st|nd|rd|th)\b|\d+\s*月|"
    r"\b(?:covid|web|industry|gdpr|sha|utf|mp|h)\s*-?\d+\b",
    re.I,
)


def strip_dates(text: str) -> str:
    """Blank out dates, years and numbering so the numbers left are measures."""
    out = list(text)
    for m in find_dates(text, default_year=2000):
        for i in range(m.col, m.col + m.length):
            out[i] = " "
    stripped = "".join(out)
    return _LABELS.sub(lambda m: " " * len(m.group(0)), stripped)


_DURATION_UNIT = re.compile(
    r"\b(?:days?|weeks?|months?|quarters?|years?|business days|sprints?)\b|天|周|个月|年", re.I
)
_DEADLINE_BEFORE = re.compile(
    r"\b(?:within|in|over|for|next|after|every|each|first|last)\s*$|(?:每|前|后)\s*$", re.I
)
_ZH_DEADLINE_AFTER = re.compile(
    r"^(?:之|以)?[内內]\s*(?:[,，]\s*)?(?:完成|上线|实现|达到|建成|落地|推出|交付|开通|覆盖|启动|全面|基本)"
)
_COUNT_OF_THINGS = re.compile(
    rf"(?<![\w.,$€£¥])({cues.NUMBER}|(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|hundred))\s+(?:[a-z][\w/-]*\s){0,3}?(?:[a-z]+-[a-z]{2,}|[a-z]{3,})s\b",
    re.I,
)


_VERSION_BEFORE = re.compile(
    r"(?:\bv|\bversion\s?|\brelease\s?|\bpython\s?|\bnode(?:\.js)?\s?|\bjava\s?|\bgo\s?|版本\s?)$",
    re.I,
)


def has_placeholder(text: str) -> bool:
    return bool(cues.PLACEHOLDER.search(text))


def metric_values(text: str) -> list[str]:
    return list(_metric_values(text))


@lru_cache(maxsize=4096)
def _metric_values(text: str) -> tuple[str, ...]:
    """Measured target values in the text (dates, years and numbering excluded)."""
    clean = strip_dates(text)
    values = []
    for m in cues.METRIC_VALUE.finditer(clean):
        token = m.group(0).strip()
        digits = re.findall(r"\d+(?:\.\d+)?", token)
        if digits and all(cues.YEARLIKE.match(d) for d in digits) and "%" not in token:
            continue
        if _DURATION_UNIT.search(token) and (
            _DEADLINE_BEFORE.search(clean[max(0, m.start() - 12) : m.start()])
            or _ZH_DEADLINE_AFTER.match(clean[m.end() : m.end() + 8])
        ):
            continue  # "within 90 days", "3个月内": a deadline, not a measure
        values.append(token)
    if not values:
        # A count of things: "Run 12 expansion webinars", "Hold 4 drop-in sessions".
        for m in _COUNT_OF_THINGS.finditer(clean):
            if not _DURATION_UNIT.search(m.group(0)) and not cues.YEARLIKE.match(m.group(1)):
                values.append(m.group(0))
    if not values:
        # A bare number next to a metric word ("NPS 45", "churn below 3") still measures.
        for m in re.finditer(rf"(?<![\w./,]){cues.NUMBER}(?![\w.])", clean):
            if cues.YEARLIKE.match(m.group(0)):
                continue
            if _VERSION_BEFORE.search(clean[max(0, m.start() - 10) : m.start()]):
                continue  # "release/5.2 分支", "Python 3.12", "v2": a version, not a measure
            window = clean[max(0, m.start() - 25) : m.end() + 15]
            if re.search(
                r"\b(?:rate|score|nps|csat|index|ratio|level|count|number|sla|kpi|"
                r"target|to|reach|at least|above|below|under|over)\b|率|分|指数|数量|达到|不低于|不超过",
                window,
                re.I,
            ) or re.search(
                r"目[标標]值?\s*[:：]?\s*[≥≤<>]?\s*$", clean[max(0, m.start() - 8) : m.start()]
            ):
                # "有效填答數/週：目標 15,000；警戒 10,000": the value labelled as the target.
                values.append(m.group(0))
    return tuple(values)


def has_metric(text: str) -> bool:
    return bool(metric_values(text))


def has_baseline(text: str) -> bool:
    return bool(cues.BASELINE.search(text))


def is_delta(text: str) -> bool:
    # Dates out first: "by 2027-06-30" is a deadline, not "by 20%" a change.
    return bool(cues.DELTA.search(strip_dates(text)))


def is_level_target(text: str) -> bool:
    return bool(cues.LEVEL_TARGET.search(strip_dates(text)))


_FROM_TO = re.compile(
    r"(?:from|从|由)\s*[$€£¥]?(?P<a>\d+(?:[.,]\d+)?)\s*(?P<ua>%|万|亿|[kKmM](?![a-zA-Z])|)\S{0,12}?\s*(?:to|至|到|提升至|提高到|增长到|增至)\s*[$€£¥]?(?P<b>\d+(?:[.,]\d+)?)\s*(?P<ub>%|万|亿|[kKmM](?![a-zA-Z])|)",
    re.I,
)
_SCALE = {"": 1.0, "%": 1.0, "k": 1e3, "m": 1e6, "万": 1e4, "亿": 1e8}


_TARGET_FROM = re.compile(
    r"[$€£¥]?(?P<b>\d+(?:[.,]\d+)?)\s*(?P<ub>%|万|亿|[kKmM](?![a-zA-Z])|)[^\d()（）]{0,20}?[,，(（]\s*(?:up |down )?(?:from|较|从)\s*[$€£¥]?(?P<a>\d+(?:[.,]\d+)?)\s*(?P<ua>%|万|亿|[kKmM](?![a-zA-Z])|)",
    re.I,
)


def jump_ratio(text: str) -> float | None:
    """Target / baseline for 'from X to Y' (or 'Y, from X') statements, or None."""
    m = _FROM_TO.search(text) or _TARGET_FROM.search(text)
    if not m:
        return None
    a = float(m.group("a").replace(",", "")) * _SCALE.get(m.group("ua").lower(), 1.0)
    b = float(m.group("b").replace(",", "")) * _SCALE.get(
        (m.group("ub") or m.group("ua")).lower(), 1.0
    )
    if m.re is _TARGET_FROM and not m.group("ua"):
        a = float(m.group("a").replace(",", ""))  # "£1.2M, from £90,000": the baseline is in units
    if a <= 0 or any(re.fullmatch(r"(?:19|20)\d\d", m.group(k)) for k in ("a", "b")):
        return None
    return b / a


# -- owners --------------------------------------------------------------------------------------
_ROLE_PREFIX = re.compile(r"^\s*([^:：]{2,24})[:：]\s*\S")
_ROLE_CARD = re.compile(r"^\s*(?::[\w-]+:\s*)?([\u4e00-\u9fff]{2,10})\s+\S")


def _names_a_role(label: str) -> bool:
    """ "Ops team: …", "运营部：…" name a role; "组队及参赛项目注册截止时间：…" does not."""
    if re.search(r"[\u4e00-\u9fff]", label):
        label = fold(label)
        return bool(cues.ZH_ROLE_END.search(label) or cues.PERSON_NAME["zh"].fullmatch(label))
    return bool(cues.ROLE_WORDS.search(label))


_DASH_SEGMENT = re.compile(r"\s[—–-]{1,2}\s|——|\s—|—\s")


def _names_someone(text: str) -> bool:
    """A role, team or person's name (and not a date, number or sentence)."""
    if re.search(r"\d{2,}|%", text) or len(text.split()) > 6:
        return False
    if re.search(r"\d", text) and re.search(r"[\u4e00-\u9fff]", text):
        return False  # "Cutover Window - 1至2小時 Downtime": a time note, not a name
    # The whole text is the name: "Android Chrome" inside "iOS Safari / Android Chrome" and
    # "高風險" inside "最高風險" are not (a surname-like first character is no name).
    folded = fold(text).strip()
    if re.search(r"[\u4e00-\u9fff]", folded):
        # A role ends the words ("后勤组", "市场部"); "组装与串接" (assembly) only starts like one.
        role = any(
            cues.ZH_ROLE_END.search(t)
            or _ZH_FUNCTION.fullmatch(t)
            or cues.PERSON_NAME["zh"].fullmatch(t)
            for t in folded.split()
        )  # "制造部 黄国华": a department and a name
    else:
        role = bool(cues.ROLE_WORDS.search(folded))
    return bool(
        role
        or cues.PERSON_NAME["en"].fullmatch(text.strip())
        or (re.fullmatch(r"[A-Z][a-z]+", text) and not _GLOSS_WORD.search(text))
    )


_ZH_FUNCTION = re.compile(
    r"(?:运营|客服|财务|人事|市场|销售|采购|仓储|物流|技术|产品|研发|品牌|法务|行政|设计|宣传|后勤)(?:部|组|团队)?"
)
# A capitalised word in parentheses that glosses a term rather than naming someone:
# plurals, -ing forms and status words ("(Mappings)", "(Optional)", "(Draft)").
_GLOSS_WORD = re.compile(
    r"(?:ings|tion|tions|ment|ments|ness|ity)$|^(?:optional|draft|done|pending|beta|alpha|staging|production|"
    r"required|recommended|example|deprecated|new|updated|planned|ongoing|blocked|mandatory|"
    r"internal|external|online|offline|final|tbd|wip|later|now|next|todo|critical|high|medium|low)$",
    re.I,
)


# An item's own identifier before a colon ("[ ] Task A：…", "Step 2: …", "KR1.3：…", "任务 3："):
# what the item is called, not who does it.
_ITEM_ID = re.compile(
    r"(?:\[[ xX✓✔]\]\s*)?(?:task|step|item|action|todo|ticket|story|kr|phase|stage|milestone|"
    r"任务|步骤|阶段|事项)\s*#?[\w.]{0,5}",
    re.I,
)


def owner_in_text(raw: str, folded: str) -> str | None:
    """An owner named in the statement itself, or None (a person's name preferred to a team)."""
    candidates = [
        who
        for who in _owner_candidates(raw, folded)
        if not _is_placeholder(who) and not _ITEM_ID.fullmatch(who.strip(" *_"))
    ]
    for who in candidates:
        if cues.PERSON_NAME["en"].fullmatch(who) or cues.PERSON_NAME["zh"].fullmatch(fold(who)):
            return who
    return candidates[0] if candidates else None


_OWNER_WORD = re.compile(
    r"^(?:owners?|leads?|responsible|accountable|dri|assignee|负责人|责任人|牵头人?|执行人)\s*[:：=]\s*",
    re.I,
)


def _is_placeholder(who: str) -> bool:
    """'TBD', '待定', 'XX', '@someone': a slot for an owner, not an owner."""
    who = _OWNER_WORD.sub("", who.strip(" :：.。"), count=1).strip(" :：.。")
    return bool(
        cues.EMPTY_CELL.fullmatch(who)
        or cues.TEMPLATE_SLOT.fullmatch(who)
        or re.fullmatch(r"@?(?:someone|somebody|anyone|tbd|owner|name|xx+|某人|某某)", who, re.I)
    )


def _owner_candidates(raw: str, folded: str) -> Iterator[str]:
    m = cues.OWNER_LABEL.search(folded)
    handle = re.search(r"@[\w\u4e00-\u9fff.-]+", m.group(0)) if m else None
    if handle is not None:
        yield handle.group(0)  # "(@dave, due May)": the handle is the owner
    elif m:
        # The name after the label, up to the next delimiter ("Owner: Alice Chen, by June").
        start = m.end() - 1
        tail = re.split(r"[,，;；。()（）|、]|\s[—–-]\s|\bby\b|前", raw[start:], maxsplit=1)[
            0
        ].strip(" :：")
        yield tail or m.group(0).strip()
    # A parenthesis right before a colon glosses the label ("`Status`（Single Select）：…"): no owner.
    for inner in re.findall(r"[(（]([^()（）]{2,60})[)）](?!\s*[:：])", raw):
        first = re.split(r"[,，;；、]", inner, maxsplit=1)[0].strip()
        if first and _names_someone(first):
            yield first
    for segment in _DASH_SEGMENT.split(raw)[1:]:
        who = re.split(r"[,，;；(（]", segment, maxsplit=1)[0].strip()
        if 2 <= len(who) <= 40 and _names_someone(who):
            yield who
    m = cues.TRAILING_ROLE.search(raw)
    if m:
        who = (m.group("p") or m.group("d") or "").strip()
        if (
            who
            and (
                # "(Key Account Quality, Omar Said)": a name or a role among its parts
                any(_names_someone(part.strip()) for part in re.split(r"[,，;；、]", who))
                or (not re.search(r"[\u4e00-\u9fff]", who) and cues.ROLE_WORDS.search(who))
            )
            and not re.search(r"\d{2,}|%", who)
            and not (re.search(r"\d", who) and re.search(r"[\u4e00-\u9fff]", who))
        ):
            yield who
    m = _ROLE_PREFIX.match(raw)
    if (
        m
        and _names_a_role(m.group(1).strip())
        and len(m.group(1).split()) <= 4
        and not active().meta_field_label.search(fold(m.group(1).strip(" *_")))
    ):  # "範圍：…" is a field of the task ("范围" would pass for a name), not its owner
        yield m.group(1).strip()
    m = _ROLE_CARD.match(raw)
    if m and _names_a_role(m.group(1)):
        yield m.group(1)  # "活動籌備人員 協助活動報名…": a role and its duties
    for inner in re.findall(r"[（(]([^()（）]{2,30})[)）]", raw):
        # "（张伟、李娜）", "(王芳负责)": names alone in a parenthesis, not a word inside a gloss.
        pieces = [p for p in re.split(r"[、，,/和及\s]+", fold(inner)) if p]
        if pieces and all(cues.PERSON_NAME["zh"].fullmatch(p) for p in pieces):
            yield pieces[0]
            break
    for m in _SUBJECT_OWNER.finditer(raw):
        yield (m.group("who") or m.group("zh") or m.group("role")).strip()
    m = _REVIEWER_STEP.search(folded)
    if m:
        yield m.group("who")  # "業主確認本計畫與里程碑", "送業主校對": the client's own step
    if (who := _named_action_owner(raw)) is not None:
        yield who
    if (who := _labelled_action_owner(raw)) is not None:
        yield who
    m = _BRACKET_OWNER.search(raw)
    if m and (m.group(1).startswith("@") or _names_someone(m.group(1))):
        yield m.group(1)  # "Write the style guide [Carol]", "撰写新闻稿【王芳】" (not "【必做】")


# An action item of meeting notes that starts with the person who takes it ("Dawn to follow up
# on the venue", "Sarah review sponsorship package", "Ana and Ben will draft the call").
_NAMED_ACTION = re.compile(
    r"^\W*(?:\[[ xX]?\]\s*)?(?P<who>[A-Z][a-z]{1,14}(?:\s+(?:and|&)\s+[A-Z][a-z]{1,14})?)"
    r"\s+(?:(?P<modal>to|will|should|must|needs? to|is going to|are going to)\s+)?"
    r"(?P<rest>[a-z\u4e00-\u9fff].*)$"
)
_NOT_A_NAME = builtin_words("not_a_name")


# "Alice: set up the staging server": a person's name as the label of an action item. The label
# must look like a given name (not a field such as "Scope:" or "Next step:") and the rest must be
# work.
_LABELLED_ACTION = re.compile(
    r"^\W*(?:\[[ xX]?\]\s*)?(?:\*\*)?(?P<who>[A-Z][a-z]{1,14}(?:\s+[A-Z][a-z]{1,14})?)(?:\*\*)?"
    r"\s*[:：](?:\*\*)?\s+(?P<rest>\S.*)$"
)
_NOUN_ENDING = re.compile(
    r"(?:ion|ment|ness|ity|ing|ance|ence|ship|ism|ure|ogy|ics|ary|ory|ies|ives?|ets?|als?|ors?|ers?)$"
)
_NOT_A_LABEL_NAME = builtin_words("not_a_label_name")
# A bracketed name at the end of an item ("… [Carol]", "… [@carol]", "…【王芳】").
_BRACKET_OWNER = re.compile(
    r"[\[【]\s*(@?[A-Z][a-z]{1,14}(?:\s+[A-Z][a-z]{1,14})?|@[\w.-]{2,20}|[\u4e00-\u9fff]{2,4})\s*[\]】]\s*[.。]?$"
)


def _labelled_action_owner(raw: str) -> str | None:
    m = _LABELLED_ACTION.match(raw.strip())
    if m is None:
        return None
    who, rest = m.group("who"), fold(m.group("rest"))
    words = who.lower().split()
    if any(
        w in _NOT_A_NAME or w in _NOT_A_LABEL_NAME or _NOUN_ENDING.search(w) for w in words
    ) or active().meta_field_label.search(who.lower()):
        return None
    if any(
        p.match(words[0])
        for p in (cues.ACTIVITY_VERB["en"], cues.ACTION_VERB_EXTRA, cues.GENERIC_VERB["en"])
    ):
        return None  # "Review: …", "Update: …"
    verb_first = (
        cues.ACTIVITY_VERB["en"].match(rest)
        or cues.ACTION_VERB_EXTRA.match(rest)
        or cues.ACTIVITY_VERB["zh"].match(rest)
    )
    return who if verb_first else None


def _named_action_owner(raw: str) -> str | None:
    m = _NAMED_ACTION.match(raw.strip())
    if m is None:
        return None
    who, rest = m.group("who"), m.group("rest")
    first = who.split()[0].lower()
    if first in _NOT_A_NAME or any(
        p.match(first)
        for p in (cues.ACTIVITY_VERB["en"], cues.ACTION_VERB_EXTRA, cues.GENERIC_VERB["en"])
    ):
        return None  # "Plan to…", "Review the…", "Improve…": a verb, not a person
    folded_rest = fold(rest)
    verb_first = (
        cues.ACTIVITY_VERB["en"].match(folded_rest)
        or cues.ACTIVITY_VERB["zh"].match(folded_rest)
        or cues.ACTION_VERB_EXTRA.match(folded_rest)
    )  # "Sarah review …", "Kururu 建立 Issue Labels"
    checklist = re.match(r"^\W*\[[ xX]?\]", raw.strip())
    status = re.match(r"\w+\s+(?:pending|done|completed?|ongoing|needed|required|meeting)\b", rest)
    if m.group("modal") is None and (not verb_first or not checklist or status):
        # Without "to"/"will" only a checklist's action item ("- [ ] Sarah review the package")
        # reads as a person and a verb; "Policy review and revamp of …" is a noun and a noun.
        return None
    if m.group("modal") is not None and re.match(r"(?:be|been|have|has|not)\b", rest):
        return None  # "Budget to be approved": a passive, nobody named
    return who


# A team or role that is the subject of the work ("The TOPS team will provide advice…",
# "Marketing will run the campaign", "市场部将在 5 月前完成推广"); not the organisation as a whole ("We
# will", "the community will").
_SUBJECT_OWNER = re.compile(
    r"(?:^|[.;:!?]\s+|\*\*\s*)(?:[-*]\s+)?(?:\d{1,2}[.)]\s+)?(?:the\s+|our\s+)?"
    r"(?P<who>(?!(?:an?|new|one|some|any)\s)(?:[\w&-]+\s+){0,3}?(?:team|committee|board|council|office|working group|wg|sig|"
    r"steering group|maintainers|coordinators?|manager|director|lead|chair|department)"
    r"|(?:marketing|finance|engineering|legal|procurement|operations|sales|(?-i:HR|IT)))"
    r"\s+(?:will|shall|is going to|are going to|is responsible for|are responsible for|owns?|leads?)\b"
    r"|(?:^|[。；;，,]\s*)(?:\d{1,2}[.、]\s*)?(?P<zh>[\u4e00-\u9fffA-Za-z]{1,10}"
    r"(?:部|组|团队|小组|委员会|中心|办公室|工作组|SIG|sig|项目组))(?:将|会|负责|牵头|主导)"
    # The participants of a programme as the subject of their own work ("学习者学习 Solidity 的基础
    # 操作", "Participants will submit a final report").
    r"|^\W*(?:\d{1,2}[.、)]\s*)?(?P<role>学习者|学员|参与者|参赛者|参赛队伍|选手|志愿者|学生|"
    r"participants|learners|attendees|mentees|students|interns|volunteers)"
    r"(?=\s*(?:需要|需|应|要|将|会|可以|学习|完成|提交|参加|阅读|练习|will|should|must|need to|are expected to))",
    re.I,
)


# A review or approval step taken by the client, the sponsor or a teacher, named as its subject or
# as the one it goes to ("业主确认本计划与里程碑", "A1–A3 完成后送业主校对", "交办事处审阅", "由老师审核",
# "甲方验收"): that party owns the step (folded text).
_REVIEWER_STEP = re.compile(
    r"(?:^|[。；;，,→>\s*_]|送|由|交|请|待)\s*(?P<who>业主|甲方|客户方?|委托方|出资方|主办方|办事处|"
    r"(?:指导)?老师|导师)\s*(?:进行|来|先)?\s*(?:确认|审核|审阅|校对|审批|验收|批准|签核|核准|定稿)"
)


def owner_of_row(block: Block) -> tuple[bool, str | None]:
    """(table has an owner column, the owner cell if filled)."""
    if block.kind != BlockKind.TABLE_ROW or not block.header or not block.cells:
        return False, None
    for h, cell in zip(block.header, block.cells, strict=False):
        h = fold(h)
        if active().owner_column.search(h) and not re.search(r"status|状态", h, re.I):
            if cues.EMPTY_CELL.match(cell):
                return True, None
            return True, cell.strip()
    return False, None


# -- risks ---------------------------------------------------------------------------------------
_MITIGATION_INLINE = re.compile(
    r"\b(?:mitigat\w*|response|contingency|fallback|plan b|workaround|countermeasures?|action|"
    r"control|controls|remedy|treatment)\b\s*[:：=]"
    r"|(?:→|⇒|->|=>)"
    r"|\b(?:mitigated by|mitigate by|addressed by|handled by|we will|we'll|we plan to|our plan is to|"
    r"to mitigate|to reduce this|to address this|to avoid this|if this happens|if so|in which case|"
    r"fallback is|the response is|countered by|offset by|hedged by|insured|insurance|backup supplier|"
    r"second supplier|dual[- ]source)\b|[;；]\s*[^;；]{0,30}\bwill\b"
    r"|\s[—–-]{1,2}\s*(?:we\s+)?(?:schedule|add|use|keep|book|hire|train|build|run|set up|agree|pre-?\w+|buy|move|"
    r"switch|hold|prepare|plan|ask|negotiate|monitor|review|test|pilot|escalate|limit|cap|reserve|stock|secure|"
    r"sign|insure|outsource|share|offer|provide|create|arrange|call|brief|start|phase|stagger|split|delay|"
    r"budget|cross-train|document|automate|order)\b"
    r"|(?:应对|因应|措施|预案|对策|防范|处置|解决方案|应对方案|控制措施|缓解措施|规避措施|对应措施)\s*[:：]"
    r"|(?:对策|应对|因应|缓解|处理)(?:方式|方法|措施)?(?:是|为)"
    r"|应对[:：]?|(?:通过|透过)[^，,。；;\n]{2,24}?(?:降低|规避|缓解|防范|应对|解决|即可|就能)|提前\S{2,}|建立\S{0,6}(?:备用|预案|机制)|"
    # A fallback said as a condition ("若没有可靠的数据来源，第一版将以你输入的资料为准", "若正例太少，
    # 先报样本不足") or a response the risk calls for ("需快速建立先发优势"); not a consequence
    # ("若经费不足则可能导致…", "则项目会面临困境").
    r"(?:若|如果|万一|一旦)[^，,。；;]{2,40}[，,](?:(?!可能|导致|造成|面临|会)[^。；;]){0,12}?(?:将|先|改以|改用|改为|则以|就以|即以)(?!\S{0,20}(?:可能|导致|造成|面临))|"
    r"需(?:要)?(?:尽快|快速|及早|提前|持续)?(?:建立|准备|加强|储备|确保|保留|锁定)|"
    r"我们将|将通过|拟通过|采取|购买\S{0,4}保险|外包|备选|备用|兜底|双供应商|若\S{2,}则(?!\S{0,6}(?:可能|导致|造成|面临|会))|一旦\S{2,}(?:立即|即|则)"
    # Accepting the risk, with a narrower aim or a later fix, is a response ("第一版先接受，MP3 排第二版",
    # "手机版先以「能玩」为目标", "we accept this for v1").
    r"|先接受|暂时接受|接受(?:此|这个|该|这一)?(?:限制|风险)|第[一1]版先|先以\S{1,12}为目标|排(?:到)?第[二2]版|"
    r"\b(?:we accept|accepted for now|accept (?:the|this) (?:risk|limitation))\b",
    re.I,
)
# "Supplier delay: book a second carrier", "物流延迟：提前锁定运力" (the risk, a colon, the response).
_RISK_COLON_ACTION = re.compile(
    r"^(?:[-*]\s*)?(?:risk\s*\d*\s*[:：]\s*)?(?:风险\s*[一二三四五六七八九十\d]*\s*[:：]\s*)?"
    r"[^:：]{2,60}[:：]\s*(?!$)(?!(?:high|medium|low|高|中|低)\b)[^:：]{6,}$",
    re.I,
)
_RISK_LABEL = re.compile(
    r"^(?:[-*]\s*)?(?:risk|threat|风险)\s*[一二三四五六七八九十\d]*\s*[:：]\s*", re.I
)
_CONSEQUENCE = re.compile(
    r"可能|导致|造成|面临|陷入|影响\S{0,4}$|\b(?:could|may|might|would|will likely|leads? to|means)\b",
    re.I,
)


def _colon_action(text: str) -> bool:
    """'Supplier delay: book a second carrier' — a response after the colon, not a consequence."""
    body = _RISK_LABEL.sub("", text.strip(), count=1)
    m = _RISK_COLON_ACTION.match(body)
    return bool(m) and not _CONSEQUENCE.search(body.split("：", 1)[-1].split(":", 1)[-1])


_ASSESS_ONLY = re.compile(
    r"^\s*(?:(?:high|medium|med|low|critical|moderate|minor|major|h|m|l)\s*(?:likelihood|probability|impact|risk|severity)?"
    r"[\s,/]*)+$|^\s*(?:likelihood|probability|impact|severity|level)\b",
    re.I,
)


_ACTION_HINT = re.compile(
    r"\b(?:we|will|stay|stays|kept|keep|keeps|agreed|have|has|use|uses|add|book|hire|train|reserve|spares?|"
    r"backup|fallback|alternative|switch|prepare|plan|monitor|limit|cap|insure|pre-?\w+|schedule|run|hold)\b"
    r"|提前|准备|安排|建立|增加|预留|备用|备选|采用|签订|调整|启用|设置|储备|启动|协调|培训|加派",
    re.I,
)


def _response_clause(text: str) -> bool:
    """'Driver shortage (medium likelihood, high impact); 12 older buses stay licensed as spares'."""
    clauses = [c.strip(" .。") for c in re.split(r"[;；]|\s[—–]\s", text)[1:]]
    return any(
        _ACTION_HINT.search(c)
        and not _ASSESS_ONLY.match(c)
        and not _CONSEQUENCE.search(c)
        and (len(c.split()) >= 3 or len(c) >= 6)
        for c in clauses
    )


_ASSESS_INLINE = re.compile(
    r"\b(?:likelihood|probability|impact|severity|risk level|level|rating|score|priority)\b\s*[:：=]?\s*"
    r"(?:is\s+)?(?:high|medium|med|low|critical|major|minor|moderate|h|m|l|\d)"
    r"|\b(?:high|medium|low|critical|major|minor|moderate)\b\s*(?:likelihood|probability|impact|risk|severity)"
    r"|[(\[]\s*(?:high|medium|med|low|critical|h|m|l)(?:\s*[/,]\s*(?:high|medium|med|low|critical|h|m|l))?\s*[)\]]"
    r"|\bp\s?[1-4]\b|\b[1-5]\s*[x×]\s*[1-5]\b"
    r"|(?:可能性|概率|影响|影响程度|风险等级|等级|级别|严重程度|评级)\s*[:：]?\s*(?:高|中|低|较高|较低|极高|严重|一般|\d)"
    r"|(?:高|中|低|较高|较低|中等|极低|极高)\s*(?:风险|概率|可能|影响)|[(（【\[]\s*(?:高|中|低)\s*[)）】\]]",
    re.I,
)
_STRUCTURED_FIELD = re.compile(
    r"\b(?:owner|likelihood|probability|impact|mitigation|response|level|trigger)\s*[:：]"
    r"|(?:责任人|负责人|可能性|概率|影响|应对|措施|等级)\s*[:：]",
    re.I,
)


_RATING_CELL = re.compile(
    r"^\W*(?:(?:very |extremely )?(?:high|medium|med|low|critical|severe|major|moderate|minor|"
    r"significant|negligible)|[hml]|p[0-4]|\d(?:\.\d)?(?:\s*/\s*\d+)?|\d{1,3}\s*%|"
    r"[高中低](?:\s*[-~/至到]\s*[高中低])?|极高|较高|中等|较低|极低|严重|一般|轻微|重大|较大)\W*"
    r"(?:[(（][^)）]{0,30}[)）])?\W*$",
    re.I,
)
_CELL_OWNER = re.compile(r"负责|owner|lead", re.I)


def risk_fields(text: str, row: dict[str, str], children_text: str) -> dict[str, bool | None]:
    """mitigation / assessment / owner present? (owner None when it cannot be judged)."""
    full = f"{text}\n{children_text}"
    mitigation = assessment = False
    owner: bool | None = None
    if row:
        for header, cell in row.items():
            header = fold(header)
            filled = not cues.EMPTY_CELL.match(cell)
            if cues.RISK_COLUMNS["mitigation"].search(header) and not cues.RISK_COLUMNS[
                "risk"
            ].fullmatch(header.strip()):
                mitigation = mitigation or filled
            elif (
                cues.RISK_COLUMNS["likelihood"].search(header)
                or cues.RISK_COLUMNS["impact"].search(header)
                or cues.RISK_COLUMNS["level"].search(header)
            ):
                # A rating ("高", "M", "3/5", "severe"), not the consequence told in words
                # ("採用率低", "手机无法访问"): that is what happens, not how likely or how bad.
                assessment = assessment or (filled and bool(_RATING_CELL.match(fold(cell))))
            elif active().owner_column.search(header):
                owner = bool(owner) or filled
        if owner is None and any(
            _CELL_OWNER.search(fold(c)) and owner_in_text(c, fold(c)) for c in row.values()
        ):
            owner = True  # "1 小時培訓（Keroro 負責）": the owner named in the response
    mitigation = (
        mitigation
        or bool(_MITIGATION_INLINE.search(full))
        or _colon_action(text)
        or _response_clause(text)
    )
    assessment = assessment or bool(_ASSESS_INLINE.search(full))
    if not row:
        labels = {m.group(0).strip(" :：").lower() for m in _STRUCTURED_FIELD.finditer(full)}
        nested = {
            m.group(0).strip(" :：").lower() for m in _STRUCTURED_FIELD.finditer(children_text)
        }
        # "Likelihood:" and "Owner:", or an owner-like field on a sub-item; a lone "Mitigation:"
        # sub-item is one field, with no owner field to miss.
        nested_field = bool(nested - {"mitigation", "response", "应对", "措施"})
        if len(labels) >= 2 or nested_field:
            owner = bool(cues.OWNER_LABEL.search(full))
    return {"mitigation": mitigation, "assessment": assessment, "owner": owner}
