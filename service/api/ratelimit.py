"""A token bucket per caller (API key, or client address when anonymous).

In memory, per server process: the limit protects one server from one
caller. ``take`` answers 0 when the request may go ahead, else the seconds
until it may (the Retry-After value).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

MAX_TRACKED = 10_000


class RateLimiter:
    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def peek(self, caller: str, now: float | None = None) -> int:
        """0 when ``take`` would allow a request now, else the seconds to wait; spends nothing."""
        if not self.enabled:
            return 0
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(caller, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            return 0 if tokens >= 1.0 else max(1, math.ceil((1.0 - tokens) / self.rate))

    def take(self, caller: str, now: float | None = None) -> int:
        """0 when allowed (a token is spent), else whole seconds to wait."""
        if not self.enabled:
            return 0
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(caller, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[caller] = (tokens - 1.0, now)
                wait = 0
            else:
                self._buckets[caller] = (tokens, now)
                wait = max(1, math.ceil((1.0 - tokens) / self.rate))
            while len(self._buckets) > MAX_TRACKED:
                self._buckets.popitem(last=False)
            return wait
