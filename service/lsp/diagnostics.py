"""Findings -> LSP diagnostics (ranges in the client's position encoding)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from service.lsp.guidance import GuidanceLookup
from service.lsp.positions import LineIndex
from service.models import Finding

SOURCE = "planreview"
TOO_LARGE_CODE = "document-too-large"
UNKNOWN_SUPPRESSION_CODE = "unknown-suppression-code"

SEVERITY: dict[str, types.DiagnosticSeverity] = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}


def finding_range(finding: Finding, index: LineIndex) -> types.Range:
    """Where a finding shows: its span; a document finding without one sits on the first text line."""
    if finding.span is not None:
        return index.span_range(finding.span)
    first = next((i for i, line in enumerate(index.lines) if line.strip()), 0)
    return index.line_range(first)


def finding_data(finding: Finding) -> dict[str, Any]:
    """What code actions and other clients need back from a diagnostic."""
    return {
        "id": finding.id,
        "code": finding.code,
        "scope": finding.scope,
        "origin": finding.origin,
        "rewrite": finding.rewrite,
        "suggestion": finding.suggestion,
        "citations": [c.chunk_id for c in finding.citations],
    }


def to_diagnostic(
    finding: Finding,
    index: LineIndex,
    guidance: GuidanceLookup,
    *,
    related: bool = True,
    lang: str = "en",
) -> types.Diagnostic:
    chunk_ids = [c.chunk_id for c in finding.citations]
    info: list[types.DiagnosticRelatedInformation] | None = None
    if related:
        info = []
        for c in finding.citations[:2]:
            hit = guidance.get(c.chunk_id)
            if hit is None or hit[2] is None:
                continue
            line0 = max(hit[3] - 1, 0)
            info.append(
                types.DiagnosticRelatedInformation(
                    location=types.Location(
                        uri=hit[2],
                        range=types.Range(
                            start=types.Position(line=line0, character=0),
                            end=types.Position(line=line0, character=0),
                        ),
                    ),
                    message=f"依据：{hit[0]}" if lang == "zh" else f"Guidance: {hit[0]}",
                )
            )
        info = info or None
    message = finding.message
    if finding.origin == "llm":
        message = f"{message}（LLM 评审）" if lang == "zh" else f"{message} (LLM critique)"
    return types.Diagnostic(
        range=finding_range(finding, index),
        severity=SEVERITY.get(finding.severity, types.DiagnosticSeverity.Information),
        code=finding.code,
        code_description=types.CodeDescription(href=guidance.href(finding.code, chunk_ids)),
        source=SOURCE,
        message=message,
        related_information=info,
        data=finding_data(finding),
    )


def to_diagnostics(
    findings: list[Finding],
    index: LineIndex,
    guidance: GuidanceLookup,
    *,
    related: bool = True,
    lang: str = "en",
) -> list[types.Diagnostic]:
    return [to_diagnostic(f, index, guidance, related=related, lang=lang) for f in findings]


def too_large(size: int, limit: int) -> types.Diagnostic:
    """The one diagnostic a document over the size cap gets."""
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
        ),
        severity=types.DiagnosticSeverity.Warning,
        code=TOO_LARGE_CODE,
        source=SOURCE,
        message=(
            f"Document too large to review: {size / 1e6:.1f} MB, over the "
            f"{limit / 1e6:.1f} MB limit. Split the plan, or raise planreview.maxDocumentBytes."
        ),
    )


def unknown_suppression_diagnostics(
    plan: Any, index: LineIndex, lang: str
) -> list[types.Diagnostic]:
    """A warning on each suppression comment naming a code that does not exist (a typo
    suppresses nothing; the finding it meant stays). ``plan`` is the buffer's Plan."""
    from service.suppressions import unknown_codes

    return [
        types.Diagnostic(
            range=index.line_range(p.line - 1),
            message=p.message(lang),
            severity=types.DiagnosticSeverity.Warning,
            source=SOURCE,
            code=UNKNOWN_SUPPRESSION_CODE,
        )
        for p in unknown_codes(plan)
    ]
