"""A quick way into `planreview review` for the plain command lines, past typer's parser.

Typer (0.29) builds a pydantic ``TypeAdapter`` for every parameter of the invoked command,
each run, before it calls it: for the sixteen options of `review` that is about a fifth of
the start-up of a one-file review, spent to turn strings into strings, enum members, paths
and flags. The command lines people and editors actually type (known options, each at most
once, a valid value for each choice, files) are read here instead, into exactly the values
typer would pass to `review_command` (tests/test_cli_fastpath.py checks this against typer,
line by line), and the review it runs (`service.cli.review.review`) is called with them,
without importing typer: its exit status, or the exception it ends with, becomes the exit
status as typer's main would make it.

Anything else falls back to the typer app, which then behaves as it always did: `--help`,
an unknown or repeated option, a missing value, a value typer would reject or coerce
(`--format JSON`), combined short flags (`-qf json`), an option value starting with ``-``,
no file, shell completion, Windows (where click expands wildcards itself), or another
command.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

from service.cli.options import FEW_COLLECTIONS, FailOn, Lang, LLMMode
from service.cli.review import Color, Format

# option spelling -> (parameter, how its value is read); None: a flag (True when given)
_Convert = Callable[[str], Any] | None


def _choice(enum: type[StrEnum]) -> Callable[[str], Any]:
    values = {m.value: m for m in enum}

    def convert(text: str) -> Any:
        return values[text]  # KeyError: not an exact value, let typer say so

    return convert


def _path(text: str) -> Path:
    return Path(text)


_OPTIONS: dict[str, tuple[str, _Convert]] = {
    "--format": ("fmt", _choice(Format)),
    "-f": ("fmt", _choice(Format)),
    "--llm": ("llm", _choice(LLMMode)),
    "--lang": ("lang", _choice(Lang)),
    "--config": ("config", _path),
    "--select": ("select", str),
    "--ignore": ("ignore", str),
    "--fail-on": ("fail_on", _choice(FailOn)),
    "--draft": ("draft", None),
    "--show-source": ("show_source", None),
    "-o": ("output", _path),
    "--output": ("output", _path),
    "--statistics": ("statistics", None),
    "--quiet": ("quiet", None),
    "-q": ("quiet", None),
    "--exit-zero": ("exit_zero", None),
    "--diff": ("diff", None),
    "--fix": ("fix", None),
    "--unsafe-fixes": ("unsafe_fixes", None),
    "--report-unused-suppressions": ("report_unused_suppressions", None),
    "--color": ("color", _choice(Color)),
}
_MULTIPLE = frozenset({"select", "ignore"})

# What typer passes for a parameter not on the command line.
DEFAULTS: dict[str, Any] = {
    "fmt": Format.text,
    "llm": LLMMode.auto,
    "lang": Lang.auto,
    "config": None,
    "select": None,
    "ignore": None,
    "fail_on": FailOn.error,
    "draft": False,
    "show_source": False,
    "output": None,
    "statistics": False,
    "quiet": False,
    "exit_zero": False,
    "diff": False,
    "fix": False,
    "unsafe_fixes": False,
    "report_unused_suppressions": False,
    "color": Color.auto,
}


def review_arguments(args: list[str]) -> dict[str, Any] | None:
    """The keyword arguments typer would call `review_command` with for `planreview ARGS`,
    or None when the command line is not one of the plain ones read here."""
    if len(args) < 2 or args[0] != "review" or os.name == "nt":
        return None
    if any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return None  # a shell asks for completions
    values: dict[str, Any] = {}
    multiple: dict[str, list[str]] = {}
    files: list[str] = []
    rest = iter(args[1:])
    for token in rest:
        if token == "--":
            files.extend(rest)
            break
        if token == "-" or not token.startswith("-"):
            files.append(token)
            continue
        name, eq, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        spec = _OPTIONS.get(name)
        if spec is None:
            return None
        param, convert = spec
        if param in values:
            return None  # said twice: typer's rules (last one wins) are left to typer
        if convert is None:
            if eq:
                return None
            values[param] = True
            continue
        text = inline if eq else next(rest, None)
        if not text or text.startswith("-"):
            return None
        try:
            value = convert(text)
        except KeyError:
            return None
        if param in _MULTIPLE:
            multiple.setdefault(param, []).append(value)
        else:
            values[param] = value
    if not files:
        return None
    return {"files": files, **DEFAULTS, **values, **multiple}


def run_review(kwargs: dict[str, Any]) -> NoReturn:
    """Run the review as typer's standalone `main` runs `review_command`; always exits
    (see `leave`). typer is imported only when the review ends with an exception (a usage
    error, an unreadable file, an interrupt): the exit then goes as typer's would."""
    # The collector stays as few_collections() sets it to the end: the thresholds it would
    # restore afterwards start a pass over everything the review made, as the process ends.
    gc.set_threshold(*FEW_COLLECTIONS)
    from service.cli.review import review

    try:
        status = review(**kwargs)
    except BaseException as exc:
        status = _status_after(exc)  # or re-raised, as typer's main lets it through
    leave(status)


def _status_after(exc: BaseException) -> int:
    """The exit status typer's standalone `main` gives an exception out of the command,
    after saying what it says on stderr; anything else is raised again."""
    import errno

    import typer

    try:
        try:
            raise exc
        except EOFError as error:
            typer.echo(err=True)
            raise typer.Abort() from error
        except KeyboardInterrupt as error:
            raise typer.Exit(130) from error
        except typer.Exit:
            raise
        except _click_exception() as error:
            _show_error(error)
            return int(error.exit_code)
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise
            try:
                from typer._click.utils import PacifyFlushWrapper
            except ImportError:  # typer before it vendored click
                from click.utils import PacifyFlushWrapper  # type: ignore[assignment,no-redef,unused-ignore]

            sys.stdout = PacifyFlushWrapper(sys.stdout)
            sys.stderr = PacifyFlushWrapper(sys.stderr)
            return 1
    except typer.Exit as error:
        return error.exit_code
    except typer.Abort:
        _show_abort()
        return 1


def leave(status: int) -> NoReturn:
    """``sys.exit(status)`` for a process whose work is done, without the teardown.

    The atexit handlers run and the standard streams are flushed, as at any exit; then the
    process ends without the interpreter freeing, one by one, every module, pattern, model
    and block it made (about a tenth of a second after a review; mypy ends the same way).
    With another thread still alive (the interpreter would wait for it) or a stream that
    cannot be flushed (it would say so, and exit 120), the interpreter's own exit instead.
    """
    import atexit
    import threading

    if threading.active_count() > 1:
        sys.exit(status)
    atexit._run_exitfuncs()
    atexit._clear()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        sys.exit(status)
    os._exit(status)


def _click_exception() -> type[Any]:
    try:
        from typer._click.exceptions import ClickException
    except ImportError:  # typer before it vendored click
        from click.exceptions import ClickException  # type: ignore[assignment,no-redef,unused-ignore]

    return ClickException


def _show_error(exc: Any) -> None:
    from typer import core

    if core.HAS_RICH and core.DEFAULT_MARKUP_MODE is not None:
        from typer import rich_utils

        rich_utils.rich_format_error(exc)
    else:
        exc.show()


def _show_abort() -> None:
    from typer import core

    if core.HAS_RICH and core.DEFAULT_MARKUP_MODE is not None:
        from typer import rich_utils

        rich_utils.rich_abort_error()
    else:
        import typer

        typer.echo("Aborted!", err=True)
