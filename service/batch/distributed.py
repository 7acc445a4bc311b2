"""``planreview batch --distributed``: the per-plan reviews run on ``planreview worker``s.

Everything else stays where it is: this process discovers the plans, computes
the cache keys, skips what the cache in ``--out`` holds, keeps the progress bar,
runs the LLM tier (when on) and writes every output from the cache entries in
plan order. Only :func:`service.batch.worker.review_one` moves: each plan is
sent with its bytes (workers need not see this file system), a few plans per
Celery task and a bounded number of tasks at a time, and comes back through the result backend as the
very entry a local run would have made. The outputs are therefore identical to
a local run's, apart from the timings in ``run.json``, and ``--resume`` works
the same (each entry is cached the moment it arrives).

A worker lost mid-task costs a redelivery of that task (late acks). A plan that
has not come back within ``PLAN_TIMEOUT`` seconds is reported failed, so a plan
that kills every worker it reaches cannot hang the batch.
"""

from __future__ import annotations

import base64
import json
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.batch.worker import Job, JobResult, failed_entry
from service.errors import ConfigError

if TYPE_CHECKING:
    from service.batch.runner import Runner

PLAN_TIMEOUT = 600.0
POLL_SECONDS = 0.02
PING_TIMEOUT = 2.0


def check_workers(app: Any) -> int:
    """How many workers answer on the broker; ConfigError when none (or no broker)."""
    try:
        replies = app.control.ping(timeout=PING_TIMEOUT) or []
    except Exception as exc:
        raise ConfigError(
            f"the broker did not answer: {str(exc).splitlines()[0][:200]}",
            hint="check PLANREVIEW_BROKER_URL and that Redis is running",
        ) from None
    if not replies:
        raise ConfigError(
            "no planreview worker is running on the broker",
            hint="start one or more with 'planreview worker' (same PLANREVIEW_BROKER_URL), "
            "or run the batch without --distributed",
        )
    return len(replies)


def _failed(job: Job, reason: str, cacheable: bool = False) -> JobResult:
    return JobResult(job.index, failed_entry(job.key, reason), "failed", cacheable, {})


def _same_versions(result: JobResult, expected: dict[str, str]) -> JobResult:
    """A worker reviewing with other rules or other guidance than this batch keys its cache
    by would mix versions in one library: its plans are failed, with the reason, instead."""
    if result.status != "ok":
        return result
    entry = json.loads(result.entry)
    engine = json.loads(entry["review_text"]).get("engine", {})
    got = {
        "rules": engine.get("rules_version", ""),
        "knowledge": engine.get("knowledge_version", ""),
    }
    want = {k: expected.get(k, "") for k in got}
    if got == want:
        return result
    reason = (
        f"{entry.get('source', 'a plan')}: the worker reviewed it with rules {got['rules']} and "
        f"knowledge {got['knowledge']}, this batch runs rules {want['rules']} and knowledge "
        f"{want['knowledge']}; run the same planreview and guidance on the workers"
    )
    return JobResult(result.index, failed_entry(entry["key"], reason), "failed", False, {})


def _encode(job: Job) -> list[Any]:
    data = Path(job.path).read_bytes()
    payload = {k: v for k, v in asdict(job).items() if k != "path"}
    return [payload, base64.b64encode(data).decode("ascii")]


def run_distributed(runner: Runner, jobs: list[Job], llm_pool: ThreadPoolExecutor | None) -> None:
    from service.batch.runner import versions_for
    from service.queue.app import BATCH_PLAN_TASK, make_app

    app = make_app(runner.settings)
    workers = check_workers(app)
    expected = versions_for(False, runner.settings)
    runner._job_options = {j.index: j.options for j in jobs}
    # A few plans per task, as the local pool does: fewer round trips, same entries.
    chunk = max(1, min(8, len(jobs) // (workers * 4)))
    window = max(4, 2 * max(workers, runner.opts.jobs or 1))
    llm_limit = 4 * runner.settings.llm_concurrency
    queue: deque[Job] = deque(jobs)
    inflight: dict[Any, tuple[list[Job], float]] = {}
    llm_inflight: dict[Future[dict[str, Any]], JobResult] = {}
    try:
        while queue or inflight or llm_inflight:
            while queue and len(inflight) < window and len(llm_inflight) < llm_limit:
                batch: list[Job] = []
                encoded: list[list[Any]] = []
                while queue and len(batch) < chunk:
                    job = queue.popleft()
                    try:
                        encoded.append(_encode(job))
                    except OSError as exc:
                        why = (exc.strerror or str(exc)).lower()
                        reason = f"{job.source}: cannot read the file: {why}"
                        runner._handle([_failed(job, reason, True)], llm_pool, llm_inflight)
                        continue
                    batch.append(job)
                if batch:
                    task = app.send_task(BATCH_PLAN_TASK, args=[encoded])
                    inflight[task] = (batch, time.monotonic())
            ready = []
            now = time.monotonic()
            for task, (batch, sent) in list(inflight.items()):
                if task.ready():
                    ready.append((batch, task))
                elif now - sent > PLAN_TIMEOUT:
                    inflight.pop(task)
                    for job in batch:
                        reason = f"{job.source}: no worker finished this plan within {PLAN_TIMEOUT:.0f} s"
                        runner._handle([_failed(job, reason)], llm_pool, llm_inflight)
            for batch, task in sorted(ready, key=lambda bt: bt[0][0].index):
                inflight.pop(task)
                try:
                    results = [
                        _same_versions(JobResult(**r), expected) for r in task.get(timeout=30)
                    ]
                except Exception as exc:  # the task raised: a bug, reported for these plans only
                    results = [
                        _failed(j, f"{j.source}: internal error on the worker ({exc})")
                        for j in batch
                    ]
                finally:
                    task.forget()
                runner._handle(results, llm_pool, llm_inflight)
            runner._drain_llm(llm_inflight, block=False)
            if not ready:
                time.sleep(POLL_SECONDS)
    except BaseException:
        for task in inflight:  # Ctrl-C: what is in flight is not wanted any more
            task.revoke()
        raise
