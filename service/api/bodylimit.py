"""Request body limits enforced while the body streams in.

A request whose Content-Length is over the limit is answered 413 before a
byte of its body is read; a chunked body is counted as it arrives and the
request fails with 413 as soon as it passes the limit. Multipart file parts
spool to disk past 1 MB (python-multipart), so no body is ever held in memory
whole. Limits are per route: a batch may be larger than a single plan.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.problems import problem_response

LimitFor = Callable[[str, str], int]


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the {_human(limit)} limit")
        self.limit = limit


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
            response = problem_response(
                413,
                BodyTooLarge(limit).detail,
                kind="input-too-large",
                instance=scope["path"],
                hint="send a smaller file, or split the batch into several requests",
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)
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
        except BodyTooLarge as exc:
            if started:
                raise
            response = problem_response(
                413,
                str(exc.detail),
                kind="input-too-large",
                instance=scope["path"],
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)
