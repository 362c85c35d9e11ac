"""Presence: online while at least one socket is open, offline with `last_seen` when the last
one closes; told to the user's direct-chat peers (not to those the user blocked). Ephemeral:
counted in the shared cache, never logged."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from apps.contacts.selectors import blocked_among
from apps.core.realtime import send_frames

from .selectors import direct_peer_ids


def _sockets_key(user_id: int) -> str:
    return f"presence:{user_id}:sockets"


def _last_seen_key(user_id: int) -> str:
    return f"presence:{user_id}:last_seen"


def _tell_peers(user_id: int, frame: dict) -> None:
    peers = direct_peer_ids(user_id=user_id)
    hidden_from = blocked_among(blocker_id=user_id, among=peers)
    send_frames({peer: frame for peer in peers if peer not in hidden_from})


def presence_connected(*, user_id: int) -> None:
    key = _sockets_key(user_id)
    # A count that a crashed server never decremented expires with the TTL.
    cache.add(key, 0, timeout=settings.PRESENCE_TTL)
    if cache.incr(key) == 1:
        _tell_peers(user_id, {"type": "presence", "user_id": user_id, "status": "online", "last_seen": None})
    cache.touch(key, timeout=settings.PRESENCE_TTL)


def presence_disconnected(*, user_id: int) -> None:
    key = _sockets_key(user_id)
    try:
        remaining = cache.decr(key)
    except ValueError:  # expired meanwhile
        remaining = 0
    if remaining <= 0:
        cache.delete(key)
        last_seen = timezone.now().isoformat()
        cache.set(_last_seen_key(user_id), last_seen, timeout=None)
        _tell_peers(
            user_id, {"type": "presence", "user_id": user_id, "status": "offline", "last_seen": last_seen}
        )


def presence_of(*, user_ids) -> dict[int, dict]:
    """{user_id: {"status", "last_seen"}} in two cache round trips."""
    user_ids = list(user_ids)
    online = cache.get_many([_sockets_key(uid) for uid in user_ids])
    seen = cache.get_many([_last_seen_key(uid) for uid in user_ids])
    return {
        uid: {
            "status": "online" if (online.get(_sockets_key(uid)) or 0) > 0 else "offline",
            "last_seen": seen.get(_last_seen_key(uid)),
        }
        for uid in user_ids
    }
