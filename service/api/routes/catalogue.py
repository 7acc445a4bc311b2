"""/v1/rules and /v1/knowledge: the rule catalogue and the guidance behind findings."""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse, Response

from service.api.deps import AdminDep, CallerDep, IdempotencyKeyDep, StateDep
from service.api.guidance import add_document
from service.api.idempotency import fingerprint, idempotent
from service.api.problems import ApiProblem
from service.api.routes.docs import problems
from service.api.schemas.catalogue import KnowledgeDocumentCreated, KnowledgeHit, RulePublic
from service.api.state import ApiState
from service.api.uploads import media_type, read_file
from service.rules import catalogue

router = APIRouter(prefix="/v1", tags=["catalogue"])
log = logging.getLogger("planreview.api")


@router.get(
    "/rules", summary="Every rule code", response_model=list[RulePublic], responses=problems()
)
async def list_rules(caller: CallerDep) -> list[RulePublic]:
    return [
        RulePublic(
            code=r.code,
            family=r.family,
            severity=r.severity,
            scope=r.scope,
            title_en=r.title_en,
            title_zh=r.title_zh,
            summary_en=r.summary_en,
            summary_zh=r.summary_zh,
            llm_only=r.llm_only,
        )
        for r in catalogue.RULES
    ]


def _retriever(state: ApiState) -> Any:
    if state.retriever is None:
        from service.knowledge.retriever import Retriever

        state.retriever = Retriever(state.settings, auto_index=False)
    return state.retriever


def _index_ready(state: ApiState, retriever: Any) -> bool:
    """Whether the vector index is current; if not, start one background build (single flight).

    A request never waits for embeddings: until the index is current, search answers
    from BM25 alone and says so in ``X-Knowledge-Mode``.
    """
    if retriever.store.is_current():
        return True
    if state.api.knowledge_auto_index:
        lock = state.extras.setdefault("index_lock", threading.Lock())
        if lock.acquire(blocking=False):

            def build() -> None:
                try:
                    retriever.store.ensure_index()
                except Exception:
                    log.exception("building the knowledge index failed")
                finally:
                    lock.release()

            threading.Thread(target=build, name="planreview-index", daemon=True).start()
    return False


@router.get(
    "/knowledge/search",
    summary="Search the guidance",
    response_model=list[KnowledgeHit],
    description="Hybrid search (multilingual vectors + BM25) over the framework guidance "
    "and case library. Until the vector index is built, results come from BM25 alone; the "
    "`X-Knowledge-Mode` header says which mode answered.",
    responses={
        200: {
            "headers": {
                "X-Knowledge-Mode": {
                    "description": "hybrid, vector or lexical",
                    "schema": {"type": "string"},
                }
            }
        },
        **problems(422, 503),
    },
)
async def search_knowledge(
    state: StateDep,
    caller: CallerDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="What to look for.")],
    k: Annotated[int, Query(ge=1, le=50, description="How many chunks.")] = 5,
    lang: Annotated[Literal["en", "zh"] | None, Query(description="Only this language.")] = None,
    mode: Annotated[
        Literal["hybrid", "vector", "lexical"],
        Query(description="hybrid (vectors + BM25), vector, or lexical (BM25 only, no model load)"),
    ] = "hybrid",
) -> JSONResponse:
    retriever = _retriever(state)

    def search() -> tuple[list[Any], str]:
        used = mode if mode == "lexical" or _index_ready(state, retriever) else "lexical"
        return retriever.search(q, k=k, lang=lang, mode=used), used

    hits, used = await anyio.to_thread.run_sync(search)
    return JSONResponse([h.public() for h in hits], headers={"X-Knowledge-Mode": used})


DOCUMENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A guidance document in the knowledge/ Markdown format.",
                        }
                    },
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["name", "text"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                        "text": {"type": "string", "minLength": 1},
                    },
                }
            },
        },
    }
}


@router.post(
    "/knowledge/documents",
    summary="Add an organisation's guidance (admin keys)",
    status_code=201,
    response_model=KnowledgeDocumentCreated,
    responses=problems(403, 409, 413, 415, 422),
    openapi_extra=DOCUMENT_BODY,
)
async def add_knowledge_document(
    request: Request, state: StateDep, admin: AdminDep, idempotency_key: IdempotencyKeyDep = None
) -> Response:
    import hashlib
    import json

    kind = media_type(request)
    if kind == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiProblem(
                422,
                "send the document in a multipart file field named 'file'",
                kind="invalid-request",
            )
        name = upload.filename or "guidance.md"
        data = await read_file(upload, state.api.max_knowledge_bytes)
    elif kind == "application/json":
        try:
            body = json.loads(await request.body())
            name, text = body["name"], body["text"]
            if not isinstance(name, str) or not isinstance(text, str) or not name or not text:
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise ApiProblem(
                422, 'send JSON {"name": "…", "text": "…"}', kind="invalid-request"
            ) from None
        data = text.encode("utf-8")
        if len(data) > state.api.max_knowledge_bytes:
            raise ApiProblem(
                413,
                f"{name}: the document is larger than the "
                f"{state.api.max_knowledge_bytes // 1024} KB limit",
                kind="input-too-large",
            )
    else:
        raise ApiProblem(
            415,
            f"unsupported content type {kind!r}",
            hint="send multipart/form-data with 'file', or JSON with name and text",
        )
    print_ = fingerprint(
        "POST",
        "/v1/knowledge/documents",
        {},
        {"name": name, "sha256": hashlib.sha256(data).hexdigest()},
    )

    async def produce() -> Response:
        added = await anyio.to_thread.run_sync(add_document, name, data, state.settings, state.db)
        body = KnowledgeDocumentCreated(
            document=added.document, chunks=added.chunks, knowledge_version=added.knowledge_version
        )
        return JSONResponse(body.model_dump(), status_code=201)

    return await idempotent(state, admin, idempotency_key, print_, produce)
