"""Running reviews for the API: synchronous ones in a process pool, jobs in threads.

The offline review is CPU-bound pure Python, so synchronous reviews run in a
small pool of worker processes (one per core by default) to use every core;
the server process only speaks HTTP and writes the database. A worker that
dies costs only the request it was running, and is replaced
(:mod:`service.api.workers`). Workers return
JSON strings, so nothing is validated twice. Core errors come back as plain
tuples (exceptions with keyword-only arguments do not unpickle reliably) and
are raised again here as the same kind of error.

Offline reviews are deterministic for a given input, options, rules version
and knowledge version, so the last few are kept in memory by content hash: an
editor or pipeline that sends the same text twice gets the answer at once.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

from service.api.workers import WorkerDied, WorkerPool
from service.errors import PlanReviewError
from service.settings import Settings, get_settings

ErrorTuple = tuple[str, str, int, str, str, bool]
VERSION_TTL = 2.0


@dataclass(frozen=True)
class Outcome:
    plan_json: str
    review_json: str
    cached: bool = False


class ReviewFailed(PlanReviewError):
    """A core error raised in a worker, carried back with its status and kind."""

    def __init__(self, message: str, *, kind: str, status: int, hint: str, retryable: bool) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind
        self.http_status = status
        self.retryable = retryable


def review_options(options: dict[str, Any]) -> Any:
    """ReviewOptions from the API's flat option dict (already validated)."""
    from service.config import ReviewConfig
    from service.review import ReviewOptions

    config = ReviewConfig().merged(options.get("select") or None, options.get("ignore") or None)
    return ReviewOptions(
        llm=options.get("llm", "auto"),
        lang=options.get("lang", "auto"),
        draft=bool(options.get("draft", False)),
        config=config,
    )


def run_review(data: bytes, name: str, options: dict[str, Any]) -> tuple[str, str] | ErrorTuple:
    """Ingest and review; returns (plan_json, review_json) or an error tuple. Runs anywhere."""
    from service.ingest import load_bytes
    from service.review import review_plan

    settings = get_settings()
    try:
        t0 = time.perf_counter()
        plan = load_bytes(data, name, settings)
        parse_ms = int((time.perf_counter() - t0) * 1000)
        review = review_plan(plan, review_options(options), settings=settings, parse_ms=parse_ms)
    except PlanReviewError as exc:
        return ("error", exc.kind, exc.http_status, exc.message, exc.hint, exc.retryable)
    return plan.model_dump_json(), review.model_dump_json()


def raise_if_error(result: tuple[str, str] | ErrorTuple) -> tuple[str, str]:
    if len(result) == 6:
        _, kind, status, message, hint, retryable = result
        raise ReviewFailed(message, kind=kind, status=status, hint=hint, retryable=retryable)
    return result


def warm() -> int:
    """Import the pipeline and run one tiny review so the first real one is fast."""
    run_review(
        b"# Plan\n\n## Goals\n\n- Grow sales by 5% by 2026-12-31\n", "warm.md", {"llm": "off"}
    )
    return multiprocessing.current_process().pid or 0


def llm_wanted(options: dict[str, Any], settings: Settings) -> bool:
    mode = options.get("llm", "auto")
    return mode == "on" or (mode == "auto" and settings.llm_requested)


class ReviewExecutor:
    """Runs one review now: offline ones in the worker pool (or a thread), LLM ones in a thread."""

    def __init__(self, processes: int, cache_size: int) -> None:
        self.processes = processes
        self.cache_size = cache_size
        self._pool: WorkerPool | None = None
        self._cache: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._versions: tuple[float, str] = (-VERSION_TTL - 1, "")

    def start(self) -> None:
        if self.processes > 0 and self._pool is None:
            pool = WorkerPool(self.processes)
            pool.start()
            self._pool = pool

    def shutdown(self) -> None:
        """Let running reviews finish (within seconds) and reap the workers."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    async def _in_pool(
        self, pool: WorkerPool, data: bytes, name: str, options: dict[str, Any]
    ) -> tuple[str, str] | ErrorTuple:
        try:
            result = await pool.run(data, name, options)
        except WorkerDied:
            raise ReviewFailed(
                f"{name}: the review worker stopped while reviewing this plan",
                kind="worker-crashed",
                status=503,
                hint="retry; if it happens again the file may be pathological",
                retryable=True,
            ) from None
        if isinstance(result, tuple) and len(result) == 2 and result[0] == "bug":
            raise RuntimeError(f"the review worker failed: {result[1]}")
        return result

    def versions(self) -> str:
        """Rules and knowledge versions, re-read at most every VERSION_TTL seconds (the
        knowledge version stats every corpus file, which costs milliseconds)."""
        now = time.monotonic()
        if now - self._versions[0] > VERSION_TTL:
            from service.knowledge.corpus import knowledge_version
            from service.rules.engine import RULES_VERSION

            self._versions = (now, f"{RULES_VERSION}\x00{knowledge_version()}")
        return self._versions[1]

    def cache_key(self, data: bytes, name: str, options: dict[str, Any]) -> str:
        h = hashlib.sha256(data)
        h.update(b"\x00" + name.encode("utf-8", "replace"))
        h.update(b"\x00" + json.dumps(options, sort_keys=True).encode())
        h.update(b"\x00" + self.versions().encode())
        return h.hexdigest()

    async def review(
        self, data: bytes, name: str, options: dict[str, Any], settings: Settings
    ) -> Outcome:
        if llm_wanted(options, settings):
            result = await anyio.to_thread.run_sync(run_review, data, name, options)
            plan_json, review_json = raise_if_error(result)
            return Outcome(plan_json, review_json)
        key = ""
        if self.cache_size:
            key = self.cache_key(data, name, options)
            with self._lock:
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    return Outcome(hit[0], hit[1], cached=True)
        pool = self._pool
        if pool is not None:
            result = await self._in_pool(pool, data, name, options)
        else:
            result = await anyio.to_thread.run_sync(run_review, data, name, options)
        plan_json, review_json = raise_if_error(result)
        if key:
            with self._lock:
                self._cache[key] = (plan_json, review_json)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return Outcome(plan_json, review_json)
