"""/v1/reviews: submit a plan, read the review and its job, follow progress, get reports."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Header, Query, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from service.api.auth import Caller
from service.api.deps import CallerDep, IdempotencyKeyDep, StateDep
from service.api.idempotency import fingerprint, idempotent
from service.api.problems import ApiProblem
from service.api.routes.docs import problems
from service.api.schemas.common import ReviewOptionsIn
from service.api.schemas.reviews import ReviewAccepted, ReviewPublic, ReviewResult, ReviewTextCreate
from service.api.state import ApiState
from service.api.uploads import read_review
from service.errors import StorageUnavailable
from service.store import reviews as store

router = APIRouter(prefix="/v1/reviews", tags=["reviews"])
log = logging.getLogger("planreview.api")

SSE_POLL_SECONDS = 0.2
SSE_KEEPALIVE_SECONDS = 15.0
SSE_MAX_SECONDS = 30 * 60

_options_schema = ReviewOptionsIn.model_json_schema()["properties"]
_upload_schema: dict[str, Any] = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "The plan: .md, .markdown, .txt, .docx or .pdf.",
        },
        **{k: v for k, v in _options_schema.items()},
    },
}
_text_schema = ReviewTextCreate.model_json_schema()
REVIEW_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": _upload_schema},
            "application/json": {
                "schema": _text_schema,
                "examples": {
                    "english": {
                        "summary": "An English plan as Markdown text",
                        "value": _text_schema["examples"][0],
                    },
                    "chinese": {"summary": "A Chinese plan", "value": _text_schema["examples"][1]},
                },
            },
        },
    }
}
for _key in ("examples",):
    _text_schema.pop(_key, None)


def links(review_id: str) -> dict[str, str]:
    base = f"/v1/reviews/{review_id}"
    return {"self": base, "events": f"{base}/events", "report": f"{base}/report?format=html"}


def _visible(
    record: store.ReviewRecord | None, caller: Caller, review_id: str
) -> store.ReviewRecord:
    if record is None or (record.key_id and record.key_id != caller.key_id and not caller.admin):
        raise ApiProblem(404, f"no review with id {review_id!r}", kind="not-found")
    return record


async def get_record(state: ApiState, caller: Caller, review_id: str) -> store.ReviewRecord:
    record = await anyio.to_thread.run_sync(store.get_review, state.db, review_id)
    return _visible(record, caller, review_id)


def queue_guard(state: ApiState, extra: int = 1) -> None:
    pending = store.pending_count(state.db)
    if pending + extra > state.api.queue_limit:
        raise ApiProblem(
            503,
            f"the job queue is full ({pending} jobs waiting)",
            kind="busy",
            retryable=True,
            hint="retry later",
            headers={"Retry-After": "30"},
        )


@router.post(
    "",
    summary="Review a plan",
    description="Upload a plan (multipart field `file`) or send its text as JSON. Small plans "
    "are reviewed at once and answer **200** with the review JSON. With `?mode=async`, or for "
    "plans larger than the server's synchronous limit, the review runs as a job: **202** with "
    "`Location: /v1/reviews/{id}`; follow `/events` for progress.",
    response_model=None,
    status_code=200,
    responses={
        200: {"model": ReviewResult, "description": "The review (synchronous)"},
        202: {"model": ReviewAccepted, "description": "Accepted as a job"},
        **problems(400, 409, 413, 415, 422, 503),
    },
    openapi_extra=REVIEW_BODY,
)
async def create_review(
    request: Request,
    state: StateDep,
    caller: CallerDep,
    idempotency_key: IdempotencyKeyDep = None,
    mode: Annotated[
        Literal["auto", "sync", "async"],
        Query(
            description="auto: synchronous for small plans; async: always a job; sync: always at once."
        ),
    ] = "auto",
) -> Response:
    upload = await read_review(request, state.settings, state.api)
    print_ = fingerprint("POST", "/v1/reviews", {"mode": mode}, upload.print_payload)

    async def produce() -> Response:
        as_job = mode == "async" or (mode == "auto" and len(upload.data) > state.api.sync_max_bytes)
        if as_job:
            await anyio.to_thread.run_sync(queue_guard, state)
            review_id = await anyio.to_thread.run_sync(
                lambda: store.create_job(
                    state.db,
                    source=upload.name,
                    options=upload.options,
                    data=upload.data,
                    key_id=caller.key_id,
                )
            )
            state.jobs.submit(review_id)
            state.metrics.reviews.labels("async", "accepted").inc()
            accepted = {"id": review_id, "status": "queued", "links": links(review_id)}
            return JSONResponse(
                accepted, status_code=202, headers={"Location": f"/v1/reviews/{review_id}"}
            )
        outcome = await state.executor.review(
            upload.data, upload.name, upload.options, state.settings
        )
        try:
            review_id = await anyio.to_thread.run_sync(
                lambda: store.save_finished(
                    state.db,
                    source=upload.name,
                    options=upload.options,
                    plan_json=outcome.plan_json,
                    review_json=outcome.review_json,
                    key_id=caller.key_id,
                    finding_count=len(json.loads(outcome.review_json)["findings"]),
                )
            )
        except StorageUnavailable as exc:
            # The review is done: give it to the caller rather than lose it.
            log.error("a synchronous review was not stored: %s", exc.message)
            state.metrics.reviews.labels("sync", "unstored").inc()
            return JSONResponse(unstored(outcome.review_json, exc))
        state.metrics.reviews.labels("sync", "cached" if outcome.cached else "ok").inc()
        body = '{"id":' + json.dumps(review_id) + "," + outcome.review_json[1:]
        return Response(
            body, media_type="application/json", headers={"Location": f"/v1/reviews/{review_id}"}
        )

    return await idempotent(state, caller, idempotency_key, print_, produce)


NOT_STORED = (
    "this review was not stored ({reason}): it has no id, so GET, /events and /report "
    "cannot find it; keep this response, or send the plan again later"
)


def unstored(review_json: str, exc: StorageUnavailable) -> dict[str, Any]:
    review = json.loads(review_json)
    review["warnings"] = [*review.get("warnings", []), NOT_STORED.format(reason=exc.message)]
    return {"id": None, **review}


def public(record: store.ReviewRecord) -> dict[str, Any]:
    error = None
    if record.status == store.FAILED:
        error = {
            "kind": record.error_kind or "error",
            "status": record.error_status or 500,
            "detail": record.error_detail or "the review failed",
        }
    return {
        "id": record.id,
        "status": record.status,
        "stage": record.stage,
        "source": record.source,
        "attempts": record.attempts,
        "batch_id": record.batch_id,
        "created_at": record.created_at.isoformat() + "Z",
        "started_at": record.started_at.isoformat() + "Z" if record.started_at else None,
        "finished_at": record.finished_at.isoformat() + "Z" if record.finished_at else None,
        "error": error,
        "links": links(record.id),
        "review": json.loads(record.review_json) if record.review_json else None,
    }


@router.get(
    "/{review_id}",
    summary="A review and its job status",
    response_model=ReviewPublic,
    responses=problems(404),
)
async def get_review(review_id: str, state: StateDep, caller: CallerDep) -> JSONResponse:
    record = await get_record(state, caller, review_id)
    return JSONResponse(public(record))


SSE_EVENT: dict[str, Any] = {
    "type": "object",
    "description": "One server-sent event.",
    "properties": {
        "id": {"type": "string", "description": "Sequence number; send as Last-Event-ID."},
        "event": {
            "type": "string",
            "enum": ["queued", "started", "progress", "requeued", "done", "failed"],
        },
        "data": {"type": "string", "description": "The event's JSON object, as text."},
    },
}
_EVENT_ID = re.compile(r"[0-9]{1,18}")


def resume_after(last_event_id: str | None) -> int:
    """The event sequence number to resume after: 0 (from the start) unless the header is
    a plain decimal that fits the database's integers; anything else is ignored."""
    if last_event_id and _EVENT_ID.fullmatch(last_event_id.strip()):
        return int(last_event_id)
    return 0


