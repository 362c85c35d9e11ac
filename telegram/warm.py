"""Set-up done once per server process, before it serves."""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import close_old_connections

logger = logging.getLogger(__name__)


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


def start_local_sweeps() -> None:
    """Without a broker (`make run`: Celery eager, no worker, no beat), the web process runs the
    once-a-second sweep of scheduled messages itself, in a daemon thread. Two processes doing so
    is safe: a delivery claims its message first."""
    if not settings.SCHEDULED_LOCAL_SWEEP:
        return
    from apps.chats.services.scheduled import scheduled_sweep

    def sweep_forever():
        while True:
            time.sleep(1.0)
            try:
                scheduled_sweep()
            except Exception:
                logger.exception("scheduled-message sweep failed; trying again in a second")
            finally:
                close_old_connections()

    threading.Thread(target=sweep_forever, name="scheduled-sweep", daemon=True).start()
