"""Presence: online while at least one socket is open, offline with `last_seen` when the last
one closes; told to the user's direct-chat peers (not to those the user blocked). Ephemeral:
kept in the shared cache, never logged.

Each open socket is a lease: a member of the user's set, `presence:<id>`, with an expiry time
as its score. Every web process renews the leases of its own sockets every PRESENCE_HEARTBEAT
seconds (one pipelined round trip for all of them); a user is online while one lease is live.
So presence heals itself: after Redis restarts, the next heartbeat writes every open socket
back; when a process dies, its leases run out within PRESENCE_TTL. Adding and removing one
socket's lease is one atomic script, so a socket that closes while another of the same user
opens can never lose the other's lease.

Async all the way: the consumer awaits these from its event loop, and the blocking parts (cache,
database) run in worker threads that never wait on the loop, so a server shutting down with
sockets open does not hang in their disconnect handlers."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from apps.contacts.selectors import blocked_among
from apps.core.cache import redis_client, redis_script
from apps.core.realtime import in_worker_thread, send_frames_async

from . import events
from .selectors import direct_peer_ids

logger = logging.getLogger(__name__)

# KEYS[1] the user's lease set; ARGV: now, this socket, its lease's expiry, the key's TTL.
# Returns how many live leases there were before this one.
_LEASE_ADD = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local before = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return before
"""
# KEYS[1] the lease set; ARGV: now, this socket. Returns how many live leases are left.
_LEASE_DROP = """
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local left = redis.call('ZCARD', KEYS[1])
if left == 0 then redis.call('DEL', KEYS[1]) end
return left
"""


def _key(user_id: int) -> str:
    return cache.make_key(f"presence:{user_id}")


def _last_seen_key(user_id: int) -> str:
    return f"presence:{user_id}:last_seen"


class _LocalLeases:
    """The same leases in this process, for the embedded default (no Redis: one process)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.leases: dict[int, dict[str, float]] = {}

    def _live(self, user_id: int, now: float) -> dict[str, float]:
        live = {s: exp for s, exp in self.leases.get(user_id, {}).items() if exp > now}
        self.leases[user_id] = live
        return live

    def add(self, user_id: int, socket: str, now: float, expiry: float) -> int:
        with self.lock:
            live = self._live(user_id, now)
            before = len(live)
            live[socket] = expiry
            return before

    def drop(self, user_id: int, socket: str, now: float) -> int:
        with self.lock:
            live = self._live(user_id, now)
            live.pop(socket, None)
            return len(live)

    def online(self, user_ids: list[int], now: float) -> set[int]:
        with self.lock:
            return {user_id for user_id in user_ids if self._live(user_id, now)}


_local = _LocalLeases()


def _lease_add(user_id: int, socket: str) -> int:
    now = time.time()
    expiry = now + settings.PRESENCE_TTL
    client = redis_client()
    if client is None:
        return _local.add(user_id, socket, now, expiry)
    return int(
        redis_script(client, _LEASE_ADD)(
            keys=[_key(user_id)], args=[now, socket, expiry, settings.PRESENCE_TTL]
        )
    )


def _lease_drop(user_id: int, socket: str) -> int:
    now = time.time()
    client = redis_client()
    if client is None:
        return _local.drop(user_id, socket, now)
    return int(redis_script(client, _LEASE_DROP)(keys=[_key(user_id)], args=[now, socket]))


def _leases_renew(sockets: list[tuple[int, str]]) -> None:
    """Renew these sockets' leases (this process's), in one round trip."""
    client = redis_client()
    now = time.time()
    expiry = now + settings.PRESENCE_TTL
    if client is None:
        for user_id, socket in sockets:
            _local.add(user_id, socket, now, expiry)
        return
    pipe = client.pipeline(transaction=False)
    for user_id, socket in sockets:
        pipe.zadd(_key(user_id), {socket: expiry})
        pipe.expire(_key(user_id), settings.PRESENCE_TTL)
    pipe.execute()


def online_among(user_ids) -> set[int]:
    """Those of `user_ids` with at least one live socket lease (on any instance)."""
    user_ids = list(user_ids)
    now = time.time()
    client = redis_client()
    if client is None:
        return _local.online(user_ids, now)
    try:
        pipe = client.pipeline(transaction=False)
        for user_id in user_ids:
            pipe.zcount(_key(user_id), f"({now}", "+inf")
        counts = pipe.execute()
    except Exception:  # the shared cache is down: nobody is known to be online
        logger.warning("presence unavailable")
        return set()
    return {user_id for user_id, count in zip(user_ids, counts, strict=True) if count}


# --- This process's sockets, and their heartbeat --------------------------------------------


class _Heartbeat:
    """The sockets open in this process, and the task that renews their leases."""

    def __init__(self):
        self.sockets: dict[str, int] = {}  # socket (channel name) -> user id
        self.task: asyncio.Task | None = None

    def ensure_running(self) -> None:
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.task = loop.create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(settings.PRESENCE_HEARTBEAT)
            if not self.sockets:
                continue
            try:
                await in_worker_thread(_leases_renew)([(uid, s) for s, uid in self.sockets.items()])
            except Exception:  # Redis is down: the next beat writes them back
                logger.warning("presence heartbeat failed", extra={"sockets": len(self.sockets)})


_heartbeat = _Heartbeat()


def _peers_to_tell(user_id: int) -> list[int]:
    peers = direct_peer_ids(user_id=user_id)
    hidden_from = blocked_among(blocker_id=user_id, among=peers)
    return [peer for peer in peers if peer not in hidden_from]


async def _tell_peers(user_id: int, frame: dict) -> None:
    peers = await in_worker_thread(_peers_to_tell)(user_id)
    await send_frames_async({peer: frame for peer in peers})


def _mark_last_seen(user_id: int) -> str:
    last_seen = timezone.now().isoformat()
    cache.set(_last_seen_key(user_id), last_seen, timeout=None)
    return last_seen


async def presence_connected(*, user_id: int, socket: str) -> None:
    """A socket of the user opened (in this process: its lease is renewed from now on)."""
    _heartbeat.sockets[socket] = user_id
    _heartbeat.ensure_running()
    if await in_worker_thread(_lease_add)(user_id, socket) == 0:
        await _tell_peers(user_id, events.presence(user_id=user_id, online=True, last_seen=None))


async def presence_disconnected(*, user_id: int, socket: str) -> None:
    _heartbeat.sockets.pop(socket, None)
    if await in_worker_thread(_lease_drop)(user_id, socket) == 0:
        last_seen = await in_worker_thread(_mark_last_seen)(user_id)
        await _tell_peers(user_id, events.presence(user_id=user_id, online=False, last_seen=last_seen))
