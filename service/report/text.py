"""The terminal report, like a linter's: plan, section, then one line per finding.

    plans/q3.md  Q3 growth plan
      Whole plan
        -      error    risk.no-register  The plan identifies no risks.
      Goals
        14:1   error    smart.measurable  Goal has no target value.
               suggestion: State the metric, its baseline and the target.
               rewrite: Raise CSAT from 71% to 80% by 2026-12-31.
               see: SMART: Measurable [smart-measurable-en-01]

      2 errors, 0 warnings, 0 info
      Scores: overall 62 · SMART 40 · OKR n/a
      Tier: offline · LLM: off

Colour (Rich styles) only when asked; otherwise plain text with no escape codes.
Lines are built as ``Line`` pieces, which give Rich's plain text without
importing Rich (its import costs more than rendering a long plan); Rich turns
them into styled text only when colour is asked for.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.cells import cell_len

from service.models import Finding, Plan, Review
from service.report.grouping import (
    Section,
    collapse_repeats,
    group_by_section,
    line_list,
    llm_failure,
    ordered_scores,
    plan_title,
    plan_warnings,
    severity_counts,
)
from service.report.labels import Labels, labels_for

if TYPE_CHECKING:
    from rich.text import Text

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_INDENT = "  "

STRIPPED_CONTROL_CODES = (7, 8, 11, 12, 13)
"""What ``rich.text.Text`` removes from the text it holds (rich.control.STRIP_CONTROL_CODES)."""
_STRIP = dict.fromkeys(STRIPPED_CONTROL_CODES)


class Line:
    """One report line as the calls that would build a ``rich.text.Text``: a first
    piece whose style covers the whole line, then appended pieces with their own."""

    __slots__ = ("base", "pieces")

    def __init__(self, text: str = "", style: str = "") -> None:
        self.base = (text, style)
        self.pieces: list[tuple[str, str]] = []

    def append(self, text: str, style: str = "") -> None:
        self.pieces.append((text, style))

    @property
    def plain(self) -> str:
        """The text Rich would print without colour."""
        return "".join([self.base[0], *(t for t, _ in self.pieces)]).translate(_STRIP)

    def to_rich(self) -> Text:
        from rich.text import Text

        text = Text(self.base[0], style=self.base[1])
        for piece, style in self.pieces:
            text.append(piece, style=style)
        return text


def _cells(text: str) -> int:
    """Terminal cells the text takes, as ``Line(text).cell_len`` counts them."""
    return cell_len(text.translate(_STRIP))


def _position(finding: Finding) -> str:
    if finding.span is None:
        return "-"
    return f"{finding.span.start_line}:{finding.span.start_col}"


def _section_title(section: Section, labels: Labels, plan_title: str) -> str:
    """The heading the findings fall under, with its enclosing headings (the plan's
    title, already shown above, left out)."""
    if section.is_document:
        return labels["whole_plan"]
    if section.heading is None:
        return labels["before_first_heading"]
    title = section.heading.text or labels["no_section"]
    path = [p for p in section.heading.path if p != plan_title]
    return " › ".join([*path, title])


def _continuation(text: str, indent: str) -> list[str]:
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    return [lines[0], *[indent + line if line else "" for line in lines[1:]]]


def _plan_lines(review: Review, plan: Plan, *, quiet: bool = False) -> list[Line]:
    labels = labels_for(review.plan.language, plan.script)
    out: list[Line] = []
    header = Line()
    header.append(review.plan.source or plan.source, style="bold underline")
    title = plan_title(review, plan)
    if title:
        header.append("  ")
        header.append(title, style="bold")
    out.append(header)

    sections = group_by_section(plan, review.findings)
    pos_w = max((len(_position(f)) for f in review.findings), default=1)
    # Chinese severity labels are two cells wide per character; pad by display width.
    sev_cells = max((_cells(labels.severity(f.severity)) for f in review.findings), default=1)
    code_w = max((len(f.code) for f in review.findings), default=1)
    detail_indent = _INDENT * 2 + " " * (pos_w + 2)

    for section in sections:
        out.append(Line(_INDENT + _section_title(section, labels, title), style="bold"))
        for group in collapse_repeats(section.findings):
            f = group[0]
            line = Line(_INDENT * 2)
            line.append(_position(f).ljust(pos_w), style="dim")
            line.append("  ")
            sev = labels.severity(f.severity)
            line.append(sev, style=SEVERITY_STYLE.get(f.severity, ""))
            line.append(" " * (sev_cells - _cells(sev)))
            line.append("  ")
            line.append(f.code.ljust(code_w), style="bold" if f.severity == "error" else "")
            line.append("  ")
            line.append("\n".join(_continuation(f.message, detail_indent)))
            out.append(line)
            if len(group) > 1:
                same = labels["same_on_lines"].format(n=len(group), lines=line_list(group))
                out.append(Line(detail_indent + same, style="dim"))
            if f.suggestion.strip():
                out.append(_detail(detail_indent, labels["suggestion"], f.suggestion, "", labels))
            if f.rewrite and f.rewrite.strip():
                key = "first_rewrite" if len(group) > 1 else "rewrite"
                out.append(_detail(detail_indent, labels[key], f.rewrite, "green", labels))
            if f.citations:
                c = f.citations[0]
                out.append(
                    _detail(
                        detail_indent, labels["see"], f"{c.title} [{c.chunk_id}]", "dim", labels
                    )
                )
    if quiet:
        return out
    if not review.findings:
        out.append(Line(_INDENT + labels["no_findings"], style="green"))
    out.append(Line(""))
    out.extend(_footer(review, plan, labels))
    return out


def _detail(indent: str, label: str, value: str, style: str, labels: Labels) -> Line:
    colon = "：" if labels.zh else ": "
    t = Line(indent)
    t.append(label + colon, style="dim")
    body_indent = indent + " " * _cells(label + colon)
    t.append("\n".join(_continuation(value, body_indent)), style=style)
    return t


def _footer(review: Review, plan: Plan, labels: Labels) -> list[Line]:
    out: list[Line] = []
    counts = severity_counts(review.findings)
    t = Line(_INDENT)
    worst = next((s for s in ("error", "warning", "info") if counts[s]), None)
    t.append(labels.counts(counts), style=SEVERITY_STYLE.get(worst or "", "green"))
    out.append(t)

    scores = ordered_scores(review.scores)
    if scores:
        colon = "：" if labels.zh else ": "
        s = Line(_INDENT)
        s.append(labels["scores"] + colon, style="bold")
        for i, (key, value) in enumerate(scores):
            if i:
                s.append(" · ", style="dim")
            s.append(labels.score_name(key, short=True) + " ")
            s.append(labels.score_value(value), style=_score_style(value))
        out.append(s)

    tier = Line(_INDENT)
    colon = "：" if labels.zh else ": "
    tier.append(labels["tier"] + colon + review.engine.tier)
    if review.engine.model:
        tier.append(f" ({labels['model']} {review.engine.model})")
    reason = llm_failure(review)
    if reason is None:
        tier.append(" · " + labels["llm"] + colon + review.engine.llm_status)
        out.append(tier)
    else:
        out.append(tier)
        out.append(Line(_INDENT + labels["llm_failed"].format(reason=reason), style="bold red"))
    if review.engine.sent_to:  # privacy: say when plan text left the machine, and where to
        out.append(Line(_INDENT + labels["sent_to"].format(host=review.engine.sent_to)))
    for w in plan_warnings(review, plan):
        out.append(Line(_INDENT + labels["plan_warning"] + colon + w, style="yellow"))
    return out


def _score_style(value: int | None) -> str:
    if value is None:
        return "dim"
    if value >= 80:
        return "green"
    if value >= 50:
        return "yellow"
    return "red"


def render_text(
    reviews: list[tuple[Review, Plan]], *, color: bool = False, quiet: bool = False
) -> str:
    """The report; ``quiet`` keeps only the findings (no scores, counts or tier lines,
    nothing for a plan without findings)."""
    lines: list[Line] = []
    shown = [(r, p) for r, p in reviews if r.findings] if quiet else reviews
    for i, (review, plan) in enumerate(shown):
        if i:
            lines.append(Line(""))
        lines.extend(_plan_lines(review, plan, quiet=quiet))
    if len(reviews) > 1 and not quiet:
        lines.append(Line(""))
        lines.append(_total_line(reviews))
    if not lines:
        return ""
    return lines_to_text(lines, color=color)


def lines_to_text(lines: list[Line], *, color: bool = False) -> str:
    """Plain text, or with ANSI colour (Rich's standard 16 colours)."""
    if not color:
        return "\n".join(t.plain for t in lines) + "\n"
    from rich.console import Console

    console = Console(
        file=io.StringIO(),
        force_terminal=True,
        color_system="standard",
        width=10_000,
        soft_wrap=True,
        highlight=False,
        emoji=False,
        markup=False,
        no_color=False,  # the caller decided (--color, NO_COLOR, FORCE_COLOR)
    )
    with console.capture() as capture:
        for t in lines:
            console.print(t.to_rich(), soft_wrap=True)
    return capture.get()


def _total_line(reviews: list[tuple[Review, Plan]]) -> Line:
    langs = {r.plan.language for r, _ in reviews}
    scripts = {p.script for _, p in reviews}
    labels = labels_for(
        "zh" if langs == {"zh"} else "en", "hant" if scripts == {"hant"} else "hans"
    )
    counts = {"error": 0, "warning": 0, "info": 0}
    for review, _ in reviews:
        for sev, n in severity_counts(review.findings).items():
            counts[sev] = counts.get(sev, 0) + n
    colon = "：" if labels.zh else ": "
    t = Line(labels["total"] + colon, style="bold")
    t.append(f"{len(reviews)} {labels['plans']}" + ("，" if labels.zh else ", "))
    worst = next((s for s in ("error", "warning", "info") if counts[s]), None)
    t.append(labels.counts(counts), style=SEVERITY_STYLE.get(worst or "", "green"))
    return t
