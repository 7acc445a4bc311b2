"""Fixes a linter can apply: `review --diff`, `review --fix` and the editor's quick fixes.

A fix is a text change on the plan's normalised text (service/lsp/edits.py
builds them; no LSP types there). It is **safe** when it keeps every word the
author wrote:

- inserting a missing section skeleton: a risk register, a RACI table or a
  milestones table pre-filled from the plan's own tasks, or the monitoring,
  adjustment, budget and stakeholder sections the document findings propose;
- filling an empty cell or appending a marked placeholder: ``(Owner: [name or
  role])`` after a task, ``[name or role]`` in an empty owner cell.

Anything that rewrites the author's sentences (a SMART rewrite of a goal, a
key result restated as an outcome) is **unsafe** and applied only with
``--unsafe-fixes``. Blanks the author must fill stay as ``[bracketed]`` slots,
which ``plan.placeholder`` keeps reporting until they are filled, and which an
editor turns into snippet tab stops.

Every fix is checked before it is offered or applied: applied to the text and
reviewed again, the finding it is for must be gone (a rewrite that still fails
its rule is no fix).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from service.config import ReviewConfig
from service.lsp.edits import (
    SECTION_AFTER,
    TEMPLATE_FOR_CODE,
    TEMPLATES,
    TextChange,
    apply_changes,
    insert_body_change,
    insert_section_change,
    rewrite_change,
    section_heading,
)
from service.models import Finding, Plan
from service.rules.extract.facts import PlanFacts


@dataclass(frozen=True)
class Fix:
    finding: Finding
    change: TextChange
    safe: bool
    title: str  # what it does, for --diff headers and editor titles
    key: str  # one fix per key: a template is inserted once, whichever finding asked


_SLOT = re.compile(r"\[[^\[\]\n]{1,40}\]")


def is_additive(old: str, new: str) -> bool:
    """``new`` keeps the author's text as it is and only adds to it: text appended after it
    ("… (Owner: [name or role])"), or, in a table row, empty cells filled."""
    from service.lsp.edits import _cells
    from service.rules.extract.cues import EMPTY_CELL

    o = " ".join(old.split())
    n = " ".join(new.split())
    if o.startswith("|"):
        before, after = _cells(o), _cells(n)
        return len(before) == len(after) and all(
            a == b or EMPTY_CELL.match(a) is not None for a, b in zip(before, after, strict=True)
        )
    return n.startswith(o.rstrip(".。;；"))


def candidate_fixes(plan: Plan, facts: PlanFacts, findings: list[Finding], lang: str) -> list[Fix]:
    """Every fix the findings propose, safe ones first, one per template or section."""
    lang = "zh" if lang == "zh" else "en"
    out: list[Fix] = []
    keys: set[str] = set()

    def add(fix: Fix) -> None:
        if fix.key not in keys:
            keys.add(fix.key)
            out.append(fix)

    for f in findings:
        template_key = TEMPLATE_FOR_CODE.get(f.code)
        if template_key is not None and not (template_key == "raci" and facts.raci_rows):
            template = TEMPLATES[template_key]
            if f.scope == "document" or template_key != "raci":
                change = insert_section_change(plan, facts, template, lang)
                add(Fix(f, change, True, template.title(lang), f"template:{template_key}"))
                continue
        if f.scope == "document" and f.rewrite and (heading := section_heading(f.rewrite)):
            change = insert_body_change(plan, facts, f.rewrite, SECTION_AFTER.get(f.code, ()))
            label = f"插入章节：{heading}" if lang == "zh" else f"Insert section: {heading}"
            add(Fix(f, change, True, label, f"section:{f.code}"))
            continue
        if f.scope == "block":
            rewrite = rewrite_change(plan.text, f)
            if rewrite is not None:
                change = rewrite
                old = plan.text[change.start : change.end]
                safe = is_additive(old, change.new_text)
                label = ("改写：" if lang == "zh" else "Rewrite: ") + " ".join(
                    change.new_text.split()
                )
                add(Fix(f, change, safe, label, f"rewrite:{f.id}:{change.start}"))
    out.sort(key=lambda x: not x.safe)
    return out


def _still_there(finding: Finding, after: list[Finding], change: TextChange, text: str) -> bool:
    """Whether the finding a fix was for is still reported once the fix is applied."""
    same = [f for f in after if f.code == finding.code]
    if finding.scope == "document" or finding.span is None:
        return bool(same)
    # the fixed block starts on the same line (an insertion above it shifts it down)
    shift = change.new_text.count("\n") - text[change.start : change.end].count("\n")
    lines = {finding.span.start_line}
    if text[: change.start].count("\n") + 1 < finding.span.start_line:
        lines.add(finding.span.start_line + shift)
    return any(f.span is not None and f.span.start_line in lines for f in same)


def review_rules(
    text: str, source: str, config: ReviewConfig, lang: str
) -> tuple[Plan, PlanFacts, list[Finding]]:
    """Parse and run the rule tier (no grounding, no LLM): what a fix is judged by."""
    from service.ingest.markdown import parse_markdown
    from service.rules.engine import analyse

    plan = parse_markdown(text, source=source)
    facts, findings = analyse(plan, config, lang=lang)
    return plan, facts, findings


def works(fix: Fix, plan: Plan, config: ReviewConfig, lang: str) -> bool:
    """Applied and reviewed again, the fix's finding is gone."""
    new_text = apply_changes(plan.text, [fix.change])
    _, _, after = review_rules(new_text, plan.source, config, lang)
    return not _still_there(fix.finding, after, fix.change, plan.text)


