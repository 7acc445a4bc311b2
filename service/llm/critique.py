"""Running the critique: one call per part (in parallel), then at most one repair round.

``structured`` turns a ``Reply`` into the Pydantic output or says why not.
``repair`` asks the model, in one more round-trip, to return the broken
answer as valid JSON; the broken text is trimmed to what the token budget
leaves. A part that still fails makes the whole critique fail ("malformed
output"): a partial critique would silently miss half a plan.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from service.llm.client import ChatBackend, LLMFailure, Reply
from service.llm.guidance import trim_to_tokens
from service.llm.prompts import PromptSet
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
    backend: ChatBackend, system: str, user: str, schema: dict[str, Any], shape: str, model: type[T]
) -> Outcome:
    reply = backend.send(system, user, schema, shape)
    output, error = structured(reply, model)
    return Outcome(output=output, reply=reply, error=error)


def repair_prompt(
    prompts: PromptSet,
    reply: Reply,
    error: str,
    shape: str,
    method: str,
    system: str,
    budget_left: int,
) -> str | None:
    """The repair request within ``budget_left`` prompt tokens, or None when it cannot fit."""
    json_shape = shape if method != "json_schema" else ""
    skeleton = prompts.render("repair", error=error, raw="", json_shape=json_shape)
    room = budget_left - count_messages(system, skeleton)
    if room < REPAIR_MIN_TOKENS - 100 or not reply.text.strip():
        return None
    raw = reply.text.strip()
    raw = raw if count_messages(raw) <= room else trim_to_tokens(raw, room)
    if not raw:
        return None
    return prompts.render("repair", error=error, raw=raw, json_shape=json_shape)


def repair(
    backend: ChatBackend,
    prompts: PromptSet,
    system: str,
    outcome: Outcome,
    schema: dict[str, Any],
    shape: str,
    model: type[T],
    budget_left: int,
) -> Outcome:
    """One repair round-trip for a failed outcome; raises LLMFailure when it cannot be fixed."""
    assert outcome.reply is not None and outcome.error is not None
    user = repair_prompt(
        prompts, outcome.reply, outcome.error, shape, backend.method, system, budget_left
    )
    if user is None:
        raise LLMFailure(f"malformed output ({outcome.error}); no budget left to repair it")
    fixed = call(backend, system, user, schema, shape, model)
    if fixed.output is None:
        raise LLMFailure(f"malformed output after a repair attempt ({fixed.error})")
    return fixed
