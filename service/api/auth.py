"""Who is calling: an API key, or an anonymous caller on a loopback-only server.

Keys are required whenever the server listens beyond loopback (the serve
command refuses to start there without keys unless ``--insecure``). A key
sent to a loopback server is still checked: a wrong key is a 401, never
silently anonymous. Verified keys are remembered for a few seconds, so a
revoked key stops working within ``CACHE_SECONDS``.

Failed authentications are limited per client address (the peer, or the
client a trusted proxy names in X-Forwarded-For): once a client has spent its
budget of wrong keys, keys it presents are refused with 429 before they reach
the database, except one verified in the last few seconds. Nothing is granted
for calling from loopback.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass

from starlette.requests import Request

from service.api.problems import ApiProblem
from service.api.ratelimit import RateLimiter
from service.store import keys as key_store
from service.store.db import Database

CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class Caller:
    id: str = ""
    key_id: str | None = None
    admin: bool = False


def is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key else None


class Authenticator:
    def __init__(self, db: Database, required: bool, failures: RateLimiter | None = None) -> None:
        self.db = db
        self.required = required
        self.failures = failures or RateLimiter(0, 1)
        self._cache: dict[str, tuple[float, key_store.KeyInfo | None]] = {}
        self._lock = threading.Lock()

    def _cached(self, key: str, now: float) -> tuple[bool, key_store.KeyInfo | None]:
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return True, hit[1]
        return False, None

    def _verify(self, key: str, client: str) -> key_store.KeyInfo | None:
        now = time.monotonic()
        known, cached = self._cached(key, now)
        if known and cached is not None:
            return cached
        wait = self.failures.peek(client)
        if wait:
            raise ApiProblem(
                429,
                "too many failed authentications from this client",
                kind="auth-rate-limited",
                retryable=True,
                hint=f"check the API key; retry after {wait} s",
                headers={"Retry-After": str(wait)},
            )
        if known:
            info = None
        else:
            info = key_store.verify_key(self.db, key)
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[key] = (now, info)
        if info is None:
            self.failures.take(client)
        return info

    def authenticate(self, request: Request) -> Caller:
        key = presented_key(request)
        client = request.client.host if request.client else "unknown"
        if key is None:
            if self.required:
                raise ApiProblem(
                    401,
                    "this server requires an API key",
                    kind="unauthorized",
                    hint="send 'Authorization: Bearer <key>'; an operator creates "
                    "keys with 'planreview keys create'",
                    headers={"WWW-Authenticate": 'Bearer realm="planreview"'},
                )
            return Caller(id=f"anon:{client}")
        info = self._verify(key, client)
        if info is None:
            raise ApiProblem(
                401,
                "the API key is not valid or has been revoked",
                kind="unauthorized",
                hint="ask an operator for a new key",
                headers={"WWW-Authenticate": 'Bearer realm="planreview", error="invalid_token"'},
            )
        return Caller(id=f"key:{info.id}", key_id=info.id, admin=info.admin)
