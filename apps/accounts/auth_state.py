"""The auth-state cache: what an authenticated request needs to know about its user (active,
banned, token version, staff flags), kept in the shared cache so that checking a token costs no
database query while the entry lives (AUTH_STATE_CACHE_TTL).

A miss fills the entry with `cache.add`. A change deletes the entry at once (so no request on
any instance trusts the old state from then on) and writes the new one with `cache.set` after
commit: a request that read the old row just before the commit may `add` it back, but the write
after commit overwrites it; if the transaction rolls back, the next miss reads the old row.

In front of the shared cache each process keeps the states it read for AUTH_STATE_LOCAL_TTL
seconds (`_LocalStates`): no round trip to Redis on most requests. Every change is announced
on a Redis channel, before and after its commit, and every process drops the user's copy when
it hears it (milliseconds). A process that is not subscribed (Redis down, reconnecting) keeps
no copies, and one that lost its subscription forgets them all, so a copy outlives a change
only by the time an announcement takes to arrive, and never AUTH_STATE_LOCAL_TTL.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.base import DEFERRED

from apps.core.cache import redis_client
from apps.core.errors import is_outage

from .models import User

logger = logging.getLogger(__name__)

_FIELDS = ("id", "username", "is_active", "is_staff", "is_superuser", "banned_at", "token_version")


@dataclass(frozen=True)
class AuthState:
    id: int
    username: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    banned_at: object
    token_version: int

    @property
    def is_banned(self) -> bool:
        return self.banned_at is not None

    def as_user(self) -> User:
        """A User with these fields loaded and the others deferred: reading another field loads
        it from the database, and save() writes only the loaded fields, so the instance is safe
        to hand to any service."""
        loaded = asdict(self)
        attnames = [f.attname for f in User._meta.concrete_fields]
        values = [loaded.get(name, DEFERRED) for name in attnames]
        return User.from_db("default", attnames, values)


def _key(user_id: int) -> str:
    return f"auth:state:{user_id}"


def _from_user(user: User) -> AuthState:
    return AuthState(**{name: getattr(user, name) for name in _FIELDS})


class _LocalStates:
    """This process's copies of auth states, kept while it hears of every change."""

    def __init__(self):
        self._entries: dict[int, tuple[AuthState, float]] = {}
        self._lock = threading.Lock()
        self._listening = False
        self._listener: threading.Thread | None = None
        # Bumped by every announcement heard: a copy read before one may not be kept after it.
        self.generation = 0

    def channel(self) -> str:
        return cache.make_key("auth:state:changed")

    def get(self, user_id) -> AuthState | None:
        if not self._listening:
            return None
        entry = self._entries.get(user_id)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def keep(self, state: AuthState, *, generation: int) -> None:
        """Keep a copy of `state`, read when `generation` was current; not if anything changed
        since, or if this process is not hearing changes."""
        with self._lock:
            if self._listening and generation == self.generation:
                self._entries[state.id] = (state, time.monotonic() + settings.AUTH_STATE_LOCAL_TTL)

    def drop(self, user_id) -> None:
        with self._lock:
            self.generation += 1
            self._entries.pop(user_id, None)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def listen(self) -> None:
        """Start hearing changes (a thread), if not yet; copies are kept once subscribed."""
        if self._listening:
            return
        with self._lock:
            if self._listener is not None and self._listener.is_alive():
                return
            self._listener = threading.Thread(target=self._run, name="auth-state-listener", daemon=True)
            self._listener.start()

    def _run(self) -> None:
        while True:
            pubsub = None
            try:
                pubsub = redis_client().pubsub()
                pubsub.subscribe(self.channel())
                last_ping = time.monotonic()
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        if time.monotonic() - last_ping > 5:  # a dead connection says nothing
                            pubsub.ping()
                            last_ping = time.monotonic()
                        continue
                    if message["type"] == "subscribe":
                        self._listening = True
                    elif message["type"] == "message":
                        self.drop(int(message["data"]))
            except Exception as exc:  # Redis unreachable: copies can no longer be trusted
                if self._listening:  # once per outage, not once a second
                    logger.warning(
                        "auth-state changes unheard: no local copies", extra={"error": type(exc).__name__}
                    )
                self._listening = False
                self.clear()
                time.sleep(1.0)
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):  # the connection may be gone
                        pubsub.close()


_local = _LocalStates()


def _local_enabled() -> bool:
    return settings.AUTH_STATE_LOCAL_TTL > 0 and redis_client() is not None


def _announce(user_id: int) -> None:
    """Tell every process (this one at once) that the user's state changed."""
    _local.drop(user_id)
    if _local_enabled():
        redis_client().publish(_local.channel(), user_id)


def auth_state_forget_local() -> None:
    """Drop this process's copies (tests that reuse ids between databases)."""
    _local.clear()


def auth_state_get(user_id: int) -> AuthState | None:
    """The user's auth state: from this process's copy, or the cache, else from the database
    (also while the cache is unreachable: authentication keeps working through a Redis
    outage, at one query a request)."""
    local = _local_enabled()
    if local:
        _local.listen()
        if (copy := _local.get(user_id)) is not None:
            return copy
        generation = _local.generation
    state = _auth_state_shared(user_id)
    if local and state is not None:
        _local.keep(state, generation=generation)
    return state


def _auth_state_shared(user_id: int) -> AuthState | None:
    try:
        cached = cache.get(_key(user_id))
    except Exception as exc:
        if not is_outage(exc):
            raise
        logger.warning("auth state from the database: cache unavailable", extra={"error": type(exc).__name__})
        cached, cache_up = None, False
    else:
        cache_up = True
    if cached is not None:
        return AuthState(**cached)
    row = User.objects.filter(pk=user_id).values(*_FIELDS).first()
    if row is None:
        return None
    if cache_up:
        try:
            cache.add(_key(user_id), row, timeout=settings.AUTH_STATE_CACHE_TTL)
        except Exception as exc:  # went down meanwhile: the next request fills it
            if not is_outage(exc):
                raise
    return AuthState(**row)


def auth_state_store(user: User) -> None:
    """Drop the entry now and rewrite it from `user` once the current transaction commits.

    The drop is not guarded: if the cache cannot be told, the change (a ban, a logout
    everywhere) fails with the rest of its transaction, rather than leave an entry that
    would keep trusting old tokens once the cache is back."""
    state = asdict(_from_user(user))
    cache.delete(_key(state["id"]))
    _announce(state["id"])

    def after_commit():
        cache.set(_key(state["id"]), state, timeout=settings.AUTH_STATE_CACHE_TTL)
        _announce(state["id"])

    transaction.on_commit(after_commit, robust=True)
