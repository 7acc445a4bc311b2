"""`planreview review` and `planreview rules` as typer commands: their options and help.

The work of `review` is `service.cli.review.review`, which imports no typer; this module
declares its options for typer (and for --help and completion) and turns its exit status
into `typer.Exit`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from service.cli.options import FailOn, Lang, LLMMode, fail
from service.cli.review import Color, Format, review


def review_command(
    files: Annotated[
        list[str],
        typer.Argument(
            help="Plans to review (.md .markdown .txt .docx .pdf); '-' reads Markdown from stdin."
        ),
    ],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    llm: Annotated[
        LLMMode, typer.Option(help="auto: use the LLM tier when an endpoint is configured.")
    ] = LLMMode.auto,
    lang: Annotated[
        Lang, typer.Option(help="Language of messages (auto follows each plan).")
    ] = Lang.auto,
    config: Annotated[
        Path | None, typer.Option("--config", help="planreview.toml or pyproject.toml to use.")
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(help="Only these codes or families (repeat or comma-separate)."),
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Skip these codes or families.")] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity."),
    ] = FailOn.error,
    draft: Annotated[
        bool, typer.Option("--draft", help="Ask the LLM tier for an improved draft.")
    ] = False,
    show_source: Annotated[
        bool,
        typer.Option(
            "--show-source",
            help="With --format markdown: print the normalised plan text the line numbers refer to.",
        ),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the report here instead of stdout.")
    ] = None,
    statistics: Annotated[
        bool,
        typer.Option(
            "--statistics", help="Print the number of findings per code instead of the report."
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Findings only: no scores, counts or tier lines, no clean plans."
        ),
    ] = False,
    exit_zero: Annotated[
        bool,
        typer.Option("--exit-zero", help="Exit 0 even when there are findings (2 stays 2)."),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Print the safe fixes as a unified diff; change nothing."),
    ] = False,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Apply the safe fixes in place (missing sections, marked placeholders), then report.",
        ),
    ] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option(
            "--unsafe-fixes", help="With --diff/--fix: also fixes that rewrite the author's text."
        ),
    ] = False,
    report_unused_suppressions: Annotated[
        bool,
        typer.Option(
            "--report-unused-suppressions",
            help="Warn about suppression comments that suppress nothing (and exit 1).",
        ),
    ] = False,
    color: Annotated[
        Color,
        typer.Option(
            "--color",
            help="Colour text and concise output: auto (a terminal, or FORCE_COLOR; not NO_COLOR).",
        ),
    ] = Color.auto,
) -> None:
    """Review one or more plans."""
    status = review(
        files=files,
        fmt=fmt,
        llm=llm,
        lang=lang,
        config=config,
        select=select,
        ignore=ignore,
        fail_on=fail_on,
        draft=draft,
        show_source=show_source,
        output=output,
        statistics=statistics,
        quiet=quiet,
        exit_zero=exit_zero,
        diff=diff,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        report_unused_suppressions=report_unused_suppressions,
        color=color,
    )
    if status:
        raise typer.Exit(status)


def _complete_code(incomplete: str) -> list[str]:
    from service.rules import catalogue

    return [r.code for r in catalogue.RULES if r.code.startswith(incomplete)]


def rules_command(
    code: Annotated[
        str | None,
        typer.Argument(
            help="Explain this rule: what it checks, why, examples, fix, guidance.",
            autocompletion=_complete_code,
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    lang: Annotated[Lang, typer.Option(help="Language of the summaries.")] = Lang.en,
) -> None:
    """List every rule code with its severity, scope and summary, or explain one (CODE)."""
    from service.rules import catalogue

    language = "zh" if lang == Lang.zh else "en"
    if code is not None:
        _explain_rule(code, fmt, language)
        return
    if fmt == "json":
        import json

        data = [
            {
                "code": r.code,
                "family": r.family,
                "severity": r.severity,
                "scope": r.scope,
                "title": r.title(language),
                "summary": r.summary(language),
                "llm_only": r.llm_only,
            }
            for r in catalogue.RULES
        ]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if fmt != "text":
        raise fail(f"unknown format {fmt!r}: use text or json")
    width = max(len(r.code) for r in catalogue.RULES)
    for r in catalogue.RULES:
        tier = "  (LLM tier)" if r.llm_only else ""
        typer.echo(f"{r.code:<{width}}  {r.severity:<7}  {r.scope:<8}  {r.summary(language)}{tier}")


def _explain_rule(code: str, fmt: str, language: str) -> None:
    from service.explain import explain, render_text, suggest
    from service.rules import catalogue

    if fmt not in ("text", "json"):
        raise fail(f"unknown format {fmt!r}: use text or json")
    wanted = code.strip().lower()
    if wanted not in catalogue.BY_CODE:
        zh = language == "zh"
        if wanted in catalogue.FAMILIES:
            members = ", ".join(r.code for r in catalogue.RULES if r.family == wanted)
            if zh:
                raise fail(f"“{code}”是规则族而不是规则代码：请选其中之一：{members}")
            raise fail(f"{code!r} is a family, not a code: pick one of {members}")
        close = suggest(wanted)
        if zh:
            hint = f"（是否想输入 {' 或 '.join(close)}？）" if close else ""
            raise fail(f"未知的规则代码“{code}”{hint}：`planreview rules` 列出全部代码")
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise fail(f"unknown rule code {code!r}{hint}: `planreview rules` lists them")
    help_ = explain(wanted, language)
    if fmt == "json":
        import json

        typer.echo(json.dumps(help_.to_json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render_text(help_))
