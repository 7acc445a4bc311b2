"""Errors meant for users.

They carry behaviour (``retryable``) and a message that names the input and
says what to do. The edges translate them: the CLI to exit code 2 and one
line on stderr, the API to an RFC 9457 problem response, the language server
to a window message. Nothing below the edges prints or exits.
"""

from __future__ import annotations


class PlanReviewError(Exception):
    """Base class for every error a user may see."""

    retryable: bool = False
    http_status: int = 400
    kind: str = "error"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(PlanReviewError):
    """A plan file that cannot be read: empty, corrupt, too large, wrong type."""

    kind = "bad-input"
    http_status = 422

    def __init__(self, source: str, reason: str, *, hint: str = "") -> None:
        super().__init__(f"{source}: {reason}", hint=hint)
        self.source = source
        self.reason = reason


class InputTooLarge(InputError):
    kind = "input-too-large"
    http_status = 413


class UnsupportedFormat(InputError):
    kind = "unsupported-format"
    http_status = 415


class ConfigError(PlanReviewError):
    """A configuration file or option that is wrong."""

    kind = "bad-config"


class KnowledgeError(PlanReviewError):
    """The knowledge index is missing, corrupt or unreachable."""

    kind = "knowledge"
    http_status = 503
    retryable = True


class LLMError(PlanReviewError):
    """The LLM endpoint failed; the review falls back to the offline tier."""

    kind = "llm"
    http_status = 502

    def __init__(self, message: str, *, retryable: bool = False, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.retryable = retryable


class StorageUnavailable(PlanReviewError):
    """The database cannot be read or written: disk full, read-only, locked, unreachable."""

    kind = "storage-unavailable"
    http_status = 503
    retryable = True
