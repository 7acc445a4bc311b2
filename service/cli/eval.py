"""`planreview eval`: run the eval suite, write results.json and report.html, gate on a baseline.

Exit codes: 0 = ran (and no regression against the baseline), 1 = regression beyond the
tolerance, 2 = bad usage, an unusable dataset, a missing baseline asked for by name, or a
replay without cassettes.
"""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from service.cli.options import fail

_fail = partial(fail, prefix="planreview eval")


class EvalMode(StrEnum):
    offline = "offline"
    replay = "replay"
    live = "live"


class SplitName(StrEnum):
    dev = "dev"
    test = "test"
    holdout = "holdout"
    real = "real"
    all = "all"


class RetrievalMode(StrEnum):
    lexical = "lexical"
    hybrid = "hybrid"
    vector = "vector"
    off = "off"


def command(
    mode: Annotated[
        EvalMode,
        typer.Option(
            help="offline: rules only; replay: recorded LLM answers; live: the configured endpoint."
        ),
    ] = EvalMode.offline,
    split: Annotated[
        SplitName, typer.Option(help="Dataset split; tune on dev only.")
    ] = SplitName.dev,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Only plans in this language (en or zh).")
    ] = None,
    plan: Annotated[
        list[str] | None, typer.Option("--plan", help="Only this plan id (repeatable).")
    ] = None,
    wave: Annotated[
        list[str] | None,
        typer.Option(
            "--wave",
            help="Only the plans of this labelling wave of the real split (repeatable), "
            "e.g. to record a new wave's first-contact score.",
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(help="Baseline to compare with (default eval/baselines/<mode>-<split>.json)."),
    ] = None,
    no_baseline: Annotated[
        bool, typer.Option("--no-baseline", help="Do not compare with any baseline.")
    ] = False,
    out: Annotated[Path, typer.Option(help="Folder for results.json and report.html.")] = Path(
        "eval/out"
    ),
    bless: Annotated[
        bool,
        typer.Option(
            "--bless",
            help="Compare with the current baseline, then write this run as the new one "
            "(refused on a regression without --allow-regression, and from a dirty tree).",
        ),
    ] = False,
    allow_regression: Annotated[
        str | None,
        typer.Option(
            "--allow-regression",
            metavar="REASON",
            help="Bless even though the run regresses; the reason is kept in the baseline.",
        ),
    ] = None,
    floor_f1: Annotated[
        float | None,
        typer.Option("--floor-f1", help="With --bless: the absolute overall F1 floor to store."),
    ] = None,
    floor_language_f1: Annotated[
        float | None,
        typer.Option(
            "--floor-language-f1", help="With --bless: the absolute per-language F1 floor to store."
        ),
    ] = None,
    max_control_errors: Annotated[
        int | None,
        typer.Option(
            "--max-control-errors",
            help="With --bless: most errors allowed on negative controls (default 0).",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="planreview.toml with select/ignore/severity for the run.")
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="Switch off a code or family for the run (repeatable)."),
    ] = None,
    cassettes: Annotated[
        Path | None,
        typer.Option(help="Cassette folder for replay/record (default eval/cassettes)."),
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Live mode: record cassettes for replay.")
    ] = False,
    retrieval: Annotated[
        RetrievalMode, typer.Option(help="Retrieval eval mode, or off.")
    ] = RetrievalMode.lexical,
    codes: Annotated[
        bool, typer.Option("--codes", help="Show a row per code in the table.")
    ] = False,
    check_dataset: Annotated[
        bool, typer.Option("--check-dataset", help="Only validate the dataset and exit.")
    ] = False,
) -> None:
    """Run the eval suite and report P/R/F1 per code and family against the gold labels."""
    from rich.console import Console

    from service.config import ReviewConfig, load_config_file
    from service.errors import PlanReviewError
    from service.evaluation import baseline as gate
    from service.evaluation.dataset import DatasetError, default_eval_dir, validate_dataset
    from service.evaluation.report import render_terminal, write_html, write_json
    from service.evaluation.runner import run_eval

    console = Console(stderr=False)
    eval_dir = default_eval_dir()
    if check_dataset:
        items, problems = validate_dataset(eval_dir)
        for p in problems:
            typer.echo(f"problem: {p}", err=True)
        typer.echo(
            f"{len(items)} plans, {sum(len(i.gold) for i in items)} gold findings, {len(problems)} problems"
        )
        raise typer.Exit(1 if problems else 0)
    if lang not in (None, "en", "zh"):
        raise _fail(f"--lang must be en or zh, not {lang!r}")
    if record and mode != EvalMode.live:
        raise _fail("--record only makes sense with --mode live")
    try:
        cfg = load_config_file(config) if config else ReviewConfig()
        if ignore:
            cfg = cfg.merged(None, list(ignore))
    except PlanReviewError as exc:
        raise _fail(str(exc)) from None
    except ValueError as exc:  # pydantic validation of --ignore values
        raise _fail(
            f"--ignore: {exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc}"
        ) from None

    try:
        run = run_eval(
            mode=mode.value,
            split=split.value,
            language=lang,
            ids=list(plan) if plan else None,
            waves=list(wave) if wave else None,
            eval_dir=eval_dir,
            config=cfg,
            cassette_dir=cassettes,
            record=record,
            retrieval=None if retrieval == RetrievalMode.off else retrieval.value,
        )
    except DatasetError as exc:
        for p in exc.problems:
            typer.echo(f"problem: {p}", err=True)
        raise _fail(
            f"the dataset has {len(exc.problems)} problem(s); run `planreview eval --check-dataset`"
        ) from None
    except PlanReviewError as exc:
        raise _fail(str(exc)) from None
    if run.meta.plans == 0:
        raise _fail("no plan matched the split/language/plan filters")

    base_path = baseline or gate.baseline_path(mode.value, split.value, lang)
    comparison = None
    if bless:
        previous = None
        if base_path.is_file():
            try:
                previous = gate.compare(
                    run, gate.load_baseline(base_path), baseline_file=str(base_path)
                )
            except PlanReviewError as exc:
                raise _fail(str(exc)) from None
            render_terminal(run, console, previous, show_codes=codes)
        floors = None
        if floor_f1 is not None or floor_language_f1 is not None or max_control_errors is not None:
            old_floors = (
                gate.Floors.model_validate(gate.load_baseline(base_path).get("floors") or {})
                if base_path.is_file()
                else gate.Floors()
            )
            floors = old_floors.model_copy(
                update={
                    k: v
                    for k, v in (
                        ("min_f1", floor_f1),
                        ("min_language_f1", floor_language_f1),
                        ("max_control_errors", max_control_errors),
                    )
                    if v is not None
                }
            )
        try:
            written = gate.bless(
                run,
                base_path,
                previous=previous,
                allow_regression=allow_regression,
                floors=floors,
            )
        except PlanReviewError as exc:
            raise _fail(str(exc)) from None
        console.print(f"blessed baseline: {written}")
        return
    elif not no_baseline:
        if base_path.is_file():
            try:
                comparison = gate.compare(
                    run, gate.load_baseline(base_path), baseline_file=str(base_path)
                )
            except PlanReviewError as exc:
                raise _fail(str(exc)) from None
        elif baseline is not None:
            raise _fail(f"{baseline}: baseline not found (bless one with --bless)")
        else:
            console.print(
                f"[yellow]no baseline at {base_path}; nothing to compare (bless one with --bless)[/yellow]"
            )

    out.mkdir(parents=True, exist_ok=True)
    write_json(run, out / "results.json", comparison)
    write_html(run, out / "report.html", eval_dir, comparison)
    render_terminal(run, console, comparison, show_codes=codes)
    console.print(f"results: {out / 'results.json'}  report: {out / 'report.html'}")
    if comparison is not None and not comparison.ok:
        raise typer.Exit(1)
