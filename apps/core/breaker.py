"""Circuit breakers around external dependencies (search, object storage, NATS publishing, push),
with their state in the shared cache, so every instance opens and closes together.

Closed: calls go through; failures are counted in a rolling window. `threshold` failures
within `window` seconds open the breaker for `cooldown` seconds: calls fail fast (or degrade:
search falls back to the database, events stay in the outbox). After the cooldown calls go
through again; a success closes the breaker, a failure opens it again at once."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from prometheus_client import Gauge

logger = logging.getLogger(__name__)

BREAKER_OPEN = Gauge("tg_circuit_breaker_open", "1 while a circuit breaker is open", ["name"])


class CircuitBreaker:
    registry: dict[str, CircuitBreaker] = {}

    def __init__(self, name: str, *, threshold: int = 5, window: int = 30, cooldown: float = 15.0):
        self.name = name
        self.threshold = threshold
        self.window = window
        self.cooldown = cooldown
        CircuitBreaker.registry[name] = self

    @property
    def _failures_key(self) -> str:
        return f"breaker:{self.name}:failures"

    @property
    def _open_key(self) -> str:
        return f"breaker:{self.name}:open_until"

    def _cache_get(self, key):
        try:
            return cache.get(key)
        except Exception:  # the shared cache itself is down: act on what this process sees
            return None

    def state(self) -> str:
        open_until = self._cache_get(self._open_key)
        if open_until is None:
            return "closed"
        return "open" if time.time() < open_until else "half_open"

    def allow(self) -> bool:
        """False while open: the caller should fail fast or degrade."""
        return self.state() != "open"

    def success(self) -> None:
        if self._cache_get(self._open_key) is not None or self._cache_get(self._failures_key):
            try:
                cache.delete_many([self._open_key, self._failures_key])
            except Exception:  # noqa: S110 (the next success tries again)
                pass
            BREAKER_OPEN.labels(name=self.name).set(0)

    def failure(self) -> None:
        try:
            cache.add(self._failures_key, 0, timeout=self.window)
            failures = cache.incr(self._failures_key)
        except Exception:
            failures = self.threshold  # the cache is down too: open (locally at least)
        if failures >= self.threshold or self.state() == "half_open":
            try:
                cache.set(
                    self._open_key, time.time() + self.cooldown, timeout=int(self.cooldown) + self.window
                )
            except Exception:  # noqa: S110 (callers already fail fast on their own errors)
                pass
            BREAKER_OPEN.labels(name=self.name).set(1)
            logger.warning("circuit breaker open", extra={"breaker": self.name, "cooldown_s": self.cooldown})


def breaker_states() -> dict[str, str]:
    return {name: breaker.state() for name, breaker in sorted(CircuitBreaker.registry.items())}


search_breaker = CircuitBreaker("search")
storage_breaker = CircuitBreaker("storage")
nats_breaker = CircuitBreaker("nats")
push_breaker = CircuitBreaker("push")