def _sse(seq: int, event: str, data: dict[str, Any]) -> str:
    return f"id: {seq}\nevent: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get(
    "/{review_id}/events",
    summary="Progress as server-sent events",
    description="`text/event-stream` of the job's events: `queued`, `started`, `progress` "
    '(data `{"stage": …}`), `requeued` (after a server restart, with the reason), then `done` '
    "or `failed`, after which the stream ends. Reconnect with `Last-Event-ID` to resume.",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": SSE_EVENT}},
            "description": "The event stream; the schema is that of one event",
        },
        **problems(404),
    },
)
async def review_events(
    review_id: str,
    request: Request,
    state: StateDep,
    caller: CallerDep,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", description="Resume after this event id.")
    ] = None,
) -> StreamingResponse:
    record = await get_record(state, caller, review_id)
    after = resume_after(last_event_id)

    async def stream() -> AsyncIterator[str]:
        nonlocal after
        yield "retry: 2000\n\n"
        started = last_beat = time.monotonic()
        while True:
            events = await anyio.to_thread.run_sync(store.events_after, state.db, review_id, after)
            if not events and after == 0 and record.status in store.TERMINAL:
                # A synchronous review has no job events: say how it ended.
                name = "done" if record.status == store.SUCCEEDED else "failed"
                yield _sse(1, name, {"status": record.status})
                return
            for ev in events:
                after = ev.seq
                yield _sse(ev.seq, ev.event, ev.data)
                if ev.event in ("done", "failed"):
                    return
            now = time.monotonic()
            if now - started > SSE_MAX_SECONDS or await request.is_disconnected():
                return
            if now - last_beat > SSE_KEEPALIVE_SECONDS:
                last_beat = now
                yield ": keep-alive\n\n"
            await asyncio.sleep(SSE_POLL_SECONDS)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


