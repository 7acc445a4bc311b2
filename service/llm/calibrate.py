"""Calibrating the token count against the endpoint's own tokenizer.

The planner sizes every prompt with our counter (tiktoken when its file is
cached, else an estimate), while the endpoint counts with its model's
tokenizer: SmolLM2 counts a Chinese plan at about twice our estimate. Before
planning, a local server that has a ``/tokenize`` endpoint (llama.cpp, vLLM)
is asked to count a sample of the plan; the ratio scales every count of the
review (``tokens.token_scale``). Without ``/tokenize`` the ratio comes from
the usage the server reports for the critique, and sizes the draft. Never
with cassettes (the prompts, and so the request hashes, must not depend on a
server) and never for OpenAI (tiktoken is its tokenizer).

That request is also the tier's first contact with a local endpoint: when
the connection is refused (twice, 0.25 s apart), ``EndpointDown`` is raised
before anything slow happens (loading the chat client, retrieving guidance),
so a server that is not running costs well under a second.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

from service.llm.tokens import count_tokens
from service.settings import Settings

SAMPLE_CHARS = 6000
MIN_SCALE, MAX_SCALE = 0.5, 3.0

REFUSED_RETRY_DELAY = 0.25
TOKENIZE_TIMEOUT = 2.0
"""Longest wait for /tokenize (it answers at once on a live server; a hung one is not worth
more of the review's deadline)."""

_known: dict[str, float | None] = {}
_lock = threading.Lock()


class EndpointDown(Exception):
    """The endpoint refused the connection (nothing listens there)."""


def _refused(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", exc)
    return isinstance(reason, ConnectionRefusedError)


def _root(base_url: str) -> str:
    root = base_url.rstrip("/")
    return root[: -len("/v1")] if root.endswith("/v1") else root


def clamp(ratio: float) -> float:
    return min(max(ratio, MIN_SCALE), MAX_SCALE)


def tokenize_scale(settings: Settings, text: str, left: float | None = None) -> float | None:
    """Server tokens per counted token for ``text`` from ``/tokenize``, or None (no such
    endpoint, not a local server, cassettes in use). Remembered per endpoint and text size."""
    from service.llm.cassettes import cassette_config

    base = settings.openai_base_url
    if not base or cassette_config(settings) is not None or not text.strip():
        return None
    sample = text[:SAMPLE_CHARS]
    key = f"{base}|{hash(sample)}"
    with _lock:
        if key in _known:
            return _known[key]
    ratio: float | None = None
    body = json.dumps({"content": sample}).encode("utf-8")
    request = urllib.request.Request(
        f"{_root(base)}/tokenize",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    key_value = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    if key_value:
        request.add_header("Authorization", f"Bearer {key_value}")
    for attempt in (1, 2):
        try:
            wait = min(settings.llm_connect_timeout, TOKENIZE_TIMEOUT)
            if left is not None:
                wait = max(min(wait, left), 0.05)
            with urllib.request.urlopen(request, timeout=wait) as response:
                tokens = json.loads(response.read().decode("utf-8")).get("tokens")
            ours = count_tokens(sample)
            if isinstance(tokens, list) and tokens and ours:
                ratio = clamp(len(tokens) / ours)
            break
        except (OSError, ValueError, urllib.error.URLError) as exc:
            if not _refused(exc):
                ratio = None  # no /tokenize, a slow server, …: count as we do
                break
            if attempt == 2:
                raise EndpointDown(base) from None
            time.sleep(REFUSED_RETRY_DELAY)
    with _lock:
        _known[key] = ratio
    return ratio
