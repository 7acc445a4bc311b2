"""Security headers on every response.

``X-Content-Type-Options: nosniff`` everywhere, so a browser never runs a
report or a JSON body as something else. Everything but the interactive docs
(which load Swagger UI and ReDoc from their CDN) also gets a
``Content-Security-Policy`` that allows no script, no remote resource, no
form and no framing: a report is a standalone page of text and inline styles.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_DOCS = ("/docs", "/redoc")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with_csp = not str(scope.get("path", "")).startswith(_DOCS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if with_csp:
                    headers.setdefault("Content-Security-Policy", REPORT_CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)
