"""/v1/batches: review a library of plans (several files or a zip) as jobs."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Header, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from service.api.auth import Caller
from service.api.deps import CallerDep, IdempotencyKeyDep, StateDep
from service.api.idempotency import fingerprint, idempotent
from service.api.problems import ApiProblem
from service.api.routes.docs import problems
from service.api.routes.reviews import (
    SSE_KEEPALIVE_SECONDS,
    SSE_MAX_SECONDS,
    _options_schema,
    _sse,
    queue_guard,
    resume_after,
)
from service.api.schemas.batches import BatchPublic
from service.api.state import ApiState
from service.api.summary import render_summary, unique_rel
from service.api.uploads import read_batch
from service.store import reviews as store

router = APIRouter(prefix="/v1/batches", tags=["batches"])

BATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "Plans (.md .txt .docx .pdf) and/or zips of plans.",
                        },
                        **_options_schema,
                    },
                }
            }
        },
    }
}


def batch_links(batch_id: str) -> dict[str, str]:
    base = f"/v1/batches/{batch_id}"
    return {
        "self": base,
        "events": f"{base}/events",
        "results": f"{base}/results",
        "summary": f"{base}/summary",
    }


def batch_public(batch: store.BatchRecord, items: list[store.ReviewRecord]) -> dict[str, Any]:
    counts = batch.counts
    out_items = []
    for r in items:
        error = None
        if r.status == store.FAILED:
            error = {
                "kind": r.error_kind or "error",
                "status": r.error_status or 500,
                "detail": r.error_detail or "the review failed",
            }
        out_items.append(
            {
                "review_id": r.id,
                "source": r.source,
                "status": r.status,
                "findings": r.finding_count,
                "error": error,
            }
        )
    return {
        "id": batch.id,
        "status": batch.status,
        "total": batch.total,
        "done": batch.done,
        "succeeded": counts.get(store.SUCCEEDED, 0),
        "failed": counts.get(store.FAILED, 0),
        "running": counts.get(store.RUNNING, 0),
        "queued": counts.get(store.QUEUED, 0),
        "progress": round(batch.done / batch.total, 4) if batch.total else 1.0,
        "created_at": batch.created_at.isoformat() + "Z",
        "skipped": batch.skipped,
        "items": out_items,
        "links": batch_links(batch.id),
    }


async def load_batch(
    state: ApiState,
    caller: Caller,
    batch_id: str,
    *,
    full: bool = False,
) -> tuple[store.BatchRecord, list[store.ReviewRecord]]:
    def load() -> tuple[store.BatchRecord | None, list[store.ReviewRecord]]:
        batch = store.get_batch(state.db, batch_id)
        return batch, store.batch_reviews(state.db, batch_id, full=full) if batch else []

    batch, items = await anyio.to_thread.run_sync(load)
    if batch is None or (batch.key_id and batch.key_id != caller.key_id and not caller.admin):
        raise ApiProblem(404, f"no batch with id {batch_id!r}", kind="not-found")
    return batch, items


@router.post(
    "",
    summary="Review a library of plans",
    status_code=202,
    response_model=BatchPublic,
    responses=problems(400, 409, 413, 415, 422, 503),
    description="Upload several plans, or zips of plans, in multipart fields named "
    "`files`. Answers **202** with `Location: /v1/batches/{id}`; poll it for progress, "
    "then read `/results` (JSON Lines) and `/summary` (HTML).",
    openapi_extra=BATCH_BODY,
)
async def create_batch(
    request: Request, state: StateDep, caller: CallerDep, idempotency_key: IdempotencyKeyDep = None
) -> Response:
    upload = await read_batch(request, state.settings, state.api)
    print_ = fingerprint("POST", "/v1/batches", {}, upload.print_payload)

    async def produce() -> Response:
        await anyio.to_thread.run_sync(queue_guard, state, len(upload.items))
        batch_id, ids = await anyio.to_thread.run_sync(
            lambda: store.create_batch(
                state.db,
                items=upload.items,
                options=upload.options,
                key_id=caller.key_id,
                skipped=upload.skipped,
            )
        )
        for review_id in ids:
            state.jobs.submit(review_id)
        state.metrics.reviews.labels("batch", "accepted").inc(len(ids))
        batch, items = await load_batch(state, caller, batch_id)
        return JSONResponse(
            batch_public(batch, items),
            status_code=202,
            headers={"Location": f"/v1/batches/{batch_id}"},
        )

    return await idempotent(state, caller, idempotency_key, print_, produce)


@router.get(
    "/{batch_id}", summary="Batch progress", response_model=BatchPublic, responses=problems(404)
)
async def get_batch(batch_id: str, state: StateDep, caller: CallerDep) -> JSONResponse:
    batch, items = await load_batch(state, caller, batch_id)
    return JSONResponse(batch_public(batch, items))


BATCH_POLL_SECONDS = 0.5
BATCH_SSE_EVENT: dict[str, Any] = {
    "type": "object",
    "description": "One server-sent event.",
    "properties": {
        "id": {
            "type": "string",
            "description": "On `item` events: how many plans had finished with this one; "
            "send as Last-Event-ID to resume.",
        },
        "event": {"type": "string", "enum": ["progress", "item", "completed"]},
        "data": {"type": "string", "description": "The event's JSON object, as text."},
    },
}


def _counts(batch: store.BatchRecord) -> dict[str, Any]:
    c = batch.counts
    return {
        "status": batch.status,
        "total": batch.total,
        "done": batch.done,
        "succeeded": c.get(store.SUCCEEDED, 0),
        "failed": c.get(store.FAILED, 0),
        "running": c.get(store.RUNNING, 0),
        "queued": c.get(store.QUEUED, 0),
    }


def finished_in_order(items: list[store.ReviewRecord]) -> list[store.ReviewRecord]:
    """The batch's finished reviews in the order they finished (upload order on ties)."""
    done = [r for r in items if r.status in store.TERMINAL]
    return sorted(done, key=lambda r: (r.finished_at or r.created_at, r.position))


