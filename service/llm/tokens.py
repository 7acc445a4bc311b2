"""Counting tokens without a network: tiktoken when its encoding is cached, else an estimate.

tiktoken downloads its BPE files on first use, which this project must never
do at run time; so it is used only when the file is already in its cache
(``TIKTOKEN_CACHE_DIR`` / ``DATA_GYM_CACHE_DIR`` / the temp dir). The
estimate mimics a BPE tokenizer and errs on the high side: one token per CJK
character, per short word (a word longer than 6 letters: one per 4 letters),
per 3 digits and per 2 punctuation marks in a row. Plain chars/4 undercounts exactly what
the tier adds to a plan (block ids, JSON schemas), which is what the budget
is about.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import lru_cache

_ENCODING_URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}
_lock = threading.Lock()

MESSAGE_OVERHEAD = 4
"""Tokens the chat format adds around each message (role, separators)."""

_SCALE: ContextVar[float] = ContextVar("planreview_token_scale", default=1.0)
"""Server tokens per counted token, when calibrated against the endpoint's tokenizer."""


@contextlib.contextmanager
def token_scale(scale: float) -> Iterator[None]:
    """Count in the endpoint's tokens: every count is multiplied by ``scale`` (in this context)."""
    reset = _SCALE.set(scale)
    try:
        yield
    finally:
        _SCALE.reset(reset)


def current_scale() -> float:
    return _SCALE.get()


def _cached_encoding_path(name: str) -> str | None:
    url = _ENCODING_URLS.get(name)
    if url is None:
        return None
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        cache_dir = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        cache_dir = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not cache_dir:
        return None
    path = os.path.join(cache_dir, hashlib.sha1(url.encode()).hexdigest())
    return path if os.path.exists(path) else None


@lru_cache(maxsize=1)
def _counter() -> tuple[str, Callable[[str], int]]:
    for name in ("o200k_base", "cl100k_base"):
        if _cached_encoding_path(name) is None:
            continue
        try:
            import tiktoken

            enc = tiktoken.get_encoding(name)
        except Exception:  # a broken cache file: fall back to the estimate
            continue

        def count(text: str, enc: tiktoken.Encoding = enc) -> int:
            return len(enc.encode(text, disallowed_special=()))

        return f"tiktoken:{name}", count
    return "estimate", estimate_tokens


_PIECES = re.compile(
    r"(?P<cjk>[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002ffff])"
    r"|(?P<word>[^\W\d_]+)|(?P<num>\d+)|(?P<other>(?:[^\w\s]|_)+)"
)


def estimate_tokens(text: str) -> int:
    """A BPE-like estimate that errs high (see the module docstring)."""
    total = 0
    for m in _PIECES.finditer(text):
        kind = m.lastgroup
        n = m.end() - m.start()
        if kind == "word":
            total += 1 if n <= 6 else math.ceil(n / 4)
        elif kind == "num":
            total += math.ceil(n / 3)
        elif kind == "other":
            total += math.ceil(n / 2)
        else:
            total += 1
    return total


def count_tokens(text: str) -> int:
    """Tokens in ``text`` (tiktoken when available offline, else the estimate)."""
    with _lock:
        _, fn = _counter()
    scale = _SCALE.get()
    return fn(text) if scale == 1.0 else math.ceil(fn(text) * scale)


def counter_name() -> str:
    """'tiktoken:o200k_base', 'tiktoken:cl100k_base' or 'estimate'."""
    return _counter()[0]


def count_messages(*texts: str) -> int:
    """Prompt tokens of a chat request made of these messages."""
    return sum(count_tokens(t) + MESSAGE_OVERHEAD for t in texts) + 3
