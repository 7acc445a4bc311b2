"""The work of `planreview review`, without typer.

Its options and help are declared for typer in service/cli/commands.py, whose
`review_command` calls `review` here; a plain `planreview review` line reaches
`review` through service/cli/fastpath.py without importing typer at all. So
nothing here imports typer unless it has something to report (`warn`) or a
usage error to exit with (`fail`); the exit status of a review is returned.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from service.cli.options import FailOn, Lang, LLMMode, fail, few_collections, warn

# The core (pydantic models, the rule catalogue) loads when a command runs, not
# when `planreview` starts: `planreview kb ...` or `--help` do not need it.
if TYPE_CHECKING:
    from service.config import ReviewConfig
    from service.models import Plan, Review


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"
    sarif = "sarif"
    concise = "concise"
    github = "github"


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


def use_color(choice: Color, *, to_terminal: bool) -> bool:
    """--color always/never win; auto follows NO_COLOR, then FORCE_COLOR (also when piped),
    then whether stdout is a terminal (not TERM=dumb). See no-color.org, force-color.org."""
    import os

    if choice != Color.auto:
        return choice == Color.always
    if os.environ.get("NO_COLOR", ""):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force is not None and force != "":
        return force.strip().lower() not in ("0", "false")
    return to_terminal and os.environ.get("TERM") != "dumb"


def _config_for(
    path: Path | None, explicit: Path | None, select: list[str], ignore: list[str]
) -> ReviewConfig:
    from service.config import ReviewConfig, find_config, load_config_file

    if explicit is not None:
        config = load_config_file(explicit)
    else:
        found = find_config(path if path is not None else Path.cwd())
        config = load_config_file(found) if found else ReviewConfig()
    if select or ignore:
        config = config.merged(select or None, ignore or None)
    return config


def _split_codes(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def review(
    files: list[str],
    fmt: Format,
    llm: LLMMode,
    lang: Lang,
    config: Path | None,
    select: list[str] | None,
    ignore: list[str] | None,
    fail_on: FailOn,
    draft: bool,
    show_source: bool,
    output: Path | None,
    statistics: bool,
    quiet: bool,
    exit_zero: bool,
    diff: bool,
    fix: bool,
    unsafe_fixes: bool,
    report_unused_suppressions: bool,
    color: Color,
) -> int:
    """Review one or more plans (the options of `review_command`); the exit status."""
    out = _Output(fmt, show_source, output, statistics, quiet, color, report_unused_suppressions)
    if diff and fix:
        raise fail("--diff shows the fixes and --fix applies them: use one")
    fixing = "diff" if diff else ("fix" if fix else "")
    if exit_zero:
        fail_on = FailOn.never
    with few_collections():
        if fixing:
            status = _fix(files, lang, config, select, ignore, fixing, unsafe_fixes, out, fail_on)
            if status is not None:
                return status
        return _review(files, llm, lang, config, select, ignore, fail_on, draft, out)


@dataclass(frozen=True)
class _Output:
    fmt: Format
    show_source: bool
    path: Path | None
    statistics: bool
    quiet: bool
    color: Color
    unused_suppressions: bool = False

    def render(self, results: list[tuple[Review, Plan]], lang: Lang) -> str:
        from service.report import render

        wants_color = use_color(self.color, to_terminal=self.path is None and sys.stdout.isatty())
        if self.statistics:
            from service.report.lines import render_statistics, statistics

            langs = {r.plan.language for r, _ in results}
            language = lang.value if lang != Lang.auto else ("zh" if langs == {"zh"} else "en")
            rows = statistics(results, language)
            if self.fmt == Format.json:
                import json

                return json.dumps(rows, ensure_ascii=False, indent=2)
            return render_statistics(rows, color=wants_color)
        color = wants_color and self.fmt in (Format.text, Format.concise)
        return render(
            results,
            self.fmt.value,
            color=color,
            show_source=self.show_source,
            quiet=self.quiet,
        )


def _review(
    files: list[str],
    llm: LLMMode,
    lang: Lang,
    config: Path | None,
    select: list[str] | None,
    ignore: list[str] | None,
    fail_on: FailOn,
    draft: bool,
    out: _Output,
) -> int:
    from service.errors import PlanReviewError
    from service.ingest import load_bytes, load_plan
    from service.llm.progress import to_stderr
    from service.models import SEVERITY_RANK
    from service.review import ReviewOptions, review_plan

    to_stderr()  # the LLM tier, when it runs, says which call it makes (and retries) on stderr
    output = out.path

    results: list[tuple[Review, Plan]] = []
    unreadable = 0
    unused = 0
    try:
        sel, ign = _split_codes(select), _split_codes(ignore)
        names = _expand_targets(files, quiet=out.quiet)
        for name in names:
            try:
                if name == "-":
                    data = sys.stdin.buffer.read()
                    plan = load_bytes(data, "stdin.md")
                    plan.source = "-"
                    cfg = _config_for(None, config, sel, ign)
                else:
                    path = Path(name)
                    plan = load_plan(path)
                    cfg = _config_for(path, config, sel, ign)
                options = ReviewOptions(llm=llm.value, lang=lang.value, draft=draft, config=cfg)
                review = review_plan(plan, options)
                results.append((review, plan))
                unused += _check_suppressions(review, plan, cfg, lang, out.unused_suppressions)
            except PlanReviewError as exc:
                if len(names) == 1 and names == files:
                    raise
                warn(f"planreview: {exc}")
                unreadable += 1
    except PlanReviewError as exc:
        raise fail(str(exc)) from None

    if results:
        text = out.render(results, lang)
        if output is not None:
            try:
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise fail(f"{output}: cannot write the report: {exc.strerror}") from None
        elif text:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if unreadable:
        return 2
    if fail_on != FailOn.never and unused:
        return 1
    if fail_on != FailOn.never:
        threshold = SEVERITY_RANK[fail_on.value]
        if any(
            SEVERITY_RANK[f.severity] >= threshold for review, _ in results for f in review.findings
        ):
            return 1
    return 0


def _fix(
    files: list[str],
    lang: Lang,
    config: Path | None,
    select: list[str] | None,
    ignore: list[str] | None,
    mode: str,
    unsafe: bool,
    out: _Output,
    fail_on: FailOn,
) -> int | None:
    """--diff: print the fixes; the exit status (1 when there are any). --fix: apply them;
    None, and the caller reviews the fixed files as usual."""
    from service.errors import PlanReviewError
    from service.fixes import fix_text, unified_diff, write_back
    from service.ingest import load_plan

    language = None if lang == Lang.auto else lang.value
    sel, ign = _split_codes(select), _split_codes(ignore)
    diffs: list[str] = []
    try:
        names = _expand_targets(files, quiet=True)
        for name in names:
            if name == "-":
                raise fail(f"--{mode} needs files: stdin cannot be fixed in place")
            path = Path(name)
            plan = load_plan(path)
            if plan.source_format not in ("markdown", "text"):
                warn(f"planreview: {name}: .docx and .pdf files cannot be fixed")
                continue
            cfg = _config_for(path, config, sel, ign)
            result = fix_text(plan.text, name, cfg, language, unsafe=unsafe)
            hint = ""
            if result.skipped_unsafe and not unsafe:
                hint = f" ({result.skipped_unsafe} more with --unsafe-fixes)"
            if mode == "diff":
                if result.text != plan.text:
                    diffs.append(unified_diff(plan.text, result.text, name))
                if not out.quiet and (result.applied or hint):
                    warn(f"planreview: {name}: {len(result.applied)} fixes{hint}")
                continue
            if result.text == plan.text:
                if hint and not out.quiet:
                    warn(f"planreview: {name}: no safe fixes{hint}")
                continue
            problem = write_back(path, plan.text, result.text)
            if problem is not None:
                warn(f"planreview: {name}: not fixed: {problem}")
            elif not out.quiet:
                warn(f"planreview: {name}: fixed {len(result.applied)}{hint}")
    except PlanReviewError as exc:
        raise fail(str(exc)) from None
    if mode == "diff":
        sys.stdout.write("".join(diffs))
        return 1 if diffs and fail_on != FailOn.never else 0
    return None


def _check_suppressions(
    review: Review, plan: Plan, config: ReviewConfig, lang: Lang, report_unused: bool
) -> int:
    """Warn on stderr about unknown codes in suppression comments (always) and, when asked,
    about suppressions that suppress nothing; the number of the latter."""
    from service.suppressions import unknown_codes, unused

    language = review.plan.language if lang == Lang.auto else lang.value
    problems = unknown_codes(plan)
    idle = []
    if report_unused:
        rule_findings = [f for f in review.findings if f.origin == "rule"]
        idle = unused(plan, rule_findings, config, lang=language)
    source = review.plan.source or plan.source
    word = "警告" if language == "zh" else "warning"
    for p in sorted([*problems, *idle], key=lambda p: p.line):
        warn(f"{source}:{p.line}: {word}: {p.message(language)}")
    return len(idle)


def _expand_targets(args: list[str], *, quiet: bool) -> list[str]:
    """Files as given; folders and globs as the plans in them (service/planfiles.py: include,
    exclude, plan-like names and the reads-like-a-plan gate; .planreviewignore as in batch)."""
    out: list[str] = []
    for arg in args:
        path = Path(arg).expanduser()
        is_glob = not path.exists() and any(c in arg for c in "*?[")
        if arg == "-" or not (path.is_dir() or is_glob):
            out.append(arg)  # a file (or stdin): always reviewed; a missing one reports itself
            continue
        # Folders and globs only: the batch package (its runner, multiprocessing) is a
        # tenth of a one-file review's start-up.
        from service.batch.discovery import Skipped, discover
        from service.errors import InputError
        from service.planfiles import choose_plans

        unreadable: list[Skipped] = []
        found = discover([arg], skipped=unreadable)
        plans, others = choose_plans(found, [])
        if not quiet:
            for s in unreadable:  # an old .doc, a link leaving the folder: said, not dropped
                warn(f"planreview: skipped {s.path}: {s.reason}")
        if not plans:
            what = "folder" if path.is_dir() else "pattern"
            why = f" ({len(others)} files that are not plans)" if others else ""
            raise InputError(
                arg,
                f"no plans in this {what}{why}",
                hint="name the files, set include in planreview.toml, "
                "or mark a file with <!-- planreview: on -->",
            )
        if others and not quiet:
            shown = ", ".join(o.path for o in others[:3]) + (", …" if len(others) > 3 else "")
            warn(f"planreview: {arg}: skipped {len(others)} not plans: {shown}")
        out.extend(f.source for f in plans)
    return out
