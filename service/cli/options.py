"""Option types and the usage-error exit shared by the `planreview` sub-commands.

No typer at import: a plain `planreview review` runs without it (service/cli/fastpath.py);
`fail` and `warn` import it when they are called.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

FEW_COLLECTIONS = (100_000, 50, 100)
"""gc thresholds while a one-shot command imports and works: it creates many
long-lived objects (parsed blocks, findings, pydantic schemas) and the default
(700, 10, 10) makes the collector walk them over and over for nothing."""


class LLMMode(StrEnum):
    auto = "auto"
    off = "off"
    on = "on"


class Lang(StrEnum):
    auto = "auto"
    en = "en"
    zh = "zh"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


def fail(message: str, *, prefix: str = "planreview") -> typer.Exit:
    """One line on stderr, exit code 2 (bad usage or unreadable input)."""
    import typer

    typer.echo(f"{prefix}: {message}", err=True)
    return typer.Exit(2)


def warn(message: str) -> None:
    """One line on stderr (``typer.echo(message, err=True)``)."""
    import typer

    typer.echo(message, err=True)


@contextmanager
def few_collections() -> Iterator[None]:
    """Run the block with FEW_COLLECTIONS, then restore the thresholds."""
    old = gc.get_threshold()
    gc.set_threshold(*FEW_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*old)
