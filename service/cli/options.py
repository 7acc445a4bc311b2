"""Option types and the usage-error exit shared by the `planreview` sub-commands."""

from __future__ import annotations

from enum import StrEnum

import typer


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
    typer.echo(f"{prefix}: {message}", err=True)
    return typer.Exit(2)
