"""How the reports order and group findings: by section, by framework family.

A finding's *section* is the heading of the plan it falls under: the heading
block itself when the finding points at a heading, otherwise the block's
``heading_id``, otherwise the last heading above the finding's first line.
Document-scope findings form the "Whole plan" group.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from service.models import SEVERITY_RANK, Block, BlockKind, Finding, Plan, Review
from service.rules.catalogue import FAMILIES

DOCUMENT_KEY = "__document__"
PREAMBLE_KEY = "__preamble__"

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")


@dataclass
class Heading:
    """A heading of the plan, with the titles of the headings that enclose it."""

    key: str
    text: str
    line: int
    level: int
    path: list[str] = field(default_factory=list)


@dataclass
class Section:
    """Findings under one heading (or the whole-plan / before-first-heading groups)."""

    key: str
    heading: Heading | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def is_document(self) -> bool:
        return self.key == DOCUMENT_KEY


def is_document_finding(finding: Finding) -> bool:
    return finding.scope == "document"


def finding_sort_key(finding: Finding) -> tuple[int, int, int, str]:
    """Plan order: line, column, then the more severe first, then code."""
    if finding.span is None:
        return (0, 0, -SEVERITY_RANK.get(finding.severity, 0), finding.code)
    return (
        finding.span.start_line,
        finding.span.start_col,
        -SEVERITY_RANK.get(finding.severity, 0),
        finding.code,
    )


def severity_sort_key(finding: Finding) -> tuple[int, str, int]:
    """The more severe first, then code, then line."""
    line = finding.span.start_line if finding.span else 0
    return (-SEVERITY_RANK.get(finding.severity, 0), finding.code, line)


def headings(plan: Plan) -> list[Heading]:
    """The plan's headings in order, from its heading blocks (or, when the plan
    carries no heading blocks, from ATX headings in its text)."""
    found: list[Heading] = [
        Heading(key=b.id, text=b.text.strip(), line=b.start_line, level=max(b.level, 1))
        for b in plan.blocks
        if b.kind == BlockKind.HEADING
    ]
    if not found:
        in_fence = False
        for number, line in enumerate(plan.lines, start=1):
            if line.lstrip().startswith(("```", "~~~")):
                in_fence = not in_fence
                continue
            m = None if in_fence else _ATX.match(line)
            if m:
                found.append(
                    Heading(key=f"L{number}", text=m.group(2), line=number, level=len(m.group(1)))
                )
    found.sort(key=lambda h: h.line)
    stack: list[Heading] = []
    for h in found:
        while stack and stack[-1].level >= h.level:
            stack.pop()
        h.path = [s.text for s in stack]
        stack.append(h)
    return found


def block_for(plan: Plan, finding: Finding) -> Block | None:
    """The block a finding points at: its block_id, else the block holding its first line."""
    if finding.block_id and (block := plan.block(finding.block_id)) is not None:
        return block
    return plan.block_at(finding.span.start_line) if finding.span is not None else None


class _HeadingIndex:
    """Headings by key and by line, built once per plan (not once per finding)."""

    def __init__(self, all_headings: list[Heading]) -> None:
        self.headings = all_headings  # in line order (``headings`` sorts them)
        self.by_key = {h.key: h for h in all_headings}
        self.lines = [h.line for h in all_headings]

    def last_at_or_above(self, line: int) -> Heading | None:
        i = bisect_right(self.lines, line)
        return self.headings[i - 1] if i else None


def heading_for(
    plan: Plan, finding: Finding, all_headings: list[Heading] | _HeadingIndex
) -> Heading | None:
    index = all_headings if isinstance(all_headings, _HeadingIndex) else _HeadingIndex(all_headings)
    by_key = index.by_key
    block = block_for(plan, finding)
    if block is not None:
        if block.kind == BlockKind.HEADING and block.id in by_key:
            return by_key[block.id]
        if block.heading_id and block.heading_id in by_key:
            return by_key[block.heading_id]
    if finding.span is None:
        return None
    return index.last_at_or_above(finding.span.start_line)


def group_by_section(plan: Plan, findings: Iterable[Finding]) -> list[Section]:
    """Sections in plan order, the whole-plan group first; findings sorted within each."""
    all_headings = _HeadingIndex(headings(plan))
    document = Section(key=DOCUMENT_KEY, heading=None)
    preamble = Section(key=PREAMBLE_KEY, heading=None)
    by_heading: dict[str, Section] = {}
    for finding in findings:
        if is_document_finding(finding):
            document.findings.append(finding)
            continue
        heading = heading_for(plan, finding, all_headings)
        if heading is None:
            preamble.findings.append(finding)
            continue
        section = by_heading.setdefault(heading.key, Section(key=heading.key, heading=heading))
        section.findings.append(finding)
    document.findings.sort(key=severity_sort_key)
    ordered = sorted(by_heading.values(), key=lambda s: s.heading.line if s.heading else 0)
    out = [s for s in (document, preamble, *ordered) if s.findings]
    for s in out[1 if document.findings else 0 :]:
        s.findings.sort(key=finding_sort_key)
    return out


MIN_REPEAT = 3


def collapse_repeats(findings: list[Finding], min_repeat: int = MIN_REPEAT) -> list[list[Finding]]:
    """Reading order for a group of findings (a section, a family): the block findings of one
    code that say the same thing on many lines (every item of a list without an owner) become
    one entry, placed where the first of them was; everything else stays one entry each. JSON
    and SARIF keep one result per finding; this is only how people read them."""
    buckets: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.scope == "block" and f.span is not None:
            buckets.setdefault((f.code, f.message), []).append(f)
    out: list[list[Finding]] = []
    placed: set[tuple[str, str]] = set()
    for f in findings:
        key = (f.code, f.message)
        group = buckets.get(key) if f.scope == "block" and f.span is not None else None
        if group is not None and len(group) >= min_repeat:
            if key not in placed:
                placed.add(key)
                out.append(group)
            continue
        out.append([f])
    return out


def line_list(findings: list[Finding], limit: int = 12) -> str:
    """'31, 32, 33 … (+22)': the first lines of a collapsed group."""
    lines = [f.span.start_line for f in findings if f.span is not None]
    shown = ", ".join(str(n) for n in lines[:limit])
    return shown + (f" … (+{len(lines) - limit})" if len(lines) > limit else "")


def family_order(family: str) -> tuple[int, str]:
    keys = list(FAMILIES)
    return (keys.index(family) if family in keys else len(keys), family)


def group_by_family(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Families in catalogue order; within a family, document-scope first, then plan order."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.family or f.code.split(".", 1)[0], []).append(f)
    out = []
    for family in sorted(groups, key=family_order):
        items = sorted(
            groups[family], key=lambda f: (not is_document_finding(f), finding_sort_key(f))
        )
        out.append((family, items))
    return out


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts


def ordered_scores(scores: dict[str, int | None]) -> list[tuple[str, int | None]]:
    """'overall' first, then families in catalogue order, then anything else as given."""
    keys = [k for k in scores if k != "overall"]
    keys.sort(key=family_order)
    head = [("overall", scores["overall"])] if "overall" in scores else []
    return head + [(k, scores[k]) for k in keys]


def llm_failure(review: Review) -> str | None:
    """The reason the LLM tier failed ('failed: <reason>'), or None when it did not."""
    status = review.engine.llm_status.strip()
    if not status.lower().startswith("failed"):
        return None
    reason = status[len("failed") :].lstrip(" :").strip()
    return reason or "unknown reason"


def plan_warnings(review: Review, plan: Plan) -> list[str]:
    """Ingestion warnings from the plan and the review, each once."""
    seen: dict[str, None] = {}
    for w in [*plan.warnings, *review.warnings]:
        if w.strip():
            seen.setdefault(w.strip(), None)
    return list(seen)


def plan_title(review: Review, plan: Plan) -> str:
    return (review.plan.title or plan.title or "").strip()
