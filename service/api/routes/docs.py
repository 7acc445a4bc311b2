"""OpenAPI helpers: the problem responses every route may answer."""

from __future__ import annotations

from typing import Any

from service.api.problems import PROBLEM_MEDIA_TYPE, Problem

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing or invalid API key",
    403: "Not allowed for this key",
    404: "No such resource",
    409: "Conflict (not finished yet, or Idempotency-Key in use)",
    413: "Upload too large (bytes, pages, zip entries or unpacked size)",
    415: "Unsupported content type or file type",
    422: "Invalid request or unreadable plan",
    429: "Rate limit exceeded; see Retry-After",
    500: "Internal error (details are logged)",
    503: "Busy or not ready; see Retry-After",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting problem+json answers for these status codes."""
    schema = {"$ref": "#/components/schemas/Problem"}
    out: dict[int | str, dict[str, Any]] = {}
    for code in (*codes, 401, 429, 500):
        out[code] = {
            "description": _DESCRIPTIONS.get(code, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
        }
    return out


def problem_schema() -> dict[str, Any]:
    return Problem.model_json_schema()
