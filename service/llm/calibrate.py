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
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

from service.llm.tokens import count_tokens
from service.settings import Settings

SAMPLE_CHARS = 6000
MIN_SCALE, MAX_SCALE = 0.5, 3.0

_known: dict[str, float | None] = {}
_lock = threading.Lock()


def _root(base_url: str) -> str:
    root = base_url.rstrip("/")
    return root[: -len("/v1")] if root.endswith("/v1") else root


def clamp(ratio: float) -> float:
    return min(max(ratio, MIN_SCALE), MAX_SCALE)


def tokenize_scale(settings: Settings, text: str) -> float | None:
    """Server tokens per counted token for ``text`` from ``/tokenize``, or None (no such
    endpoint, not a local server, cassettes in use). Remembered per endpoint and text size."""
    base = settings.openai_base_url
    if not base or settings.llm_cassettes or not text.strip():
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
    try:
        with urllib.request.urlopen(request, timeout=settings.llm_connect_timeout) as response:
            tokens = json.loads(response.read().decode("utf-8")).get("tokens")
        ours = count_tokens(sample)
        if isinstance(tokens, list) and tokens and ours:
            ratio = clamp(len(tokens) / ours)
    except (OSError, ValueError, urllib.error.URLError):
        ratio = None
    with _lock:
        _known[key] = ratio
    return ratio
