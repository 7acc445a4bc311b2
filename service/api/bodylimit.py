"""Request body limits enforced while the body streams in.

A request whose Content-Length is over the limit is answered 413 before a
byte of its body is read; a chunked body is counted as it arrives and the
request fails with 413 as soon as it passes the limit. Multipart file parts
spool to disk past 1 MB (python-multipart), so no body is ever held in memory
whole. Limits are per route: a batch may be larger than a single plan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.problems import from_error
from service.errors import InputTooLarge

LimitFor = Callable[[str, str], int]


class BodyTooLarge(InputTooLarge):
    """The request body passed its limit: the same 413 problem whether the Content-Length
    said so up front or the body was counted as it streamed in (then a route's error
    handler or this middleware answers, whichever sees it first)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            "request",
            f"the body is larger than the {_human(limit)} limit",
            hint="send a smaller file, or split the batch into several requests",
        )
        self.limit = limit


def _too_large(limit: int, path: str) -> Any:
    response = from_error(BodyTooLarge(limit), path)
    response.headers["Connection"] = "close"
    return response


def _human(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024**2:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024**2:.0f} MB"


class BodyLimitMiddleware:
    """Pure ASGI: wraps ``receive`` with a byte counter."""

    def __init__(self, app: ASGIApp, limit_for: LimitFor) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _too_large(limit, scope["path"])(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(limit, scope["path"])(scope, receive, send)
