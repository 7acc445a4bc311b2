"""A scripted LLM critique for the language server tests (no network, no model).

The server loads it with ``PLANREVIEW_LSP_CRITIQUE_RUNNER=lsp_fakes:slow_runner``.
Behaviour comes from the environment:

- ``PLANREVIEW_FAKE_LLM_DELAY``: seconds the "model" takes (it stops early when cancelled);
  a plan containing ``fake-llm-delay: 0.2`` (say in an HTML comment) overrides it;
- ``PLANREVIEW_FAKE_LLM_QUOTES``: JSON list of plan quotes it reports as ``llm.gap`` findings;
- ``PLANREVIEW_FAKE_LLM_LOG``: a file it appends ``finished`` or ``cancelled`` to.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable

from service.models import Finding, Plan, Review, Span
from service.review import ReviewOptions, review_plan


def _span(text: str, quote: str) -> Span | None:
    at = text.find(quote)
    if at == -1:
        return None
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return Span(start_line=line, end_line=line, start_col=col, end_col=col + len(quote))


def _delay(plan: Plan) -> float:
    m = re.search(r"fake-llm-delay:\s*([\d.]+)", plan.text)
    return float(m.group(1) if m else os.environ.get("PLANREVIEW_FAKE_LLM_DELAY", "0"))


def _log(event: str) -> None:
    path = os.environ.get("PLANREVIEW_FAKE_LLM_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(event + "\n")


def slow_runner(
    plan: Plan, options: ReviewOptions, cancel: threading.Event, report: Callable[[str], None]
) -> Review:
    report("rules")
    review = review_plan(plan, options.model_copy(update={"llm": "off"}))
    report("llm")
    if cancel.wait(_delay(plan)):
        _log("cancelled")
        return review
    for quote in json.loads(os.environ.get("PLANREVIEW_FAKE_LLM_QUOTES", "[]")):
        span = _span(plan.text, quote)
        if span is None:
            continue
        review.findings.append(
            Finding(
                id=f"llm-{abs(hash(quote)) % 10**8}",
                code="llm.gap",
                family="llm",
                severity="warning",
                scope="block",
                span=span,
                quote=quote,
                origin="llm",
                confidence=0.7,
                message="No initiative in the plan delivers this (scripted reviewer).",
                suggestion="Add the task that makes it happen, with an owner and a date.",
            )
        )
    review.engine.tier = "llm"
    review.engine.llm_status = "ok"
    report("done")
    _log("finished")
    return review
