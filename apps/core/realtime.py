"""Live delivery over the channel layer: each socket joins `user.<id>`, so a frame sent to that
group reaches every device of the user on every server instance.

Delivery is at most once and happens after commit; what a socket misses, its client gets from
the update log (`updates/?since=`)."""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextvars import ContextVar

from asgiref.sync import async_to_sync
from channels.db import DatabaseSyncToAsync
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

logger = logging.getLogger(__name__)


_worker_threads: ThreadPoolExecutor | None = None


def in_worker_thread(func):
    """`func` as a coroutine run in a bounded pool of threads, closing stale connections as
    Channels' `database_sync_to_async` does.

    Channels' own helper is thread-sensitive: every socket of the process would queue on one
    thread, database waits included (measured: about 200 messages a second per process). Our
    services keep no per-thread state but their (pooled) database connection, so sockets run
    them in parallel; each socket still handles its own frames one at a time, in order."""
    global _worker_threads
    if _worker_threads is None:
        _worker_threads = ThreadPoolExecutor(
            settings.WEBSOCKET_WORKER_THREADS, thread_name_prefix="ws-worker"
        )
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_worker_threads)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


async def send_frames_async(frames: dict[int, dict], *, exclude_channel: str | None = None) -> None:
    layer = get_channel_layer()
    messages = {
        user_group(user_id): {
            "type": "deliver",
            "text": json.dumps(frame, cls=DjangoJSONEncoder),
            "exclude": exclude_channel,
        }
        for user_id, frame in frames.items()
    }
    if len(messages) > 1 and isinstance(layer, RedisPubSubChannelLayer):
        sends = [_publish_pipelined(layer, messages)]
    else:
        sends = [layer.group_send(group, message) for group, message in messages.items()]
    results = await asyncio.gather(*sends, return_exceptions=True)
    failures = [result for result in results if isinstance(result, Exception)]
    if failures:
        # Committed already: the clients catch up from the update log.
        logger.warning(
            "live delivery failed", extra={"failed": len(failures), "error": type(failures[0]).__name__}
        )


async def _publish_pipelined(layer: RedisPubSubChannelLayer, messages: dict[str, dict]) -> None:
    """What `group_send` does for each group (one PUBLISH of the serialized message to the
    group's channel), for every group in one pipelined round trip a shard. channels_redis sends
    one PUBLISH at a time under its shard's lock: a message to a group of 200 waited for 200
    round trips. Uses the layer's internals as of channels-redis 4.3 (pinned; a test sends to
    many users through it)."""
    loop_layer = layer._get_layer()
    by_shard: dict[object, list[tuple[str, bytes]]] = {}
    for group, message in messages.items():
        channel = loop_layer._get_group_channel_name(group)
        by_shard.setdefault(loop_layer._get_shard(channel), []).append((channel, layer.serialize(message)))
    for shard, publishes in by_shard.items():
        async with shard._lock:
            shard._ensure_redis()
            pipe = shard._redis.pipeline(transaction=False)
            for channel, data in publishes:
                pipe.publish(channel, data)
            await pipe.execute()


# Set by `deferred_frames`: frames produced meanwhile wait in this list instead of being sent.
_deferred: ContextVar[list | None] = ContextVar("deferred_frames", default=None)


def send_frames(frames: dict[int, dict], *, exclude_channel: str | None = None) -> None:
    """Send each user their frame (sync callers: services, after commit)."""
    if not frames:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.append((frames, exclude_channel))
        return
    async_to_sync(send_frames_async)(frames, exclude_channel=exclude_channel)


@asynccontextmanager
async def deferred_frames():
    """For async callers of sync services (the WebSocket consumer): the frames a service sends
    after commit are collected, then sent from this event loop when the block ends, instead of
    each send hopping from the worker thread back to the loop and waiting there."""
    pending: list = []
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
        for frames, exclude_channel in pending:
            await send_frames_async(frames, exclude_channel=exclude_channel)


def send_control(user_id: int, message: dict) -> None:
    """A control message to every socket of a user (e.g. close after a ban)."""
    async_to_sync(get_channel_layer().group_send)(user_group(user_id), message)
