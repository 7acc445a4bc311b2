"""Match predicted findings to gold findings, as contracts.md states it.

- A block-scope gold entry (a line) matches a prediction with the same code whose span,
  widened by one line on each side, contains the gold line.
- A document-scope gold entry (line null) matches a prediction with the same code, by code alone.
- Each prediction matches at most one gold entry and each gold entry at most one prediction.

The assignment is greedy but deterministic: candidate pairs are taken in order of
(distance from the span start to the gold line, gold order, prediction order), so the
closest prediction wins and ties go to the earlier entry.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.evaluation.dataset import GoldFinding
from service.models import Finding

WIDEN = 1


class Prediction(BaseModel):
    """The part of a finding the scorer looks at."""

    code: str
    severity: str = "warning"
    scope: str = "block"
    start_line: int | None = Field(
        default=None, description="Span start; null when the finding has no span."
    )
    end_line: int | None = None
    quote: str = ""
    message: str = ""
    origin: str = "rule"
    rewrite: str | None = None
    citations: list[str] = Field(default_factory=list, description="Cited chunk ids.")

    @classmethod
    def from_finding(cls, f: Finding) -> Prediction:
        return cls(
            code=f.code,
            severity=f.severity,
            scope=f.scope,
            start_line=f.span.start_line if f.span else None,
            end_line=f.span.end_line if f.span else None,
            quote=f.quote,
            message=f.message,
            origin=f.origin,
            rewrite=f.rewrite,
            citations=[c.chunk_id for c in f.citations],
        )


class Match(BaseModel):
    gold: int = Field(description="Index into the gold list.")
    pred: int = Field(description="Index into the prediction list.")


class MatchResult(BaseModel):
    matches: list[Match] = Field(default_factory=list)
    unmatched_gold: list[int] = Field(default_factory=list, description="False negatives.")
    unmatched_pred: list[int] = Field(default_factory=list, description="False positives.")


def covers(pred: Prediction, line: int, widen: int = WIDEN) -> bool:
    """Does the prediction's span, widened by `widen` lines, contain `line`?"""
    if pred.start_line is None:
        return False
    end = pred.end_line if pred.end_line is not None else pred.start_line
    return pred.start_line - widen <= line <= end + widen


def _distance(pred: Prediction, gold: GoldFinding) -> int:
    if gold.line is None:
        # document gold: prefer document-scope predictions, then any
        return 0 if pred.scope == "document" else 1
    assert pred.start_line is not None
    return abs(pred.start_line - gold.line)


def match_findings(
    preds: list[Prediction], gold: list[GoldFinding], widen: int = WIDEN
) -> MatchResult:
    pairs: list[tuple[int, int, int]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(preds):
            if p.code != g.code:
                continue
            if g.line is None or covers(p, g.line, widen):
                pairs.append((_distance(p, g), gi, pi))
    pairs.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    matches: list[Match] = []
    for _, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        matches.append(Match(gold=gi, pred=pi))
    matches.sort(key=lambda m: m.gold)
    return MatchResult(
        matches=matches,
        unmatched_gold=[i for i in range(len(gold)) if i not in used_g],
        unmatched_pred=[i for i in range(len(preds)) if i not in used_p],
    )
