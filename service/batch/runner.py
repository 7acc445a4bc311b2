"""Run a batch: discover, skip what the cache holds, review the rest in parallel, write outputs.

The rule tier runs in worker processes (``ProcessPoolExecutor``, ``--jobs``
of them, fed a few plans at a time so that a library of thousands never sits
in memory at once). When the LLM tier is on, workers parse and run the rules,
and the LLM calls run in a thread pool of ``Settings.llm_concurrency`` in this
process: they wait on the network, not on the CPU.

Each result goes to the cache the moment it arrives (atomically), so a run
stopped by Ctrl-C or ``kill -9`` loses at most the plans in flight; the next
run (``--resume``) finds the rest in the cache, and since every output except
``run.json`` is rebuilt from cache entries in plan order, it ends with the
same bytes as a run that was never interrupted.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from service.batch.cache import ResultCache, cache_key, file_sha256
from service.batch.discovery import PlanFile, Skipped, discover
from service.batch.library import LibraryOptions, LibraryReport, check_library
from service.batch.outcome import Outcome, outcome_from_entry, parsed_review
from service.batch.progress import NullReporter
from service.batch.worker import (
    Job,
    JobResult,
    build_entry,
    failed_entry,
    render_review_dict,
    review_chunk,
    warm_up,
)
from service.config import ReviewConfig, find_config, load_config_file
from service.errors import ConfigError
from service.planfiles import choose_plans

LLMReviewer = Callable[[str, str], dict[str, Any]]
"""(plan JSON, ReviewOptions JSON) -> review as a JSON-ready dict (with the LLM tier)."""


@dataclass
class BatchOptions:
    """Everything `planreview batch` was asked to do."""

    paths: list[str]
    out: Path
    jobs: int | None = None  # None: the CPU count
    resume: bool = False
    llm: str = "auto"
    lang: str = "auto"
    config: Path | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    library: LibraryOptions = field(default_factory=LibraryOptions)
    keep_cache: bool = False  # keep cache entries this run did not use
    distributed: bool = False  # review on `planreview worker`s through the broker


@dataclass
class BatchResult:
    outcomes: list[Outcome]
    library: LibraryReport | None
    reviewed: int  # in this run
    cached: int
    failed: int
    duration_s: float
    interrupted: bool = False
    versions: dict[str, str] = field(default_factory=dict)
    jobs: int = 1
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def ok(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "ok"]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _llm_wanted(mode: str, settings: Any) -> bool:
    return mode == "on" or (mode == "auto" and bool(settings.llm_requested))


def versions_for(llm_wanted: bool, settings: Any) -> dict[str, str]:
    """Versions that decide a review's content; prompt and model only matter with the LLM tier."""
    from service import __version__
    from service.rules.engine import RULES_VERSION

    try:
        from service.knowledge.corpus import knowledge_version

        knowledge = knowledge_version()
    except ImportError:
        knowledge = ""
    prompt = model = ""
    if llm_wanted:
        model = str(settings.llm_model)
        try:
            from service.llm.prompts import get_prompts

            prompt = get_prompts().version
        except Exception:  # no prompts: the LLM tier will say so in llm_status
            prompt = "unavailable"
    return {
        "tool": __version__,
        "rules": RULES_VERSION,
        "knowledge": knowledge,
        "prompt": prompt,
        "model": model,
    }


class _Configs:
    """The review configuration of each plan: --config, or the nearest planreview.toml."""

    def __init__(self, explicit: ReviewConfig | None) -> None:
        self.explicit = explicit
        self.by_folder: dict[Path, Path | None] = {}
        self.by_file: dict[Path, ReviewConfig | ConfigError] = {}

    def for_plan(self, path: Path) -> ReviewConfig:
        if self.explicit is not None:
            return self.explicit
        folder = path.parent
        if folder not in self.by_folder:
            self.by_folder[folder] = find_config(folder)
        found = self.by_folder[folder]
        if found is None:
            return ReviewConfig()
        if found not in self.by_file:
            try:
                self.by_file[found] = load_config_file(found)
            except ConfigError as exc:
                self.by_file[found] = exc
        got = self.by_file[found]
        if isinstance(got, ConfigError):
            raise got
        return got


def default_llm_reviewer(plan_json: str, options_json: str) -> dict[str, Any]:
    from service.models import Plan
    from service.review import ReviewOptions, review_plan

    plan = Plan.model_validate_json(plan_json)
    review = review_plan(plan, ReviewOptions.model_validate_json(options_json))
    return review.model_dump(mode="json")


