"""The auth-state cache: what an authenticated request needs to know about its user (active,
banned, token version, staff flags), kept in the shared cache so that checking a token costs no
database query while the entry lives (AUTH_STATE_CACHE_TTL).

A miss fills the entry with `cache.add`. A change deletes the entry at once (so no request on
any instance trusts the old state from then on) and writes the new one with `cache.set` after
commit: a request that read the old row just before the commit may `add` it back, but the write
after commit overwrites it; if the transaction rolls back, the next miss reads the old row.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.base import DEFERRED

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


def auth_state_get(user_id: int) -> AuthState | None:
    """The user's auth state: from the cache, else from the database (also while the cache is
    unreachable: authentication keeps working through a Redis outage, at one query a request)."""
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
    transaction.on_commit(
        lambda: cache.set(_key(state["id"]), state, timeout=settings.AUTH_STATE_CACHE_TTL), robust=True
    )
