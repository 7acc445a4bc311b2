"""One way to load the HTML templates of reports, dashboards and the eval page."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined


@lru_cache(maxsize=8)
def html_environment(folder: Path) -> Environment:
    """Autoescaping, StrictUndefined Jinja2 environment for the templates in ``folder``."""
    return Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
