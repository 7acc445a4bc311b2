"""Record and replay LLM answers at the HTTP layer (an httpx transport).

A cassette directory holds one JSON file per request, named by the request
hash: ``sha256(method, endpoint path, canonical JSON body)``. The body holds
the model name, the messages and the response format, so the same prompt to
the same model replays the same answer, whatever the base URL. Nothing from
the request headers is stored (no Authorization, no organisation id), and of
the response headers only the content type.

Modes: ``record`` forwards each request to the real endpoint and stores every
successful answer; ``replay`` answers from the directory and raises
``CassetteMissing`` for a request it has no cassette for: it never touches the
network. Configure with ``PLANREVIEW_LLM_CASSETTES=DIR`` and
``PLANREVIEW_LLM_CASSETTE_MODE=record|replay`` (replay by default).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any, Literal

import httpx

from service.errors import LLMError

CASSETTES_ENV = "PLANREVIEW_LLM_CASSETTES"
MODE_ENV = "PLANREVIEW_LLM_CASSETTE_MODE"
FORMAT_VERSION = 1

Mode = Literal["record", "replay"]


class CassetteMissing(LLMError):
    """Replay mode met a request it has no recorded answer for (no network call was made)."""

    kind = "llm-cassette-missing"

    def __init__(self, request_hash: str, directory: Path) -> None:
        super().__init__(
            f"no cassette for request {request_hash[:12]} in {directory}",
            hint="record it with `planreview llm record PLAN --cassettes DIR` "
            "(needs an endpoint), or check the model name and prompts",
        )
        self.request_hash = request_hash
        self.directory = directory


def _endpoint(path: str) -> str:
    """The endpoint part of a URL path ('/v1/chat/completions' -> 'chat/completions')."""
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[-2:])


def canonical_request(method: str, path: str, body: bytes) -> dict[str, Any]:
    try:
        payload: Any = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        payload = body.decode("utf-8", "replace")
    return {"method": method.upper(), "endpoint": _endpoint(path), "body": payload}


def request_hash(method: str, path: str, body: bytes) -> str:
    canon = canonical_request(method, path, body)
    blob = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class CassetteTransport(httpx.BaseTransport):
    """An httpx transport that records to or replays from a cassette directory."""

    def __init__(
        self, directory: Path, mode: Mode = "replay", inner: httpx.BaseTransport | None = None
    ) -> None:
        self.directory = Path(directory)
        self.mode: Mode = mode
        self._inner = inner
        self._lock = threading.Lock()
        self.hits = 0
        self.recorded = 0

    def path_for(self, digest: str) -> Path:
        return self.directory / f"{digest}.json"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        digest = request_hash(request.method, request.url.path, body)
        path = self.path_for(digest)
        if self.mode == "replay":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise CassetteMissing(digest, self.directory) from None
            except (OSError, ValueError) as exc:
                raise LLMError(
                    f"{path}: unreadable cassette ({exc})", hint="delete it and record again"
                ) from None
            with self._lock:
                self.hits += 1
            resp = data["response"]
            content = (
                json.dumps(resp["body"], ensure_ascii=False).encode("utf-8")
                if not isinstance(resp["body"], str)
                else resp["body"].encode("utf-8")
            )
            return httpx.Response(
                status_code=int(resp["status"]),
                headers={"content-type": resp.get("content_type", "application/json")},
                content=content,
                request=request,
            )
        inner = self._inner or httpx.HTTPTransport()
        self._inner = inner
        response = inner.handle_request(request)
        content = response.read()
        if response.status_code < 400:
            try:
                stored: Any = json.loads(content.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                stored = content.decode("utf-8", "replace")
            record = {
                "format": FORMAT_VERSION,
                "request": canonical_request(request.method, request.url.path, body),
                "response": {
                    "status": response.status_code,
                    "content_type": response.headers.get("content-type", "application/json"),
                    "body": stored,
                },
            }
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(path)
            with self._lock:
                self.recorded += 1
        headers = [
            (k, v)
            for k, v in response.headers.items()
            if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
        ]
        return httpx.Response(
            status_code=response.status_code, headers=headers, content=content, request=request
        )

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()


def cassette_config(settings: Any = None) -> tuple[Path, Mode] | None:
    """(directory, mode) from the settings object or the environment; None when off."""
    directory = getattr(settings, "llm_cassettes", None) or os.environ.get(CASSETTES_ENV)
    if not directory:
        return None
    mode = (
        (getattr(settings, "llm_cassette_mode", None) or os.environ.get(MODE_ENV) or "replay")
        .strip()
        .lower()
    )
    if mode not in ("record", "replay"):
        raise LLMError(f"{MODE_ENV}={mode!r} is not a cassette mode", hint="use record or replay")
    return Path(directory), mode  # type: ignore[return-value]


def find_missing(exc: BaseException) -> CassetteMissing | None:
    """The CassetteMissing behind an exception (the openai client wraps transport errors)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, CassetteMissing):
            return cur
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return None