@dataclass
class FixResult:
    text: str
    applied: list[Fix]
    skipped_unsafe: int  # unsafe fixes left out (no --unsafe-fixes)


def fix_text(
    text: str,
    source: str,
    config: ReviewConfig,
    lang: str | None = None,
    *,
    unsafe: bool = False,
    max_rounds: int = 50,
) -> FixResult:
    """Apply fixes one at a time, each checked to remove its finding, until none is left."""
    applied: list[Fix] = []
    tried: set[str] = set()
    unsafe_left: set[str] = set()
    for _ in range(max_rounds):
        plan, facts, findings = review_rules(text, source, config, lang or "")
        language = lang or plan.language
        chosen = None
        for fix in candidate_fixes(plan, facts, findings, language):
            ident = f"{fix.key}|{fix.change.new_text}"
            if ident in tried:
                continue
            if not fix.safe and not unsafe:
                unsafe_left.add(ident)
                continue
            tried.add(ident)
            if works(fix, plan, config, language):
                chosen = fix
                break
        if chosen is None:
            break
        text = apply_changes(text, [chosen.change])
        applied.append(chosen)
    return FixResult(text, applied, len(unsafe_left))


def write_back(path: Path, plan_text: str, new_text: str) -> str | None:
    """Write the fixed text over the file, in its own encoding, byte-order mark and line
    ends; None when written, else why not (the file is left as it was)."""
    from service.errors import PlanReviewError
    from service.ingest.decode import _BOMS, decode_text

    if path.suffix.lower() not in (".md", ".markdown", ".txt"):
        return "only Markdown and text files can be fixed in place (use --diff)"
    try:
        data = path.read_bytes()
        decoded = decode_text(data, str(path))
    except (OSError, PlanReviewError) as exc:
        return f"cannot read it again: {exc}"
    if decoded.text != plan_text:
        return (
            "its text was normalised on reading (see --format markdown --show-source); use --diff"
        )
    bom = next((b for b, _, _ in _BOMS if data.startswith(b)), b"")
    raw = data[len(bom) :].decode(decoded.encoding, errors="replace")
    out = new_text.replace("\n", "\r\n") if "\r\n" in raw else new_text
    try:
        encoded = bom + out.encode(decoded.encoding)
    except UnicodeEncodeError:
        return f"the fixed text cannot be written in {decoded.encoding}"
    tmp = path.with_name(f".{path.name}.planreview-fix")
    try:
        tmp.write_bytes(encoded)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        return f"cannot write it: {exc.strerror}"
    return None


def unified_diff(old: str, new: str, name: str) -> str:
    import difflib

    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=name if name.startswith("/") else f"a/{name}",
            tofile=name if name.startswith("/") else f"b/{name}",
        )
    )


def snippet(text: str) -> str:
    """LSP snippet syntax: ``[slot]`` blanks become tab stops ``${1:[slot]}``; ``$``, ``}``
    and ``\\`` elsewhere are escaped; the cursor ends after the inserted text."""
    out: list[str] = []
    n = 0
    pos = 0
    for m in _SLOT.finditer(text):
        out.append(_escape_snippet(text[pos : m.start()]))
        n += 1
        out.append("${" + str(n) + ":" + _escape_snippet(m.group(0)) + "}")
        pos = m.end()
    out.append(_escape_snippet(text[pos:]))
    return "".join(out) + ("$0" if n else "")


def _escape_snippet(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def has_slots(text: str) -> bool:
    return _SLOT.search(text) is not None


__all__ = [
    "Fix",
    "FixResult",
    "candidate_fixes",
    "fix_text",
    "has_slots",
    "is_additive",
    "review_rules",
    "snippet",
    "unified_diff",
    "works",
    "write_back",
]
