"""`planreview worker`: a Celery worker running the API's review jobs and distributed batches."""

from __future__ import annotations

from typing import Annotated

import typer


def command(
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            "-c",
            min=1,
            max=64,
            help="Review processes in this worker (default: one per core).",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", "-n", help="Worker name (default planreview@<host>)."),
    ] = None,
    log_level: Annotated[str, typer.Option(help="Log level.")] = "info",
) -> None:
    """Run review jobs from the queue (PLANREVIEW_BROKER_URL, e.g. redis://host:6379/0).

    Results, progress events and failures go to the database (PLANREVIEW_DATABASE_URL,
    the same one the API servers use), so the API answers for jobs whichever worker ran
    them. A worker killed mid-job costs that job a retry, not the job. Stop it with
    Ctrl-C or SIGTERM: it finishes its running reviews first.
    """
    import os

    from service.api.guidance import enable_guidance_dir
    from service.errors import PlanReviewError
    from service.settings import get_settings

    enable_guidance_dir(get_settings())  # the pool processes inherit the guidance folder
    settings = get_settings()
    try:
        from service.queue.app import make_app
        from service.queue.tasks import register
        from service.store.db import Database

        app = make_app(settings)
        register(app)
        Database.from_settings(settings).dispose()  # migrate (or fail) before taking work
    except PlanReviewError as exc:
        typer.echo(f"planreview worker: {exc}", err=True)
        raise typer.Exit(2) from None
    procs = concurrency or max(1, len(os.sched_getaffinity(0)))
    argv = [
        "worker",
        "--concurrency",
        str(procs),
        "--pool",
        "prefork",
        "--loglevel",
        log_level.upper(),
        "--queues",
        "planreview",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if name:
        argv += ["--hostname", name]
    app.worker_main(argv=argv)
