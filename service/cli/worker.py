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
    ping: Annotated[
        bool,
        typer.Option(
            "--ping",
            help="Do not run: exit 0 when the worker named --name (default: this host's) "
            "answers on the broker, 1 when it does not (a container health check).",
        ),
    ] = False,
) -> None:
    """Run review jobs from the queue (PLANREVIEW_BROKER_URL, e.g. redis://host:6379/0).

    Results and progress go to the database the API servers use (PLANREVIEW_DATABASE_URL), so the API answers for a job whichever worker ran it.

    A worker killed mid-job costs that job a retry, not the job. Ctrl-C or SIGTERM stops it after its running reviews.
    """
    import os
    import socket

    from service.errors import PlanReviewError
    from service.settings import get_settings

    try:
        from service.queue.app import make_app

        app = make_app(get_settings())
        if ping:
            raise typer.Exit(_ping(app, name or f"planreview@{socket.gethostname()}"))
        from service.api.guidance import enable_guidance_dir
        from service.queue.tasks import register
        from service.store.db import Database

        enable_guidance_dir(get_settings())  # the pool processes inherit the guidance folder
        register(app)
        db = Database.from_settings(get_settings())  # migrate (or fail) before taking work
        if db.is_sqlite:
            typer.echo(
                f"planreview worker: using SQLite at {db.engine.url.database}: only API servers "
                "on this machine with the same data dir share it; set PLANREVIEW_DATABASE_URL "
                "to the servers' Postgres",
                err=True,
            )
        db.dispose()
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
        "--hostname",
        name or "planreview@%h",
    ]
    app.worker_main(argv=argv)


def _ping(app: object, name: str) -> int:
    """0 when ``name`` answers a ping on the broker within two seconds."""
    import socket

    name = name.replace("%h", socket.gethostname())
    try:
        replies = app.control.ping(destination=[name], timeout=2.0) or []  # type: ignore[attr-defined]
    except Exception as exc:
        typer.echo(f"planreview worker: the broker did not answer: {exc}", err=True)
        return 1
    if any(name in reply for reply in replies):
        typer.echo(f"{name}: ok")
        return 0
    typer.echo(f"planreview worker: {name} did not answer", err=True)
    return 1
