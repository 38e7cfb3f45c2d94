"""A token bucket per Client-Id: Ozon allows 50 requests/s per Client-Id across all methods.

Buckets are shared by every client of the same Client-Id in this process, because the
platform counts per Client-Id, not per connection; going over gets keys revoked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

OZON_LIMIT_PER_SECOND = 50.0
# A little under the platform's figure: clocks and the platform's window are not ours.
DEFAULT_RATE = 40.0


class TokenBucket:
    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate / 5)
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if wait:
            self._sleep(wait)
        return wait


_buckets: dict[tuple[str, float], TokenBucket] = {}
_buckets_lock = threading.Lock()


def bucket_for(client_id: str, rate: float = DEFAULT_RATE) -> TokenBucket:
    with _buckets_lock:
        key = (client_id, rate)
        if key not in _buckets:
            _buckets[key] = TokenBucket(rate)
        return _buckets[key]
