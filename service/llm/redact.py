"""Credentials out of text that came from upstream (an LLM endpoint, a proxy in front of it).

A provider or gateway that echoes the request's ``Authorization`` header in an
error message would otherwise carry the key into ``llm_status``, and from
there into API responses, the database, batch CSV and SARIF, review JSON and
cassettes. Every piece of upstream text is passed through :func:`redact`
where it enters the system (``client.classify``): the configured key itself,
anything shaped like a bearer token or an ``sk-…`` key, ``key=value`` pairs
naming a secret, and the user:password part of URLs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[redacted]"
MIN_SECRET = 4
"""Shorter configured values are not searched for (they would redact ordinary words)."""

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=*-]{6,}"), rf"\1\2{REDACTED}"),
    (re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_*.-]{4,}"), REDACTED),
    (
        re.compile(
            r"(?i)\b(api[_-]?key|x-api-key|authorization|access[_-]?token|password|secret)"
            r"([\"']?\s*[:=]\s*[\"']?)(?!\[redacted\])[^\s\"',;}]+"
        ),
        rf"\1\2{REDACTED}",
    ),
    (re.compile(r"(://)[^/@\s]+@"), rf"\1{REDACTED}@"),
)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every credential replaced by ``[redacted]``."""
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_SECRET}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
