"""Library-level checks: what only shows when many plans are read together.

Pure functions over per-plan digests (:mod:`service.batch.digest`), no I/O:

- :func:`duplicate_goals`: the same or nearly the same goal in several plans
  (normalised text with dates in ISO form, then Jaccard similarity over word
  tokens and CJK character bigrams, so it works for Chinese without a
  segmenter; two goals that each carry numbers the other lacks, e.g. the
  same template for site 12 and site 40, are not duplicates);
- :func:`conflicting_targets`: one metric given different targets or due
  dates by different plans;
- :func:`overloaded_owners`: people who own or are accountable for work in
  more plans at once than a threshold (plans whose periods overlap; a plan
  with no stated period counts as overlapping all others);
- :func:`section_coverage`: for each usual plan section, the share of plans
  that lack it.

:func:`check_library` runs them all and turns what they find into
:class:`LibraryFinding` entries for the dashboard, ``library.json`` and SARIF.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field

from service.batch.digest import SECTION_KINDS, GoalItem, PlanDigest
from service.rules.extract.normalize import fold

LIBRARY_SCHEMA_VERSION = "1"


class LibraryOptions(BaseModel):
    """Thresholds of the library checks (CLI flags map onto these)."""

    duplicate_threshold: float = Field(
        default=0.8,
        ge=0.0,
        le=1.0,
        description="Jaccard similarity at or above which two goals count as near-duplicates.",
    )
    min_goal_tokens: int = Field(
        default=4, ge=1, description="Shorter goals ('Grow revenue') are not compared."
    )
    owner_limit: int = Field(
        default=5, ge=1, description="A person in more plans than this at once is overloaded."
    )
    missing_share: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="A section missing from at least this share of plans is reported.",
    )
    lang: str = Field(default="en", description="Language of the messages: en or zh.")


class GoalRef(BaseModel):
    plan: str = Field(description="The plan's source path.")
    line: int
    text: str


class DuplicateGroup(BaseModel):
    """Goals that are the same or nearly the same across plans."""

    identical: bool = Field(description="All goals have the same normalised text.")
    similarity: float = Field(description="Lowest similarity of the pairs that joined the group.")
    plans: int = Field(description="Number of distinct plans involved.")
    goals: list[GoalRef]


class TargetRef(BaseModel):
    plan: str
    line: int
    text: str
    target: str | None = Field(description="Normalised target value.")
    target_text: str | None = Field(default=None, description="The target as written.")
    due: str | None = None


class TargetConflict(BaseModel):
    """One metric given different targets or due dates by different plans."""

    metric: str = Field(description="Normalised metric name.")
    label: str = Field(description="The metric as the first plan words it.")
    differs: list[str] = Field(description="What differs: 'target', 'due' or both.")
    targets: list[TargetRef]


class OwnerRef(BaseModel):
    plan: str
    roles: list[str]
    lines: list[int]
    period: str | None = Field(default=None, description="'start..end' of the plan, if stated.")


class OverloadedOwner(BaseModel):
    name: str
    plans: int = Field(description="Plans in which the person owns or is accountable for work.")
    concurrent: int = Field(description="Most of those plans running at the same time.")
    items: int = Field(description="Tasks and RACI rows the person holds across those plans.")
    where: list[OwnerRef]


class SectionCoverage(BaseModel):
    section: str
    missing: int
    total: int
    share_missing: float
    plans_missing: list[str]


class LibraryLocation(BaseModel):
    plan: str
    line: int | None = None
    quote: str = ""


class LibraryFinding(BaseModel):
    """A finding about the library as a whole; its locations span several plans."""

    id: str
    code: str
    severity: str
    message: str
    locations: list[LibraryLocation]


class LibraryReport(BaseModel):
    schema_version: str = LIBRARY_SCHEMA_VERSION
    plans: int = Field(description="Plans reviewed (failed files excluded).")
    options: LibraryOptions
    duplicate_goals: list[DuplicateGroup] = Field(default_factory=list)
    conflicting_targets: list[TargetConflict] = Field(default_factory=list)
    overloaded_owners: list[OverloadedOwner] = Field(default_factory=list)
    section_coverage: list[SectionCoverage] = Field(default_factory=list)
    findings: list[LibraryFinding] = Field(default_factory=list)


LIBRARY_CODES: dict[str, tuple[str, str, str]] = {
    # code -> (severity, English title, Chinese title)
    "library.duplicate-goal": ("info", "Duplicate goal across plans", "多个计划的目标重复"),
    "library.conflicting-target": (
        "warning",
        "Conflicting targets for one metric",
        "同一指标的目标相互冲突",
    ),
    "library.overloaded-owner": (
        "warning",
        "Person owns work in too many plans at once",
        "同一人同时负责过多计划",
    ),
    "library.missing-section": ("info", "Section most plans lack", "多数计划缺少的部分"),
}

PlanDigests = Sequence[tuple[str, PlanDigest]]


# -- duplicates -------------------------------------------------------------------------------------
_PUNCT = re.compile(r"[^\w\u4e00-\u9fff%$€£¥.]+")
_TOKEN = re.compile(r"[\u4e00-\u9fff]+|\d+(?:[.,]\d+)*%?|[^\W\d_\u4e00-\u9fff]+", re.UNICODE)


def _iso_dates(text: str) -> str:
    """Dates written any way ('30 November 2026', '2026年11月30日') -> ISO, so they compare equal."""
    from service.rules.extract.dates import find_dates

    out = text
    for m in reversed(find_dates(text)):
        if m.has_year:
            out = out[: m.col] + f" {m.end.isoformat()} " + out[m.col + m.length :]
    return out


def normalise_goal(text: str) -> str:
    """Folded (Simplified, lower-case), dates in ISO, punctuation to spaces, spaces collapsed."""
    folded = _PUNCT.sub(" ", _iso_dates(fold(text)).lower())
    return " ".join(re.sub(r"(?<!\d)\.|\.(?!\d)", " ", folded).split())


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def numbers_of(norm: str) -> tuple[str, ...]:
    """The numbers of a normalised goal, in order."""
    return tuple(_NUMBER.findall(norm))


def different_numbers(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Both goals state numbers and not the same ones: the same template for another site,
    value or year is not a duplicate (different values of one metric are a conflict)."""
    return bool(a) and bool(b) and a != b


