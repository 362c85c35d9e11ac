"""Dependency checks behind /api/health/ and `manage.py healthcheck`.

Only configured dependencies are checked: the embedded defaults (SQLite, local-memory cache,
in-memory channel layer) are checked like the real services; NATS only when NATS_URL is set.
Every check is bounded by HEALTH_CHECK_TIMEOUT and reports the error's type, never its text
(which may hold a URL with credentials).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connections

from .breaker import breaker_states
from .natsclient import nats_connect


@dataclass
class Check:
    status: str
    latency_ms: float
    backend: str
    error: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _timed_sync(backend: str, probe) -> Check:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # a health check reports every failure; it must not raise
        return Check("down", _ms(started), backend, type(exc).__name__)
    return Check("ok", _ms(started), backend)


async def _timed_async(backend: str, probe) -> Check:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe(), timeout=settings.HEALTH_CHECK_TIMEOUT)
    except Exception as exc:  # TimeoutError included
        return Check("down", _ms(started), backend, type(exc).__name__)
    return Check("ok", _ms(started), backend)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _database_probe(alias: str):
    def probe():
        connection = connections[alias]
        if connection.vendor == "mongodb":  # no SQL there
            connection.ensure_connection()
            connection.connection.admin.command("ping")
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return probe


def _cache_probe():
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


async def _channel_layer_probe():
    layer = get_channel_layer()
    channel = await layer.new_channel("health.")
    await layer.send(channel, {"type": "health.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "health.ping":
        raise RuntimeError("channel layer returned another message")


async def _nats_probe():
    client = await nats_connect(settings.NATS_URL, timeout=settings.HEALTH_CHECK_TIMEOUT)
    try:
        await client.jetstream().account_info()
    finally:
        await client.close()


async def _async_checks() -> dict[str, Check]:
    layer_backend = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    names = ["channel_layer"]
    probes = [_timed_async(layer_backend, _channel_layer_probe)]
    if settings.NATS_URL:
        names.append("nats")
        probes.append(_timed_async("jetstream", _nats_probe))
    return dict(zip(names, await asyncio.gather(*probes), strict=True))


_probe_threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="health")


def _closing_after(probe, alias: str):
    def run():
        try:
            probe()
        finally:
            connections[alias].close()  # back to the pool: this thread is reused

    return run


def run_checks() -> dict[str, Check]:
    """Every dependency's state, within HEALTH_CHECK_TIMEOUT whatever hangs: the blocking probes
    run at once in threads of their own, and one that has not answered by then is `down`."""
    started = time.perf_counter()
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    sync_probes = {
        ("database" if alias == "default" else f"database_{alias}"): (
            connections[alias].vendor,
            _closing_after(_database_probe(alias), alias),
        )
        for alias in connections
    }
    sync_probes["cache"] = (cache_backend, _cache_probe)
    futures = {
        name: (backend, _probe_threads.submit(_timed_sync, backend, probe))
        for name, (backend, probe) in sync_probes.items()
    }
    async_checks = async_to_sync(_async_checks)()
    checks = {}
    for name, (backend, future) in futures.items():
        remaining = max(settings.HEALTH_CHECK_TIMEOUT - (time.perf_counter() - started), 0)
        try:
            checks[name] = future.result(timeout=remaining)
        except FutureTimeout:
            checks[name] = Check("down", _ms(started), backend, "TimeoutError")
    return checks | async_checks


def health_report() -> tuple[bool, dict]:
    checks = run_checks()
    healthy = all(check.status == "ok" for check in checks.values())
    return healthy, {
        "status": "ok" if healthy else "down",
        "checks": {name: check.as_dict() for name, check in checks.items()},
        "breakers": breaker_states(),
    }
