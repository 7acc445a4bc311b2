"""Quick-fix edits as plain text changes on the normalised plan text. No LSP types here.

Each function returns a ``TextChange`` (code-point offsets into the normalised
text) or None when the fix would not leave valid Markdown or would change
nothing. Edits keep the document's structure: a rewrite of a table row keeps
its cells, a suppression comment never splits a table, an inserted section is
surrounded by blank lines and takes the heading level of its neighbours.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from service.models import Block, BlockKind, Finding, Plan
from service.report.grouping import block_for
from service.rules import rewrites
from service.rules.extract.facts import PlanFacts, core_text


@dataclass(frozen=True)
class TextChange:
    """Replace ``text[start:end]`` (code points, normalised text) with ``new_text``."""

    start: int
    end: int
    new_text: str


def apply_changes(text: str, changes: list[TextChange]) -> str:
    """Apply non-overlapping changes (any order)."""
    for c in sorted(changes, key=lambda c: c.start, reverse=True):
        text = text[: c.start] + c.new_text + text[c.end :]
    return text


def line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _offset(text: str, starts: list[int], line1: int, col1: int) -> int:
    line0 = min(max(line1 - 1, 0), len(starts) - 1)
    end_of_line = starts[line0 + 1] - 1 if line0 + 1 < len(starts) else len(text)
    return min(starts[line0] + max(col1 - 1, 0), end_of_line)


# -- rewrite ------------------------------------------------------------------------------

_TABLE_PIPE = re.compile(r"(?<!\\)\|")


def _cells(row: str) -> list[str]:
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [c.strip() for c in _TABLE_PIPE.split(inner)]


def rewrite_change(text: str, finding: Finding) -> TextChange | None:
    """Replace exactly the finding's span with its rewrite, when that is a one-line statement."""
    rewrite = (finding.rewrite or "").strip()
    if finding.scope != "block" or finding.span is None or not rewrite or "\n" in rewrite:
        return None
    starts = line_starts(text)
    s = finding.span
    start = _offset(text, starts, s.start_line, s.start_col)
    end = _offset(text, starts, s.end_line, s.end_col)
    if end <= start:
        return None
    current = text[start:end]
    if current.lstrip().startswith("|"):
        new = rewrite if rewrite.startswith("|") else f"| {rewrite} |"
        if len(_cells(new)) != len(_cells(current)):
            return None  # a row with other cells would break the table
    else:
        new = rewrite
        core = core_text(current)
        at = current.find(core) if core else -1
        label = current[:at] if at > 0 else ""
        if label.strip() and not new.startswith(label.strip()):
            new = label + new  # keep "Goal 2: " / "1. " that the rewrite leaves out
    if " ".join(new.split()) == " ".join(current.split()):
        return None
    return TextChange(start, end, new)


# -- template sections --------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A section the plan may lack, pre-filled from its own content."""

    key: str
    title_en: str
    title_zh: str
    build: Callable[[PlanFacts, str], str]
    after: tuple[str, ...]  # plan parts to insert after, best first; end of document otherwise
    codes: tuple[str, ...]  # findings this section answers

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en


TEMPLATES: dict[str, Template] = {
    "risk-register": Template(
        "risk-register",
        "Insert a risk register",
        "插入风险清单",
        rewrites.risk_register,
        ("resources", "tasks", "timeline", "goals"),
        ("risk.no-register",),
    ),
    "raci": Template(
        "raci",
        "Insert a RACI table",
        "插入 RACI 职责分工表",
        rewrites.raci_table,
        ("organisation", "tasks", "goals"),
        ("raci.no-owner", "raci.overloaded", "resource.no-staffing"),
    ),
    "milestones": Template(
        "milestones",
        "Insert a milestones table",
        "插入里程碑表",
        rewrites.milestones_table,
        ("timeline", "tasks", "goals"),
        ("pdca.no-milestones", "resource.no-timeline"),
    ),
}
TEMPLATE_FOR_CODE: dict[str, str] = {code: t.key for t in TEMPLATES.values() for code in t.codes}


def _is_md_heading(plan: Plan, block: Block) -> bool:
    return plan.lines[block.start_line - 1].lstrip().startswith("#")


