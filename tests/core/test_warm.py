"""One cache client per server process (telegram.warm.share_caches), not one per socket."""

import asyncio
import contextvars

from channels.db import database_sync_to_async
from django.core.cache import caches

from telegram.warm import share_caches


def _caches_seen_by_sockets(*, shared: bool) -> tuple[object | None, list[object]]:
    """In a fresh context, as a server process starts: the cache each of three sockets' worker
    threads uses (and the one opened up front, if `shared`)."""

    def process():
        main = None
        if shared:
            share_caches()
            main = caches["default"]

        async def socket():
            return await database_sync_to_async(lambda: caches["default"])()

        async def sockets():
            return await asyncio.gather(*(asyncio.create_task(socket()) for _ in range(3)))

        return main, asyncio.run(sockets())

    return contextvars.Context().run(process)


def test_every_socket_uses_the_cache_opened_when_the_process_starts():
    main, seen = _caches_seen_by_sockets(shared=True)

    assert all(cache is main for cache in seen)


def test_without_it_every_socket_would_open_its_own():
    """Why share_caches exists: Django keeps a cache per async context."""
    _, seen = _caches_seen_by_sockets(shared=False)

    assert len({id(cache) for cache in seen}) == 3
