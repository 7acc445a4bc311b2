"""Building findings: spans from blocks, verbatim quotes, messages in the plan's language."""

from __future__ import annotations

import re

from service.models import Block, BlockKind, Finding, Severity, Span
from service.rules import catalogue
from service.rules.extract.facts import PlanFacts
from service.rules.messages import text_for

_MARKER = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d{1,3}[.)]\s+|>\s*)?)")


def block_span(lines: list[str], block: Block) -> tuple[Span, str]:
    """Span and verbatim quote covering a block's statement (Markdown markers excluded)."""
    first = lines[block.start_line - 1] if block.start_line <= len(lines) else ""
    last_line = min(block.end_line, len(lines))
    last = lines[last_line - 1] if last_line >= 1 else ""
    if block.kind == BlockKind.TABLE_ROW:
        start_col = len(first) - len(first.lstrip()) + 1
    else:
        m = _MARKER.match(first)
        start_col = len(m.group(1)) + 1 if m else 1
    end_col = len(last.rstrip()) + 1
    if block.start_line == last_line:
        end_col = max(end_col, start_col)
        quote = first[start_col - 1 : end_col - 1]
    else:
        # Verbatim: inner lines keep their trailing spaces (a Markdown hard break is "  ").
        parts = [first[start_col - 1 :]]
        parts += lines[block.start_line : last_line - 1]
        parts.append(last.rstrip())
        quote = "\n".join(parts)
    return Span(
        start_line=block.start_line,
        end_line=max(block.start_line, last_line),
        start_col=start_col,
        end_col=max(end_col, 1),
    ), quote


DROP_BELOW = 0.5
FULL_FROM = 0.8
_LOWER: dict[str, Severity] = {"error": "warning", "warning": "info", "info": "info"}


class Emitter:
    """Collects the findings of one review in the plan's language."""

    def __init__(self, facts: PlanFacts, lang: str) -> None:
        self.facts = facts
        self.lang = lang
        self.lines = facts.plan.lines
        self.findings: list[Finding] = []

    def block(
        self,
        code: str,
        block: Block,
        *,
        key: str | None = None,
        rewrite: str | None = None,
        confidence: float = 0.9,
        reading: float = 1.0,
        **values: object,
    ) -> None:
        """One block finding. ``reading`` is how sure the reading layer is that the block is
        what the rule judges: below ``DROP_BELOW`` nothing is said, below ``FULL_FROM`` the
        finding is reported one severity lower (precision first)."""
        if reading < DROP_BELOW:
            return
        spec = catalogue.get(code)
        severity = spec.severity if reading >= FULL_FROM else _LOWER[spec.severity]
        message, suggestion = text_for(key or code, self.lang, **values)
        span, quote = block_span(self.lines, block)
        self.findings.append(
            Finding(
                code=code,
                family=spec.family,
                severity=severity,
                scope=spec.scope,
                span=span,
                quote=quote,
                message=message,
                suggestion=suggestion,
                rewrite=rewrite,
                origin="rule",
                confidence=round(confidence * min(1.0, reading), 3),
                block_id=block.id,
            )
        )

    def document(
        self,
        code: str,
        anchor: Block | None,
        *,
        key: str | None = None,
        rewrite: str | None = None,
        confidence: float = 0.85,
        reading: float = 1.0,
        **values: object,
    ) -> None:
        """One document finding; ``reading`` as for :meth:`block` (how sure the reading is that
        the plan lacks what the rule looks for)."""
        if reading < DROP_BELOW:
            return
        spec = catalogue.get(code)
        severity = spec.severity if reading >= FULL_FROM else _LOWER[spec.severity]
        message, suggestion = text_for(key or code, self.lang, **values)
        span = quote = None
        anchor = anchor or self._title()
        if anchor is not None:
            span, quote = block_span(self.lines, anchor)
        self.findings.append(
            Finding(
                code=code,
                family=spec.family,
                severity=severity,
                scope="document",
                span=span,
                quote=quote or "",
                message=message,
                suggestion=suggestion,
                rewrite=rewrite,
                origin="rule",
                confidence=round(confidence * min(1.0, reading), 3),
                block_id=anchor.id if anchor else None,
            )
        )

    def _title(self) -> Block | None:
        for b in self.facts.plan.blocks:
            if b.kind == BlockKind.HEADING:
                return b
        return self.facts.plan.blocks[0] if self.facts.plan.blocks else None

    def section_anchor(self, *kinds: str) -> Block | None:
        """The first heading of one of these plan parts, to anchor a document finding."""
        for kind in kinds:
            for b in self.facts.plan.blocks:
                if b.kind == BlockKind.HEADING and self.facts.section.get(b.id) == kind:
                    return b
        return None
