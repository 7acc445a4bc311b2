"""/v1/critiques: the fast synchronous endpoint editors call (rules only, nothing stored)."""

from __future__ import annotations

import json
import time

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.api.deps import CallerDep, IdempotencyKeyDep, StateDep
from service.api.idempotency import fingerprint, idempotent
from service.api.routes.docs import problems
from service.api.schemas.critiques import CritiqueCreate, CritiquePublic
from service.api.uploads import read_json, safe_name
from service.errors import InputTooLarge

router = APIRouter(prefix="/v1/critiques", tags=["critiques"])

_MARKDOWN = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
_schema = CritiqueCreate.model_json_schema()
CRITIQUE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {k: v for k, v in _schema.items() if k != "examples"},
                "examples": {
                    "english": {"summary": "A Markdown buffer", "value": _schema["examples"][0]}
                },
            }
        },
    }
}


@router.post(
    "",
    summary="Critique text (fast, rules only)",
    response_model=CritiquePublic,
    responses=problems(413, 415, 422),
    openapi_extra=CRITIQUE_BODY,
)
async def create_critique(
    request: Request,
    state: StateDep,
    caller: CallerDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> Response:
    # The body is read here, after the key and the rate limit were checked (a body
    # parameter would make FastAPI read the whole body before any dependency runs).
    t0 = time.perf_counter()
    body = await read_json(request, CritiqueCreate)
    name = safe_name(body.name, "buffer.md")
    if not name.lower().endswith(_MARKDOWN):
        name = f"{name}.md"
    if len(body.text) > state.api.max_text_chars:
        raise InputTooLarge(
            name,
            f"the text has {len(body.text):,} characters, more than the "
            f"{state.api.max_text_chars:,} limit",
            hint="critique a smaller part",
        )
    options = {
        "llm": "off",
        "lang": body.lang,
        "draft": False,
        "select": body.select,
        "ignore": body.ignore,
    }
    data = body.text.encode("utf-8")
    print_ = fingerprint("POST", "/v1/critiques", {}, body.model_dump())

    async def produce() -> Response:
        outcome = await state.executor.review(data, name, options, state.settings)
        review = json.loads(outcome.review_json)
        state.metrics.reviews.labels("critique", "cached" if outcome.cached else "ok").inc()
        out = {
            "findings": review["findings"],
            "language": review["plan"]["language"],
            "rules_version": review["engine"]["rules_version"],
            "knowledge_version": review["engine"]["knowledge_version"],
            "scores": review.get("scores", {}),
            "elapsed_ms": int((time.perf_counter() - t0) * 1000),
        }
        return Response(json.dumps(out, ensure_ascii=False), media_type="application/json")

    return await idempotent(state, caller, idempotency_key, print_, produce)