ReportFormat = Literal["html", "markdown", "sarif", "json", "text"]


@router.get(
    "/{review_id}/report",
    summary="The review rendered as a report",
    description="html: a standalone page (no JavaScript) with the plan and findings in place; "
    "markdown; sarif (2.1.0, for code scanning); json (the review JSON); text.",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/html": {},
                "text/markdown": {},
                "application/sarif+json": {},
                "application/json": {},
                "text/plain": {},
            },
            "description": "The report",
        },
        **problems(404, 409, 422),
    },
)
async def review_report(
    review_id: str,
    state: StateDep,
    caller: CallerDep,
    format: Annotated[ReportFormat, Query(description="Report format.")] = "html",
) -> Response:
    record = await get_record(state, caller, review_id)
    if record.status != store.SUCCEEDED or not record.review_json or not record.plan_json:
        if record.status == store.FAILED:
            raise ApiProblem(
                409,
                f"review {review_id} failed, so it has no report: {record.error_detail}",
                kind="review-failed",
            )
        raise ApiProblem(
            409,
            f"review {review_id} is {record.status}; the report is ready when it has succeeded",
            kind="not-ready",
            retryable=True,
            hint=f"follow /v1/reviews/{review_id}/events",
            headers={"Retry-After": "1"},
        )
    body = await anyio.to_thread.run_sync(
        render_report, record.plan_json, record.review_json, format
    )
    from service.report import MEDIA_TYPES

    return Response(body, media_type=MEDIA_TYPES[format])


def render_report(plan_json: str, review_json: str, fmt: str) -> str:
    from service.models import Plan, Review
    from service.report import render

    plan = Plan.model_validate_json(plan_json)
    review = Review.model_validate_json(review_json)
    return render([(review, plan)], fmt)
