"""SMART checks on goal statements (OKR objectives and key results are judged by okr.*)."""

from __future__ import annotations

import re

from service.rules import rewrites
from service.rules.base import Emitter
from service.rules.extract import cues
from service.rules.extract.dates import has_time_reference
from service.rules.extract.facts import PlanFacts, Statement, core_text, inherits_period
from service.rules.extract.normalize import fold
from service.rules.extract.signals import (
    has_baseline,
    has_metric,
    has_placeholder,
    is_delta,
    jump_ratio,
    strip_dates,
)

_BASELINE_COLUMN = re.compile(
    r"baseline|current|today|actual|as[- ]is|last year|20\d\d|基线|基准|现状|当前|目前|现值|上年|去年",
    re.I,
)
_TARGET_COLUMN = re.compile(r"target|goal|目标|目標", re.I)


def _goal_text(g: Statement) -> str:
    if g.row:
        return fold(" ".join(v for v in g.row.values()))
    return g.text


def _row_baseline(g: Statement) -> bool:
    """A table row whose baseline/current column is filled."""
    for header, cell in g.row.items():
        if (
            _BASELINE_COLUMN.search(header)
            and not _TARGET_COLUMN.search(header)
            and not cues.EMPTY_CELL.match(cell)
        ):
            return True
    return False


def _numeric_target_cell(g: Statement) -> bool:
    """A KPI table row whose value cells hold numbers ("| Volunteers trained | 12 | 30 |")."""
    cells = list(g.row.values())[1:]
    return any(re.match(r"^\s*[≥≤<>~≈]?\s*[$€£¥]?\d", c) for c in cells)


_TARGET = re.compile(
    r"(?:前|第|top\s?)[一二三四五六七八九十\d]+名?|[$€£¥]?\d[\d,.]*\s?(?:%|％|万元|亿元|元|万|亿|[kKmM]\b|分|小时|hours?\b|days?\b|天|人|家|个|件|名|次|学时)?"
)


def _target_display(raw: str) -> str:
    """The target value as the author wrote it ("3%", "500万元"), for the message."""
    values = [
        m.group(0).strip()
        for m in _TARGET.finditer(strip_dates(raw))
        if not re.fullmatch(r"(?:19|20)\d\d", m.group(0).strip())
    ]
    return values[-1] if values else ""


# Reach and take-up of what the plan itself puts out (its posts, ads, event, repository): views,
# clicks, interactions, participants. Such counts start at none.
_OWN_REACH = re.compile(
    r"阅读|浏览|访问量|曝光|展现|点击|触及|覆盖人数|覆盖用户|互动|点赞|转发|评论数|参与|人次|观看|播放|到场|订阅|"
    r"\b(?:impressions?|views?|reads?|clicks?|engagements?|interactions?|likes?|shares|"
    r"retweets?|attendees?|participants?|attendance|rsvps?|subscribers?|commits?|prs?|"
    r"pull requests?)\b",
    re.I,
)
# A level of something that exists before the plan: a rate, share, score, time or money amount.
_LEVEL_UNIT = re.compile(
    r"\d\s*(?:%|％|percent|分(?!钟)|星|stars?|/\s*\d|秒|ms|毫秒|小时|分钟|天|日|周|hours?|hrs?|minutes?|"
    r"mins?|seconds?|secs?|days?|weeks?|倍|x\b)|[$€£¥￥]|nt\$|元|美元|\b(?:usd|eur|rmb|gbp)\b|率|比例|占比|评分|得分|满意",
    re.I,
)
# Shares of the plan's own work done ("演示视频完成: 100%", "KOL合作确认: 80%", "100% of the
# sessions delivered"): that work starts at none.
_OWN_WORK_SHARE = re.compile(
    r"完成(?!时间|周期|率以外)|就位|确认|落实|实施|准备|\b(?:complete[sd]?|completion|done|delivered|"
    r"finished|in place)\b",
    re.I,
)


# A count of what the plan itself holds or produces: sessions, courseware, videos, articles
# ("宣讲场次 ≥5场", "课件 1套", "短视频 ≥4条", "总结报告 各1份", "8 blog posts published").
_OWN_PRODUCT = re.compile(
    r"\d\s*(?:场次|场|套|节课?|期|篇|条|份|部|集|册|幅|支|款)(?![\u4e00-\u9fff]*(?:用户|会员|客户|人))"
    r"|\b(?:sessions?|workshops?|webinars?|talks?|posts?|articles?|videos?|episodes?|newsletters?|"
    r"courses?|lessons?|modules?|guides?|tutorials?|releases?|meetups?|events?)\b[^.;\n]{0,30}"
    r"\b(?:published|held|run|delivered|produced|released|shipped|written|recorded)\b",
    re.I,
)


# What buyers take ("销量 5000份", "orders", "downloads"): a market's answer, not the plan's output.
_SOLD = re.compile(
    r"销量|销售|售出|卖出|订单|下载|\b(?:sales|sold|orders?|downloads?|installs?)\b", re.I
)