class Runner:
    def __init__(
        self,
        opts: BatchOptions,
        reporter: NullReporter | None = None,
        llm_reviewer: LLMReviewer | None = None,
    ) -> None:
        from service.settings import get_settings

        self.opts = opts
        self.reporter = reporter or NullReporter()
        self.llm_reviewer = llm_reviewer or default_llm_reviewer
        self.settings = get_settings()
        self.out = opts.out
        self.cache = ResultCache(self.out)
        self.memory: dict[str, str] = {}  # entries not fit for reuse (LLM tier failed)
        self.outcomes: dict[int, Outcome] = {}
        self.files: list[PlanFile] = []
        self.skipped: list[Skipped] = []
        self.fresh = 0

    # -- preparation -------------------------------------------------------------------------------
    def _explicit_config(self) -> ReviewConfig | None:
        if self.opts.config is None:
            return None
        return load_config_file(self.opts.config)  # ConfigError: bad usage

    def _options_json(self, config: ReviewConfig, llm_in_worker: str) -> str:
        from service.review import ReviewOptions

        return ReviewOptions(
            llm=llm_in_worker,  # type: ignore[arg-type]  # "off" or "on", checked by the caller
            lang=self.opts.lang,  # type: ignore[arg-type]
            draft=False,
            config=config,
        ).model_dump_json()

    def prepare(self) -> tuple[list[Job], dict[str, str], bool]:
        """Discover plans, fill outcomes from the cache, return the jobs still to run."""
        self.out.mkdir(parents=True, exist_ok=True)
        self.files = discover(
            self.opts.paths,
            out_dir=self.out,
            include=self.opts.include,
            exclude=self.opts.exclude,
            skipped=self.skipped,
        )
        # Only plans: not READMEs and notes (service/planfiles.py; named files always stay).
        self.files, not_plans = choose_plans(self.files, self.opts.paths)
        self.skipped.extend(not_plans)
        explicit = self._explicit_config()
        configs = _Configs(explicit)
        llm = _llm_wanted(self.opts.llm, self.settings)
        versions = versions_for(llm, self.settings)
        key_versions = {k: v for k, v in versions.items() if k != "tool"}
        jobs: list[Job] = []
        for i, f in enumerate(self.files):
            try:
                config = configs.for_plan(f.path)
            except ConfigError as exc:
                self.outcomes[i] = Outcome(
                    file=f, key="", status="failed", reason=f"{f.source}: {exc}"
                )
                continue
            try:
                sha = file_sha256(f.path)
            except OSError as exc:
                reason = f"{f.source}: cannot read the file: {(exc.strerror or str(exc)).lower()}"
                self.outcomes[i] = Outcome(file=f, key="", status="failed", reason=reason)
                continue
            options = {
                "llm": "on" if llm else "off",
                "lang": self.opts.lang,
                "config": config.model_dump(mode="json"),
            }
            key = cache_key(sha, key_versions, options)
            entry = self.cache.get(key)
            if entry is not None:
                self.outcomes[i] = outcome_from_entry(f, entry, cached=True)
                continue
            jobs.append(
                Job(
                    index=i,
                    path=str(f.path),
                    source=f.source,
                    key=key,
                    options=self._options_json(config, "off" if llm else self.opts.llm),
                    keep_plan=llm,
                )
            )
        return jobs, versions, llm

    # -- results -----------------------------------------------------------------------------------
    def _accept(self, result: JobResult, entry_json: str, cacheable: bool) -> None:
        f = self.files[result.index]
        entry = json.loads(entry_json)
        if cacheable:
            self.cache.put(entry["key"], entry_json)
        else:
            self.memory[entry["key"]] = entry_json
        outcome = outcome_from_entry(f, entry, cached=False, timings_ms=result.timings_ms)
        self.outcomes[result.index] = outcome
        if outcome.status == "ok":
            from service.batch.outputs import write_review

            write_review(self.out, outcome, entry)
        self.fresh += 1
        self.reporter.advance(
            1 if outcome.status == "ok" else 0, 0 if outcome.status == "ok" else 1
        )

    def _llm_done(self, result: JobResult, fut: Future[dict[str, Any]]) -> None:
        base = json.loads(result.entry)
        try:
            review = fut.result()
            llm_status = str(review.get("engine", {}).get("llm_status", ""))
            cacheable = not llm_status.startswith("failed")
        except (
            Exception
        ) as exc:  # the LLM tier promises not to raise; keep the rule review if it does
            review = parsed_review(base)
            review["engine"]["llm_status"] = f"failed: {type(exc).__name__}: {exc}"[:200]
            cacheable = False
        review["plan"]["source"] = base["source"]
        entry_json = build_entry(
            base["key"],
            render_review_dict(review),
            base["source"],
            base["plan"]["text"],
            base["plan"]["sha256"],
            base["plan"]["source_format"],
            base["digest"],
        )
        self._accept(result, entry_json, cacheable)

    # -- execution ---------------------------------------------------------------------------------
    def run_jobs(self, jobs: list[Job], llm: bool) -> None:
        if not jobs:
            return
        workers = max(1, min(self.opts.jobs or default_jobs(), len(jobs)))
        llm_pool = (
            ThreadPoolExecutor(
                max_workers=self.settings.llm_concurrency, thread_name_prefix="planreview-llm"
            )
            if llm
            else None
        )
        try:
            if self.opts.distributed:
                from service.batch.distributed import run_distributed

                run_distributed(self, jobs, llm_pool)
            elif workers == 1:
                self._run_inline(jobs, llm_pool)
            else:
                self._run_pool(jobs, workers, llm_pool)
        finally:
            if llm_pool is not None:
                llm_pool.shutdown(wait=True, cancel_futures=True)

    def _handle(
        self,
        results: list[JobResult],
        llm_pool: ThreadPoolExecutor | None,
        llm_inflight: dict[Future[dict[str, Any]], JobResult],
    ) -> None:
        for r in results:
            if llm_pool is not None and r.status == "ok" and r.plan_json is not None:
                options = json.loads(self._job_options[r.index])
                options["llm"] = self.opts.llm
                fut = llm_pool.submit(self.llm_reviewer, r.plan_json, json.dumps(options))
                r.plan_json = None
                llm_inflight[fut] = r
            else:
                self._accept(r, r.entry, r.cacheable)

    def _drain_llm(
        self, llm_inflight: dict[Future[dict[str, Any]], JobResult], block: bool
    ) -> None:
        if not llm_inflight:
            return
        done, _ = wait(
            list(llm_inflight), timeout=None if block else 0, return_when=FIRST_COMPLETED
        )
        for fut in sorted(done, key=lambda f: llm_inflight[f].index):
            self._llm_done(llm_inflight.pop(fut), fut)

    def _run_inline(self, jobs: list[Job], llm_pool: ThreadPoolExecutor | None) -> None:
        self._job_options = {j.index: j.options for j in jobs}
        llm_inflight: dict[Future[dict[str, Any]], JobResult] = {}
        limit = 4 * self.settings.llm_concurrency
        for job in jobs:
            self._handle(review_chunk([job]), llm_pool, llm_inflight)
            self._drain_llm(llm_inflight, block=len(llm_inflight) >= limit)
        while llm_inflight:
            self._drain_llm(llm_inflight, block=True)

    def _pool(self, workers: int) -> ProcessPoolExecutor:
        methods = multiprocessing.get_all_start_methods()
        # fork shares the already-imported core with the workers; spawn elsewhere.
        ctx = multiprocessing.get_context(
            "fork" if "fork" in methods and sys.platform == "linux" else "spawn"
        )
        from service.batch.worker import init_worker

        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker)

    def _run_pool(self, jobs: list[Job], workers: int, llm_pool: ThreadPoolExecutor | None) -> None:
        self._job_options = {j.index: j.options for j in jobs}
        chunk = max(1, min(8, len(jobs) // (workers * 4)))
        max_chunks = workers * 2
        llm_limit = 4 * self.settings.llm_concurrency
        queue: deque[Job] = deque(jobs)
        retry: list[Job] = []
        pool = self._pool(workers)
        inflight: dict[Future[list[JobResult]], list[Job]] = {}
        llm_inflight: dict[Future[dict[str, Any]], JobResult] = {}
        finished = False
        try:
            while queue or inflight or llm_inflight or retry:
                if retry and not inflight:
                    # A worker died (a crash, out of memory): the pool is broken. Queue what was
                    # in flight, run it one plan at a time to find the culprit, then a new pool.
                    pool.shutdown(wait=False, cancel_futures=True)
                    queue.extendleft(reversed(sorted(set(retry), key=lambda j: j.index)))
                    retry = []
                    self._isolate(queue, llm_pool, llm_inflight)
                    pool = self._pool(workers)
                    continue
                while (
                    queue
                    and not retry
                    and len(inflight) < max_chunks
                    and len(llm_inflight) < llm_limit
                ):
                    batch = [queue.popleft() for _ in range(min(chunk, len(queue)))]
                    try:
                        inflight[pool.submit(review_chunk, batch)] = batch
                    except BrokenProcessPool:
                        retry.extend(batch)
                waiting: list[Future[Any]] = [*inflight, *llm_inflight]
                if not waiting:
                    continue
                done, _ = wait(waiting, return_when=FIRST_COMPLETED)
                for fut in done:
                    if fut in inflight:
                        batch = inflight.pop(fut)
                        try:
                            results = fut.result()
                        except BrokenProcessPool:
                            retry.extend(batch)
                            continue
                        except Exception as exc:  # a result that could not be sent back
                            results = [
                                JobResult(
                                    j.index,
                                    failed_entry(
                                        j.key,
                                        f"{j.source}: internal error ({type(exc).__name__}: {exc})",
                                    ),
                                    "failed",
                                    False,
                                    {},
                                )
                                for j in batch
                            ]
                        self._handle(results, llm_pool, llm_inflight)
                    elif fut in llm_inflight:
                        self._llm_done(llm_inflight.pop(fut), fut)
            finished = True
        finally:
            if not finished:
                # Ctrl-C: stop the workers now. Waiting for them (or for the executor's exit
                # hook) can hang when the interrupt lands inside the executor's own queues;
                # every finished plan is already in the cache for --resume.
                _terminate_workers(pool)
            pool.shutdown(wait=finished, cancel_futures=True)

    def _isolate(
        self,
        queue: deque[Job],
        llm_pool: ThreadPoolExecutor | None,
        llm_inflight: dict[Future[dict[str, Any]], JobResult],
    ) -> None:
        """After a crash, run the plans that were in flight one by one to find the culprit."""
        suspects = [queue.popleft() for _ in range(min(len(queue), 16))]
        for job in suspects:
            single = self._pool(1)
            try:
                results = single.submit(review_chunk, [job]).result()
            except BrokenProcessPool:
                results = [
                    JobResult(
                        job.index,
                        failed_entry(
                            job.key, f"{job.source}: the review process crashed on this file"
                        ),
                        "failed",
                        False,
                        {},
                    )
                ]
            finally:
                single.shutdown(wait=True, cancel_futures=True)
            self._handle(results, llm_pool, llm_inflight)


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    processes = getattr(pool, "_processes", None) or {}  # the executor keeps no public handle
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.terminate()
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.join(timeout=5)


def run_batch(
    opts: BatchOptions,
    *,
    reporter: NullReporter | None = None,
    llm_reviewer: LLMReviewer | None = None,
) -> BatchResult:
    """Run a whole batch and write its outputs (see service.batch.outputs).

    Raises DiscoveryError / ConfigError for bad usage (nothing reviewed then).
    KeyboardInterrupt propagates after run.json records the interruption;
    every plan finished by then is in the cache for ``--resume``.
    """
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    runner = Runner(opts, reporter, llm_reviewer)
    jobs, versions, llm = runner.prepare()
    reporter = runner.reporter
    reporter.start(len(runner.files), len(runner.files) - len(jobs))
    # Written now, so that a run killed with -9 leaves "complete": false behind.
    _write_run(opts, runner, versions, started, 0.0, complete=False, finished=False)
    if jobs and not opts.distributed:
        warm_up()  # imported once here, shared with forked workers
    interrupted = False
    try:
        runner.run_jobs(jobs, llm)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        reporter.stop()
        if interrupted:
            _write_run(opts, runner, versions, started, time.perf_counter() - t0, complete=False)
    outcomes = [runner.outcomes[i] for i in sorted(runner.outcomes)]
    library = finish(opts, runner, outcomes, versions)
    duration = time.perf_counter() - t0
    result = BatchResult(
        outcomes=outcomes,
        library=library,
        reviewed=runner.fresh,
        cached=sum(1 for o in outcomes if o.cached),
        failed=sum(1 for o in outcomes if o.status != "ok"),
        duration_s=duration,
        versions=versions,
        jobs=max(1, min(opts.jobs or default_jobs(), len(jobs) or 1)),
        skipped=list(runner.skipped),
    )
    _write_run(opts, runner, versions, started, duration, complete=True, result=result)
    return result


def message_language(opts: BatchOptions, outcomes: list[Outcome]) -> str:
    if opts.lang in ("en", "zh"):
        return opts.lang
    langs = [o.language for o in outcomes if o.status == "ok"]
    return "zh" if langs and langs.count("zh") > len(langs) / 2 else "en"


def finish(
    opts: BatchOptions, runner: Runner, outcomes: list[Outcome], versions: dict[str, str]
) -> LibraryReport:
    """Library checks and every aggregate output, from cache entries in plan order."""
    from service.batch import outputs
    from service.batch.dashboard import render_dashboard
    from service.models import Plan, Review

    out = opts.out
    lang = message_language(opts, outcomes)
    lib_opts = opts.library.model_copy(update={"lang": lang})
    digests = [(o.file.source, o.digest) for o in outcomes if o.status == "ok" and o.digest]
    fired = {o.file.source: set(o.codes) for o in outcomes if o.status == "ok"}
    library = check_library(digests, lib_opts, fired)

    keep: set[Path] = set()
    pairs: list[tuple[Review, Plan]] = []
    lines: list[str] = []
    for o, entry in outputs.iter_entries(outcomes, runner.cache, runner.memory):
        path = outputs.review_path(out, o.file.rel)
        keep.add(path)
        if o.cached:
            outputs.write_review(out, o, entry)
        lines.extend(outputs.findings_lines(o, entry))
        review = Review.model_validate(parsed_review(entry))
        review.plan.source = o.file.source
        plan_info = entry["plan"]
        plan = Plan(
            source=o.file.source,
            text=plan_info["text"],
            sha256=plan_info["sha256"],
            source_format=plan_info["source_format"],
            language=review.plan.language,
        )
        pairs.append((review, plan))
    outputs.prune_reviews(out, keep)
    outputs.write_text(out / "findings.jsonl", "".join(lines))
    failed = [o for o in outcomes if o.status != "ok"]
    sarif = outputs.build_sarif_doc(pairs, failed, library, cwd=Path.cwd())
    del pairs
    outputs.write_text(out / "results.sarif", outputs.dumps_sarif(sarif))
    outputs.write_text(out / "summary.csv", outputs.render_summary_csv(outcomes))
    outputs.write_json(out / "library.json", library.model_dump(mode="json"))
    outputs.write_text(
        out / "index.html",
        render_dashboard(
            outcomes,
            library,
            lang=lang,
            versions=versions,
            skipped=[(s.path, s.reason) for s in runner.skipped],
        ),
    )
    if not opts.keep_cache:
        runner.cache.prune()
    return library


def _write_run(
    opts: BatchOptions,
    runner: Runner,
    versions: dict[str, str],
    started: datetime,
    duration: float,
    *,
    complete: bool,
    result: BatchResult | None = None,
    finished: bool = True,
) -> None:
    from service.batch.outputs import write_run_json

    outcomes = [runner.outcomes[i] for i in sorted(runner.outcomes)]
    totals = sorted(
        (o.timings_ms.get("total", 0), o.file.source)
        for o in outcomes
        if o.timings_ms and not o.cached
    )

    def pct(p: float) -> int:
        return totals[min(len(totals) - 1, int(p * len(totals)))][0] if totals else 0

    data: dict[str, Any] = {
        "complete": complete,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds") if finished else None,
        "duration_s": round(duration, 3),
        "paths": [str(p) for p in opts.paths],
        "out": str(opts.out),
        "options": {
            "jobs": opts.jobs or default_jobs(),
            "llm": opts.llm,
            "lang": opts.lang,
            "resume": opts.resume,
            "include": opts.include,
            "exclude": opts.exclude,
            "config": str(opts.config) if opts.config else None,
            "library": opts.library.model_dump(mode="json"),
        },
        "versions": versions,
        "plans": len(runner.files),
        "reviewed": runner.fresh,
        "cached": sum(1 for o in outcomes if o.cached),
        "failed": sum(1 for o in outcomes if o.status != "ok"),
        "pending": len(runner.files) - len(outcomes),
        "skipped": [{"path": s.path, "reason": s.reason} for s in runner.skipped],
        "plans_per_s": round(runner.fresh / duration, 2) if duration > 0 else None,
        "timings_ms": {"p50": pct(0.5), "p95": pct(0.95), "max": totals[-1][0] if totals else 0},
        "slowest": [{"plan": s, "ms": ms} for ms, s in reversed(totals[-5:])],
    }
    if result is not None:
        data["findings"] = sum(o.findings for o in result.ok)
        data["library_findings"] = len(result.library.findings) if result.library else 0
    write_run_json(opts.out, data)
