"""Sizing the critique: parts of the plan, hints and guidance within the token budget.

The budget for one plan is its own tokens plus ``OVERHEAD_BUDGET`` prompt
tokens, over every call (critique parts, repair, draft). The critique is
planned to leave ``REPAIR_RESERVE`` (and, when a draft is wanted,
``DRAFT_RESERVE``) unused. A plan longer than one call can hold (the model's
context minus the output and the fixed prompt) is split at section
boundaries into parts reviewed in parallel; each part gets the rule findings
on its blocks as hints and a few guidance chunks, trimmed to what the budget
leaves.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from service.llm.guidance import GuidanceSource, trim_to_tokens
from service.llm.prompts import PromptSet
from service.llm.tokens import count_messages, count_tokens
from service.models import Block, BlockKind, Finding, Plan
from service.rules import catalogue

OVERHEAD_BUDGET = 3000
"""Prompt tokens per plan beyond the plan's own tokens (all calls together)."""
SAFETY = 250
"""Kept unused against tokenizer differences between our count and the server's."""
REPAIR_RESERVE = 300
"""Prompt tokens kept for a repair (rare now that a cut-off answer is salvaged)."""
DRAFT_RESERVE = 900
GUIDANCE_K = 3
CHUNK_TOKENS = 160
"""Most tokens of one guidance chunk's text."""
HINT_MESSAGE_CHARS = 140
"""Longest rule message shown with a hint."""
MIN_EXTRAS = 400
"""Tokens per part for hints and guidance below which a leaner plan layout is tried."""
_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

LANGUAGE_NAMES = {
    "en": "English",
    "hans": "Simplified Chinese (简体中文)",
    "hant": "Traditional Chinese (繁體中文)",
}


def language_name(plan: Plan, lang: str) -> str:
    if lang == "zh":
        return LANGUAGE_NAMES["hant" if plan.script == "hant" else "hans"]
    return LANGUAGE_NAMES["en"]


def boundary_for(plan: Plan) -> str:
    """The plan's delimiter: derived from its hash, so a plan cannot contain it."""
    return f"PLAN-{plan.sha256[:10]}"


def block_line(block: Block) -> str:
    text = _CTRL.sub(" ", block.text)
    text = " ".join(text.split("\n"))
    if block.kind == BlockKind.HEADING:
        text = "#" * max(block.level, 1) + " " + text
    return text.strip()


LAYOUTS = {
    "numbered": (
        'The plan, one block per line: its block id, "@" and the line it starts on, '
        "a colon, then the block's text. block_id is that id without the line number."
    ),
    "ids": "The plan, one block per line: its block id, a colon, then the block's text.",
    "raw": 'The plan\'s own Markdown text (a long plan); leave block_id "" when unsure.',
}
"""How the plan is shown, richest first; the planner picks the richest the budget allows."""


def render_block(plan: Plan, block: Block, layout: str) -> dict[str, str]:
    """One block as the critique prompt shows it: {"id", "label", "text"}."""
    if layout == "raw":
        lines = plan.lines[block.start_line - 1 : block.end_line]
        return {"id": block.id, "label": "", "text": _CTRL.sub(" ", "\n".join(lines)).strip()}
    label = f"{block.id}@{block.start_line}: " if layout == "numbered" else f"{block.id}: "
    return {"id": block.id, "label": label, "text": block_line(block)}


def codes_text() -> str:
    families: dict[str, list[str]] = {}
    for r in catalogue.RULES:
        if r.llm_only:
            continue
        families.setdefault(r.family, []).append(r.code.split(".", 1)[1])
    lines = [f"{fam}.{{{','.join(names)}}}" for fam, names in families.items()]
    lines.append(
        "llm.risk (a specific risk the plan does not list), llm.gap (a gap in "
        "reasoning: a goal no initiative serves, a missing step), llm.inconsistency "
        "(two statements that contradict each other)"
    )
    return "\n".join(lines)


@dataclass
class Part:
    """One critique call's share of the plan."""

    index: int
    blocks: list[Block]
    lines: list[dict[str, str]]
    """The blocks as shown: {"id", "label", "text"}."""
    hints: list[dict[str, str]] = field(default_factory=list)
    guidance: list[dict[str, str]] = field(default_factory=list)
    given: dict[str, Any] = field(default_factory=dict)
    """chunk_id -> GivenChunk, the ids this call may cite."""
    user: str = ""
    """The rendered critique prompt."""
    prompt_tokens: int = 0


