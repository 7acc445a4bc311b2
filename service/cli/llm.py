"""`planreview llm`: what the LLM tier spends per plan, and recording cassettes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="The LLM tier: token usage per plan, record/replay cassettes.", no_args_is_help=True
)

_SUFFIXES = {".md", ".markdown", ".txt", ".docx", ".pdf"}


def _fail(message: str) -> typer.Exit:
    typer.echo(f"planreview: {message}", err=True)
    return typer.Exit(2)


def _plans(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in _SUFFIXES))
        elif p.exists():
            out.append(p)
        else:
            raise _fail(f"{p}: no such file or directory")
    if not out:
        raise _fail("no plans found (give .md, .txt, .docx or .pdf files or folders)")
    return out


@app.command("usage")
def usage_command(
    paths: Annotated[list[Path], typer.Argument(help="Plans or folders of plans.")],
    draft: Annotated[bool, typer.Option("--draft", help="Include the draft call.")] = False,
    live: Annotated[
        bool,
        typer.Option(
            "--live", help="Call the configured endpoint and report its usage (default: a dry run)."
        ),
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Print LLM calls, round-trips and prompt tokens per plan against the budget (plan + 3,000).

    The dry run renders exactly the prompts a review sends (retrieval included) and counts
    them; --live sends them to the configured endpoint and reports its usage. Exit 1 when a
    plan goes over the budget or over 3 round-trips.
    """
    import json

    from service.errors import PlanReviewError
    from service.ingest import load_plan
    from service.llm.usage import UsageRow, counter, measure
    from service.settings import get_settings

    settings = get_settings()
    if live and not settings.llm_configured:
        raise _fail("--live needs an endpoint: set OPENAI_API_KEY and/or OPENAI_BASE_URL")
    rows: list[UsageRow] = []
    for path in _plans(paths):
        try:
            plan = load_plan(path, settings)
        except PlanReviewError as exc:
            typer.echo(f"planreview: {exc}", err=True)
            continue
        rows.append(measure(plan, settings, draft=draft, live=live))
    if fmt == "json":
        typer.echo(
            json.dumps(
                [{**r.model_dump(), "within_budget": r.within} for r in rows],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        mode = "live" if live else "dry run"
        typer.echo(f"# {mode}, model {settings.llm_model}, tokens counted with {counter()}")
        width = max([len(r.source) for r in rows] + [4])
        typer.echo(
            f"{'plan':<{width}}  {'plan tok':>8}  {'calls':>5}  {'trips':>5}  "
            f"{'prompt tok':>10}  {'budget':>7}  {'compl tok':>9}  ok"
        )
        for r in rows:
            typer.echo(
                f"{r.source:<{width}}  {r.plan_tokens:>8}  {r.calls:>5}  {r.round_trips:>5}"
                f"  {r.prompt_tokens:>10}  {r.budget:>7}  {r.completion_tokens:>9}  "
                f"{'yes' if r.within else 'NO'}"
                + ("" if r.status.startswith(("ok", "cached")) else f"  ({r.status})")
            )
            if r.token_scale != 1.0:
                typer.echo(
                    f"{'':<{width}}  note: counted in the server's tokens (x{r.token_scale:.2f})"
                )
            for note in r.notes:
                typer.echo(f"{'':<{width}}  note: {note}")
        if rows:
            over = max(r.prompt_tokens - r.plan_tokens for r in rows)
            typer.echo(
                f"{len(rows)} plans, {sum(r.calls for r in rows)} calls, "
                f"{sum(r.prompt_tokens for r in rows)} prompt tokens; "
                f"largest overhead beyond a plan's own tokens: {over}"
            )
    if any(not r.within for r in rows):
        raise typer.Exit(1)


def _review_with_cassettes(paths: list[Path], cassettes: Path, mode: str, draft: bool) -> int:
    """Review each plan with cassettes in ``mode``; returns how many plans failed."""
    import tempfile

    from service.llm.cassettes import CASSETTES_ENV, MODE_ENV

    saved = {k: os.environ.get(k) for k in (CASSETTES_ENV, MODE_ENV)}
    os.environ[CASSETTES_ENV] = str(cassettes)
    os.environ[MODE_ENV] = mode
    try:
        with tempfile.TemporaryDirectory(prefix="planreview-cassettes-") as tmp:
            failed = _run_plans(paths, Path(tmp), draft, cassettes, mode)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return failed


def _run_plans(paths: list[Path], data_dir: Path, draft: bool, cassettes: Path, mode: str) -> int:
    from service.errors import PlanReviewError
    from service.ingest import load_plan
    from service.review import ReviewOptions, review_plan
    from service.settings import get_settings

    # a fresh cache: a cached review would make no request, so nothing would be recorded
    settings = get_settings().model_copy(
        update={"data_dir": data_dir, "llm_cassettes": cassettes, "llm_cassette_mode": mode}
    )
    failed = 0
    for path in _plans(paths):
        try:
            plan = load_plan(path, settings)
        except PlanReviewError as exc:
            typer.echo(f"planreview: {exc}", err=True)
            failed += 1
            continue
        review = review_plan(plan, ReviewOptions(llm="on", draft=draft), settings=settings)
        status = review.engine.llm_status
        if not status.startswith("ok"):
            failed += 1
        typer.echo(
            f"{path}: {status} ({review.usage.llm_calls} calls, "
            f"{review.usage.prompt_tokens} prompt tokens)"
        )
    return failed


@app.command("record")
def record_command(
    paths: Annotated[list[Path], typer.Argument(help="Plans or folders of plans.")],
    cassettes: Annotated[Path, typer.Option("--cassettes", help="Directory to write into.")],
    draft: Annotated[bool, typer.Option("--draft", help="Record the draft call too.")] = False,
) -> None:
    """Review plans against the configured endpoint and record every answer as a cassette."""
    from service.settings import get_settings

    if not get_settings().llm_configured:
        raise _fail("recording needs an endpoint: set OPENAI_API_KEY and/or OPENAI_BASE_URL")
    failed = _review_with_cassettes(paths, cassettes, "record", draft)
    count = len(list(cassettes.glob("*.json"))) if cassettes.is_dir() else 0
    typer.echo(f"{count} cassettes in {cassettes}")
    if failed:
        raise typer.Exit(1)


@app.command("replay")
def replay_command(
    paths: Annotated[list[Path], typer.Argument(help="Plans or folders of plans.")],
    cassettes: Annotated[Path, typer.Option("--cassettes", help="Directory to read from.")],
    draft: Annotated[bool, typer.Option("--draft", help="Replay the draft call too.")] = False,
) -> None:
    """Review plans from recorded cassettes only (no network); exit 1 when one is missing."""
    if not cassettes.is_dir():
        raise _fail(f"{cassettes}: no such cassette directory")
    if _review_with_cassettes(paths, cassettes, "replay", draft):
        raise typer.Exit(1)
