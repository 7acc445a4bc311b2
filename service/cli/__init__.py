"""The `planreview` command line. Thin: parse flags, call the core, render, exit.

A plain `planreview review ...` line is read by service/cli/fastpath.py and runs without
typer; every other line goes to the typer app of service/cli/typer_app.py (``app`` here),
which imports only the invoked command's module.
"""

from __future__ import annotations

import gc

# The imports below create tens of thousands of long-lived objects (pydantic
# schemas, compiled patterns); with the default thresholds the collector walks
# them again and again, about 5% of a whole `planreview review`. The same values
# as service.cli.options.FEW_COLLECTIONS; restored (after a freeze) below.
_GC_THRESHOLD = gc.get_threshold()
gc.set_threshold(100_000, 50, 100)

import os  # noqa: E402

# pydantic looks for plugins in every installed distribution's entry points on its first model
# (tens of milliseconds in a full environment); the command line uses none. A user who sets the
# variable (to enable some, or "") keeps their choice.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from service import recache  # noqa: E402

recache.install()  # compiled patterns from the last run: about half the start-up otherwise

import importlib  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

gc.freeze()  # what was just imported lives as long as the process: no pass over it, now or later
gc.set_threshold(*_GC_THRESHOLD)


def _typer_app() -> Any:
    """The typer app, imported (typer, its click, the two core commands) with few collections
    and then kept out of the collector's passes, as the imports above."""
    if "service.cli.typer_app" not in sys.modules:
        threshold = gc.get_threshold()
        gc.set_threshold(100_000, 50, 100)
        try:
            importlib.import_module("service.cli.typer_app")
        finally:
            gc.freeze()
            gc.set_threshold(*threshold)
    return sys.modules["service.cli.typer_app"].app


def __getattr__(name: str) -> Any:
    if name == "app":  # `from service.cli import app`: built on first use
        return _typer_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    # What is loaded so far lives as long as the process: keep the collector off it.
    gc.freeze()
    try:
        from service.cli.fastpath import review_arguments, run_review

        fast = review_arguments(sys.argv[1:])
        if fast is not None:
            run_review(fast)  # a plain `planreview review ...`: the same call, without typer
        _typer_app()()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