def shingles(text: str, *, normalised: bool = False) -> frozenset[str]:
    """Word tokens for Latin script, character bigrams for CJK runs."""
    out: set[str] = set()
    for tok in _TOKEN.findall(text if normalised else normalise_goal(text)):
        if re.match(r"[\u4e00-\u9fff]", tok):
            if len(tok) == 1:
                out.add(tok)
            else:
                out.update(tok[i : i + 2] for i in range(len(tok) - 1))
        else:
            out.add(tok)
    return frozenset(out)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class _Goal:
    plan: str
    item: GoalItem
    norm: str
    tokens: frozenset[str]
    numbers: tuple[str, ...]


def duplicate_goals(
    plans: PlanDigests, threshold: float = 0.8, min_tokens: int = 4
) -> list[DuplicateGroup]:
    """Groups of goals from at least two plans whose similarity reaches ``threshold``.

    A set-similarity join with prefix filtering: tokens are ordered rarest
    first, and two sets can only reach the threshold when their short prefixes
    share a token, so common words never produce candidate pairs.
    """
    goals: list[_Goal] = []
    for plan, digest in plans:
        for item in digest.goals:
            norm = normalise_goal(item.text)
            toks = shingles(norm, normalised=True)
            if len(toks) >= min_tokens:
                goals.append(_Goal(plan, item, norm, toks, numbers_of(norm)))
    if len(goals) < 2:
        return []
    uf = _UnionFind(len(goals))
    edge_sim: dict[int, float] = {}
    # Goals with the same tokens and numbers are one record of the join (copies are common).
    by_tokens: dict[tuple[frozenset[str], tuple[str, ...]], list[int]] = defaultdict(list)
    for i, g in enumerate(goals):
        by_tokens[(g.tokens, g.numbers)].append(i)
    records = [(key[0], key[1], members) for key, members in by_tokens.items()]
    for _, _, members in records:
        for m in members[1:]:
            uf.union(members[0], m)
    df: Counter[str] = Counter(t for toks, _, _ in records for t in toks)
    # Goals that both state numbers only match when the numbers are the same, so such goals
    # are indexed per number tuple; goals without numbers can match anything.
    by_block: dict[tuple[tuple[str, ...], str], list[int]] = defaultdict(list)
    no_numbers: dict[str, list[int]] = defaultdict(list)
    everyone: dict[str, list[int]] = defaultdict(list)
    for r, (toks, nums, _) in enumerate(records):
        ranked = sorted(toks, key=lambda t: (df[t], t))
        n = len(ranked)
        prefix = n - math.ceil(threshold * n) + 1 if threshold > 0 else n
        candidates: set[int] = set()
        for t in ranked[:prefix]:
            if nums:
                candidates.update(by_block[(nums, t)])
                candidates.update(no_numbers[t])
                by_block[(nums, t)].append(r)
            else:
                candidates.update(everyone[t])
                no_numbers[t].append(r)
            everyone[t].append(r)
        for c in candidates:
            other, other_nums, _ = records[c]
            if min(n, len(other)) < threshold * max(n, len(other)):
                continue  # sizes alone rule it out
            if different_numbers(nums, other_nums):
                continue
            sim = jaccard(toks, other)
            if sim < threshold:
                continue
            a, b = records[r][2][0], records[c][2][0]
            ra, rb = uf.find(a), uf.find(b)
            if ra == rb:
                continue
            low = min(sim, edge_sim.get(ra, 1.0), edge_sim.get(rb, 1.0))
            uf.union(a, b)
            edge_sim[uf.find(a)] = low
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(goals)):
        groups[uf.find(i)].append(i)
    out: list[DuplicateGroup] = []
    for root, members in groups.items():
        if len(members) < 2:
            continue
        plans_in = {goals[m].plan for m in members}
        if len(plans_in) < 2:
            continue
        refs = sorted(
            (
                GoalRef(plan=goals[m].plan, line=goals[m].item.line, text=goals[m].item.text)
                for m in members
            ),
            key=lambda r: (r.plan, r.line),
        )
        out.append(
            DuplicateGroup(
                identical=len({goals[m].norm for m in members}) == 1,
                similarity=round(edge_sim.get(root, 1.0), 3),
                plans=len(plans_in),
                goals=refs,
            )
        )
    out.sort(key=lambda g: (-g.plans, g.goals[0].plan, g.goals[0].line))
    return out


