"""Progress of the LLM tier (which call, retries), for edges that can show it.

The CLI calls ``to_stderr()`` once; the tier reads ``reporter()`` when a
review starts and hands it to the chat client, which says what it is doing
("critique 1/2: asking gpt-4o-mini at api.openai.com", "… retrying in
0.5s"). The API server and the language server leave it unset: nothing is
printed there.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextvars import ContextVar

Reporter = Callable[[str], None]

_REPORTER: ContextVar[Reporter | None] = ContextVar("planreview_llm_progress", default=None)


def reporter() -> Reporter | None:
    return _REPORTER.get()


def set_reporter(fn: Reporter | None) -> None:
    _REPORTER.set(fn)


def _stderr(message: str) -> None:
    sys.stderr.write(f"planreview: LLM {message}\n")
    sys.stderr.flush()


def to_stderr() -> None:
    """Show the tier's progress on stderr (one line per step) in this context."""
    set_reporter(_stderr)
