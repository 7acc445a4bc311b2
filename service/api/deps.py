"""Dependencies, declared once as typed aliases (the full-stack FastAPI template's habit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from service.api.auth import Caller
from service.api.problems import ApiProblem
from service.api.state import ApiState


async def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


StateDep = Annotated[ApiState, Depends(get_state)]


async def get_caller(request: Request, state: StateDep) -> Caller:
    """Authenticate, then spend one token of the caller's rate limit (429 when empty).

    Async on purpose: a sync dependency costs a thread hop per request; the key check
    hits the database at most once per key every few seconds (see auth.CACHE_SECONDS).
    """
    caller = state.auth.authenticate(request)
    # Nobody is exempt for calling from loopback: behind a reverse proxy on the same host
    # every client would be.
    wait = state.limiter.take(caller.id)
    if wait:
        state.metrics.rate_limited.inc()
        raise ApiProblem(
            429,
            f"rate limit exceeded: at most {state.api.rate_limit_per_minute:g} requests per minute",
            kind="rate-limited",
            retryable=True,
            hint=f"retry after {wait} s",
            headers={"Retry-After": str(wait)},
        )
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


async def get_admin(caller: CallerDep) -> Caller:
    if caller.key_id is None:
        raise ApiProblem(
            401,
            "this operation needs an admin API key",
            kind="unauthorized",
            hint="create one with 'planreview keys create NAME --admin'",
            headers={"WWW-Authenticate": 'Bearer realm="planreview"'},
        )
    if not caller.admin:
        raise ApiProblem(
            403,
            "this operation needs an admin API key; this key is not one",
            kind="forbidden",
            hint="create one with 'planreview keys create NAME --admin'",
        )
    return caller


AdminDep = Annotated[Caller, Depends(get_admin)]

IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Repeat a POST safely: the same key with the same body gets the first "
        "response again; the same key with a different body is a 422.",
    ),
]
