"""A scripted OpenAI-compatible chat server for tests (stdlib only, 127.0.0.1, a free port).

Tests queue the answers the server gives, in order, and read back the
requests it received::

    with ScriptedLLMServer() as server:
        server.enqueue_json({"findings": [], "risks": [], "summary": "ok"})
        server.enqueue_status(429, headers={"Retry-After": "0.2"})
        settings = Settings(OPENAI_BASE_URL=server.base_url, ...)
        ...
        assert len(server.requests) == 1

Each queued item answers one POST to ``/v1/chat/completions``. When the queue
is empty the server answers 500 ("no scripted response"), so a test that
makes more calls than it scripted fails loudly.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[["Received"], "Scripted"]


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0
    """Seconds to wait before answering (the test's stop() cuts it short)."""
    respond: Callable[[Received], Scripted] | None = None
    """Build the answer from the request instead (dynamic scripts)."""


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def prompt_text(self) -> str:
        return "\n".join(str(m.get("content", "")) for m in self.messages)


def completion(
    content: str,
    *,
    finish_reason: str = "stop",
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
    model: str = "scripted-model",
) -> dict[str, Any]:
    """A chat.completion body whose message content is ``content``."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def json_reply(obj: Any, **kwargs: Any) -> Scripted:
    """A 200 chat completion whose content is ``obj`` as JSON (for responders)."""
    body = json.dumps(completion(json.dumps(obj, ensure_ascii=False), **kwargs)).encode()
    return Scripted(200, body, {"Content-Type": "application/json"})


class ScriptedLLMServer:
    """Answers chat completions from a queue; records every request."""

    def __init__(self) -> None:
        self.queue: deque[Scripted] = deque()
        self.default: Responder | None = None
        """Answers requests when the queue is empty (else: 500 'no scripted response')."""
        self.requests: list[Received] = []
        """Chat completion requests (POST …/chat/completions)."""
        self.tokenizer: Callable[[str], int] | None = None
        """Answers POST /tokenize with this many tokens for the content (else 404, like a
        server without that endpoint); such requests go to ``tokenize_requests``."""
        self.tokenize_requests: list[Received] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------- scripting

    def enqueue(self, item: Scripted) -> None:
        with self._lock:
            self.queue.append(item)

    def enqueue_json(self, obj: Any, **kwargs: Any) -> None:
        """A completion whose content is ``obj`` as JSON."""
        self.enqueue_text(json.dumps(obj, ensure_ascii=False), **kwargs)

    def enqueue_text(self, content: str, **kwargs: Any) -> None:
        """A completion whose content is ``content`` as it is (JSON or not)."""
        body = json.dumps(completion(content, **kwargs)).encode()
        self.enqueue(Scripted(200, body, {"Content-Type": "application/json"}))

    def enqueue_status(
        self, status: int, *, headers: dict[str, str] | None = None, message: str = "scripted error"
    ) -> None:
        body = json.dumps({"error": {"message": message, "type": "scripted", "code": None}})
        self.enqueue(
            Scripted(status, body.encode(), {"Content-Type": "application/json", **(headers or {})})
        )

    def enqueue_fn(self, fn: Responder) -> None:
        """An answer computed from the request (see ``json_reply``)."""
        self.enqueue(Scripted(respond=fn))

    def enqueue_hang(self, seconds: float) -> None:
        """Accept the request and say nothing for ``seconds`` (then a 500)."""
        self.enqueue(
            Scripted(
                500,
                b'{"error": {"message": "too late"}}',
                {"Content-Type": "application/json"},
                hang=seconds,
            )
        )

    # ------------------------------------------------------------- serving

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/v1"

    def start(self) -> ScriptedLLMServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw.decode() or "{}")
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                received = Received(
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    time.monotonic(),
                )
                if self.path.rstrip("/").endswith("/tokenize"):
                    with server._lock:
                        server.tokenize_requests.append(received)
                    fn = server.tokenizer
                    if fn is None:
                        payload, status = b'{"error": {"message": "not found"}}', 404
                    else:
                        n = fn(str(body.get("content", "")))
                        payload, status = json.dumps({"tokens": list(range(n))}).encode(), 200
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                with server._lock:
                    server.requests.append(received)
                    if server.queue:
                        item = server.queue.popleft()
                    elif server.default is not None:
                        item = Scripted(respond=server.default)
                    else:
                        item = Scripted(
                            500,
                            b'{"error": {"message": "no scripted response"}}',
                            {"Content-Type": "application/json"},
                        )
                if item.respond is not None:
                    item = item.respond(received)
                if item.hang:
                    server._stop.wait(item.hang)
                    if server._stop.is_set():
                        return
                try:
                    self.send_response(item.status)
                    for k, v in item.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(item.body)))
                    self.end_headers()
                    self.wfile.write(item.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> ScriptedLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def dead_base_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens (a port bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
