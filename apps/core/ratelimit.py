"""Rate limits: a fixed-window counter per scope and identity (user id, or client IP when
anonymous), counted atomically in Redis (INCR and EXPIRE in one Lua script: never read, modify,
write), and under a lock on the local-memory cache of the embedded default.

Scopes and limits come from RATE_LIMITS (`"60/min"`, `"5/hour"`, ...). REST views name their
scope (`throttle_scope`) and get 429 with Retry-After through `ScopedRateLimit`; the WebSocket
consumer answers an `error` frame and drops the frame."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from dataclasses import dataclass

import redis.asyncio
from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from .cache import redis_client, redis_script

_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_local_lock = threading.Lock()
logger = logging.getLogger(__name__)

# KEYS[i] counted in a window of ARGV[i] seconds: {count 1, ttl 1, count 2, ttl 2, ...}, so
# several scopes cost one round trip.
_HIT = """
local result = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  result[2 * i - 1] = count
  result[2 * i] = redis.call('TTL', key)
end
return result
"""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    retry_after: int  # seconds until the window resets (0 when allowed)


def parse_rate(rate: str) -> tuple[int, int]:
    """ "60/min" -> (60, 60)."""
    count, _, unit = rate.partition("/")
    return int(count), _UNITS[unit.strip().lower()]


def hit(*, scope: str, ident: str) -> Verdict:
    """Count one request of `ident` in `scope`; allowed while within the scope's limit."""
    rate = settings.RATE_LIMITS.get(scope)
    if not rate:
        return Verdict(True, 0, 0)
    limit, period = parse_rate(rate)
    try:
        count, ttl = _count(_key(scope, ident, period), period)
    except Exception as exc:  # the cache is down: limits fail open rather than fail every request
        _unchecked(scope, exc)
        return Verdict(True, limit, 0)
    return _judge(scope, limit, count, ttl)


def _key(scope: str, ident: str, period: int) -> str:
    return f"rl:{scope}:{ident}:{int(time.time() // period)}"


def _unchecked(scope: str, exc: Exception) -> None:
    logger.warning(
        "rate limit not checked: cache unavailable", extra={"scope": scope, "error": type(exc).__name__}
    )


def _judge(scope: str, limit: int, count: int, ttl: int) -> Verdict:
    if count <= limit:
        return Verdict(True, limit, 0)
    from .metrics import RATE_LIMIT_REJECTIONS

    RATE_LIMIT_REJECTIONS.labels(scope=scope).inc()
    return Verdict(False, limit, ttl)


def _count(key: str, period: int) -> tuple[int, int]:
    client = redis_client()
    if client is None:
        with _local_lock:
            count = (cache.get(key) or 0) + 1
            cache.set(key, count, timeout=period)
        return count, period - int(time.time()) % period
    count, ttl = redis_script(client, _HIT)(keys=[cache.make_key(key)], args=[period])
    return int(count), max(int(ttl), 1)


# Per event loop (an asyncio client is bound to the loop it was made on): a Redis client and
# the `_HIT` script registered on it.
_async_scripts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _async_hit():
    loop = asyncio.get_running_loop()
    script = _async_scripts.get(loop)
    if script is None:
        options = settings.CACHES["default"].get("OPTIONS", {})
        client = redis.asyncio.Redis.from_url(
            settings.CACHES["default"]["LOCATION"],
            socket_connect_timeout=options.get("SOCKET_CONNECT_TIMEOUT"),
            socket_timeout=options.get("SOCKET_TIMEOUT"),
        )
        script = _async_scripts[loop] = client.register_script(_HIT)
    return script


async def hit_async(*, scopes, ident: str) -> Verdict:
    """`hit` for each of `scopes`, from the event loop (the WebSocket consumer): one Redis round
    trip for them all and no hop to a thread. The first scope over its limit is the verdict."""
    limits = [
        (scope, *parse_rate(settings.RATE_LIMITS[scope]))
        for scope in scopes
        if settings.RATE_LIMITS.get(scope)
    ]
    if not limits:
        return Verdict(True, 0, 0)
    if redis_client() is None:  # the local-memory cache: no I/O to wait for
        verdicts = [hit(scope=scope, ident=ident) for scope, _, _ in limits]
        return next((verdict for verdict in verdicts if not verdict.allowed), verdicts[0])
    keys = [cache.make_key(_key(scope, ident, period)) for scope, _, period in limits]
    try:
        counted = await _async_hit()(keys=keys, args=[period for _, _, period in limits])
    except Exception as exc:  # as in `hit`: fail open
        _unchecked(limits[0][0], exc)
        return Verdict(True, limits[0][1], 0)
    verdicts = [
        _judge(scope, limit, int(counted[2 * index]), max(int(counted[2 * index + 1]), 1))
        for index, (scope, limit, _period) in enumerate(limits)
    ]
    return next((verdict for verdict in verdicts if not verdict.allowed), verdicts[0])


def client_ip(request) -> str:
    """The client's address: the peer, or what a trusted proxy says it is (apps.core.proxy has
    already put that in REMOTE_ADDR; no header is read here)."""
    return request.META.get("REMOTE_ADDR", "unknown")


def identity(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


class ScopedRateLimit(BaseThrottle):
    """DRF throttle: the view's `throttle_scope` (a scope, or {method: scope}; else `default`)
    per user, or per IP."""

    def allow_request(self, request, view):
        scope = getattr(view, "throttle_scope", None) or "default"
        if isinstance(scope, dict):
            scope = scope.get(request.method, "default")
        self.verdict = hit(scope=scope, ident=identity(request))
        return self.verdict.allowed

    def wait(self):
        return self.verdict.retry_after