def _own_output(clause: str) -> bool:
    """A target on what the plan itself puts out: the reach of its own posts, ads or event
    ("预期阅读量: 50万+", "廣告總曝光數 ≥ 9,000", "总 Commit 数 100 条以上"), or a share of its own
    work done ("演示视频完成: 100%"). Either starts at none, so it needs no baseline
    (docs/rules-interpretation.md, "Output counts need no baseline"). Members, customers, sales
    and other stocks that exist before the plan are levels."""
    clause = strip_dates(clause)
    timely = re.search(r"及时|按时|准时|\bon[- ]time\b|\btimely\b", clause, re.I)
    if re.search(r"\d\s*(?:%|％)", clause) and _OWN_WORK_SHARE.search(clause) and not timely:
        return True
    if _LEVEL_UNIT.search(clause):
        return False
    if _OWN_PRODUCT.search(clause) and not _SOLD.search(clause):
        return True
    return bool(_OWN_REACH.search(clause))


def _unbased_target(g: Statement, text: str) -> str:
    """A level target with no baseline, clause by clause ("…压缩至1天以内；满意度达到95%")."""
    raw_clauses = re.split(r"[；;]", g.raw) if not g.row else [g.raw]
    clauses = re.split(r"[；;]", text) if not g.row else [text]
    if len(clauses) != len(raw_clauses):
        raw_clauses, clauses = [g.raw], [text]
    for raw, clause in zip(raw_clauses, clauses, strict=True):
        if not has_metric(clause) or has_baseline(clause) or is_delta(clause):
            continue
        if _own_output(clause):
            continue
        target = _target_display(raw)
        if target:
            return target
    return ""


def _row_header_time(g: Statement) -> bool:
    return bool(g.row) and has_time_reference(fold(" ".join(g.row.keys())))


def _statement_texts(g: Statement) -> list[tuple[str, str]]:
    """(folded, raw) forms of the goal to judge: the whole, the part after a short label
    ("Safer neighbourhoods: work with partners …"), or a table row's statement cells."""
    if g.row:
        cells = [c for c in g.row.values() if c.strip() and not _LABEL_CELL.match(c.strip())]
        return [(fold(c), c) for c in cells[:2]]
    forms = [(core_text(g.text), core_text(g.raw))]
    label, sep, rest = core_text(g.raw).partition(":")
    if not sep:
        label, sep, rest = core_text(g.raw).partition("：")
    if sep and rest.strip() and len(label.split()) <= 4 and len(label) <= 30:
        forms.append((core_text(fold(rest)), rest.strip()))
    return forms


_LABEL_CELL = re.compile(
    r"^(?:output|outcome|goal|objective|impact|o|kr|result|level)?\s*[\d.]+$|^[A-Za-z]?\d+$", re.I
)


def _generic(g: Statement, title: str = "") -> str | None:
    """The generic verb of a goal like 'Improve customer satisfaction', else None."""
    for text, raw in _statement_texts(g):
        found = _generic_text(text, raw, title)
        if found:
            return found
    return None


# Abbreviations of metrics and frameworks, not names of what a goal improves.
_NOT_NAMES = frozenset(
    {"KPI", "KPIS", "OKR", "OKRS", "NPS", "CSAT", "ROI", "KR", "KRS", "GMV", "DAU", "MAU"}
)
_ACRONYM = re.compile(r"(?<![\w-])(?!(?:KPIs?|OKRs?|NPS|CSAT|ROI|KR)\b)[A-Z]{2,}s?(?![\w-])")
_NAME = re.compile(r"(?<=\s)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+")
_LATIN_NAME_ZH = re.compile(
    r"(?<![A-Za-z])[A-Za-z][A-Za-z0-9.+-]{2,}(?:\s+[A-Za-z][A-Za-z0-9.+-]+)*"
)


def _names_its_object(raw: str, title: str = "") -> bool:
    """The goal names what it improves: an acronym or a proper name mid-sentence ("Enhance our
    Instructor Training materials", "adoption of OSPOs"), a Latin-script name in a Chinese goal
    ("Meta Service 集群模式稳定运行"). Title-case headings ("Improve Customer Experience") do not,
    nor does the plan's own organisation, named in its title ("Increased ESDC capabilities")."""

    def other(found: list[str]) -> bool:
        return any(
            name.lower().rstrip("s") not in title and name.upper() not in _NOT_NAMES
            for name in found
        )

    words = re.findall(r"[A-Za-z]+", raw)
    if re.search(r"[\u4e00-\u9fff]", raw):
        return other(_LATIN_NAME_ZH.findall(raw))
    if not words:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    if capitalised / len(words) >= 0.6:
        return False
    return other(_ACRONYM.findall(raw) + _NAME.findall(raw))


