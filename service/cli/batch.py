"""`planreview batch`: review a library of plans into a folder of reports and a dashboard."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from service.cli.options import FailOn, Lang, LLMMode, fail

if TYPE_CHECKING:
    from service.batch.runner import BatchResult


class ProgressMode(StrEnum):
    auto = "auto"
    rich = "rich"
    plain = "plain"
    none = "none"


def command(
    paths: Annotated[
        list[str],
        typer.Argument(help="Plan files, folders or globs (.md .markdown .txt .docx .pdf)."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the reports (created).")],
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes for the rule tier (default: CPU count)."
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue an interrupted run in --out. (Every run reuses the cache in "
            "--out, so unchanged plans are never reviewed twice; --resume says that is the intent.)",
        ),
    ] = False,
    llm: Annotated[
        LLMMode, typer.Option(help="auto: use the LLM tier when an endpoint is configured.")
    ] = LLMMode.auto,
    lang: Annotated[
        Lang, typer.Option(help="Language of messages (auto follows each plan).")
    ] = Lang.auto,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="planreview.toml for every plan (default: the nearest one to each plan).",
        ),
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include",
            help="Only files matching this glob (relative to the library root; repeatable).",
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            help="Skip files or folders matching this gitignore-style glob (repeatable).",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on",
            help="Exit 1 when any finding (plan or library) is at or above this severity.",
        ),
    ] = FailOn.error,
    fail_on_unreadable: Annotated[
        bool,
        typer.Option("--fail-on-unreadable", help="Also exit 1 when a file could not be reviewed."),
    ] = False,
    owner_limit: Annotated[
        int,
        typer.Option(
            "--owner-limit", min=1, help="Flag people owning work in more plans than this at once."
        ),
    ] = 5,
    duplicate_threshold: Annotated[
        float,
        typer.Option(
            "--duplicate-threshold",
            min=0.0,
            max=1.0,
            help="Similarity (0-1) at which goals in different plans count as duplicates.",
        ),
    ] = 0.8,
    missing_share: Annotated[
        float,
        typer.Option(
            "--missing-share",
            min=0.0,
            max=1.0,
            help="Report a section missing from at least this share of plans.",
        ),
    ] = 0.5,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh", help="Ignore and clear the cache in --out: review every plan again."
        ),
    ] = False,
    progress: Annotated[
        ProgressMode,
        typer.Option(help="auto: a progress bar on a terminal, plain lines otherwise."),
    ] = ProgressMode.auto,
    distributed: Annotated[
        bool,
        typer.Option(
            "--distributed",
            help="Review the plans on 'planreview worker' processes through the broker "
            "(PLANREVIEW_BROKER_URL); the outputs are the same as a local run's.",
        ),
    ] = False,
) -> None:
    """Review a library of plans: per-plan JSON, findings.jsonl, SARIF, summary.csv, dashboard.

    Unreadable files are reported and skipped; they never stop the batch.

    Exit 0: no finding (plan or library) at or above --fail-on.

    Exit 1: a finding at or above --fail-on, or an unreadable file with --fail-on-unreadable.

    Exit 2: bad usage: a path that does not exist, no plans found, a bad --config.
    """
    from service.batch.cache import CACHE_DIR
    from service.batch.discovery import SUPPORTED_TEXT
    from service.batch.library import LibraryOptions
    from service.batch.progress import make_reporter
    from service.batch.runner import BatchOptions, run_batch
    from service.errors import PlanReviewError

    if out.exists() and not out.is_dir():
        raise fail(f"{out}: --out must be a folder")
    if fresh and (out / CACHE_DIR).is_dir():
        shutil.rmtree(out / CACHE_DIR, ignore_errors=True)
    if resume and not (out / CACHE_DIR).is_dir():
        typer.echo(f"planreview: nothing to resume in {out}; starting a new run", err=True)
    elif not resume and not fresh and _unfinished(out):
        typer.echo(
            f"planreview: the last run in {out} did not finish; the plans it reviewed are reused",
            err=True,
        )
    opts = BatchOptions(
        paths=paths,
        out=out,
        jobs=jobs,
        resume=resume,
        llm=llm.value,
        lang=lang.value,
        config=config,
        include=list(include or []),
        exclude=list(exclude or []),
        library=LibraryOptions(
            owner_limit=owner_limit,
            duplicate_threshold=duplicate_threshold,
            missing_share=missing_share,
        ),
        distributed=distributed,
    )
    reporter = make_reporter(progress.value)
    interrupted = (
        f"planreview: interrupted; finished plans are saved in {out}. "
        f"Run the same command with --resume to continue."
    )
    told = threading.Event()  # the interrupted message is on stderr
    previous = (
        signal.signal(signal.SIGINT, _interrupt_with_deadline(interrupted, told))
        if threading.current_thread() is threading.main_thread()
        else None
    )
    try:
        result = run_batch(opts, reporter=reporter)
    except KeyboardInterrupt:
        typer.echo(interrupted, err=True)
        told.set()
        raise typer.Exit(130) from None
    except PlanReviewError as exc:
        raise fail(str(exc)) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    for skipped in result.skipped:
        typer.echo(f"planreview: skipped {skipped.path}: {skipped.reason}", err=True)
    if not result.outcomes:
        raise fail(f"no plan files found in {', '.join(paths)} (supported: {SUPPORTED_TEXT})")
    _summary(result, out, show=progress != ProgressMode.none)
    code = exit_code(result, fail_on.value, fail_on_unreadable)
    if code:
        raise typer.Exit(code)


def _unfinished(out: Path) -> bool:
    import json

    try:
        return json.loads((out / "run.json").read_text(encoding="utf-8")).get("complete") is False
    except (OSError, ValueError, AttributeError):
        return False


def exit_code(result: BatchResult, fail_on: str, fail_on_unreadable: bool) -> int:
    from service.models import SEVERITY_RANK

    if fail_on_unreadable and result.failed:
        return 1
    if fail_on == "never":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    if any(
        SEVERITY_RANK.get(sev, 0) >= threshold and n
        for o in result.ok
        for sev, n in o.severities.items()
    ):
        return 1
    if result.library is not None and any(
        SEVERITY_RANK.get(f.severity, 0) >= threshold for f in result.library.findings
    ):
        return 1
    return 0


def _summary(result: BatchResult, out: Path, show: bool) -> None:
    """The closing table on stderr."""
    if not show:
        return
    from collections import Counter

    from rich.console import Console
    from rich.table import Table

    sev: Counter[str] = Counter()
    for o in result.ok:
        sev.update(o.severities)
    console = Console(stderr=True, highlight=False)
    table = Table(title="planreview batch", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    rate = result.reviewed / result.duration_s if result.duration_s > 0 else 0.0
    table.add_row("plans", str(len(result.outcomes)))
    table.add_row("reviewed now", f"{result.reviewed} ({rate:.1f} plans/s, {result.jobs} jobs)")
    table.add_row("from cache", str(result.cached))
    table.add_row("failed", f"[red]{result.failed}[/red]" if result.failed else "0")
    table.add_row(
        "findings",
        f"{sum(sev.values())} ([red]{sev['error']} errors[/red], "
        f"[yellow]{sev['warning']} warnings[/yellow], [blue]{sev['info']} info[/blue])",
    )
    if result.library is not None:
        lib = result.library
        table.add_row(
            "library",
            f"{len(lib.duplicate_goals)} duplicate goals, "
            f"{len(lib.conflicting_targets)} conflicting targets, "
            f"{len(lib.overloaded_owners)} overloaded owners, "
            f"{sum(1 for f in lib.findings if f.code == 'library.missing-section')} "
            f"sections most plans lack",
        )
    table.add_row("time", f"{result.duration_s:.1f} s")
    table.add_row("dashboard", str(out / "index.html"))
    console.print(table)
    if result.failed:
        shown = [o for o in result.outcomes if o.status != "ok"][:10]
        for o in shown:
            console.print(f"failed: {o.reason}", markup=False, soft_wrap=True)
        if result.failed > len(shown):
            console.print(
                f"… and {result.failed - len(shown)} more (see {out / 'summary.csv'})", markup=False
            )
    sys.stderr.flush()


EXIT_DEADLINE = 10.0  # seconds an interrupted batch may take to stop before it is ended


def _interrupt_with_deadline(
    message: str, told: threading.Event, deadline: float = EXIT_DEADLINE
) -> Callable[[int, FrameType | None], None]:
    """A SIGINT handler: Ctrl-C raises KeyboardInterrupt as usual, and the process ends within
    ``deadline`` seconds even if stopping the worker pool hangs (a worker terminated while
    it held one of the executor's queue locks can block its shutdown, or the interpreter's exit
    hook that joins it, forever). Every finished plan is in the cache by then, so nothing is lost:
    --resume continues from there."""

    def force_exit() -> None:
        with contextlib.suppress(Exception):
            if not told.is_set():
                sys.stderr.write(message + "\n")
            sys.stderr.flush()
        os._exit(130)

    def handler(signum: int, frame: FrameType | None) -> None:
        timer = threading.Timer(deadline, force_exit)
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt

    return handler
