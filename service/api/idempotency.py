"""Idempotency-Key handling for POSTs (draft-ietf-httpapi-idempotency-key-header).

The route computes a fingerprint of the request as it understood it (for a
multipart upload: file names, file hashes and fields, never the random
boundary), then hands over a function producing the response.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
from starlette.responses import Response

from service.api.auth import Caller
from service.api.problems import ApiProblem
from service.api.state import ApiState
from service.store import idempotency as store

REPLAYED_HEADERS = ("location", "content-type", "x-review-id")


def fingerprint(method: str, path: str, query: dict[str, str], payload: Any) -> str:
    canonical = json.dumps(
        {"m": method, "p": path, "q": sorted(query.items()), "b": payload},
        sort_keys=True,
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def idempotent(
    state: ApiState,
    caller: Caller,
    key: str | None,
    print_: str,
    produce: Callable[[], Awaitable[Response]],
) -> Response:
    if not key:
        return await produce()
    outcome = await anyio.to_thread.run_sync(
        store.begin, state.db, caller.id, key, print_, state.api.idempotency_ttl_hours
    )
    if isinstance(outcome, store.Replay):
        headers = {**outcome.headers, "Idempotent-Replayed": "true"}
        return Response(outcome.body, status_code=outcome.status_code, headers=headers)
    if isinstance(outcome, store.Conflict):
        if outcome.reason == "different-request":
            raise ApiProblem(
                422,
                "this Idempotency-Key was already used with a different request",
                kind="idempotency-key-reused",
                hint="use a new Idempotency-Key for a new request",
            )
        raise ApiProblem(
            409,
            "a request with this Idempotency-Key is still being processed",
            kind="idempotency-in-progress",
            retryable=True,
            hint="retry when the first request has finished",
            headers={"Retry-After": "1"},
        )
    try:
        response = await produce()
    except BaseException:
        await anyio.to_thread.run_sync(store.release, state.db, outcome)
        raise
    headers = {k: v for k, v in response.headers.items() if k.lower() in REPLAYED_HEADERS}
    await anyio.to_thread.run_sync(
        store.complete, state.db, outcome, response.status_code, headers, bytes(response.body)
    )
    return response