@dataclass
class CritiquePlan:
    parts: list[Part]
    plan_tokens: int
    budget: int
    """Total prompt tokens allowed for the plan (plan tokens + OVERHEAD_BUDGET - SAFETY)."""
    planned: int
    """Prompt tokens the critique calls will use (our count)."""
    system: str = ""
    layout: str = "numbered"
    notes: list[str] = field(default_factory=list)
    """Warnings about how the critique was cut down to fit (say why, never silently)."""


class BudgetError(Exception):
    """The plan cannot be critiqued within the token budget."""


def schema_tokens(schema: dict[str, Any], method: str) -> int:
    """Tokens a JSON-schema response format adds to each request."""
    if method != "json_schema":
        return 0
    return count_tokens(json.dumps(schema, ensure_ascii=False, separators=(",", ":")))


def _sections(blocks: list[Block]) -> list[list[Block]]:
    top = min((b.level for b in blocks if b.kind == BlockKind.HEADING), default=1)
    split_level = max(top + 1, 2)
    groups: list[list[Block]] = []
    for b in blocks:
        if not groups or (b.kind == BlockKind.HEADING and b.level <= split_level):
            groups.append([])
        groups[-1].append(b)
    return groups


def _pack(plan: Plan, lines: dict[str, tuple[str, int]], capacity: int) -> list[list[Block]]:
    parts: list[list[Block]] = []
    current: list[Block] = []
    size = 0
    for section in _sections(plan.blocks):
        s_size = sum(lines[b.id][1] for b in section)
        if current and size + s_size > capacity:
            parts.append(current)
            current, size = [], 0
        if s_size > capacity:  # one huge section: split it by blocks
            for b in section:
                t = lines[b.id][1]
                if current and size + t > capacity:
                    parts.append(current)
                    current, size = [], 0
                current.append(b)
                size += t
            continue
        current.extend(section)
        size += s_size
    if current:
        parts.append(current)
    return parts


