"""The improved draft: edits to the plan's own blocks, applied by code, plus a change log.

The model does not rewrite the plan from scratch: it returns edits (replace a
block's text, or insert new Markdown after a block), and code applies them to
the plan's text. Everything the model did not touch stays byte for byte, so
the author's content, structure and language are kept by construction. The
draft prompt shows the whole plan when the token budget allows, else the
headings and the blocks with findings (an outline).
"""

from __future__ import annotations

import re

from service.llm.planner import block_line, boundary_for, language_name
from service.llm.prompts import PromptSet
from service.llm.schemas import DraftOutput
from service.llm.tokens import count_messages
from service.models import Block, BlockKind, Finding, Plan

MAX_FINDINGS = 25
_MARKER = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d{1,3}[.)]\s+|>\s*)?)")
_MODEL_MARKER = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d{1,3}[.)]\s+)")

CHANGE_LOG_TITLE = {"en": "Reviewer's change log", "hans": "修改说明", "hant": "修改說明"}


def _finding_line(f: Finding) -> dict[str, str]:
    return {
        "block_id": f.block_id or "plan",
        "code": f.code,
        "message": " ".join(f.message.split())[:240],
        "suggestion": " ".join(f.suggestion.split())[:200],
    }


def draft_prompt(
    prompts: PromptSet,
    plan: Plan,
    findings: list[Finding],
    lang: str,
    system: str,
    schema_extra: int,
    shape: str,
    method: str,
    budget_left: int,
) -> str | None:
    """The draft request within ``budget_left`` prompt tokens (full plan or outline), or None."""
    json_shape = shape if method != "json_schema" else ""
    ordered = sorted(
        findings,
        key=lambda f: (
            -{"error": 3, "warning": 2, "info": 1}[f.severity],
            f.span.start_line if f.span else 0,
        ),
    )
    chosen = [_finding_line(f) for f in ordered[:MAX_FINDINGS]]

    def render(blocks: list[dict[str, str]], items: list[dict[str, str]], outline: bool) -> str:
        return prompts.render(
            "draft",
            language_name=language_name(plan, lang),
            boundary=boundary_for(plan),
            blocks=blocks,
            outline=outline,
            findings=items,
            json_shape=json_shape,
        )

    full = [{"id": b.id, "text": block_line(b)} for b in plan.blocks]
    for items in (chosen, chosen[:12], chosen[:6], chosen[:3]):
        keep = {c["block_id"] for c in items}
        outline = [
            {"id": b.id, "text": block_line(b)}
            for b in plan.blocks
            if b.kind == BlockKind.HEADING or b.id in keep
        ]
        for blocks, is_outline in ((full, False), (outline, True)):
            user = render(blocks, items, is_outline)
            if count_messages(system, user) + schema_extra <= budget_left:
                return user
    return None


def _prefix(line: str, block: Block) -> str:
    if block.kind == BlockKind.TABLE_ROW:
        return line[: len(line) - len(line.lstrip())]
    m = _MARKER.match(line)
    return m.group(1) if m else ""


def _replacement(lines: list[str], block: Block, markdown: str) -> list[str]:
    text = markdown.strip("\n").rstrip()
    first = lines[block.start_line - 1]
    prefix = _prefix(first, block)
    if block.kind == BlockKind.TABLE_ROW:
        cells = [c.strip() for c in text.strip().strip("|").split("|")]
        return [f"{prefix}| " + " | ".join(cells) + " |"]
    if prefix.strip():
        text = _MODEL_MARKER.sub("", text, count=1)
    body = text.split("\n")
    indent = " " * len(prefix) if block.kind == BlockKind.LIST_ITEM else ""
    return [prefix + body[0].lstrip()] + [
        indent + ln.strip() if ln.strip() else "" for ln in body[1:]
    ]


def apply_edits(plan: Plan, out: DraftOutput) -> tuple[str, int]:
    """The plan text with the edits applied, and how many edits were applied."""
    lines = plan.lines
    replaced: dict[str, list[str]] = {}
    inserted: dict[str, list[str]] = {}
    for edit in out.edits:
        block = plan.block(edit.block_id.strip())
        if block is None or not edit.markdown.strip():
            continue
        if edit.action == "replace":
            if block.is_header or block.id in replaced:
                continue
            replaced[block.id] = _replacement(lines, block, edit.markdown)
        else:
            inserted.setdefault(block.id, []).append(edit.markdown.strip("\n").rstrip())
    applied = len(replaced) + sum(len(v) for v in inserted.values())
    by_end: dict[int, list[str]] = {}
    for bid, chunks in inserted.items():
        block = plan.block(bid)
        assert block is not None
        end = _insertion_line(plan, block)
        by_end.setdefault(end, []).extend(chunks)
    out_lines: list[str] = []
    starts = {plan.block(bid).start_line: bid for bid in replaced}  # type: ignore[union-attr]
    i = 1
    total = len(lines)
    while i <= total:
        if i in starts:
            block = plan.block(starts[i])
            assert block is not None
            out_lines.extend(replaced[block.id])
            for j in range(block.start_line, block.end_line + 1):
                if j in by_end:
                    out_lines.extend(["", *"\n\n".join(by_end.pop(j)).split("\n"), ""])
            i = block.end_line + 1
            continue
        out_lines.append(lines[i - 1])
        if i in by_end:
            out_lines.extend(["", *"\n\n".join(by_end.pop(i)).split("\n"), ""])
        i += 1
    for j in sorted(by_end):
        out_lines.extend(["", *"\n\n".join(by_end[j]).split("\n")])
    text = "\n".join(out_lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
    return text, applied


def _insertion_line(plan: Plan, block: Block) -> int:
    """Insert after the block; after the whole table or list when the block is inside one."""
    end = block.end_line
    if block.kind == BlockKind.TABLE_ROW and block.table_id:
        end = max(b.end_line for b in plan.blocks if b.table_id == block.table_id)
    elif block.kind == BlockKind.LIST_ITEM:
        idx = plan.blocks.index(block)
        for b in plan.blocks[idx + 1 :]:
            if b.kind != BlockKind.LIST_ITEM or b.start_line > end + 1:
                break
            end = b.end_line
    elif block.kind == BlockKind.HEADING:
        idx = plan.blocks.index(block)
        following = plan.blocks[idx + 1 :]
        for b in following:  # insert at the end of the section the heading opens
            if b.kind == BlockKind.HEADING and b.level <= block.level:
                break
            end = b.end_line
    return end


def assemble(plan: Plan, out: DraftOutput, lang: str) -> tuple[str, int]:
    """The draft Markdown (edited plan + change log) and how many edits were applied."""
    text, applied = apply_edits(plan, out)
    changes = [" ".join(c.split()) for c in out.changes if c.strip()][:8]
    if changes:
        key = "en" if lang != "zh" else ("hant" if plan.script == "hant" else "hans")
        text = (
            text.rstrip("\n")
            + f"\n\n---\n\n## {CHANGE_LOG_TITLE[key]}\n\n"
            + "\n".join(f"- {c}" for c in changes)
            + "\n"
        )
    return text, applied
