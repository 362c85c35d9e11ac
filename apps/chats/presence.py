"""Presence: online while at least one socket is open, offline with `last_seen` when the last
one closes; told to the user's direct-chat peers (not to those the user blocked). Ephemeral:
counted in the shared cache, never logged.

Async all the way: the consumer awaits these from its event loop, and the blocking parts (cache,
database) run in worker threads that never wait on the loop, so a server shutting down with
sockets open does not hang in their disconnect handlers."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from apps.contacts.selectors import blocked_among
from apps.core.realtime import in_worker_thread, send_frames_async

from .selectors import direct_peer_ids

logger = logging.getLogger(__name__)


def _sockets_key(user_id: int) -> str:
    return f"presence:{user_id}:sockets"


def _last_seen_key(user_id: int) -> str:
    return f"presence:{user_id}:last_seen"


def _peers_to_tell(user_id: int) -> list[int]:
    peers = direct_peer_ids(user_id=user_id)
    hidden_from = blocked_among(blocker_id=user_id, among=peers)
    return [peer for peer in peers if peer not in hidden_from]


def online_among(user_ids) -> set[int]:
    """Those of `user_ids` with at least one socket open (on any instance)."""
    user_ids = list(user_ids)
    try:
        counts = cache.get_many([_sockets_key(user_id) for user_id in user_ids])
    except Exception:  # the shared cache is down: nobody is known to be online
        logger.warning("presence unavailable")
        return set()
    return {user_id for user_id in user_ids if (counts.get(_sockets_key(user_id)) or 0) > 0}


def _count_up(user_id: int) -> int:
    key = _sockets_key(user_id)
    # A count that a crashed server never decremented expires with the TTL.
    cache.add(key, 0, timeout=settings.PRESENCE_TTL)
    count = cache.incr(key)
    cache.touch(key, timeout=settings.PRESENCE_TTL)
    return count


def _count_down(user_id: int) -> str | None:
    """The last-seen time if this was the user's last socket, else None."""
    key = _sockets_key(user_id)
    try:
        remaining = cache.decr(key)
    except ValueError:  # expired meanwhile
        remaining = 0
    if remaining > 0:
        return None
    cache.delete(key)
    last_seen = timezone.now().isoformat()
    cache.set(_last_seen_key(user_id), last_seen, timeout=None)
    return last_seen


async def _tell_peers(user_id: int, frame: dict) -> None:
    peers = await in_worker_thread(_peers_to_tell)(user_id)
    await send_frames_async({peer: frame for peer in peers})


async def presence_connected(*, user_id: int) -> None:
    if await in_worker_thread(_count_up)(user_id) == 1:
        await _tell_peers(
            user_id, {"type": "presence", "user_id": user_id, "status": "online", "last_seen": None}
        )


async def presence_disconnected(*, user_id: int) -> None:
    last_seen = await in_worker_thread(_count_down)(user_id)
    if last_seen is not None:
        frame = {"type": "presence", "user_id": user_id, "status": "offline", "last_seen": last_seen}
        await _tell_peers(user_id, frame)
