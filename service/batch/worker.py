"""The work done for one plan, in a worker process (or in the main process with --jobs 1).

``review_chunk`` reads, parses and reviews a few plans and returns, for each,
the cache entry as a JSON string: the per-plan review file, already rendered
here in parallel (timings removed, so that it is the same on every run), the
plan's normalised text (for SARIF regions), and the plan's digest for the
library checks. A file that
cannot be read becomes a ``failed`` entry with the one-line reason; nothing a
plan does stops the batch.

Workers import the core once (``init_worker``, also warmed in the parent
before a fork) and ignore Ctrl-C: the parent decides how to stop.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_options_cache: dict[str, Any] = {}


@dataclass(frozen=True)
class Job:
    """One plan to review, as sent to a worker."""

    index: int
    path: str  # absolute path of the file
    source: str  # the name reports use
    key: str  # cache key
    options: str  # ReviewOptions as JSON
    keep_plan: bool = False  # return the parsed Plan too (the LLM tier runs in the parent)


@dataclass
class JobResult:
    index: int
    entry: str  # the cache entry, JSON
    status: str  # ok | failed
    cacheable: bool
    timings_ms: dict[str, int]
    plan_json: str | None = None


def warm_up() -> None:
    """Import the review pipeline and load what it reads lazily (corpus, folding tables)."""
    import service.review  # noqa: F401
    from service.ingest import load_bytes
    from service.review import ReviewOptions, review_plan

    plan = load_bytes(
        "# Warm-up plan\n\n## Goals\n\n- Raise CSAT from 70% to 80% by 2026-12-31 (owner: Alice Chen)\n"
        "\n## 目标\n\n- 將滿意度從70%提升至80%\n".encode(),
        "warm-up.md",
    )
    review_plan(plan, ReviewOptions(llm="off"))
    from service.batch.digest import digest_plan

    digest_plan(plan)


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent was killed (kill -9) exits instead of waiting forever."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)


def init_worker() -> None:
    """Process-pool initializer: ignore SIGINT, watch the parent, import and warm the core once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), daemon=True, name="planreview-parent-watch"
    ).start()
    warm_up()


def _options(raw: str) -> Any:
    from service.review import ReviewOptions

    opts = _options_cache.get(raw)
    if opts is None:
        opts = ReviewOptions.model_validate_json(raw)
        _options_cache[raw] = opts
    return opts


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failed_entry(key: str, reason: str) -> str:
    return json.dumps(
        {"key": key, "status": "failed", "reason": _one_line(reason)}, ensure_ascii=False
    )


def review_one(job: Job) -> JobResult:
    from service.batch.digest import PlanDigest, digest_plan
    from service.errors import PlanReviewError
    from service.ingest import load_plan
    from service.review import review_plan

    t0 = time.perf_counter()
    try:
        plan = load_plan(Path(job.path))
    except PlanReviewError as exc:
        # The message names the absolute path; reports name the plan by its source.
        reason = str(exc).replace(job.path, job.source)
        return JobResult(
            job.index,
            failed_entry(job.key, reason),
            "failed",
            True,
            {"total": int((time.perf_counter() - t0) * 1000)},
        )
    except Exception as exc:  # a bug or a pathological file: report it, keep going
        return JobResult(
            job.index,
            failed_entry(
                job.key,
                f"{job.source}: internal error while "
                f"reading the file ({type(exc).__name__}: {exc})",
            ),
            "failed",
            False,
            {"total": int((time.perf_counter() - t0) * 1000)},
        )
    parse_ms = int((time.perf_counter() - t0) * 1000)
    plan.source = job.source
    try:
        review = review_plan(plan, _options(job.options), parse_ms=parse_ms)
    except Exception as exc:
        return JobResult(
            job.index,
            failed_entry(
                job.key,
                f"{job.source}: internal error while reviewing ({type(exc).__name__}: {exc})",
            ),
            "failed",
            False,
            {"total": int((time.perf_counter() - t0) * 1000)},
        )
    try:
        digest = digest_plan(plan)
    except Exception:  # the library checks lose one plan; the review stands
        digest = PlanDigest(language=plan.language, title=plan.title)
    timings = dict(review.timings_ms)
    # Timings change from run to run; the per-plan file must not (they go to run.json).
    review_text = review.model_copy(update={"timings_ms": {}}).model_dump_json(indent=2) + "\n"
    timings["total"] = int((time.perf_counter() - t0) * 1000)
    entry = build_entry(
        job.key,
        review_text,
        job.source,
        plan.text,
        plan.sha256,
        plan.source_format,
        digest.model_dump(mode="json"),
    )
    return JobResult(
        job.index,
        entry,
        "ok",
        not review.engine.llm_status.startswith("failed"),
        timings,
        plan.model_dump_json() if job.keep_plan else None,
    )


def render_review_dict(review: dict[str, Any]) -> str:
    """The per-plan review file for a review given as a dict (what pydantic's indent=2 writes)."""
    review["timings_ms"] = {}
    return json.dumps(review, indent=2, ensure_ascii=False) + "\n"


def build_entry(
    key: str,
    review_text: str,
    source: str,
    text: str,
    sha256: str,
    source_format: str,
    digest: dict[str, Any],
) -> str:
    """A cache entry: the per-plan review file as written (for ``source``), the plan's text
    (SARIF regions) and its digest (library checks)."""
    return json.dumps(
        {
            "key": key,
            "status": "ok",
            "source": source,
            "review_text": review_text,
            "plan": {"text": text, "sha256": sha256, "source_format": source_format},
            "digest": digest,
        },
        ensure_ascii=False,
    )


def review_chunk(jobs: list[Job]) -> list[JobResult]:
    return [review_one(job) for job in jobs]
