"""`planreview serve`: the HTTP API under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def command(
    host: Annotated[
        str, typer.Option(help="Interface to listen on; beyond loopback API keys are required.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    insecure: Annotated[
        bool,
        typer.Option(
            "--insecure", help="Serve beyond loopback without API keys (never in production)."
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Threads running review jobs (default PLANREVIEW_API_WORKERS or 2)."),
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            help="Processes for synchronous reviews (0: threads; default "
            "PLANREVIEW_API_REVIEW_PROCESSES or 2)."
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Behind a reverse proxy: the proxy addresses (comma-separated) whose "
            "X-Forwarded-For names the client, for rate limits and logs. Makes API keys "
            "required (default PLANREVIEW_API_FORWARDED_ALLOW_IPS; none: the header is ignored).",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from service.api.app import create_app
    from service.api.settings import ApiSettings
    from service.errors import PlanReviewError

    overrides: dict[str, object] = {"host": host, "port": port, "insecure": insecure}
    if workers is not None:
        overrides["workers"] = workers
    if processes is not None:
        overrides["review_processes"] = processes
    if forwarded_allow_ips is not None:
        overrides["forwarded_allow_ips"] = forwarded_allow_ips
    try:
        api = ApiSettings(**overrides)  # type: ignore[arg-type]
        app = create_app(api=api)
    except PlanReviewError as exc:
        typer.echo(f"planreview serve: {exc}", err=True)
        raise typer.Exit(2) from None
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=bool(api.forwarded_allow_ips),
        forwarded_allow_ips=api.forwarded_allow_ips or None,
        timeout_graceful_shutdown=10,
    )
