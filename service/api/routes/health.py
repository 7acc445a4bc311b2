"""Liveness, readiness and Prometheus metrics (no key needed, no rate limit)."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import JSONResponse, Response

from service import __version__
from service.api.deps import StateDep
from service.api.schemas.catalogue import Health, Ready
from service.api.state import ApiState

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok", version=__version__)


def _checks(state: ApiState) -> dict[str, str]:
    checks: dict[str, str] = {}
    if not state.db.ping():
        checks["database"] = "the database does not answer"
    else:
        checks["database"] = "ok" if state.db.writable() else "the database cannot be written"
    checks["jobs"] = "ok" if state.jobs.alive else "the job runner is not running"
    try:
        from service.knowledge.corpus import load_corpus

        n = len(load_corpus())
        checks["knowledge"] = "ok" if n else "the knowledge corpus is empty"
    except Exception as exc:  # a corrupt corpus: say so, do not crash the probe
        checks["knowledge"] = " ".join(str(exc).split())[:200]
    return checks


@router.get(
    "/readyz",
    summary="Readiness",
    response_model=Ready,
    responses={503: {"model": Ready, "description": "Not ready"}},
)
async def readyz(state: StateDep) -> JSONResponse:
    checks = await anyio.to_thread.run_sync(_checks, state)
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not-ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Metrics"}},
)
async def metrics(state: StateDep) -> Response:
    body = await anyio.to_thread.run_sync(generate_latest, state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
