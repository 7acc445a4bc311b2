"""Everything a running API holds: database, job runner, executor, limiter, metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.api.auth import Authenticator
from service.api.execution import ReviewExecutor
from service.api.housekeeping import RetentionKeeper
from service.api.jobs import JobRunner
from service.api.metrics import Metrics
from service.api.ratelimit import RateLimiter
from service.api.settings import ApiSettings
from service.settings import Settings
from service.store.db import Database


@dataclass
class ApiState:
    settings: Settings
    api: ApiSettings
    db: Database
    auth: Authenticator
    limiter: RateLimiter
    executor: ReviewExecutor
    jobs: JobRunner
    metrics: Metrics
    retention: RetentionKeeper | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    retriever: Any = None
