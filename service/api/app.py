"""The FastAPI application factory.

``create_app()`` wires the pieces: database, authentication, rate limit, the
body limit, CORS, metrics, the review executor and the job runner, then the
routers. Start-up refuses unsafe configurations (beyond loopback without API
keys, unless ``insecure``) and recovers jobs a previous process left behind.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi

from service import __version__
from service.api import problems
from service.api.auth import Authenticator, is_loopback
from service.api.bodylimit import BodyLimitMiddleware
from service.api.docs_pages import install_docs
from service.api.execution import ReviewExecutor
from service.api.guidance import enable_guidance_dir
from service.api.headers import SecurityHeadersMiddleware
from service.api.housekeeping import RetentionKeeper
from service.api.jobs import JobRunner
from service.api.metrics import Metrics, MetricsMiddleware
from service.api.ratelimit import RateLimiter
from service.api.routes import batches, catalogue, critiques, health, reviews
from service.api.settings import ApiSettings, get_api_settings
from service.api.state import ApiState
from service.errors import ConfigError
from service.settings import Settings, get_settings
from service.store import keys as key_store
from service.store import reviews as review_store
from service.store.db import Database

log = logging.getLogger("planreview.api")

DESCRIPTION = """\
Review operational and business plans (English and Chinese): SMART, OKR, RACI,
PDCA, Balanced Scorecard, risk and resource checks, each finding pointing at a
line of the plan with cited guidance and a suggested rewrite.

Every error is an RFC 9457 `application/problem+json` document. Beyond loopback
every `/v1` call needs `Authorization: Bearer <key>` (keys come from
`planreview keys create`). POSTs accept an `Idempotency-Key` header.
"""


def keys_required(api: ApiSettings) -> bool:
    if api.require_keys is not None:
        return api.require_keys
    if api.insecure:
        return False
    # Behind a reverse proxy every client arrives from the proxy's (often loopback) address:
    # being local proves nothing then, so keys are required.
    return not is_loopback(api.host) or bool(api.forwarded_allow_ips)


def check_safe_to_serve(db: Database, api: ApiSettings) -> None:
    """Refuse to serve beyond loopback with nobody able to authenticate."""
    if keys_required(api) and key_store.active_key_count(db) == 0:
        where = f"{api.host}:{api.port}"
        raise ConfigError(
            f"refusing to serve on {where} without API keys: anyone who can reach it could use it",
            hint="create a key with 'planreview keys create NAME', listen on 127.0.0.1, "
            "or pass --insecure to allow anonymous access deliberately",
        )


def _body_limit(settings: Settings, api: ApiSettings) -> Any:
    overhead = 64 * 1024

    def limit_for(method: str, path: str) -> int:
        if path.startswith("/v1/batches"):
            return api.max_batch_bytes + overhead
        if path.startswith("/v1/knowledge"):
            return api.max_knowledge_bytes + overhead
        return settings.max_bytes + overhead

    return limit_for


def job_runner(db: Database, settings: Settings, api: ApiSettings) -> JobRunner:
    """Jobs run in this process, or on Celery workers when a broker is configured."""
    if settings.broker_url:
        from service.queue.dispatch import BrokerJobs

        return BrokerJobs(db, settings, api.job_max_attempts, lease_seconds=api.job_lease_seconds)
    return JobRunner(
        db, settings, api.workers, api.job_max_attempts, lease_seconds=api.job_lease_seconds
    )


def build_state(settings: Settings, api: ApiSettings) -> ApiState:
    db = Database.from_settings(settings)
    check_safe_to_serve(db, api)
    if api.insecure and not is_loopback(api.host):
        log.warning("serving on %s WITHOUT API keys (--insecure)", api.host)
    return ApiState(
        settings=settings,
        api=api,
        db=db,
        auth=Authenticator(
            db,
            required=keys_required(api),
            failures=RateLimiter(api.auth_failures_per_minute, api.auth_failures_burst),
        ),
        limiter=RateLimiter(api.rate_limit_per_minute, api.rate_limit_burst),
        executor=ReviewExecutor(api.review_processes, api.review_cache_size),
        jobs=job_runner(db, settings, api),
        metrics=Metrics(lambda: review_store.status_counts(db)),
        retention=RetentionKeeper(db, settings.retention_days),
    )


def create_app(settings: Settings | None = None, api: ApiSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    api = api or get_api_settings()
    folder = enable_guidance_dir(settings)
    if folder not in [p.resolve() for p in settings.extra_knowledge_dirs]:
        settings = settings.model_copy(
            update={"extra_knowledge_dirs": [*settings.extra_knowledge_dirs, folder]}
        )
    state = build_state(settings, api)
    from service.store.guidance import GuidanceSync, sync_folder

    sync_folder(state.db, folder)  # what other replicas were given, before the first review
    guidance_sync = GuidanceSync(state.db, folder, api.guidance_sync_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(state.executor.start)
        recovery = await anyio.to_thread.run_sync(state.jobs.start)
        if recovery.queued:
            log.info("resuming %d queued job(s)", len(recovery.queued))
        if state.retention is not None:
            state.retention.start()
        guidance_sync.start()
        try:
            yield
        finally:
            guidance_sync.shutdown()
            if state.retention is not None:
                state.retention.shutdown()
            state.jobs.shutdown()
            await anyio.to_thread.run_sync(state.executor.shutdown)

    app = FastAPI(
        title="planreview API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs below
        redoc_url=None,
    )
    install_docs(app)
    app.state.api = state
    problems.install(app)
    for module in (reviews, critiques, batches, catalogue, health):
        app.include_router(module.router)

    if api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=api.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=[
                "Authorization",
                "X-API-Key",
                "Content-Type",
                "Idempotency-Key",
                "Last-Event-ID",
            ],
            expose_headers=["Location", "Retry-After", "Idempotent-Replayed"],
            max_age=600,
        )
    app.add_middleware(BodyLimitMiddleware, limit_for=_body_limit(settings, api))
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    app.add_middleware(SecurityHeadersMiddleware)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = problems.Problem.model_json_schema()
        schema["components"]["securitySchemes"] = {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API key from 'planreview keys create'.",
            }
        }
        schema["security"] = [{"bearer": []}, {}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
