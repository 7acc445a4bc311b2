"""Running the critique: one call per part (in parallel), then at most one more round.

``structured`` turns a ``Reply`` into the Pydantic output or says why not.
An answer cut off at the token limit keeps its complete items (``salvage``):
nothing is asked again for them. Only when nothing can be used does
``repair`` ask the model, in one more round-trip, to return the broken answer
as valid JSON; the broken text is trimmed to what the token budget leaves. A
part that still fails makes the whole critique fail ("malformed output"): a
partial critique would silently miss half a plan. ``feedback`` is the other
use of that second round: the validator's errors (quotes not found, unknown
codes) sent back in the same conversation, once.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from service.llm.client import ChatBackend, History, LLMFailure, Reply
from service.llm.guidance import trim_to_tokens
from service.llm.prompts import PromptSet, defuse
from service.llm.schemas import salvage
from service.llm.tokens import count_messages

T = TypeVar("T", bound=BaseModel)

REPAIR_MIN_TOKENS = 200
"""Repair is not attempted with less budget left than this."""


def structured(reply: Reply, model: type[T]) -> tuple[T | None, str | None]:
    """The reply validated into ``model``, or (None, why not)."""
    if reply.data is None:
        return None, reply.error or "no JSON object in the answer"
    try:
        return model.model_validate(reply.data), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        return None, f"does not match the expected shape ({where}: {first.get('msg', '')})"


@dataclass
class Outcome:
    """One part's result: the parsed output, or the reply and the error to repair."""

    output: BaseModel | None
    reply: Reply | None
    error: str | None
    user: str = ""
    """The request that produced it (for a follow-up in the same conversation)."""
    salvaged: int = 0
    """Complete items kept from an answer cut off at the token limit (0: not cut off)."""


def run_parallel(jobs: list[Callable[[], Any]], concurrency: int) -> list[Any]:
    """Run the callables with at most ``concurrency`` at once; results in order.

    The first exception (LLMFailure, CassetteMissing, …) propagates after all finished.
    """
    if len(jobs) == 1:
        return [jobs[0]()]
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(jobs)))) as pool:
        futures = [pool.submit(job) for job in jobs]
        results = []
        error: BaseException | None = None
        for fut in futures:
            try:
                results.append(fut.result())
            except BaseException as exc:
                error = error or exc
                results.append(None)
    if error is not None:
        raise error
    return results


def call(
    backend: ChatBackend,
    system: str,
    user: str,
    schema: dict[str, Any],
    shape: str,
    model: type[T],
    *,
    label: str = "",
    history: History = (),
) -> Outcome:
    """One round-trip; a cut-off answer keeps its complete items instead of failing."""
    reply = backend.send(system, user, schema, shape, history=history, label=label)
    output, error = structured(reply, model)
    if output is None and reply.truncated:
        kept, count = salvage(reply.text, model)
        if kept is not None:
            return Outcome(output=kept, reply=reply, error=None, user=user, salvaged=count)
    return Outcome(output=output, reply=reply, error=error, user=user)


def repair_prompt(
    prompts: PromptSet,
    boundary: str,
    reply: Reply,
    error: str,
    shape: str,
    method: str,
    system: str,
    budget_left: int,
) -> str | None:
    """The repair request within ``budget_left`` prompt tokens, or None when it cannot fit."""
    json_shape = shape if method != "json_schema" else ""
    skeleton = prompts.render(
        "repair", boundary=boundary, error=error, raw="", json_shape=json_shape
    )
    room = budget_left - count_messages(system, skeleton)
    if room < REPAIR_MIN_TOKENS - 100 or not reply.text.strip():
        return None
    raw = defuse(reply.text.strip(), boundary)
    raw = raw if count_messages(raw) <= room else trim_to_tokens(raw, room)
    if not raw:
        return None
    return prompts.render("repair", boundary=boundary, error=error, raw=raw, json_shape=json_shape)


def repair(
    backend: ChatBackend,
    prompts: PromptSet,
    system: str,
    outcome: Outcome,
    schema: dict[str, Any],
    shape: str,
    model: type[T],
    budget_left: int,
    *,
    boundary: str,
    label: str = "repair",
) -> Outcome:
    """One repair round-trip for a failed outcome; raises LLMFailure when it cannot be fixed."""
    assert outcome.reply is not None and outcome.error is not None
    user = repair_prompt(
        prompts, boundary, outcome.reply, outcome.error, shape, backend.method, system, budget_left
    )
    if user is None:
        raise LLMFailure(f"malformed output ({outcome.error}); no budget left to repair it")
    fixed = call(backend, system, user, schema, shape, model, label=label)
    if fixed.output is None:
        raise LLMFailure(f"malformed output after a repair attempt ({fixed.error})")
    return fixed


def feedback_prompt(
    prompts: PromptSet,
    boundary: str,
    errors: list[dict[str, str]],
    shape: str,
    method: str,
    blocks: list[dict[str, str]] | None = None,
) -> str:
    json_shape = shape if method != "json_schema" else ""
    return prompts.render(
        "feedback", boundary=boundary, errors=errors, blocks=blocks or [], json_shape=json_shape
    )


def feedback(
    backend: ChatBackend,
    prompts: PromptSet,
    system: str,
    outcome: Outcome,
    errors: list[dict[str, str]],
    schema: dict[str, Any],
    shape: str,
    model: type[T],
    budget_left: int,
    *,
    boundary: str,
    blocks: list[dict[str, str]] | None = None,
    schema_extra: int = 0,
    label: str = "feedback",
) -> Outcome | None:
    """Send the validator's errors back in the same conversation, once; None when it cannot fit.

    The conversation is the original request, the model's answer (boundary defused) and the
    errors as data. When resending the original request does not fit the token budget, the
    compact form is used: the answer and the errors with the plan ``blocks`` the failed items
    named (no second copy of the whole plan). The answer replaces nothing by itself: the
    caller keeps the items of the first answer that passed and adds the corrected ones.
    """
    assert outcome.reply is not None
    answer = defuse(outcome.reply.text.strip(), boundary)
    if not answer or not outcome.user:
        return None
    user = feedback_prompt(prompts, boundary, errors, shape, backend.method)
    history: History = (("user", outcome.user), ("assistant", answer))
    if count_messages(system, outcome.user, answer, user) + schema_extra > budget_left:
        user = feedback_prompt(prompts, boundary, errors, shape, backend.method, blocks)
        history = (("assistant", answer),)
        if count_messages(system, answer, user) + schema_extra > budget_left:
            return None
    return call(backend, system, user, schema, shape, model, label=label, history=history)