# -- conflicting targets ---------------------------------------------------------------------------
def conflicting_targets(plans: PlanDigests) -> list[TargetConflict]:
    """Metrics that at least two plans set, with different targets or due dates."""
    by_metric: dict[str, list[tuple[str, GoalItem]]] = defaultdict(list)
    for plan, digest in plans:
        for item in digest.goals:
            if item.metric and item.target:
                by_metric[item.metric].append((plan, item))
    out: list[TargetConflict] = []
    for metric, entries in by_metric.items():
        if len({p for p, _ in entries}) < 2:
            continue
        targets = {i.target for _, i in entries}
        dues = {i.due for _, i in entries if i.due}
        differs = [name for name, values in (("target", targets), ("due", dues)) if len(values) > 1]
        if not differs:
            continue
        refs = sorted(
            (
                TargetRef(
                    plan=p,
                    line=i.line,
                    text=i.text,
                    target=i.target,
                    target_text=i.target_text,
                    due=i.due,
                )
                for p, i in entries
            ),
            key=lambda r: (r.plan, r.line),
        )
        first = min(entries, key=lambda e: (e[0], e[1].line))[1]
        out.append(
            TargetConflict(
                metric=metric, label=first.metric_label or metric, differs=differs, targets=refs
            )
        )
    out.sort(key=lambda c: (-len({t.plan for t in c.targets}), c.metric))
    return out


# -- overloaded owners -----------------------------------------------------------------------------
def _parse(day: str | None) -> date | None:
    if not day:
        return None
    try:
        return date.fromisoformat(day)
    except ValueError:
        return None


def max_concurrent(periods: Iterable[tuple[date | None, date | None]]) -> int:
    """Most intervals covering one day; an interval with no dates overlaps every other."""
    unknown = 0
    events: list[tuple[date, int]] = []
    for start, end in periods:
        if start is None or end is None:
            unknown += 1
            continue
        if end < start:
            start, end = end, start
        events.append((start, 1))
        events.append((end, -1))
    # Starts before ends on the same day: plans that share a day overlap.
    events.sort(key=lambda e: (e[0], -e[1]))
    best = current = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best + unknown