def plan_critique(
    plan: Plan,
    findings: list[Finding],
    *,
    prompts: PromptSet,
    lang: str,
    context_tokens: int,
    max_output_tokens: int,
    schema: dict[str, Any],
    method: str,
    shape: str,
    draft: bool,
    guidance: GuidanceSource | None,
) -> CritiquePlan:
    """Split the plan into parts and fill each with hints and guidance, within the budget."""
    from service.llm.validate import GivenChunk

    plan_tokens = count_tokens(plan.text)
    budget = plan_tokens + OVERHEAD_BUDGET - SAFETY
    system = render_system(prompts, plan, lang)
    json_shape = shape if method != "json_schema" else ""
    reserve = REPAIR_RESERVE + (DRAFT_RESERVE if draft else 0)
    layout = "numbered"

    def render(part: Part, n_parts: int) -> str:
        return prompts.render(
            "critique",
            boundary=boundary_for(plan),
            layout=LAYOUTS[layout],
            blocks=part.lines,
            part=part.index,
            parts=n_parts,
            hints=part.hints,
            guidance=part.guidance,
            codes=codes_text(),
            json_shape=json_shape,
        )

    # The richest layout whose framing leaves room for hints and guidance; else the leanest.
    best: tuple[int, str, list[list[Block]], dict[str, dict[str, str]]] | None = None
    fixed = 0
    for layout in LAYOUTS:
        shown = {b.id: render_block(plan, b, layout) for b in plan.blocks}
        lines = {
            b.id: (
                shown[b.id]["text"],
                count_tokens(f"{shown[b.id]['label']}{shown[b.id]['text']}\n"),
            )
            for b in plan.blocks
        }
        fixed = count_messages(
            system, render(Part(index=1, blocks=[], lines=[]), 2)
        ) + schema_tokens(schema, method)
        capacity = context_tokens - max_output_tokens - fixed - GUIDANCE_K * CHUNK_TOKENS - 200
        if capacity < 200:
            raise BudgetError(
                f"the model context ({context_tokens} tokens) leaves no room for "
                "the plan; raise PLANREVIEW_LLM_CONTEXT_TOKENS"
            )
        groups = _pack(plan, lines, capacity)
        extras = budget - reserve - len(groups) * fixed - sum(t for _, t in lines.values())
        if best is None or extras > best[0]:
            best = (extras, layout, groups, shown)
        if extras >= MIN_EXTRAS * len(groups):
            best = (extras, layout, groups, shown)
            break
    assert best is not None
    extras, layout, groups, shown = best
    n = len(groups)
    if extras < 0 and draft and extras + DRAFT_RESERVE >= 0:
        extras = 0  # the critique comes first; the draft gets what is left (maybe nothing)
    notes: list[str] = []
    if extras < 0 and n > 1:
        # Degrade instead of failing: no hints and no guidance, and the parts that fit the
        # budget (those with the most rule findings first); the rest is named in a warning.
        groups, skipped = _fit(plan, groups, findings, shown, layout, fixed, budget)
        if not groups:
            raise BudgetError(
                f"the plan needs {n} critique calls and not one fits the prompt budget of "
                f"its own tokens + {OVERHEAD_BUDGET}; raise PLANREVIEW_LLM_CONTEXT_TOKENS "
                "for a model with a larger context"
            )
        from service.llm.notes import note

        heads = ", ".join(skipped[:4]) + (" …" if len(skipped) > 4 else "")
        notes.append(
            note(
                "degraded",
                lang,
                plan.script,
                n=n,
                k=len(groups),
                overhead=OVERHEAD_BUDGET,
                context=context_tokens,
                heads=heads,
            )
        )
        n = len(groups)
        extras = 0
    per_part = max(extras, 0) // n
    by_block: dict[str, list[Finding]] = {}
    for f in findings:
        if f.block_id:
            by_block.setdefault(f.block_id, []).append(f)
    parts: list[Part] = []
    for i, group in enumerate(groups, start=1):
        part = Part(index=i, blocks=group, lines=[shown[b.id] for b in group])
        ids = {b.id for b in group}
        hints = [f for bid in ids for f in by_block.get(bid, [])]
        if i == 1:  # document-level findings go with the first part
            hints += [f for f in findings if f.scope == "document" and f.block_id not in ids]
        hints.sort(key=lambda f: (-_rank(f.severity), f.span.start_line if f.span else 0))
        room = max(per_part // 3, 0)
        used = 0
        for f in hints:
            hint = _hint(f)
            cost = count_tokens(json.dumps(hint, ensure_ascii=False)) + 1
            if used + cost > room:
                break
            part.hints.append(hint)
            used += cost
        left = per_part - used
        if guidance is not None and left >= 60:
            per_chunk = min(CHUNK_TOKENS, left // GUIDANCE_K - 12)
            if per_chunk >= 40:
                for hit in gather_evidence(plan, group, hints, guidance, GUIDANCE_K):
                    text = trim_to_tokens(hit.text, per_chunk)
                    if not text:
                        continue
                    part.guidance.append({"id": hit.chunk_id, "title": hit.title, "text": text})
                    part.given[hit.chunk_id] = GivenChunk(hit.chunk_id, hit.title, hit.source)
        parts.append(part)
    planned = 0
    for part in parts:
        part.user = render(part, n)
        part.prompt_tokens = count_messages(system, part.user) + schema_tokens(schema, method)
        planned += part.prompt_tokens
    return CritiquePlan(
        parts=parts,
        plan_tokens=plan_tokens,
        budget=budget,
        planned=planned,
        system=system,
        layout=layout,
        notes=notes,
    )


def _fit(
    plan: Plan,
    groups: list[list[Block]],
    findings: list[Finding],
    shown: dict[str, dict[str, str]],
    layout: str,
    fixed: int,
    budget: int,
) -> tuple[list[list[Block]], list[str]]:
    """The groups that fit ``budget`` (most rule findings first, plan order kept) and the
    first heading (or words) of each group left out."""
    per_block: dict[str, int] = {}
    for f in findings:
        if f.block_id:
            per_block[f.block_id] = per_block.get(f.block_id, 0) + 1
    cost = [
        fixed + sum(count_tokens(f"{shown[b.id]['label']}{shown[b.id]['text']}\n") for b in g)
        for g in groups
    ]
    order = sorted(
        range(len(groups)), key=lambda i: (-sum(per_block.get(b.id, 0) for b in groups[i]), i)
    )
    chosen: set[int] = set()
    used = 0
    room = budget - REPAIR_RESERVE
    for i in order:
        if used + cost[i] <= room:
            chosen.add(i)
            used += cost[i]
    kept = [g for i, g in enumerate(groups) if i in chosen]
    skipped = []
    for i, g in enumerate(groups):
        if i in chosen:
            continue
        head = next((b.text for b in g if b.kind == BlockKind.HEADING), g[0].text if g else "")
        head = " ".join(head.split())
        skipped.append(f"'{head[:40]}'" + (f" (line {g[0].start_line})" if g else ""))
    return kept, skipped


def _hint(f: Finding) -> dict[str, str]:
    """A rule finding as the critique prompt lists it (data: it is rendered as JSON)."""
    message = " ".join(f.message.split())
    if len(message) > HINT_MESSAGE_CHARS:
        message = message[: HINT_MESSAGE_CHARS - 1].rstrip() + "…"
    return {"code": f.code, "block_id": f.block_id or "plan", "message": message}


def _rank(severity: str) -> int:
    return {"error": 3, "warning": 2, "info": 1}.get(severity, 0)


EVIDENCE_QUERIES = 4
"""Queries per part: the part itself, then the codes of its worst rule findings."""
_WORD = re.compile(r"[^\W\d_]{3,}", re.U)
_HAN = re.compile(r"[\u3400-\u9fff]")


def _terms(text: str) -> set[str]:
    """Lower-cased words of 3+ letters, and Chinese character pairs."""
    out = {w.lower() for w in _WORD.findall(text) if not _HAN.search(w)}
    han = "".join(_HAN.findall(text))
    out.update(han[i : i + 2] for i in range(len(han) - 1))
    return out


def gather_evidence(
    plan: Plan, group: list[Block], hints: list[Finding], guidance: GuidanceSource, k: int
) -> list[Any]:
    """Evidence before citations: candidates for the part's weak spots, scored, the best k.

    Candidates come from one query for the part (its headings, body and finding codes) and
    one per code of its worst rule findings (the catalogue's summary of that code); each
    candidate is scored by the retriever's rank and by how many of its words the part and
    those summaries share. The model is told to cite only these, by id.
    """
    lang = "zh" if plan.language == "zh" else "en"
    codes: list[str] = []
    for f in hints:
        if f.code not in codes and f.code in catalogue.BY_CODE:
            codes.append(f.code)
    queries = [_query(plan, group, hints)]
    queries += [catalogue.get(c).summary(lang) for c in codes[: EVIDENCE_QUERIES - 1]]
    need = _terms(" ".join([*(b.text for b in group), *queries[1:]]))
    scored: dict[str, tuple[float, Any]] = {}
    for q_index, query in enumerate(queries):
        for rank, hit in enumerate(guidance.search(query, k + 2, lang, plan.script)):
            have = _terms(f"{hit.title} {hit.text}")
            overlap = len(have & need) / max(len(have), 1) ** 0.5
            score = overlap + 0.3 / (1 + rank) + (0.1 if q_index == 0 else 0.0)
            best = scored.get(hit.chunk_id)
            if best is None or score > best[0]:
                scored[hit.chunk_id] = (score, hit)
    ranked = sorted(scored.values(), key=lambda item: -item[0])
    return [hit for _, hit in ranked[:k]]


def _query(plan: Plan, group: list[Block], hints: list[Finding]) -> str:
    heads = [b.text for b in group if b.kind == BlockKind.HEADING][:4]
    body = " ".join(b.text for b in group if b.kind != BlockKind.HEADING)[:400]
    codes = sorted({f.code for f in hints})[:6]
    lang = "zh" if plan.language == "zh" else "en"
    summaries = [catalogue.get(c).summary(lang) for c in codes if c in catalogue.BY_CODE]
    return " ".join([*heads, *summaries, body])[:900]


def render_system(prompts: PromptSet, plan: Plan, lang: str) -> str:
    return prompts.render(
        "system", language_name=language_name(plan, lang), boundary=boundary_for(plan)
    )