def _generic_text(text: str, raw: str, title: str = "") -> str | None:
    if _names_its_object(raw, title):
        return None
    for lang in ("en", "zh"):
        m = cues.GENERIC_VERB[lang].match(text)
        if (
            m
            and cues.ABSTRACT_OBJECT[lang].search(text[m.end() :])
            and not cues.SCOPE_MARKERS[lang].search(raw)
        ):
            return raw[: m.end()].strip()
    if (
        cues.TRAILING_GENERIC_ZH.search(text)
        and cues.ABSTRACT_OBJECT["zh"].search(text)
        and not cues.SCOPE_MARKERS["zh"].search(raw)
    ):
        return raw
    if cues.SLOGAN.match(text):
        return raw
    # Slogans with no verb ("Operational excellence") are as unspecific.
    words = re.findall(r"[a-z]+", text)
    if (
        0 < len(words) <= 3
        and not re.search(r"\d", text)
        and cues.ABSTRACT_OBJECT["en"].search(text)
    ):
        return raw
    return None


_METRIC_PHRASE = {
    "en": re.compile(
        r"^(?:reduce|raise|increase|cut|lower|improve|grow|bring|get|keep|maintain|lift|boost)\s+"
        r"(?:the\s+|our\s+|average\s+|median\s+)*([a-z][a-z -]{3,40}?)\s+"
        r"(?:to|at|below|above|under|over)\s+[$€£¥]?\d",
        re.I,
    ),
    "zh": re.compile(
        r"^(?:将|把|使)?([\u4e00-\u9fff]{2,12}?)(?:提升|提高|降低|缩短|降至|提升至|提高到|达到|控制在|不低于|不超过)"
    ),
}


def _baseline_in_context(facts: PlanFacts, g: Statement) -> bool:
    """The goal's metric has a current value in the plan's background or current-state part
    ("First response time grew … to 11 hours" above "Reduce first response time to 2 hours"):
    that is its baseline (docs/rules-interpretation.md, "Baselines from context")."""
    text = core_text(_goal_text(g))
    phrase = None
    for pattern in _METRIC_PHRASE.values():
        m = pattern.match(text)
        if m:
            phrase = m.group(1).strip()
            break
    if not phrase or len(phrase) < 2:
        return False
    near_number = re.compile(re.escape(phrase) + r".{0,60}?\d", re.S)
    return any(
        near_number.search(facts.folded[b.id])
        for b in facts.plan.blocks
        if facts.section.get(b.id) in ("background", "problem")
    )


# A target of none: "zero critical errors", "no data lost on restart", "不得出现重复加分",
# "零学习成本", "重启不丢数据" (docs/rules-interpretation.md, wave 12: quality goals worded as
# "must not" name a target of none).
_NONE_TARGET = re.compile(
    r"\bzero\s+(?:\w+\s+){0,2}(?:errors?|incidents?|defects?|outages?|downtime|bugs?|complaints?|"
    r"accidents?|injuries|breaches|data loss|cost|claims)\b"
    r"|\bno (?:\w+ ){0,2}(?:data (?:is )?lost|data loss|downtime|outages?)\b"
    r"|零(?:学习)?(?:成本|事故|投诉|差错|缺陷|故障|宕机|伤亡|丢失|错误)|不得(?:出现|发生)|不丢"
    # Full compliance is all of a set ("Ensure compliance with relevant regulations", "fully
    # compliant"): a completeness target.
    r"|\bensure (?:full |complete )?compliance\b|\b(?:full|fully) compliant\b|确保\S{0,8}合规|全面合规",
    re.I,
)


def check(facts: PlanFacts, emit: Emitter) -> None:
    lang = emit.lang
    for g in facts.goals:
        text = _goal_text(g)
        children = " ".join(facts.folded[c.id] for c in g.children)
        full = f"{text} {children}"
        metric = has_metric(full) and not (
            has_placeholder(text) and not has_metric(re.sub(cues.PLACEHOLDER, " ", text))
        )
        metric = metric or _numeric_target_cell(g) or bool(_NONE_TARGET.search(full))
        timed = has_time_reference(full) or _row_header_time(g) or inherits_period(facts, g.block)
        if not metric:
            verb = _generic(g, (facts.plan.title or "").lower())
            if verb:
                emit.block("smart.specific", g.block, verb=verb, rewrite=None, reading=g.confidence)
        if not metric:
            emit.block(
                "smart.measurable",
                g.block,
                reading=g.confidence,
                rewrite=rewrites.smart_goal(
                    g, facts, lang, need_metric=True, need_time=not timed, need_baseline=False
                ),
            )
        else:
            ratio = jump_ratio(full)
            if ratio is not None and ratio > 10:
                emit.block(
                    "smart.achievable",
                    g.block,
                    reading=g.confidence,
                    key="smart.achievable.jump",
                    ratio=ratio,
                )
            elif (
                not _row_baseline(g)
                and not has_baseline(children)
                and (target := _unbased_target(g, text))
                and not _baseline_in_context(facts, g)
            ):
                emit.block(
                    "smart.achievable",
                    g.block,
                    reading=g.confidence,
                    target=target,
                    rewrite=rewrites.smart_goal(
                        g, facts, lang, need_metric=False, need_time=not timed, need_baseline=True
                    ),
                )
        if not timed:
            emit.block(
                "smart.time-bound",
                g.block,
                reading=g.confidence,
                rewrite=rewrites.smart_goal(
                    g, facts, lang, need_metric=not metric, need_time=True, need_baseline=False
                ),
            )
