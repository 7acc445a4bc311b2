"""Security headers on every response.

``X-Content-Type-Options: nosniff`` everywhere, so a browser never runs a
report or a JSON body as something else. Everything but the interactive docs
also gets a ``Content-Security-Policy`` that allows no script, no remote
resource, no form and no framing: a report is a standalone page of text and
inline styles. The docs pages (Swagger UI and ReDoc, served from this server:
service/api/docs_pages.py) get one that allows scripts, styles, images and
requests from this origin only, and ReDoc's workers.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
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
                headers.setdefault("Content-Security-Policy", REPORT_CSP if with_csp else DOCS_CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)
