"""The deep (LLM) critique as the editor runs it: a runner in a worker thread, re-anchoring after edits.

A runner takes the plan, the review options, a cancel event and a progress
callback, and returns a Review. The default runs the pipeline with the LLM tier
on (it never raises: a failing endpoint comes back as ``llm_status: failed``).
``PLANREVIEW_LSP_CRITIQUE_RUNNER=module:function`` swaps in another runner, which
is how the tests script a slow LLM without a network.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from service.models import Finding, Plan, Review, Span
from service.review import ReviewOptions

log = logging.getLogger(__name__)

RUNNER_ENV = "PLANREVIEW_LSP_CRITIQUE_RUNNER"

Report = Callable[[str], None]
CritiqueRunner = Callable[[Plan, ReviewOptions, threading.Event, Report], Review]
Status = Literal["ok", "cancelled", "stale", "failed", "skipped"]

STAGES = {
    "rules": ("Checking rules", 10),
    "retrieve": ("Finding guidance", 25),
    "llm": ("Asking the reviewer model", 40),
    "done": ("Done", 100),
}


def pipeline_runner(
    plan: Plan, options: ReviewOptions, cancel: threading.Event, report: Report
) -> Review:
    """The real critique: the review pipeline with the LLM tier on."""
    from service.review import review_plan

    return review_plan(plan, options.model_copy(update={"llm": "on"}), progress=report)


def load_runner() -> CritiqueRunner:
    """The runner named by PLANREVIEW_LSP_CRITIQUE_RUNNER, else the pipeline."""
    spec = os.environ.get(RUNNER_ENV, "").strip()
    if not spec:
        return pipeline_runner
    module_name, _, attr = spec.partition(":")
    try:
        runner: CritiqueRunner = getattr(importlib.import_module(module_name), attr or "run")
    except (ImportError, AttributeError) as exc:
        log.error("%s=%s cannot be loaded (%s); using the pipeline", RUNNER_ENV, spec, exc)
        return pipeline_runner
    return runner


def unavailable(runner: CritiqueRunner) -> str | None:
    """Why the critique cannot run at all (no endpoint for the pipeline), or None."""
    if runner is not pipeline_runner:
        return None
    from service.settings import get_settings

    if get_settings().llm_configured:
        return None
    return (
        "no LLM endpoint is configured for the language server: set OPENAI_BASE_URL "
        "(and OPENAI_API_KEY) in its environment"
    )


@dataclass
class CritiqueOutcome:
    """What one critique run came to; ``findings`` are the LLM's own (origin 'llm')."""

    status: Status
    message: str = ""
    version: int | None = None
    findings: list[Finding] = field(default_factory=list)
    llm_status: str = ""

    def as_result(self) -> dict[str, object]:
        return {
            "status": self.status,
            "message": self.message,
            "version": self.version,
            "findings": len(self.findings),
            "llm_status": self.llm_status,
        }


def outcome_from_review(review: Review, version: int | None) -> CritiqueOutcome:
    status = review.engine.llm_status
    found = [f for f in review.findings if f.origin == "llm"]
    if status.startswith("failed"):
        return CritiqueOutcome(
            "failed", f"LLM critique {status}; showing the rule findings only", version, [], status
        )
    return CritiqueOutcome("ok", f"LLM critique: {len(found)} finding(s)", version, found, status)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    return starts


def _span_at(starts: list[int], start: int, end: int) -> Span:
    import bisect

    sl = bisect.bisect_right(starts, start) - 1
    el = bisect.bisect_right(starts, max(end - 1, start)) - 1
    return Span(
        start_line=sl + 1,
        end_line=el + 1,
        start_col=start - starts[sl] + 1,
        end_col=end - starts[el] + 1,
    )


def reanchor(findings: list[Finding], text: str) -> list[Finding]:
    """LLM findings moved to where their quote now is; those whose quote is gone are dropped."""
    starts = _line_starts(text)
    out: list[Finding] = []
    for f in findings:
        if not f.quote or f.span is None:
            if f.scope == "document":
                out.append(f)
            continue
        hits: list[int] = []
        at = text.find(f.quote)
        while at != -1 and len(hits) < 50:
            hits.append(at)
            at = text.find(f.quote, at + 1)
        if not hits:
            continue
        old = starts[min(f.span.start_line, len(starts)) - 1] + f.span.start_col - 1
        best = min(hits, key=lambda h: abs(h - old))
        out.append(f.model_copy(update={"span": _span_at(starts, best, best + len(f.quote))}))
    return out
