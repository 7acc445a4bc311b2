"""OKR checks: number of key results, key results that are tasks or unmeasurable."""

from __future__ import annotations

import re

from service.rules import rewrites
from service.rules.base import Emitter
from service.rules.extract import cues, shapes
from service.rules.extract.facts import PlanFacts, Statement, core_text
from service.rules.extract.normalize import fold
from service.rules.extract.signals import has_metric, has_placeholder

_TARGET_COLUMN = re.compile(r"target|goal|value|目标值|目标|指标值", re.I)


# Targets in words: a count ("Export at least one … file", "至少两场") and "all" of a set ("Ship
# all endpoints the frontend needs", "Display all three signals"): a completeness target.
_WORD_TARGET = re.compile(
    r"\b(?:at least|no fewer than|a minimum of) (?:one|two|three|four|five|six|seven|eight|nine|ten)\b"
    r"|^\W*[a-z]+(?: and [a-z]+)? all\b|^\W*all\b|\b(?:on|for|across) all\b|至少[一二两三四五六七八九十]|全部|所有"
    # "Every issue gets triaged" (all of them, not a cadence), "go-ipfs doesn't have checked-in
    # gx paths" (a target of none).
    r"|^\W*(?:every|each)\s+(?!(?:other\s+)?(?:day|week|month|quarter|year|sprint|release)s?\b)[a-z-]+"
    r"|\b(?:doesn't|does not|don't|do not|no longer) (?:have|has|contain|need|require)s?\b"
    # "包含针对每个评估维度的案例", "各个分数段", "针对D1中的每一条对话": all of a set.
    r"|(?:每一|每个|每条|每项|每位|每章|每篇|每次|每场|每节|每份|各个|各项)(?!周|月|天|日|季|年|星期|小时)"
    # A level against a comparison ("Maintain an above average diversity percentage", "高于行业平均").
    r"|\b(?:above|below)[- ]average\b|\bbetter than (?:the )?(?:industry|average|market)\b|高于\S{0,4}平均|优于\S{0,4}(?:平均|同行)",
    re.I,
)
# A level the result must reach, not a count of work done: a comparison with a time, a share or
# a rate ("reviewed in <10 seconds per place", "within 2 hours", "under 5%").
_LEVEL = re.compile(
    r"(?:<|>|≤|≥|<=|>=|\bunder|\bbelow|\bwithin|\bless than|\bmore than)\s?\d+(?:\.\d+)?\s?"
    r"(?:%|％|ms\b|s\b|sec(?:ond)?s?\b|min(?:ute)?s?\b|hours?\b|h\b|days?\b)"
    r"|\d\s?(?:%|％|ms|seconds?|minutes?|hours?)\s+(?:per|each|of the time)\b"
    r"|(?:低于|高于|不超过|不低于|以内)\s?\d",
    re.I,
)


def _measurable(kr: Statement) -> bool:
    text = " ".join(kr.row.values()) if kr.row else kr.text
    cleaned = cues.PLACEHOLDER.sub(" ", text)
    if has_metric(cleaned) or _WORD_TARGET.search(core_text(kr.text)):
        return True
    # "| Countries live on e-invoicing | Ravi | 3 |": the Target column holds the number. A
    # Target column that holds the whole key result ("Implement … by Week 6") holds a sentence,
    # whose numbers are the ones has_metric reads, not a value.
    return any(
        _TARGET_COLUMN.search(fold(h))
        and re.search(r"\d", c)
        and len(c.split()) <= _VALUE_WORDS
        and not cues.PLACEHOLDER.search(c)
        for h, c in kr.row.items()
    )


_VALUE_WORDS = 6


# Completion of the work itself, as a share ("Complete 100% configuration of …", "完成 100% 的迁移").
_COMPLETION = re.compile(r"^(?:complete|finish|完成)\s*(?:the\s+)?\d+\s?[%％]", re.I)


# A key result led by its means ("基于Gemini模型设计…", "通过人类专家评估验证…", "使用P2对…打分",
# "针对D1中的每一条对话，获取…"): the verb after the means says whether it is work.
_MEANS_LEAD = re.compile(r"^(?:通过|基于|使用|利用|针对|根据|借助|依据|按照)")


def _after_means(text: str) -> str:
    if not _MEANS_LEAD.match(text):
        return text
    for i in range(2, min(len(text), 30)):
        if cues.ACTIVITY_VERB["zh"].match(text[i:]):
            return text[i:]
    return text


def _is_task(kr: Statement) -> bool:
    text = core_text(kr.text)
    text = re.sub(
        r"^(?:\*\*)?[\w ]{0,12}\b(?:kr|key results?|关键结果)\b\s*\d*(?:\.\d+)?(?:\*\*)?\s*[:：]\s*",
        "",
        text,
    )
    text = _after_means(text)
    if not shapes.starts_with_activity(text):
        return False
    # An activity with an outcome metric ("launch X and reach 10k users") is an outcome.
    rest = text.split(" ", 1)[1] if " " in text else text[2:]
    if _COMPLETION.match(text):
        return True  # "Complete 100% configuration of the vault": the work done, all of it
    if re.search(r"\d\s?[%％]", rest):
        return False  # "Move 80% of paper forms online": a share reached is an outcome
    if _LEVEL.search(rest):
        return False  # "Ship a dashboard where a place is reviewed in <10 seconds": a level
    return not (cues.OUTCOME_WORDS.search(rest) and has_metric(rest))


# "See the objectives alongside our key results in our OKR tracking sheet": the key results are
# kept elsewhere, and an objective listed alone here is not short of them.
_KRS_ELSEWHERE = re.compile(
    r"\bkey results?\b[^.\n]{0,60}\b(?:in|on|at)\b[^.\n]{0,40}"
    r"\b(?:sheet|spreadsheet|tracker|tracking|board|issues?|epics?|doc|document|notion|jira|gitlab|github)\b"
    r"|关键结果\S{0,20}(?:见|详见|参见|记录在|维护在)",
    re.I,
)


def check(facts: PlanFacts, emit: Emitter) -> None:
    lang = emit.lang
    elsewhere = bool(_KRS_ELSEWHERE.search(facts.all_text))
    for obj in facts.objectives:
        n = len(obj.krs)
        if n == 0 and elsewhere:
            continue
        if n < 2 or n > 5:
            emit.block("okr.kr-count", obj.block, n=n)
        for kr in obj.krs:
            placeholder = has_placeholder(kr.text)
            if _is_task(kr):
                emit.block("okr.kr-is-task", kr.block, rewrite=rewrites.outcome_kr(kr, lang))
            if not _measurable(kr):
                note = ""
                if placeholder:
                    note = (
                        " (the target is still a placeholder)"
                        if lang == "en"
                        else "（目标值仍是占位符）"
                    )
                emit.block(
                    "okr.kr-not-measurable",
                    kr.block,
                    placeholder=note,
                    rewrite=rewrites.measurable_kr(kr, lang),
                )
