"""One way to open a short-lived NATS connection that fails fast.

(nats-py 2.11 retries for ever with `max_reconnect_attempts=0`; one attempt and a short wait
make an unreachable server fail at once, and the overall timeout bounds the rest.)"""

from __future__ import annotations

import asyncio

import nats


async def _quiet(_exc) -> None:  # callers report failures themselves
    return None


async def nats_connect(url: str, *, timeout: float):
    return await asyncio.wait_for(
        nats.connect(
            url,
            connect_timeout=timeout,
            allow_reconnect=False,
            max_reconnect_attempts=1,
            reconnect_time_wait=0.1,
            error_cb=_quiet,
        ),
        timeout=timeout + 1,
    )
