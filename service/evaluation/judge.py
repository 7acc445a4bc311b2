"""LLM-judged metrics (live mode only): rewrite quality and faithfulness.

- rewrite quality: for findings that carry a rewrite, a judge model rates 1-5 whether the
  rewrite fixes the problem the finding names while keeping the plan's intent; reported as the
  mean rating scaled to 0..1.
- faithfulness: for LLM-origin findings, the judge answers whether the message is supported by
  the quoted plan text; reported as the share judged supported.

Outside live mode these are "not evaluated" (never 0). The judge uses the same configured
OpenAI-compatible endpoint; ``client`` can be injected for tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from service.evaluation.metrics import Metric, PlanOutcome
from service.settings import Settings

MAX_ITEMS = 40

_REWRITE_PROMPT = (
    "You grade a plan reviewer. Finding: {message}\nOriginal text: {quote}\nProposed rewrite: {rewrite}\n"
    'Rate 1-5 how well the rewrite fixes the problem while keeping the intent. Answer JSON {{"score": n}}.'
)
_FAITH_PROMPT = (
    "You check a plan reviewer. Quoted plan text: {quote}\nReviewer's finding: {message}\n"
    'Is the finding supported by the quoted text? Answer JSON {{"supported": true|false}}.'
)


class JudgeClient(Protocol):
    def ask(self, prompt: str) -> dict[str, Any]: ...


class OpenAIJudge:
    """A tiny JSON-answer client over the openai SDK."""

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        key = (
            settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        )
        self._client = OpenAI(
            api_key=key,
            base_url=settings.openai_base_url,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
        )
        self._model = settings.llm_model

    def ask(self, prompt: str) -> dict[str, Any]:
        resp = self._client.chat.completions.create(
            model=self._model,
            temperature=0,
            messages=[{"role": "user", "content": prompt}],
            response_format={"type": "json_object"},
        )
        content = resp.choices[0].message.content or "{}"
        data = json.loads(content)
        return data if isinstance(data, dict) else {}


def judge_outcomes(
    outcomes: list[PlanOutcome],
    eval_dir: Path,
    settings: Settings,
    client: JudgeClient | None = None,
) -> dict[str, Metric]:
    """Judge up to MAX_ITEMS findings per metric; errors make a metric 'not evaluated'."""
    try:
        judge = client or OpenAIJudge(settings)
    except Exception as exc:
        why = f"judge client unavailable: {exc}"
        return {"rewrite_quality": Metric.missing(why), "faithfulness": Metric.missing(why)}
    scores: list[float] = []
    supported: list[bool] = []
    try:
        for o in outcomes:
            for p in o.predictions:
                if p.rewrite and p.quote and len(scores) < MAX_ITEMS:
                    ans = judge.ask(
                        _REWRITE_PROMPT.format(message=p.message, quote=p.quote, rewrite=p.rewrite)
                    )
                    scores.append(min(5.0, max(1.0, float(ans.get("score", 1)))))
            for p in o.predictions:
                if p.origin == "llm" and p.quote and len(supported) < MAX_ITEMS:
                    ans = judge.ask(_FAITH_PROMPT.format(message=p.message, quote=p.quote))
                    supported.append(bool(ans.get("supported", False)))
    except Exception as exc:
        why = f"judge call failed: {type(exc).__name__}: {exc}"
        return {"rewrite_quality": Metric.missing(why), "faithfulness": Metric.missing(why)}
    return {
        "rewrite_quality": (
            Metric(
                value=round((sum(scores) / len(scores) - 1) / 4, 4),
                note=f"{len(scores)} rewrites judged (1-5 scaled to 0-1)",
            )
            if scores
            else Metric.missing("no finding carried a rewrite")
        ),
        "faithfulness": (
            Metric(
                value=round(sum(supported) / len(supported), 4),
                note=f"{sum(supported)}/{len(supported)} LLM findings supported",
            )
            if supported
            else Metric.missing("no LLM finding to judge")
        ),
    }
