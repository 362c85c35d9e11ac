"""Set-up done once per server process, before it serves."""

from django.conf import settings
from django.core.cache import caches


def share_caches() -> None:
    """Open every cache in the process's main context, so that requests and sockets share it.

    Django keeps a cache object per async context (`asgiref.local.Local`), and asgiref copies
    what a worker thread sets back into the context that called it. Opened lazily under ASGI,
    every request and every socket made its own django-redis client (a `redis.Redis` with its
    table of reply callbacks) and a socket kept its one for as long as it was open: 13 KiB of
    a socket's memory, measured with tracemalloc (bench/README.md). Created here, in the
    context every request and socket descends from, one client serves them all; django-redis
    clients are safe to share between threads (each command takes a connection from the
    pool)."""
    for alias in settings.CACHES:
        caches[alias]