def _section_end(plan: Plan, heading: Block) -> int:
    """Last non-blank line (1-based) of the section a heading opens."""
    lines = plan.lines
    end = len(lines)
    for b in plan.blocks:
        if (
            b.kind == BlockKind.HEADING
            and b.start_line > heading.end_line
            and b.level <= heading.level
        ):
            end = b.start_line - 1
            break
    while end > heading.end_line and not lines[end - 1].strip():
        end -= 1
    return end


def _anchor(plan: Plan, facts: PlanFacts, kinds: tuple[str, ...]) -> Block | None:
    title = plan.blocks[0] if plan.blocks and plan.blocks[0].kind == BlockKind.HEADING else None
    for kind in kinds:
        for b in plan.blocks:
            if b.kind != BlockKind.HEADING or b is title or facts.section.get(b.id) != kind:
                continue
            parent = plan.block(b.heading_id) if b.heading_id else None
            if parent is None or parent is title or facts.section.get(parent.id) != kind:
                return b  # the top heading of that part
    return None


def _section_level(plan: Plan, anchor: Block | None) -> int:
    if anchor is not None and _is_md_heading(plan, anchor):
        return max(anchor.level, 1)
    levels = Counter(
        b.level
        for b in plan.blocks
        if b.kind == BlockKind.HEADING and b.level >= 2 and _is_md_heading(plan, b)
    )
    return levels.most_common(1)[0][0] if levels else 2


def insert_section_change(
    plan: Plan, facts: PlanFacts, template: Template, lang: str
) -> TextChange:
    """Insert a template section after the part it belongs with, or at the end."""
    return insert_body_change(plan, facts, template.build(facts, lang), template.after)


SECTION_AFTER: dict[str, tuple[str, ...]] = {
    "pdca.no-check": ("monitoring", "risks", "resources", "tasks"),
    "pdca.no-act": ("monitoring", "risks", "resources", "tasks"),
    "resource.no-budget": ("resources", "tasks", "goals"),
    "comm.no-stakeholders": ("communication", "organisation", "monitoring", "tasks"),
}
"""Where the section a document finding's own rewrite proposes goes (end of document otherwise)."""


def section_heading(body: str) -> str | None:
    """The heading text of a Markdown section template, or None when ``body`` is not one."""
    first = body.lstrip().split("\n", 1)[0]
    m = re.match(r"^#{1,6}\s+(.+)$", first)
    return m.group(1).strip() if m else None


def insert_body_change(
    plan: Plan, facts: PlanFacts, body: str, after: tuple[str, ...]
) -> TextChange:
    """Insert a Markdown section after the first plan part of ``after`` found, or at the end."""
    text = plan.text
    body = body.strip("\n")
    anchor = _anchor(plan, facts, after)
    level = _section_level(plan, anchor)
    body = re.sub(r"^#+ ", "#" * level + " ", body, count=1)
    starts = line_starts(text)
    if anchor is not None:
        end_line = _section_end(plan, anchor)
        offset = starts[end_line] if end_line < len(starts) else len(text)
    else:
        offset = len(text)
    before, rest = text[:offset], text[offset:]
    if not before.strip() or before.endswith("\n\n"):
        prefix = ""
    elif before.endswith("\n"):
        prefix = "\n"
    else:
        prefix = "\n\n"
    suffix = "\n" if not rest or rest.startswith("\n") else "\n\n"
    return TextChange(offset, offset, prefix + body + suffix)


# -- suppression comments -----------------------------------------------------------------

_LINE_COMMENT = re.compile(
    r"^(?P<lead>[\s>]*)<!--\s*planreview\s*:\s*(?P<kind>ignore-file|ignore)\s+(?P<codes>[\w.,\s-]+?)\s*-->\s*$",
    re.I,
)
_INLINE_COMMENT = re.compile(r"<!--\s*planreview\s*:\s*ignore\s+(?P<codes>[\w.,\s-]+?)\s*-->", re.I)
_LIST_MARKER = re.compile(r"^(?P<indent>\s*)(?:[-*+]|\d{1,9}[.)])(?:\s+|$)")
_QUOTE_PREFIX = re.compile(r"^(?:\s{0,3}>\s?)+")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def comment(kind: str, codes: list[str]) -> str:
    return f"<!-- planreview: {kind} {', '.join(codes)} -->"