@router.get(
    "/{batch_id}/events",
    summary="Batch progress as server-sent events",
    description="`text/event-stream`: `progress` (the counts: total, done, succeeded, failed, "
    "running, queued) whenever they change; `item` for each plan as it finishes "
    '(`{"review_id", "source", "status", "findings", "error", "done", "total"}`, with id = '
    "how many had finished by then); then `completed` with the final counts, after which the "
    "stream ends. Reconnect with `Last-Event-ID` to get only the plans finished since.",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": BATCH_SSE_EVENT}},
            "description": "The event stream; the schema is that of one event",
        },
        **problems(404),
    },
)
async def batch_events(
    batch_id: str,
    request: Request,
    state: StateDep,
    caller: CallerDep,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", description="Resume after this event id.")
    ] = None,
) -> StreamingResponse:
    await load_batch(state, caller, batch_id)  # 404 before the stream starts
    sent = resume_after(last_event_id)

    async def stream() -> AsyncIterator[str]:
        nonlocal sent
        yield "retry: 2000\n\n"
        started = last_beat = time.monotonic()
        last: dict[str, Any] | None = None
        while True:
            batch, items = await load_batch(state, caller, batch_id)
            counts = _counts(batch)
            if counts != last:
                last = counts
                yield f"event: progress\ndata: {json.dumps(counts)}\n\n"
            finished = finished_in_order(items)
            for n, r in enumerate(finished[sent:], start=sent + 1):
                public = batch_public(batch, [r])["items"][0]
                yield _sse(n, "item", {**public, "done": n, "total": batch.total})
            sent = max(sent, len(finished))
            if batch.done >= batch.total:
                yield f"event: completed\ndata: {json.dumps(counts)}\n\n"
                return
            now = time.monotonic()
            if now - started > SSE_MAX_SECONDS or await request.is_disconnected():
                return
            if now - last_beat > SSE_KEEPALIVE_SECONDS:
                last_beat = now
                yield ": keep-alive\n\n"
            await asyncio.sleep(BATCH_POLL_SECONDS)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get(
    "/{batch_id}/results",
    summary="Results as JSON Lines",
    description='One line per plan, in upload order: `{"review_id", "source", '
    '"status", "review", "error"}`; `review` is the review JSON once it succeeded.',
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"application/jsonl": {"schema": {"type": "string"}}},
            "description": "JSON Lines",
        },
        **problems(404),
    },
)
async def batch_results(batch_id: str, state: StateDep, caller: CallerDep) -> StreamingResponse:
    _, items = await load_batch(state, caller, batch_id, full=True)

    def lines() -> Iterator[str]:
        for r in items:
            error = None
            if r.status == store.FAILED:
                error = {"kind": r.error_kind, "status": r.error_status, "detail": r.error_detail}
            head = json.dumps(
                {"review_id": r.id, "source": r.source, "status": r.status, "error": error},
                ensure_ascii=False,
            )
            yield head[:-1] + ',"review":' + (r.review_json or "null") + "}\n"

    return StreamingResponse(lines(), media_type="application/jsonl")


@router.get(
    "/{batch_id}/summary",
    summary="An HTML summary of the batch",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}, "description": "HTML"}, **problems(404)},
)
async def batch_summary(batch_id: str, state: StateDep, caller: CallerDep) -> Response:
    batch, items = await load_batch(state, caller, batch_id, full=True)
    html = await anyio.to_thread.run_sync(render_summary, batch, items, state.settings)
    return Response(html, media_type="text/html; charset=utf-8")


@router.get(
    "/{batch_id}/reviews/{plan_path:path}",
    summary="One plan's review JSON by its path",
    description="The links of the summary page: `reviews/<path of the plan in the "
    "batch>.json` answers that plan's review JSON.",
    responses=problems(404, 409),
)
async def batch_review_by_path(
    batch_id: str, plan_path: str, state: StateDep, caller: CallerDep
) -> Response:
    _, items = await load_batch(state, caller, batch_id)
    wanted = plan_path.removesuffix(".json")
    seen: set[str] = set()
    for r in items:
        if unique_rel(r.source, seen) != wanted:
            continue
        record = await anyio.to_thread.run_sync(store.get_review, state.db, r.id)
        if record is None or not record.review_json:
            raise ApiProblem(
                409,
                f"{r.source} has not been reviewed ({r.status})",
                kind="not-ready",
                retryable=r.status != store.FAILED,
            )
        return Response(record.review_json, media_type="application/json")
    raise ApiProblem(404, f"no plan {wanted!r} in batch {batch_id}", kind="not-found")