def overloaded_owners(plans: PlanDigests, limit: int = 5) -> list[OverloadedOwner]:
    """People who own or are accountable for work in more than ``limit`` plans at once."""
    per_person: dict[str, dict[str, OwnerRef]] = defaultdict(dict)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    items: Counter[str] = Counter()
    periods: dict[str, tuple[date | None, date | None]] = {}
    for plan, digest in plans:
        periods[plan] = (_parse(digest.period_start), _parse(digest.period_end))
        period = (
            f"{digest.period_start}..{digest.period_end}"
            if digest.period_start and digest.period_end
            else None
        )
        for o in digest.owners:
            ref = per_person[o.key].setdefault(
                plan, OwnerRef(plan=plan, roles=[], lines=[], period=period)
            )
            if o.role not in ref.roles:
                ref.roles.append(o.role)
            ref.lines.append(o.line)
            names[o.key][o.name] += 1
            items[o.key] += 1
    out: list[OverloadedOwner] = []
    for key, refs in per_person.items():
        if len(refs) <= limit:
            continue
        concurrent = max_concurrent(periods[p] for p in refs)
        if concurrent <= limit:
            continue
        name = sorted(names[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        where = [
            refs[p].model_copy(
                update={"roles": sorted(refs[p].roles), "lines": sorted(refs[p].lines)}
            )
            for p in sorted(refs)
        ]
        out.append(
            OverloadedOwner(
                name=name, plans=len(refs), concurrent=concurrent, items=items[key], where=where
            )
        )
    out.sort(key=lambda o: (-o.concurrent, -o.plans, o.name))
    return out


# -- missing sections ------------------------------------------------------------------------------
# Sections a document rule judges: a plan lacks one exactly when that rule fired on it, so
# the dashboard's shares and the rule results agree (a monitoring cadence in prose is not a
# "Monitoring" heading, but it satisfies pdca.no-check).
SECTION_RULE: dict[str, str] = {
    "organisation": "resource.no-staffing",
    "timeline": "resource.no-timeline",
    "budget": "resource.no-budget",
    "risk": "risk.no-register",
    "monitoring": "pdca.no-check",
    "communication": "comm.no-stakeholders",
}


def section_coverage(
    plans: PlanDigests, fired: dict[str, set[str]] | None = None
) -> list[SectionCoverage]:
    """For each usual section, how many plans lack it (in SECTION_KINDS order). With
    ``fired`` (plan -> codes its review reported), a section a rule judges is missing where
    that rule fired; the others (goals, tasks) come from the plan's digest."""
    total = len(plans)
    out: list[SectionCoverage] = []
    for kind in SECTION_KINDS:
        code = SECTION_RULE.get(kind)
        if fired is not None and code is not None:
            missing = sorted(p for p, _ in plans if code in fired.get(p, set()))
        else:
            missing = sorted(p for p, d in plans if not d.sections.get(kind, False))
        out.append(
            SectionCoverage(
                section=kind,
                missing=len(missing),
                total=total,
                share_missing=round(len(missing) / total, 4) if total else 0.0,
                plans_missing=missing,
            )
        )
    return out


# -- findings --------------------------------------------------------------------------------------
SECTION_NAMES = {
    "en": {
        "goals": "goals",
        "tasks": "tasks or initiatives",
        "organisation": "owners and roles",
        "timeline": "a timeline",
        "budget": "a budget",
        "risk": "a risk register",
        "monitoring": "monitoring and review",
        "communication": "a communication plan",
    },
    "zh": {
        "goals": "目标",
        "tasks": "任务或举措",
        "organisation": "负责人与分工",
        "timeline": "时间表",
        "budget": "预算",
        "risk": "风险登记",
        "monitoring": "监控与复盘",
        "communication": "沟通机制",
    },
}


def _finding_id(code: str, parts: Iterable[str]) -> str:
    import hashlib

    basis = code + "\0" + "\0".join(parts)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def _findings(report: LibraryReport, lang: str) -> list[LibraryFinding]:
    zh = lang == "zh"
    out: list[LibraryFinding] = []
    for group in report.duplicate_goals:
        code = "library.duplicate-goal"
        quote = group.goals[0].text
        if zh:
            kind = "相同" if group.identical else "几乎相同"
            msg = f"{group.plans} 个计划写了{kind}的目标：“{quote}”。请确认是否为同一目标、由谁负责，避免重复投入。"
        else:
            kind = "the same" if group.identical else "nearly the same"
            msg = (
                f'{group.plans} plans set {kind} goal: "{quote}". Check whether it is one '
                f"shared goal, agree who owns it, and avoid duplicated effort."
            )
        locs = [LibraryLocation(plan=g.plan, line=g.line, quote=g.text) for g in group.goals]
        out.append(
            LibraryFinding(
                id=_finding_id(code, [f"{g.plan}:{g.line}" for g in group.goals]),
                code=code,
                severity=LIBRARY_CODES[code][0],
                message=msg,
                locations=locs,
            )
        )
    for conflict in report.conflicting_targets:
        code = "library.conflicting-target"
        values = sorted({t.target_text or t.target or "?" for t in conflict.targets})
        dues = sorted({t.due for t in conflict.targets if t.due})
        n = len({t.plan for t in conflict.targets})
        if zh:
            detail = "目标值" + "、".join(values[:6]) if "target" in conflict.differs else ""
            if "due" in conflict.differs:
                detail += ("；" if detail else "") + "截止日期" + "、".join(dues[:6])
            msg = f"{n} 个计划对同一指标“{conflict.label}”设定了不同的目标（{detail}）。请统一口径或说明差异。"
        else:
            parts = []
            if "target" in conflict.differs:
                parts.append("targets " + ", ".join(values[:6]))
            if "due" in conflict.differs:
                parts.append("due dates " + ", ".join(dues[:6]))
            msg = (
                f'{n} plans set different targets for the same metric "{conflict.label}" '
                f"({'; '.join(parts)}). Agree one target, or say why they differ."
            )
        locs = [LibraryLocation(plan=t.plan, line=t.line, quote=t.text) for t in conflict.targets]
        out.append(
            LibraryFinding(
                id=_finding_id(code, [conflict.metric]),
                code=code,
                severity=LIBRARY_CODES[code][0],
                message=msg,
                locations=locs,
            )
        )
    for owner in report.overloaded_owners:
        code = "library.overloaded-owner"
        limit = report.options.owner_limit
        if zh:
            msg = (
                f"{owner.name} 在 {owner.plans} 个计划中担任负责人或 A 角，其中最多 {owner.concurrent} "
                f"个同时进行（上限 {limit}）。请重新分配或指定副手。"
            )
        else:
            msg = (
                f"{owner.name} owns or is accountable for work in {owner.plans} plans, up to "
                f"{owner.concurrent} of them at the same time (limit {limit}). Reassign some of it "
                f"or name deputies."
            )
        locs = [
            LibraryLocation(plan=w.plan, line=w.lines[0] if w.lines else None, quote=owner.name)
            for w in owner.where
        ]
        out.append(
            LibraryFinding(
                id=_finding_id(code, [owner.name.casefold()]),
                code=code,
                severity=LIBRARY_CODES[code][0],
                message=msg,
                locations=locs,
            )
        )
    for cov in report.section_coverage:
        if cov.total < 2 or cov.missing == 0 or cov.share_missing < report.options.missing_share:
            continue
        code = "library.missing-section"
        name = SECTION_NAMES["zh" if zh else "en"][cov.section]
        pct = round(cov.share_missing * 100)
        if zh:
            msg = f"{cov.missing}/{cov.total} 个计划（{pct}%）缺少{name}。建议在计划模板中加入这一部分。"
        else:
            msg = (
                f"{cov.missing} of {cov.total} plans ({pct}%) lack {name}. Add the section "
                f"to the library's plan template."
            )
        locs = [LibraryLocation(plan=p) for p in cov.plans_missing]
        out.append(
            LibraryFinding(
                id=_finding_id(code, [cov.section]),
                code=code,
                severity=LIBRARY_CODES[code][0],
                message=msg,
                locations=locs,
            )
        )
    return out


def check_library(
    plans: PlanDigests,
    options: LibraryOptions | None = None,
    fired: dict[str, set[str]] | None = None,
) -> LibraryReport:
    """Every library check over the digests of the plans that were reviewed (``fired``:
    the codes each plan's review reported, for the section shares)."""
    options = options or LibraryOptions()
    ordered = sorted(plans, key=lambda p: p[0])
    report = LibraryReport(
        plans=len(ordered),
        options=options,
        duplicate_goals=duplicate_goals(
            ordered, options.duplicate_threshold, options.min_goal_tokens
        ),
        conflicting_targets=conflicting_targets(ordered),
        overloaded_owners=overloaded_owners(ordered, options.owner_limit),
        section_coverage=section_coverage(ordered, fired),
    )
    report.findings = _findings(report, options.lang)
    return report
