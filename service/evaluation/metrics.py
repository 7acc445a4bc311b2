"""Scores computed from matched plans: P/R/F1 per code, family, language and overall, plus
span accuracy, negative-control false positives, quote fidelity, citation validity, latency
and token usage.

Precision, recall and F1 are micro-averaged (summed counts, then the ratio). A ratio with a
zero denominator is ``None`` ("not evaluated"), never 0: a code nobody predicted and nobody
labelled has no precision.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from pydantic import BaseModel, Field

from service.evaluation.dataset import GoldFinding
from service.evaluation.matching import MatchResult, Prediction
from service.rules.catalogue import BY_CODE, RULES

NOT_EVALUATED = "not evaluated"


class Counts(BaseModel):
    """True positives, false positives, false negatives and the derived ratios."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None

    @property
    def support(self) -> int:
        return self.tp + self.fn

    def add(self, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def finish(self) -> Counts:
        self.precision = ratio(self.tp, self.tp + self.fp)
        self.recall = ratio(self.tp, self.tp + self.fn)
        if self.tp == 0 and self.fp + self.fn > 0:
            self.f1 = 0.0
        elif self.precision is None or self.recall is None:
            self.f1 = None
        elif self.precision + self.recall == 0:
            self.f1 = 0.0
        else:
            self.f1 = round(2 * self.precision * self.recall / (self.precision + self.recall), 4)
        return self


class Metric(BaseModel):
    """A single figure that may not be available in every mode."""

    value: float | None = None
    status: str = Field(default="ok", description="'ok' or 'not evaluated'.")
    note: str = ""

    @classmethod
    def missing(cls, why: str) -> Metric:
        return cls(value=None, status=NOT_EVALUATED, note=why)


class PlanOutcome(BaseModel):
    """One plan's predictions, gold and match, as the runner recorded them."""

    id: str
    language: str
    split: str
    source: str = "hand-written"
    negative_control: bool = False
    plan_file: str = ""
    gold: list[GoldFinding] = Field(default_factory=list)
    predictions: list[Prediction] = Field(default_factory=list)
    match: MatchResult = Field(default_factory=MatchResult)
    quote_found: list[bool | None] = Field(
        default_factory=list, description="Per prediction: quote occurs verbatim (None: no quote)."
    )
    citation_valid: list[bool] = Field(default_factory=list, description="Per cited chunk id.")
    latency_ms: float = 0.0
    timings_ms: dict[str, int] = Field(default_factory=dict)
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_status: str = "off"
    error: str | None = None


class NegativeControlReport(BaseModel):
    plans: int = 0
    false_positives: int = 0
    fp_per_plan: float | None = None
    errors: list[dict[str, object]] = Field(
        default_factory=list,
        description="Error-severity findings on negative controls (plan, code, line).",
    )


class EvalMetrics(BaseModel):
    overall: Counts = Field(default_factory=Counts)
    by_language: dict[str, Counts] = Field(default_factory=dict)
    by_split: dict[str, Counts] = Field(
        default_factory=dict, description="dev vs test: the generalisation gap."
    )
    by_source: dict[str, Counts] = Field(
        default_factory=dict, description="hand-written vs injected variants."
    )
    by_family: dict[str, Counts] = Field(default_factory=dict)
    by_code: dict[str, Counts] = Field(default_factory=dict)
    span_accuracy: Metric = Field(default_factory=Metric)
    negative_controls: NegativeControlReport = Field(default_factory=NegativeControlReport)
    quote_fidelity: Metric = Field(default_factory=Metric)
    citation_validity: Metric = Field(default_factory=Metric)
    latency_ms: dict[str, float | None] = Field(default_factory=dict)
    usage: dict[str, float] = Field(default_factory=dict)
    retrieval: dict[str, object] | None = Field(
        default=None, description="recall@k / MRR from the knowledge retrieval eval, or None."
    )
    retrieval_status: str = NOT_EVALUATED
    llm_judge: dict[str, Metric] = Field(default_factory=dict)


def ratio(num: float, den: float) -> float | None:
    return None if den == 0 else round(num / den, 4)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return round(ordered[rank - 1], 1)


def family(code: str) -> str:
    return code.split(".", 1)[0]


def rule_codes() -> list[str]:
    """Codes the rule tier can produce (gold is exhaustive for these)."""
    return [r.code for r in RULES if not r.llm_only and r.code != "smart.relevant"]


def _counts_for(outcomes: Iterable[PlanOutcome], key: str) -> dict[str, Counts]:
    out: dict[str, Counts] = {}
    for o in outcomes:
        for m in o.match.matches:
            code = o.gold[m.gold].code
            out.setdefault(family(code) if key == "family" else code, Counts()).add(tp=1)
        for gi in o.match.unmatched_gold:
            code = o.gold[gi].code
            out.setdefault(family(code) if key == "family" else code, Counts()).add(fn=1)
        for pi in o.match.unmatched_pred:
            code = o.predictions[pi].code
            out.setdefault(family(code) if key == "family" else code, Counts()).add(fp=1)
    return {k: v.finish() for k, v in sorted(out.items())}


def overall_counts(outcomes: Iterable[PlanOutcome]) -> Counts:
    c = Counts()
    for o in outcomes:
        c.add(
            tp=len(o.match.matches), fp=len(o.match.unmatched_pred), fn=len(o.match.unmatched_gold)
        )
    return c.finish()


def compute(outcomes: list[PlanOutcome]) -> EvalMetrics:
    """Every figure that needs no LLM judge and no retrieval run."""
    scored = [o for o in outcomes if o.error is None]
    m = EvalMetrics()
    m.overall = overall_counts(scored)
    for lang in sorted({o.language for o in scored}):
        m.by_language[lang] = overall_counts(o for o in scored if o.language == lang)
    for split in sorted({o.split for o in scored}):
        m.by_split[split] = overall_counts(o for o in scored if o.split == split)
    for source in ("hand-written", "injected"):
        chosen = [o for o in scored if o.source.split(":", 1)[0] == source]
        if chosen:
            m.by_source[source] = overall_counts(chosen)
    m.by_family = _counts_for(scored, "family")
    m.by_code = _counts_for(scored, "code")

    # span accuracy: matched block findings whose span starts on the gold line
    exact = total = 0
    for o in scored:
        for mt in o.match.matches:
            g = o.gold[mt.gold]
            if g.line is None:
                continue
            total += 1
            exact += int(o.predictions[mt.pred].start_line == g.line)
    m.span_accuracy = (
        Metric(value=ratio(exact, total), note=f"{exact}/{total} matched block findings")
        if total
        else Metric.missing("no matched block findings")
    )

    # negative controls
    neg = [o for o in scored if o.negative_control]
    nc = NegativeControlReport(plans=len(neg))
    for o in neg:
        nc.false_positives += len(o.match.unmatched_pred)
        for p in o.predictions:
            if p.severity == "error":
                nc.errors.append({"plan": o.id, "code": p.code, "line": p.start_line})
    nc.fp_per_plan = ratio(nc.false_positives, len(neg))
    m.negative_controls = nc

    # quote fidelity: every finding that quotes the plan must quote it verbatim
    quoted = [q for o in scored for q in o.quote_found if q is not None]
    empty = sum(1 for o in scored for q in o.quote_found if q is None)
    m.quote_fidelity = (
        Metric(
            value=ratio(sum(quoted), len(quoted)),
            note=f"{sum(quoted)}/{len(quoted)} quotes verbatim; {empty} findings without a quote",
        )
        if quoted
        else Metric.missing("no finding carried a quote")
    )

    latencies = [o.latency_ms for o in scored]
    m.latency_ms = {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "max": round(max(latencies), 1) if latencies else None,
        "total": round(sum(latencies), 1),
    }
    n = max(len(scored), 1)
    calls = sum(o.llm_calls for o in scored)
    prompt = sum(o.prompt_tokens for o in scored)
    completion = sum(o.completion_tokens for o in scored)
    m.usage = {
        "llm_calls": calls,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "tokens_per_plan": round((prompt + completion) / n, 1),
    }
    return m


def citation_metric(outcomes: list[PlanOutcome], available: bool, why: str = "") -> Metric:
    if not available:
        return Metric.missing(why or "knowledge corpus not available")
    flags = [v for o in outcomes for v in o.citation_valid]
    if not flags:
        return Metric.missing("no finding carried a citation")
    return Metric(
        value=ratio(sum(flags), len(flags)), note=f"{sum(flags)}/{len(flags)} cited chunks exist"
    )


def known_code(code: str) -> bool:
    return code in BY_CODE
