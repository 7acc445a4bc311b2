"""`planreview db`: maintenance of the review database (schema migrations, retention)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Maintain the review database.", no_args_is_help=True)


@app.command("prune")
def prune(
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            help="Delete reviews and batches finished longer ago than this: 30d, 12h, 2w "
            "(default: PLANREVIEW_RETENTION_DAYS).",
        ),
    ] = None,
    vacuum: Annotated[
        bool, typer.Option("--vacuum", help="Then shrink the SQLite file (rewrites it).")
    ] = False,
) -> None:
    """Delete finished reviews, batches and idempotency records past their retention.

    Queued and running jobs are never deleted. A pruned review's id answers 404.
    """
    from datetime import timedelta

    from service.errors import PlanReviewError
    from service.settings import get_settings
    from service.store.db import Database
    from service.store.retention import parse_age
    from service.store.retention import prune as prune_store
    from service.store.retention import vacuum as vacuum_store

    settings = get_settings()
    try:
        if older_than is not None:
            age = parse_age(older_than)
        elif settings.retention_days:
            age = timedelta(days=settings.retention_days)
        else:
            typer.echo(
                "planreview db prune: say how old: --older-than 30d, "
                "or set PLANREVIEW_RETENTION_DAYS",
                err=True,
            )
            raise typer.Exit(2)
        db = Database.from_settings(settings)
        done = prune_store(db, age)
        if vacuum:
            vacuum_store(db)
    except PlanReviewError as exc:
        typer.echo(f"planreview db prune: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"pruned {done.reviews} review(s), {done.batches} batch(es), {done.events} event(s), "
        f"{done.idempotency} idempotency record(s)"
    )


@app.command("upgrade")
def upgrade() -> None:
    """Bring the database schema to this version's newest migration (servers do it at start).

    Safe to run while servers are up and from several places at once: one migrates,
    the others wait and find it done. PLANREVIEW_DATABASE_URL selects the database.
    """
    from service.errors import PlanReviewError
    from service.settings import get_settings
    from service.store.db import Database, database_url
    from service.store.schema import head_revision

    settings = get_settings()
    try:
        db = Database(database_url(settings))
        before = db.revision()
        changed = db.upgrade()
        after = db.revision()
        db.dispose()
    except PlanReviewError as exc:
        typer.echo(f"planreview db upgrade: {exc}", err=True)
        raise typer.Exit(2) from None
    if changed:
        typer.echo(
            f"database upgraded from {before or 'empty'} to {after} (head {head_revision()})"
        )
    else:
        typer.echo(f"database already at {after} (head {head_revision()})")
