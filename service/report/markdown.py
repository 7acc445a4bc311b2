"""The Markdown review report, and the plan's own normalised text (``--show-source``).

Text from the plan or an LLM is placed so that it cannot turn into markup it
did not mean: ``<`` is escaped (no raw HTML), quotes are blockquoted line by
line, rewrites sit in a fence longer than any backtick run they contain, and a
link or link definition whose destination is not http(s) or mailto (a
``javascript:`` or ``data:`` URL, an entity-encoded one, a relative path) has
its bracket escaped, so it shows as text instead of a link.
"""

from __future__ import annotations

import re

from service.models import Finding, Plan, Review
from service.report.grouping import (
    collapse_repeats,
    group_by_family,
    llm_failure,
    ordered_scores,
    plan_title,
    plan_warnings,
    severity_counts,
)
from service.report.labels import Labels, labels_for

_SEVERITY_MARK = {"error": "🔴", "warning": "🟠", "info": "🔵"}


_SAFE_DESTINATION = re.compile(r"(?:https?://|mailto:)\S*", re.I)
_INLINE_LINK = re.compile(r"\]\(\s*")
_LINK_DEFINITION = re.compile(r"^( {0,3})\[([^\]\n]+)\]:[ \t]*(\S*)", re.M)


def neutralise_links(text: str) -> str:
    """Links that would not go to an http(s) or mailto address become plain text."""

    def inline(m: re.Match[str]) -> str:
        if _SAFE_DESTINATION.match(text, m.end()):
            return m.group(0)
        return "]\\("

    def definition(m: re.Match[str]) -> str:
        if _SAFE_DESTINATION.fullmatch(m.group(3)):
            return m.group(0)
        return f"{m.group(1)}\\[{m.group(2)}]: {m.group(3)}"

    return _LINK_DEFINITION.sub(definition, _INLINE_LINK.sub(inline, text))


def escape_inline(text: str) -> str:
    """Prose from the plan/LLM on one Markdown line: no raw HTML, no line breaks, no unsafe
    links."""
    return neutralise_links(text.replace("<", "&lt;").replace("\n", " ").strip())


def escape_block(text: str) -> str:
    """Prose that may span paragraphs: no raw HTML, no unsafe links."""
    return neutralise_links(text.replace("<", "&lt;").strip())


def escape_cell(text: str) -> str:
    return escape_inline(text).replace("|", "\\|")


def blockquote(text: str) -> str:
    lines = neutralise_links(text.replace("<", "&lt;")).strip("\n").split("\n")
    return "\n".join(("> " + line).rstrip() for line in lines)


def fenced(text: str, info: str = "text") -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.strip(chr(10))}\n{fence}"


def _link_target(plan: Plan, source: str) -> str | None:
    """A relative link to the plan file, when its lines are the file's lines."""
    if source in ("", "-") or plan.source_format not in ("markdown", "text"):
        return None
    return source.replace("\\", "/")


def _destination(target: str) -> str:
    """A link destination, in <...> when it holds spaces or parentheses (CommonMark)."""
    if re.search(r"[\s()<>]", target):
        return "<" + target.replace("<", "%3C").replace(">", "%3E") + ">"
    return target


def line_link(finding: Finding, plan: Plan, source: str, labels: Labels) -> str:
    if finding.span is None:
        return f"*{labels['whole_plan']}*"
    start, end = finding.span.start_line, finding.span.end_line
    text = labels.line_ref(start, end)
    target = _link_target(plan, source)
    if target is None:
        return text
    anchor = f"L{start}" if end == start else f"L{start}-L{end}"
    return f"[{text}]({_destination(f'{target}#{anchor}')})"


def _colon(labels: Labels) -> str:
    return "：" if labels.zh else ": "


