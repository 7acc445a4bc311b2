"""RFC 9457 problem details for every error the API returns.

Errors become problems only here, at the edge: the core raises
:class:`PlanReviewError` subclasses (which carry ``http_status``, ``kind``,
``retryable`` and a hint), FastAPI raises validation errors and HTTP
exceptions, and anything unexpected becomes a bare 500 whose details go to the
server log, never to the client.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from service.errors import PlanReviewError

log = logging.getLogger("planreview.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:planreview:problem:"


class Problem(BaseModel):
    """An RFC 9457 problem document, plus a few planreview extensions."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="URI naming the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(default="", description="What went wrong with this request.")
    instance: str | None = Field(default=None, description="The request path.")
    kind: str = Field(default="error", description="Machine-readable kind, e.g. 'bad-input'.")
    hint: str | None = Field(default=None, description="What to do about it.")
    retryable: bool = Field(default=False, description="Retrying the same request may succeed.")


class ApiProblem(Exception):
    """Raise anywhere below a route to answer with a problem response."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        hint: str | None = None,
        retryable: bool = False,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind or _default_kind(status)
        self.hint = hint
        self.retryable = retryable
        self.headers = headers or {}
        self.extra = extra


_KINDS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "content-too-large",
    415: "unsupported-media-type",
    422: "invalid-request",
    429: "rate-limited",
    500: "internal-error",
    503: "unavailable",
}


def _default_kind(status: int) -> str:
    return _KINDS.get(status, "error")


_RFC9110_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def _title(status: int) -> str:
    if status in _RFC9110_TITLES:
        return _RFC9110_TITLES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    instance: str | None = None,
    hint: str | None = None,
    retryable: bool = False,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    kind = kind or _default_kind(status)
    body: dict[str, Any] = {
        "type": f"{TYPE_BASE}{kind}",
        "title": _title(status),
        "status": status,
        "detail": detail,
        "kind": kind,
        "retryable": retryable,
    }
    if instance:
        body["instance"] = instance
    if hint:
        body["hint"] = hint
    body.update(extra)
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def from_error(exc: PlanReviewError, instance: str | None = None) -> Response:
    """The problem response for a core error (its message names the input)."""
    headers = {"Retry-After": "5"} if exc.retryable and exc.http_status in (429, 503) else None
    return problem_response(
        exc.http_status,
        exc.message,
        kind=exc.kind,
        instance=instance,
        hint=exc.hint or None,
        retryable=exc.retryable,
        headers=headers,
    )


def _validation_detail(errors: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    items: list[dict[str, Any]] = []
    for err in errors[:20]:
        loc = [str(p) for p in err.get("loc", ())]
        items.append({"loc": loc, "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))})
    if not items:
        return "the request is not valid", items
    first = items[0]
    where = ".".join(p for p in first["loc"] if p != "body") or "request"
    more = f" (and {len(items) - 1} more)" if len(items) > 1 else ""
    return f"{where}: {first['msg']}{more}", items


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem response."""

    @app.exception_handler(ApiProblem)
    async def _api_problem(request: Request, exc: ApiProblem) -> Response:
        return problem_response(
            exc.status,
            exc.detail,
            kind=exc.kind,
            instance=request.url.path,
            hint=exc.hint,
            retryable=exc.retryable,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(PlanReviewError)
    async def _core_error(request: Request, exc: PlanReviewError) -> Response:
        return from_error(exc, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else _title(exc.status_code)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no resource at {request.url.path}"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return problem_response(
            exc.status_code, detail, instance=request.url.path, headers=dict(exc.headers or {})
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        detail, items = _validation_detail(list(exc.errors()))
        return problem_response(
            422, detail, kind="invalid-request", instance=request.url.path, errors=items
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500,
            "the server failed to handle this request; the error was logged",
            instance=request.url.path,
            retryable=True,
        )