def _merge_codes(existing: str, code: str) -> list[str] | None:
    codes = [c for c in re.split(r"[,\s]+", existing.strip()) if c]
    if code in codes:
        return None
    return [*codes, code]


def _content_column(marker: re.Match[str]) -> int:
    """CommonMark: content starts after 1-4 spaces past the marker (1 when there are more)."""
    body = marker.group(0)
    spaces = len(body) - len(body.rstrip())
    end_of_marker = len(body) - spaces
    return end_of_marker + (spaces if 1 <= spaces <= 4 else 1)


def _in_list_item(plan: Plan, line1: int) -> bool:
    return any(
        b.kind == BlockKind.LIST_ITEM and b.start_line <= line1 <= b.end_line for b in plan.blocks
    )


def suppress_line_change(plan: Plan, finding: Finding) -> TextChange | None:
    """``<!-- planreview: ignore CODE -->`` for the finding's block (inside the row for a table row)."""
    if finding.scope != "block":
        return None
    block = block_for(plan, finding)
    if block is None:
        return None
    text, lines = plan.text, plan.lines
    starts = line_starts(text)
    code = finding.code
    line = lines[block.start_line - 1]
    line_start = starts[block.start_line - 1]
    if block.kind == BlockKind.TABLE_ROW:
        # A line between rows would end the table, so the comment goes inside the row's last cell.
        m = _INLINE_COMMENT.search(line)
        if m:
            merged = _merge_codes(m.group("codes"), code)
            if merged is None:
                return None
            return TextChange(
                line_start + m.start(), line_start + m.end(), comment("ignore", merged)
            )
        stripped = line.rstrip()
        if stripped.endswith("|") and not stripped.endswith("\\|"):
            at = len(stripped) - 1
            pad = "" if stripped[at - 1 : at].isspace() else " "
            return TextChange(
                line_start + at, line_start + at, f"{pad}{comment('ignore', [code])} "
            )
        return TextChange(
            line_start + len(stripped), line_start + len(stripped), " " + comment("ignore", [code])
        )
    above = block.start_line - 1
    if above >= 1:
        m = _LINE_COMMENT.match(lines[above - 1])
        if m and m.group("kind").lower() == "ignore":
            merged = _merge_codes(m.group("codes"), code)
            if merged is None:
                return None
            start = starts[above - 1]
            return TextChange(
                start, start + len(lines[above - 1]), m.group("lead") + comment("ignore", merged)
            )
    quote = _QUOTE_PREFIX.match(line)
    if quote:
        lead = quote.group(0)
    elif block.kind == BlockKind.LIST_ITEM:
        marker = _LIST_MARKER.match(line)
        lead = line[: len(line) - len(line.lstrip())]
        if marker and above >= 1 and lines[above - 1].strip() and _in_list_item(plan, above):
            # Inside a list: indent to the item's content column so the comment joins the
            # item above and the list stays one list.
            lead = " " * _content_column(marker)
    else:
        lead = line[: len(line) - len(line.lstrip())][:3]
    return TextChange(line_start, line_start, f"{lead}{comment('ignore', [code])}\n")


def suppress_file_change(text: str, code: str) -> TextChange | None:
    """``<!-- planreview: ignore-file CODE -->`` at the top (after any front matter)."""
    lines = text.split("\n")
    starts = line_starts(text)
    for i, line in enumerate(lines[:30]):
        m = _LINE_COMMENT.match(line)
        if m and m.group("kind").lower() == "ignore-file":
            merged = _merge_codes(m.group("codes"), code)
            if merged is None:
                return None
            return TextChange(
                starts[i], starts[i] + len(line), m.group("lead") + comment("ignore-file", merged)
            )
    fm = _FRONT_MATTER.match(text)
    at = fm.end() if fm else 0
    return TextChange(at, at, comment("ignore-file", [code]) + "\n")
