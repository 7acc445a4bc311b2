"""Calls and tokens per plan: what the LLM tier spends, measured without or with an endpoint.

``measure`` runs the real tier on a plan with a fresh cache. Without an
endpoint (``live=False``) a ``DryRunBackend`` answers every call with an empty,
valid critique and counts the prompt tokens it was sent (our counter, plus the
JSON schema); with one, the endpoint's reported usage is used. Either way the
prompts are exactly the ones a review would send.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from service.llm.client import Reply, UsageMeter
from service.llm.notes import is_tier_note
from service.llm.planner import OVERHEAD_BUDGET
from service.llm.tokens import count_messages, count_tokens, counter_name
from service.models import Plan
from service.settings import Settings


class DryRunBackend:
    """A ChatBackend that answers with empty valid output and counts what it was sent."""

    def __init__(self, model_name: str = "dry-run", method: str = "json_schema") -> None:
        self.model_name = model_name
        self.method = method
        self.usage = UsageMeter()
        self.sent: list[int] = []
        self._lock = threading.Lock()

    def send(
        self,
        system: str,
        user: str,
        schema: dict[str, Any],
        shape: str,
        *,
        history: Sequence[tuple[str, str]] = (),
        label: str = "",
    ) -> Reply:
        tokens = count_messages(system, *(text for _, text in history), user)
        if self.method == "json_schema":
            tokens += count_tokens(json.dumps(schema, ensure_ascii=False, separators=(",", ":")))
        data: dict[str, Any] = {"findings": [], "risks": [], "summary": ""}
        if "edits" in json.dumps(schema):
            data = {"edits": [], "changes": []}
        reply = Reply(
            text=json.dumps(data), data=data, error=None, prompt_tokens=tokens, completion_tokens=0
        )
        with self._lock:
            self.sent.append(tokens)
        self.usage.add(reply)
        return reply

    def close(self) -> None:
        return None


class UsageRow(BaseModel):
    source: str
    plan_tokens: int = Field(description="Tokens of the plan text.")
    calls: int
    round_trips: int = Field(description="Sequential round-trips (parallel parts count once).")
    prompt_tokens: int
    completion_tokens: int
    budget: int = Field(description="Plan tokens + the overhead budget.")
    status: str = Field(description="The tier's llm_status.")
    notes: list[str] = Field(
        default_factory=list, description="The tier's warnings (a skipped draft says why)."
    )
    token_scale: float = Field(
        default=1.0, description="Server tokens per counted token (1.0: not calibrated)."
    )

    @property
    def within(self) -> bool:
        return self.prompt_tokens <= self.budget and self.round_trips <= 3


def measure(
    plan: Plan,
    settings: Settings,
    *,
    draft: bool = False,
    live: bool = False,
    lang: str | None = None,
) -> UsageRow:
    """Run the tier on one plan with an empty cache and report what it spent."""
    from service.llm.tier import LLMRun
    from service.review import ReviewOptions, review_plan

    with tempfile.TemporaryDirectory(prefix="planreview-usage-") as tmp:
        fresh = settings.model_copy(update={"data_dir": Path(tmp)})
        options = ReviewOptions(llm="off", draft=draft)
        offline = review_plan(plan, options, settings=fresh)
        backend = None if live else DryRunBackend(fresh.llm_model)
        run = LLMRun(
            plan, offline, options, fresh, lang or plan.language, backend=backend, guidance=None
        )
        notes: list[str] = []
        try:
            review = run.execute()
            status = review.engine.llm_status
            notes = [w for w in review.warnings if is_tier_note(w)]
        except Exception as exc:  # report it; the review command would degrade the same way
            status = f"failed: {getattr(exc, 'reason', None) or exc}"
        finally:
            run.close()
        usage = run.backend.usage if run.backend is not None else UsageMeter()
    plan_tokens = count_tokens(plan.text)
    return UsageRow(
        source=plan.source,
        plan_tokens=plan_tokens,
        calls=usage.calls,
        round_trips=run.round_trips,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        budget=plan_tokens + OVERHEAD_BUDGET,
        status=status,
        notes=notes,
        token_scale=run.scale,
    )


def counter() -> str:
    return counter_name()
