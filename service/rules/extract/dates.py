"""Dates and periods in English and Chinese.

``find_dates`` returns concrete dates and periods (each as a first and last
day) for the consistency checks; ``has_time_reference`` answers the looser
question the SMART time-bound rule asks: does this statement name a deadline
or a period at all (including relative ones: ``within 90 days``, ``半年内``,
``活动期间``)?
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ZH_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}


@dataclass(frozen=True)
class DateMention:
    start: date
    end: date
    col: int  # 0-based offset in the text
    length: int
    has_year: bool
    text: str


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if y < 100 else y


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or MONTHS[key[:3]]


def _zh_num(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    return _ZH_DIGITS.get(s)


# Each pattern with a converter -> (start, end, has_year).
_P = re.compile
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (_P(r"(?<!\d)(?P<y>20\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"), "ymd"),
    (_P(r"(?<!\d)(?P<y>20\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"), "ymd"),
    (
        _P(
            r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>"
            + _MONTH_RE
            + r")\.?,?\s+(?P<y>20\d{2})",
            re.I,
        ),
        "dmony",
    ),
    (
        _P(
            r"(?P<mon>" + _MONTH_RE + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>20\d{2})",
            re.I,
        ),
        "dmony",
    ),
    (_P(r"(?<!\d)(?P<y>20\d{2})[-/.](?P<m>\d{1,2})(?![\d/.-])"), "ym"),
    (_P(r"(?<!\d)(?P<y>20\d{2})\s*年\s*(?P<m>\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])"), "ym"),
    (
        _P(
            r"(?:end of |late |early |mid-?)?(?P<mon>" + _MONTH_RE + r")\.?,?\s+(?P<y>20\d{2})",
            re.I,
        ),
        "mony",
    ),
    (
        _P(
            r"\b(?:fy)?(?P<y>20\d{2}|\d{2})?\s*[-\s]?q(?P<q>[1-4])(?:\s*(?:fy)?(?P<y2>20\d{2}))?\b",
            re.I,
        ),
        "q",
    ),
    (_P(r"\bfy\s?(?P<y>\d{2}|20\d{2})\s*[-\s]?q(?P<q>[1-4])\b", re.I), "q"),
    (_P(r"(?P<y>20\d{2})\s*年?\s*(?:第\s*)?(?P<zq>[一二三四1-4])\s*季度"), "zq"),
    (
        _P(
            r"(?<!\d)(?P<y>20\d{2})\s*[-\s]?h(?P<h>[12])\b|\bh(?P<h2>[12])\s*(?P<y2>20\d{2})\b",
            re.I,
        ),
        "h",
    ),
    (_P(r"(?P<y>20\d{2})\s*年\s*(?P<zh>上|下)半年"), "zh_half"),
    (_P(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"), "md"),
    (_P(r"(?<![\d/.])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/%])"), "md"),
    (
        _P(
            r"(?:(?<=\bin )|(?<=\bby )|(?<=\bof )|(?<=\bduring )|(?<=\buntil )|(?<=\bbetween ))(?P<mon>"
            + _MONTH_RE
            + r")\b(?!\s*\d)",
            re.I,
        ),
        "m_range",
    ),
    (_P(r"(?<=[—–\-~至到])\s*(?P<m>\d{1,2})\s*月(?!\s*\d)"), "m_range"),
    (_P(r"(?<![\d.])(?P<m>\d{1,2})\s*月(?:底|末|中旬|上旬|下旬|初|份|中)?(?![\d日号])"), "m_range"),
    (
        _P(
            r"\b(?P<mon>"
            + _MONTH_RE
            + r")\b(?=\s*(?:to|until|through|[—–\-~])\s*(?:\d{1,2}\s+)?"
            + _MONTH_RE
            + r")",
            re.I,
        ),
        "m_range",
    ),
    (
        _P(r"(?:(?<=[—–\-~])|(?<=to)|(?<=until))\s*(?P<mon>" + _MONTH_RE + r")\b(?!\s*\d)", re.I),
        "m_range",
    ),
    (
        _P(
            r"(?<![\d\w])(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>"
            + _MONTH_RE
            + r")\b(?!\s*,?\s*20\d{2})",
            re.I,
        ),
        "dmon",
    ),
    (
        _P(
            r"\b(?P<mon>" + _MONTH_RE + r")\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?!\s*,?\s*20\d{2})",
            re.I,
        ),
        "dmon",
    ),
    (_P(r"(?<!\d)(?P<y>20\d{2})\s*/\s*(?P<y2>\d{2})(?![\d/])"), "yy"),
    # "Strategic plan 2022-2027", "2025–2026 学年", "the 2026-27 season": a span of years.
    (
        _P(r"(?<![\d/.\-])(?P<y>20\d{2})\s*[-–—~]\s*(?P<y2>20\d{2}|\d{2})(?![\d/.\-])"),
        "yrange",
    ),
    (_P(r"\b(?P<h>first|second)\s+half\s+of\s+(?P<y>20\d{2})\b", re.I), "half"),
    (
        _P(
            r"(?:民国)?(?P<roc>1[01]\d|[一][一〇零][〇零一二三四五六七八九])\s*(?:学年度|年度|学年|年)"
        ),
        "roc",
    ),
    (
        _P(
            r"(?<![0-9A-Za-z_])(?:fy\s?)?(?P<y>20\d{2})(?:\s*年(?:度|底|末|初)?|(?=\s|$|[,.;:)\]]))(?!\s*(?:%|元|万|人|个|users|customers))",
            re.I,
        ),
        "y",
    ),
]


_ANY_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


_MAYBE_DATE = re.compile(r"\d|" + _MONTH_RE + r"|季度|半年|年", re.I)


def find_dates(text: str, default_year: int | None = None) -> list[DateMention]:
    """Concrete dates and periods in ``text`` (Simplified Chinese or English), left to right.

    Dates without a year ("12月31日", "30 June", "Q3") take ``default_year``, else the
    first year written in the same text ("2026年7月1日至12月31日").
    """
    return list(_find_dates_cached(text, default_year))


@lru_cache(maxsize=4096)
def _find_dates_cached(text: str, default_year: int | None) -> tuple[DateMention, ...]:
    # The rules ask about the same block text several times: the cheap test is cached too.
    if not _MAYBE_DATE.search(text):
        return ()
    if default_year is None:
        m = _ANY_YEAR.search(text)
        default_year = int(m.group(1)) if m else None
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(s < te and e > ts for ts, te in taken):
                continue
            got = _convert(kind, m, default_year)
            if got is None:
                continue
            start, end, has_year = got
            found.append(DateMention(start, end, s, e - s, has_year, m.group(0)))
            taken.append((s, e))
    found.sort(key=lambda d: d.col)
    return tuple(found)


def _convert(
    kind: str, m: re.Match[str], default_year: int | None
) -> tuple[date, date, bool] | None:
    g = m.groupdict()
    try:
        if kind == "ymd":
            d = _safe(int(g["y"]), int(g["m"]), int(g["d"]))
            return (d, d, True) if d else None
        if kind == "dmony":
            d = _safe(int(g["y"]), _month(g["mon"]), int(g["d"]))
            return (d, d, True) if d else None
        if kind == "ym":
            y, mo = int(g["y"]), int(g["m"])
            if not 1 <= mo <= 12:
                return None
            return date(y, mo, 1), _last_day(y, mo), True
        if kind == "mony":
            mo = _month(g["mon"])
            y = int(g["y"])
            return date(y, mo, 1), _last_day(y, mo), True
        if kind in ("q", "zq"):
            q = int(g["q"]) if kind == "q" else (_zh_num(g["zq"]) or 0)
            ytext = g.get("y") or g.get("y2")
            if not ytext:
                if default_year is None:
                    return None
                y, has_year = default_year, False
            else:
                y, has_year = _year(ytext), True
            if not 1 <= q <= 4:
                return None
            return date(y, 3 * q - 2, 1), _last_day(y, 3 * q), has_year
        if kind == "h":
            h = int(g.get("h") or g.get("h2") or 0)
            y = _year(g.get("y") or g.get("y2") or "0")
            return (
                (date(y, 1, 1), date(y, 6, 30), True)
                if h == 1
                else (date(y, 7, 1), date(y, 12, 31), True)
            )
        if kind == "zh_half":
            y = int(g["y"])
            return (
                (date(y, 1, 1), date(y, 6, 30), True)
                if g["zh"] == "上"
                else (date(y, 7, 1), date(y, 12, 31), True)
            )
        if kind == "m_range":
            if default_year is None:
                return None
            mo = int(g["m"]) if g.get("m") else _month(g["mon"])
            if not 1 <= mo <= 12:
                return None
            return date(default_year, mo, 1), _last_day(default_year, mo), False
        if kind in ("md", "dmon"):
            if default_year is None:
                return None
            mo = int(g["m"]) if kind == "md" else _month(g["mon"])
            d = _safe(default_year, mo, int(g["d"]))
            return (d, d, False) if d else None
        if kind == "yrange":
            y, y2 = int(g["y"]), int(g["y2"])
            if y2 < 100:
                if y2 != (y + 1) % 100:
                    return None  # "2026-05" is May 2026
                y2 = y + 1
            if not y < y2 <= y + 10:
                return None
            return date(y, 1, 1), date(y2, 12, 31), True
        if kind == "half":
            y = int(g["y"])
            if g["h"].lower() == "first":
                return date(y, 1, 1), date(y, 6, 30), True
            return date(y, 7, 1), date(y, 12, 31), True
        if kind == "yy":  # "2026/27": a fiscal or academic year across two calendar years
            y = int(g["y"])
            if int(g["y2"]) != (y + 1) % 100:
                return None
            return date(y, 1, 1), date(y + 1, 12, 31), True
        if kind == "roc":
            roc = g["roc"]
            digits = "".join(
                str("〇一二三四五六七八九".index(c))
                if c in "〇一二三四五六七八九"
                else ("0" if c == "零" else c)
                for c in roc
            )
            y = int(digits) + 1911
            if not 2000 <= y <= 2100:
                return None
            if "学年" in m.group(0):  # an academic year runs August to July
                return date(y, 8, 1), date(y + 1, 7, 31), True
            return date(y, 1, 1), date(y, 12, 31), True
        if kind == "y":
            y = int(g["y"])
            if not 2000 <= y <= 2100:
                return None
            return date(y, 1, 1), date(y, 12, 31), True
    except (KeyError, ValueError):
        return None
    return None


# Looser: relative periods and deadlines that name no calendar date.
_RELATIVE = re.compile(
    r"\b(?:by|before|until|till|no later than|due|deadline|ending|ends?)\b\s+(?:the\s+)?(?:end\s+of\s+)?"
    r"(?:"
    + _MONTH_RE
    + r"|q[1-4]|h[12]|(?:this|next|the)\s+(?:week|month|quarter|year|fiscal year|"
    r"half|sprint|season)|year[- ]end|month[- ]end|quarter[- ]end|eoy|eoq|launch|go-live|"
    r"the (?:campaign|pilot|programme|program|project|event)|\d{1,2}(?:st|nd|rd|th)\b)"
    r"|\b(?:within|in|over|for)\s+(?:the\s+)?(?:next\s+|first\s+|coming\s+)?(?:\d+|one|two|three|four|five|"
    r"six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty-four|thirty|sixty|ninety)\s+"
    r"(?:days?|weeks?|months?|quarters?|years?|business days|sprints?)\b"
    r"|\b(?:this|next|current|coming)\s+(?:quarter|year|fiscal year|half|month|season|semester|"
    r"school year|academic year)\b"
    r"|\b(?:year[- ]end|end of (?:the )?(?:year|quarter|month|season|campaign|pilot|term|semester)|"
    r"eoy|eoq|by launch|before launch|at launch)\b"
    # A deadline set by a stage of the work ("By the end of the development phase").
    r"|\b(?:by|before|at|until) the end of (?:the |this |each )?(?:[a-z]+ )?(?:phase|stage|sprint|project|program(?:me)?)\b"
    r"|\b(?:during|throughout)\s+(?:the\s+)?(?:campaign|promotion|event|pilot|season|"
    r"holiday|sale|launch|programme|program|quarter|year)\b"
    r"|\b(?:q[1-4]|h[12]|fy\s?\d{2,4})\b"
    r"|\b(?:in|by|before|until|through|from)\s+" + _MONTH_RE + r"\b"
    r"|\b(?:weeks?|months?|days?)\s+\d+\s*[-–]\s*\d+\b"
    r"|\b(?:day|week|month|sprint)\s+\d+\b"
    # "in the first quarter of operation", "by the end of the first year"
    r"|\b(?:in|within|during|by the end of)\s+(?:the\s+|its\s+|our\s+)?(?:first|second|third)\s+"
    r"(?:week|month|quarter|half|year)\b",
    re.I,
)
# An ordinal period counted from the start ("in the first year", "by year 3", "首年", "第三年",
# "第3个月"): a goal's horizon relative to the plan's start, as "within 6 months" is (smart.time-bound).
# It schedules no work: no timeline or plan period by itself.
_ORDINAL_PERIOD = re.compile(
    r"\b(?:in|by|during|within|after|for|over)\s+(?:the\s+)?(?:first|second|third|fourth|fifth|"
    r"\d+(?:st|nd|rd|th))\s+(?:year|month|quarter|week|half)\b|\b(?:in|by|during)\s+year\s+(?:one|two|"
    r"three|four|five|\d)\b|第[一二三四五六七八九十\d]+(?:年|个月|天)|首年|首月|首季",
    re.I,
)
_ZH_RELATIVE = re.compile(
    r"\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|[一二三四五六七八九十]+月|年底|年末|年内|年中|年初|季度末|季末|月底|月末|月初|"
    r"(?:本|下一?|次)季度?|(?:本|这|下一?|下个)(?:周|週|星期|礼拜)[一二三四五六日天末]?|本年度|本年|今年|明年|次年|本月|下月|上半年|下半年|[一二三四1-4]\s*季度|"
    r"半年内|一年内|\d+\s*(?:天|日|周|个月|年)内|[一两二三四五六七八九十半]+\s*(?:个月|周|年|天)内|"
    r"\d+\s*(?:个)?工作日内|[一两二三四五六七八九十]+个?工作日内|"
    r"活动期间|期间|大促期间|旺季|淡季|春节|国庆|中秋|双\s?(?:11|十一|12)|618|开学前|学期|"
    r"第[一二三四五六七八九十\d]+(?:周|月|阶段|期)|(?:\d+|[一二三四五六七八九十])\s*[-—~至到]\s*(?:\d+|[一二三四五六七八九十])\s*月|"
    r"q[1-4]|h[12]|截止|截至|之前|前完成|以前|期限|周期"
)
_DURATION = re.compile(
    r"\b\d+\s*(?:-|to)?\s*(?:days?|weeks?|months?|quarters?|years?)\b|\d+\s*(?:天|周|个月|年)",
    re.I,
)


@lru_cache(maxsize=4096)
def has_time_reference(text: str, *, horizons: bool = True) -> bool:
    """Does the statement name a deadline, date or period (absolute or relative)? ``horizons``:
    an ordinal period from the start ("首年", "by year 3") counts too (a goal's time, no schedule)."""
    if find_dates(text, default_year=2000):
        return True
    return bool(
        _RELATIVE.search(text)
        or _ZH_RELATIVE.search(text)
        or (horizons and _ORDINAL_PERIOD.search(text))
    )


# Words that say a time exists without giving one: "之前写的" (written before), "生命周期"
# (a lifecycle), "活动期间" (while it runs), "截止" with no date. They can frame a goal's
# deadline that a date elsewhere gives, but by themselves they are not a timeline.
_ZH_VAGUE_TIME = frozenset({"之前", "以前", "截止", "截至", "期限", "周期", "期间", "活动期间"})


@lru_cache(maxsize=4096)
def has_definite_time(text: str) -> bool:
    """A date or period the text gives, not only a vague time word (docs/rules-interpretation.md,
    "Vague time words are not a timeline"): what can make a plan's period or timeline."""
    if find_dates(text, default_year=2000) or _RELATIVE.search(text):
        return True
    return any(m.group(0) not in _ZH_VAGUE_TIME for m in _ZH_RELATIVE.finditer(text))


@lru_cache(maxsize=4096)
def has_any_time(text: str) -> bool:
    """Any date, period or duration anywhere (for resource.no-timeline)."""
    return bool(_DURATION.search(text)) or has_definite_time(text)


def span_of(mentions: list[DateMention]) -> tuple[date, date] | None:
    if not mentions:
        return None
    return min(m.start for m in mentions), max(m.end for m in mentions)
