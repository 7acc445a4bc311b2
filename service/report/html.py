"""The standalone HTML report: one page, inline CSS and SVG, no JavaScript.

The page shows the plan's own text with line numbers, the findings highlighted
in place (and listed right under the line they end on), then the findings by
framework family. Everything taken from the plan, the findings or the LLM is
escaped by Jinja2's autoescape; the template runs with StrictUndefined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from service import __version__
from service.models import SEVERITY_RANK, Finding, Plan, Review
from service.report.grouping import (
    collapse_repeats,
    finding_sort_key,
    group_by_family,
    is_document_finding,
    llm_failure,
    ordered_scores,
    plan_title,
    plan_warnings,
    severity_counts,
    severity_sort_key,
)
from service.report.labels import Labels, labels_for
from service.report.templating import html_environment

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> Environment:
    return html_environment(TEMPLATES)


@dataclass
class CitationView:
    title: str
    chunk_id: str
    source: str


@dataclass
class FindingView:
    anchor: str
    code: str
    severity: str
    severity_label: str
    rule_title: str
    location: str
    line_anchor: str | None
    quote: str
    message: str
    suggestion: str
    rewrite: str | None
    citations: list[CitationView]
    origin: str
    # The other lines of a collapsed group (location, line anchor), shown on the first's card.
    also: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Segment:
    text: str
    severity: str | None


@dataclass
class LineView:
    number: int
    anchor: str
    segments: list[Segment]
    severity: str | None
    starts: list[FindingView] = field(default_factory=list)
    below: list[FindingView] = field(default_factory=list)


@dataclass
class ScoreView:
    name: str
    value: str
    width: int
    colour: str
    overall: bool


@dataclass
class ReviewView:
    prefix: str
    labels: Labels
    lang: str
    title: str
    source: str
    language: str
    script: str
    lines_count: int
    words: int
    tier: str
    model: str | None
    llm_status: str
    llm_failed: str | None
    llm_failed_text: str | None
    rules_version: str
    knowledge_version: str
    warnings: list[str]
    summary: str
    counts_text: str
    counts: dict[str, int]
    scores: list[ScoreView]
    document_findings: list[FindingView]
    lines: list[LineView]
    families: list[tuple[str, list[FindingView]]]
    draft: str | None


def _score_colour(value: int | None) -> str:
    if value is None:
        return "#9ca3af"
    if value >= 80:
        return "#16a34a"
    if value >= 50:
        return "#d97706"
    return "#dc2626"


def _worse(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if SEVERITY_RANK.get(a, 0) >= SEVERITY_RANK.get(b, 0) else b


def _segments(line: str, marks: list[tuple[int, int, str]]) -> list[Segment]:
    """Split one line into runs of equal (worst) severity; marks are 0-based [start, end)."""
    if not marks:
        return [Segment(line, None)]
    sev: list[str | None] = [None] * len(line)
    for start, end, severity in marks:
        for i in range(max(start, 0), min(end, len(line))):
            sev[i] = _worse(sev[i], severity)
    out: list[Segment] = []
    for ch, s in zip(line, sev, strict=True):
        if out and out[-1].severity == s:
            out[-1].text += ch
        else:
            out.append(Segment(ch, s))
    return out


def _finding_view(f: Finding, prefix: str, index: int, labels: Labels) -> FindingView:
    if f.span is None:
        location, line_anchor = labels["whole_plan"], None
    else:
        location = labels.line_ref(f.span.start_line, f.span.end_line)
        line_anchor = f"{prefix}-L{f.span.start_line}"
    return FindingView(
        anchor=f"{prefix}-f{index}",
        code=f.code,
        severity=f.severity,
        severity_label=labels.severity(f.severity),
        rule_title=labels.rule_title(f.code),
        location=location,
        line_anchor=line_anchor,
        quote=f.quote,
        message=f.message,
        suggestion=f.suggestion,
        rewrite=f.rewrite if f.rewrite and f.rewrite.strip() else None,
        citations=[CitationView(c.title, c.chunk_id, c.source) for c in f.citations],
        origin=f.origin,
    )


def _review_view(review: Review, plan: Plan, index: int) -> ReviewView:
    prefix = f"p{index + 1}"
    labels = labels_for(review.plan.language, plan.script)
    ordered = sorted(review.findings, key=finding_sort_key)
    views = {id(f): _finding_view(f, prefix, i + 1, labels) for i, f in enumerate(ordered)}

    text_lines = plan.lines
    n_lines = len(text_lines)
    marks: dict[int, list[tuple[int, int, str]]] = {}
    line_sev: dict[int, str | None] = {}
    starts: dict[int, list[FindingView]] = {}
    below: dict[int, list[FindingView]] = {}
    for f in ordered:
        if f.span is None or n_lines == 0:
            continue
        start = min(max(f.span.start_line, 1), n_lines)
        end = min(max(f.span.end_line, start), n_lines)
        if not is_document_finding(f):
            below.setdefault(end, []).append(views[id(f)])
            for n in range(start, end + 1):
                length = len(text_lines[n - 1])
                lo = f.span.start_col - 1 if n == start else 0
                hi = f.span.end_col - 1 if n == end else length
                if hi <= lo and n == start == end:
                    lo, hi = 0, length  # no usable columns: mark the whole line
                marks.setdefault(n, []).append((lo, hi, f.severity))
                line_sev[n] = _worse(line_sev.get(n), f.severity)
        starts.setdefault(start, []).append(views[id(f)])

    lines = [
        LineView(
            number=n,
            anchor=f"{prefix}-L{n}",
            segments=_segments(text, marks.get(n, [])),
            severity=line_sev.get(n),
            starts=starts.get(n, []),
            below=below.get(n, []),
        )
        for n, text in enumerate(text_lines, start=1)
    ]
    if plan.text.endswith("\n") and lines and not (lines[-1].below or lines[-1].starts):
        lines.pop()  # the empty "line" after the final newline

    scores = [
        ScoreView(
            name=labels.score_name(key),
            value=labels.score_value(value),
            width=0 if value is None else max(0, min(100, value)),
            colour=_score_colour(value),
            overall=key == "overall",
        )
        for key, value in ordered_scores(review.scores)
    ]
    document = [
        views[id(f)]
        for f in sorted(review.findings, key=severity_sort_key)
        if is_document_finding(f)
    ]
    families = []
    for family, items in group_by_family(review.findings):
        cards = []
        for group in collapse_repeats(items):
            card = views[id(group[0])]
            for member in group[1:]:
                view = views[id(member)]
                card.also.append((view.location, view.line_anchor))
                view.anchor = card.anchor  # its line's "↓" leads to the group's card
            cards.append(card)
        families.append((labels.family(family), cards))
    counts = severity_counts(review.findings)
    return ReviewView(
        prefix=prefix,
        labels=labels,
        lang=labels.html_lang,
        title=plan_title(review, plan) or review.plan.source or labels["untitled"],
        source=review.plan.source or plan.source,
        language=review.plan.language,
        script=plan.script,
        lines_count=review.plan.lines,
        words=review.plan.words,
        tier=review.engine.tier,
        model=review.engine.model,
        llm_status=review.engine.llm_status,
        llm_failed=llm_failure(review),
        llm_failed_text=(
            labels["llm_failed"].format(reason=llm_failure(review))
            if llm_failure(review) is not None
            else None
        ),
        rules_version=review.engine.rules_version,
        knowledge_version=review.engine.knowledge_version,
        warnings=plan_warnings(review, plan),
        summary=review.summary.strip(),
        counts_text=labels.counts(counts),
        counts=counts,
        scores=scores,
        document_findings=document,
        lines=lines,
        families=families,
        draft=review.draft if review.draft and review.draft.strip() else None,
    )


def render_html(reviews: list[tuple[Review, Plan]]) -> str:
    views = [_review_view(review, plan, i) for i, (review, plan) in enumerate(reviews)]
    langs = {v.lang for v in views}
    page_lang = langs.pop() if len(langs) == 1 else ("mul" if langs else "en")
    if len(views) == 1:
        page_title = f"{views[0].title} · planreview"
    else:
        page_title = f"planreview · {len(views)} plans"
    template = environment().get_template("report.html.j2")
    return template.render(
        reviews=views,
        page_lang=page_lang,
        page_title=page_title,
        version=__version__,
    )