def _finding(group: list[Finding], plan: Plan, source: str, labels: Labels) -> list[str]:
    """One entry: a finding, or the same finding on many lines (collapse_repeats)."""
    finding = group[0]
    c = _colon(labels)
    mark = _SEVERITY_MARK.get(finding.severity, "")
    title = labels.rule_title(finding.code)
    head = f"#### {mark} {labels.severity(finding.severity)} · `{finding.code}`"
    if title != finding.code:
        head += f" · {escape_inline(title)}"
    out = [head, "", line_link(finding, plan, source, labels), ""]
    if len(group) > 1:
        links = ", ".join(line_link(f, plan, source, labels) for f in group[1:])
        out += [f"**{labels['also_on'].format(n=len(group) - 1)}**{c}{links}", ""]
    if finding.quote.strip():
        out += [blockquote(finding.quote), ""]
    out += [escape_block(finding.message), ""]
    if finding.suggestion.strip():
        out += [
            f"**{labels['suggestion'].capitalize()}**{c}{escape_inline(finding.suggestion)}",
            "",
        ]
    if finding.rewrite and finding.rewrite.strip():
        key = "first_rewrite" if len(group) > 1 else "rewrite"
        out += [
            f"**{labels[key].capitalize()}**{c.rstrip()}",
            "",
            fenced(finding.rewrite),
            "",
        ]
    if finding.citations:
        cites = "; ".join(
            f"{escape_inline(ct.title)} (`{ct.chunk_id}`, {escape_inline(ct.source)})"
            if ct.source
            else f"{escape_inline(ct.title)} (`{ct.chunk_id}`)"
            for ct in finding.citations
        )
        out += [f"**{labels['citations']}**{c}{cites}", ""]
    return out


def render_markdown_one(review: Review, plan: Plan) -> str:
    labels = labels_for(review.plan.language, plan.script)
    c = _colon(labels)
    source = review.plan.source or plan.source
    title = plan_title(review, plan) or source
    out = [f"# {labels['review_of']}{c}{escape_inline(title)}", ""]
    meta = [
        f"**{labels['source']}**{c}`{source}`",
        f"**{labels['language']}**{c}{review.plan.language}",
        f"**{labels['lines']}**{c}{review.plan.lines}",
        f"**{labels['words']}**{c}{review.plan.words}",
    ]
    engine = [f"**{labels['tier']}**{c}{review.engine.tier}"]
    if review.engine.model:
        engine.append(f"**{labels['model'].capitalize()}**{c}`{review.engine.model}`")
    engine.append(f"**{labels['llm']}**{c}{review.engine.llm_status}")
    if review.engine.rules_version:
        engine.append(f"**{labels['rules_version']}**{c}`{review.engine.rules_version}`")
    if review.engine.knowledge_version:
        engine.append(f"**{labels['knowledge_version']}**{c}`{review.engine.knowledge_version}`")
    out += [" · ".join(meta) + "  ", " · ".join(engine), ""]

    reason = llm_failure(review)
    if reason is not None:
        out += [f"> ⚠️ {escape_inline(labels['llm_failed'].format(reason=reason))}", ""]
    for w in plan_warnings(review, plan):
        out += [f"> ⚠️ **{labels['plan_warning']}**{c}{escape_inline(w)}", ""]

    if review.summary.strip():
        out += [f"## {labels['summary']}", "", escape_block(review.summary), ""]
    counts = severity_counts(review.findings)
    out += [f"**{labels['findings']}**{c}{labels.counts(counts)}", ""]

    scores = ordered_scores(review.scores)
    if scores:
        out += [
            f"## {labels['scores']}",
            "",
            f"| {labels['framework']} | {labels['score']} |",
            "|---|---:|",
        ]
        for key, value in scores:
            name = escape_cell(labels.score_name(key))
            value_text = labels.score_value(value)
            if key == "overall":
                name, value_text = f"**{name}**", f"**{value_text}**"
            out.append(f"| {name} | {value_text} |")
        out.append("")

    out += [f"## {labels['findings']}", ""]
    if not review.findings:
        out += [labels["no_findings"], ""]
    for family, findings in group_by_family(review.findings):
        out += [f"### {escape_inline(labels.family(family))}", ""]
        for group in collapse_repeats(findings):
            out += _finding(group, plan, source, labels)

    if review.draft:
        out += [f"## {labels['improved_draft']}", "", escape_block(review.draft), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_markdown(reviews: list[tuple[Review, Plan]], *, show_source: bool = False) -> str:
    if show_source:
        if len(reviews) == 1:
            return reviews[0][1].text
        return "\n".join(
            f"<!-- planreview source: {plan.source} -->\n{plan.text}" for _, plan in reviews
        )
    return "\n---\n\n".join(render_markdown_one(review, plan) for review, plan in reviews)
