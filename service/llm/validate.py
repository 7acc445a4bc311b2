"""Validation before anything reaches the user, and the merge with the rule findings.

Every LLM finding must pass, in order:

1. its code is in the catalogue, or maps onto one (``map_code``); else it is
   dropped as ``unknown_code``;
2. its quote is found in the plan (``quotes.QuoteFinder``); the quote kept is
   the plan's own text and the span is computed from the match; else
   ``quote_not_found``. A risk with no quote is anchored on the plan's risk
   section (or its title) as a document-level finding;
3. every chunk id it cites was given to the model in that call; a chunk id
   that was not is stripped from the finding (counted as
   ``citation_stripped``), the finding stays.

What failed (an unknown code, a quote not found or too short) is also
returned as ``errors``, one short line per item, for the one re-ask in the
same conversation (``critique.feedback``).

Then ``merge`` folds LLM findings that repeat a rule finding (same code,
overlapping lines; or any document-level rule finding of that code) into the
rule finding and counts them as ``duplicate``. Rule findings are never removed
or changed beyond gaining a suggestion or rewrite they lacked, and scores are
computed from the findings by code: nothing the model says (or a plan tells
it to say) can remove a rule finding or change a score directly.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from service.models import Citation, Finding, Plan, Span
from service.rules import catalogue
from service.rules.base import block_span
from service.rules.engine import fingerprint

from .quotes import QuoteFinder
from .schemas import CritiqueOutput

DROP_REASONS = ("quote_not_found", "unknown_citation", "unknown_code", "duplicate")
"""Reasons an LLM finding is dropped (``engine.dropped``; ``unknown_citation`` stays 0 now
that an unknown chunk id is stripped, and ``citation_stripped`` counts those ids)."""

_ALIASES = {
    "risk": "llm.risk",
    "risks": "llm.risk",
    "unlisted-risk": "llm.risk",
    "missing-risk": "llm.risk",
    "new-risk": "llm.risk",
    "gap": "llm.gap",
    "logic": "llm.gap",
    "reasoning": "llm.gap",
    "missing-step": "llm.gap",
    "inconsistency": "llm.inconsistency",
    "contradiction": "llm.inconsistency",
    "conflict": "llm.inconsistency",
    "inconsistent": "llm.inconsistency",
}
_RISK_SECTION = re.compile(r"risk|风险|風險", re.I)


def map_code(raw: str) -> str | None:
    """A catalogue code for what the model wrote ('smart.measureable' -> 'smart.measurable')."""
    code = raw.strip().strip("`'\"[]").lower()
    code = re.sub(r"[\s_]+", "-", code)
    code = code.replace("/", ".").replace(":", ".")
    if code in catalogue.BY_CODE:
        return code
    if code in _ALIASES:
        return _ALIASES[code]
    if code.startswith("llm.") or code.startswith("llm-"):
        tail = code[4:]
        if tail in _ALIASES:
            return _ALIASES[tail]
    close = difflib.get_close_matches(code, list(catalogue.BY_CODE), n=1, cutoff=0.88)
    if close and abs(len(close[0]) - len(code)) <= 3:  # a misspelling, not another idea
        return close[0]
    return None


@dataclass
class GivenChunk:
    """A chunk shown to the model in one call: what a citation of it becomes."""

    chunk_id: str
    title: str
    source: str

    def citation(self) -> Citation:
        return Citation(chunk_id=self.chunk_id, title=self.title, source=self.source)


@dataclass
class Validated:
    findings: list[Finding] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, str]] = field(default_factory=list)
    """What failed, per item: {"item": "findings[2]", "code"/"quote": …, "problem": …}."""


def _error(kind: str, index: int, quote: str, problem: str) -> dict[str, str]:
    return {"item": f"{kind}[{index}]", "quote": quote[:120], "problem": problem}


def _known(citations: list[str], given: dict[str, GivenChunk], result: Validated) -> list[str]:
    kept = [c for c in citations if c in given]
    result.dropped["citation_stripped"] += len(citations) - len(kept)
    return kept


def _risk_anchor(plan: Plan) -> tuple[Span, str, str] | None:
    lines = plan.lines
    headings = [b for b in plan.blocks if b.kind == "heading"]
    for b in headings:
        if _RISK_SECTION.search(b.text):
            span, quote = block_span(lines, b)
            return span, quote, b.id
    target = headings[0] if headings else (plan.blocks[0] if plan.blocks else None)
    if target is None:
        return None
    span, quote = block_span(lines, target)
    return span, quote, target.id


def _block_at(plan: Plan, line: int) -> str | None:
    for b in plan.blocks:
        if b.start_line <= line <= b.end_line:
            return b.id
    return None


def validate_critique(
    out: CritiqueOutput, plan: Plan, given: dict[str, GivenChunk], finder: QuoteFinder, lang: str
) -> Validated:
    """LLM findings (and unlisted risks) of one call that survive validation."""
    result = Validated()
    for index, item in enumerate(out.findings):
        code = map_code(item.code)
        if code is None:
            result.dropped["unknown_code"] += 1
            result.errors.append(
                _error("findings", index, item.quote, f"code {item.code[:48]!r} is not in the list")
            )
            continue
        match = finder.find(item.quote, item.block_id)
        if match is None:
            result.dropped["quote_not_found"] += 1
            result.errors.append(
                _error("findings", index, item.quote, finder.why_not(item.quote, item.block_id))
            )
            continue
        cited = _known(item.citations, given, result)
        spec = catalogue.get(code)
        result.findings.append(
            Finding(
                id=fingerprint(code, match.quote, plan.sha256),
                code=code,
                family=spec.family,
                severity=spec.severity,
                scope=spec.scope,
                span=match.span,
                quote=match.quote,
                message=item.message.strip() or spec.summary(lang),
                suggestion=item.suggestion.strip(),
                rewrite=item.rewrite.strip() or None,
                citations=_unique([given[c].citation() for c in cited]),
                origin="llm",
                confidence=item.confidence,
                block_id=_block_at(plan, match.span.start_line),
            )
        )
    for index, risk in enumerate(out.risks):
        cited = _known(risk.citations, given, result)
        message = risk.risk.strip().rstrip(".。") + (
            ("：" if lang == "zh" else ": ") + risk.reason.strip() if risk.reason.strip() else ""
        )
        spec = catalogue.get("llm.risk")
        if risk.quote.strip():
            match = finder.find(risk.quote, risk.block_id)
            if match is None:
                result.dropped["quote_not_found"] += 1
                result.errors.append(
                    _error("risks", index, risk.quote, finder.why_not(risk.quote, risk.block_id))
                )
                continue
            span, quote, scope = match.span, match.quote, "block"
            block_id = _block_at(plan, span.start_line)
        else:
            anchor = _risk_anchor(plan)
            if anchor is None:
                result.dropped["quote_not_found"] += 1
                continue
            span, quote, block_id = anchor
            scope = "document"
        result.findings.append(
            Finding(
                id=fingerprint(
                    "llm.risk", quote + ("" if scope == "block" else risk.risk), plan.sha256
                ),
                code="llm.risk",
                family=spec.family,
                severity=spec.severity,
                scope=scope,  # type: ignore[arg-type]
                span=span,
                quote=quote,
                message=message,
                suggestion=risk.mitigation.strip(),
                citations=_unique([given[c].citation() for c in cited]),
                origin="llm",
                confidence=risk.confidence,
                block_id=block_id,
            )
        )
    return result


def _unique(cits: list[Citation]) -> list[Citation]:
    seen: set[str] = set()
    out = []
    for c in cits:
        if c.chunk_id not in seen:
            seen.add(c.chunk_id)
            out.append(c)
    return out


def _overlap(a: Span | None, b: Span | None) -> bool:
    if a is None or b is None:
        return False
    return a.start_line <= b.end_line and b.start_line <= a.end_line


def merge(rule_findings: list[Finding], llm_findings: list[Finding]) -> tuple[list[Finding], int]:
    """Rule findings (enriched) + new LLM findings, and how many LLM findings were duplicates."""
    merged = [f.model_copy(deep=True) for f in rule_findings]
    rules = [f for f in merged if f.origin == "rule"]
    seen_ids = {f.id for f in merged}
    duplicates = 0
    added: list[Finding] = []
    for f in llm_findings:
        twin = next(
            (
                r
                for r in rules
                if r.code == f.code and (r.scope == "document" or _overlap(r.span, f.span))
            ),
            None,
        )
        if twin is not None:
            if not twin.suggestion and f.suggestion:
                twin.suggestion = f.suggestion
            if not twin.rewrite and f.rewrite:
                twin.rewrite = f.rewrite
            duplicates += 1
            continue
        if f.id in seen_ids or any(
            a.code == f.code and _overlap(a.span, f.span) and a.scope == f.scope == "block"
            for a in added
        ):
            duplicates += 1
            continue
        seen_ids.add(f.id)
        added.append(f)
    out = merged + added
    out.sort(
        key=lambda f: (
            f.span.start_line if f.span and f.scope == "block" else 0,
            f.scope != "document",
            f.code,
            f.origin,
        )
    )
    return out, duplicates
