"""The Celery app, configured for at-least-once delivery with nothing lost.

- ``task_acks_late``: a message is acknowledged when its task has finished, so a
  worker that dies mid-task leaves it to be delivered again;
- ``task_reject_on_worker_lost``: a pool process killed mid-task (SIGKILL, out of
  memory) puts its message back at once instead of failing it;
- ``worker_prefetch_multiplier = 1``: a worker holds no more messages than it has
  processes, so a killed worker strands nothing that is still waiting;
- the Redis ``visibility_timeout``: a message a whole worker took down with it
  (its main process SIGKILLed) comes back after that long; meanwhile the job's
  lease has expired and a server or worker has already re-run it.

Running the same job twice at once is prevented by the database, not by the
broker: a job runs only after claiming its row (see :mod:`service.queue.tasks`).
"""

from __future__ import annotations

from typing import Any

from service.errors import ConfigError
from service.settings import Settings

REVIEW_TASK = "planreview.review_job"
BATCH_PLAN_TASK = "planreview.batch_plans"
VISIBILITY_TIMEOUT = 3600


def require_celery() -> Any:
    try:
        import celery
    except ModuleNotFoundError:
        raise ConfigError(
            "PLANREVIEW_BROKER_URL is set but Celery is not installed",
            hint="install the server extra: pip install 'planreview[server]'",
        ) from None
    return celery


def broker_url(settings: Settings) -> str:
    if not settings.broker_url:
        raise ConfigError(
            "no broker is configured",
            hint="set PLANREVIEW_BROKER_URL=redis://host:6379/0 (see docs/deploy.md)",
        )
    url = settings.broker_url.strip()
    if not url.startswith(("redis://", "rediss://", "redis+socket://")):
        scheme = url.partition("://")[0] or url[:20]
        raise ConfigError(
            f"PLANREVIEW_BROKER_URL must be a Redis URL, not {scheme!r}",
            hint="write it as redis://host:6379/0",
        )
    return url


def make_app(settings: Settings) -> Any:
    """A Celery app for ``settings``' broker (ConfigError when none or Celery is missing)."""
    celery = require_celery()
    url = broker_url(settings)
    app = celery.Celery("planreview", broker=url, backend=settings.result_backend or url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        result_expires=3600,  # a batch result nobody collected (its CLI was killed)
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_default_queue="planreview",
    )
    return app
