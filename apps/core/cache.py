"""Cache helpers. Every cache is an optimisation: with it flushed the answers are the same.

Two shapes, each with a Redis implementation (atomic Lua, shared by every instance) and a
local one (the embedded default's local-memory cache, one process):

- versioned values: `versioned_set` stores a value only if its version is newer than the
  stored one, so a reader that loaded an old row can never overwrite what a writer stored after
  its commit. The version comes from the database row (a counter bumped with every change).
- a sorted window (`window_merge`/`window_read`): the newest N items of a sequence (a chat's
  history, a channel's posts) keyed by their seq, each with a version; merging keeps the
  newest version of each seq, so concurrent merges in any order converge. A sentinel marks
  the window complete (built from the database); without it readers go to the database.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches

from . import crypto, documents
from .errors import is_outage

logger = logging.getLogger(__name__)
_local_lock = threading.Lock()
SENTINEL = "!"

_VERSIONED_SET = """
local current = redis.call('HGET', KEYS[1], 'v')
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""

_WINDOW_MERGE = """
local key, limit, ttl = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
if ARGV[3] == '1' then redis.call('ZADD', key, -1, '!') end
for i = 4, #ARGV, 3 do
  local seq, version, blob = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local present = redis.call('ZRANGEBYSCORE', key, seq, seq)
  local newer = true
  for _, member in ipairs(present) do
    if tonumber(string.match(member, '^(%d+)|')) >= version then newer = false
    else redis.call('ZREM', key, member) end
  end
  if newer then redis.call('ZADD', key, seq, version .. '|' .. blob) end
end
local first = 0
if redis.call('ZSCORE', key, '!') then first = 1 end
redis.call('ZREMRANGEBYRANK', key, first, -(limit + 1))
redis.call('EXPIRE', key, ttl)
return 1
"""


def _degrade(what: str, default):
    """Run a cache operation; with the cache unreachable, log and give `default` (a miss, or
    nothing stored): every cache is an optimisation, so readers go to the database."""

    def decorate(func):
        @functools.wraps(func)
        def guarded(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                if not is_outage(exc):
                    raise
                logger.warning("cache unavailable", extra={"operation": what, "error": type(exc).__name__})
                return default() if callable(default) else default

        return guarded

    return decorate


def redis_client():
    """The raw Redis client behind the default cache, or None on the local-memory cache.

    (`cache` is a proxy: the backend itself is `caches["default"]`.)"""
    if not type(caches["default"]).__module__.startswith("django_redis"):
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


_scripts: dict[str, object] = {}


def redis_script(client, source: str):
    # One registered script per client (tests swap cache settings between runs).
    key = f"{id(client)}:{hash(source)}"
    if key not in _scripts:
        _scripts[key] = client.register_script(source)
    return _scripts[key]


# --- Versioned values ---------------------------------------------------------------------


def _context(key: str) -> str:
    # The associated data names the entry: a sealed value copied under another key is refused.
    return f"cache.{key}"


def _open(key: str, sealed: str):
    """A sealed cache value, or None when no configured key opens it any more (rotated away,
    or tampered with): a miss, so the caller reloads from the database."""
    try:
        return crypto.open_json(sealed, context=_context(key))
    except crypto.DecryptionError:
        return None


@dataclass
class Prefetched:
    """Versioned values and windows read in one round trip (`read_together`): a key that is
    absent here was missing, or is unreadable; a window that is None is missing or incomplete."""

    values: dict[str, object]
    windows: dict[str, list[tuple[int, str]] | None]


@_degrade("read", lambda: Prefetched({}, {}))
def read_together(*, versioned: Iterable[str] = (), windows: Iterable[str] = ()) -> Prefetched:
    """Several versioned values and windows in one round trip (the hot reads of a request:
    a chat's members, the reader's hidden messages and the history window)."""
    versioned, windows = list(versioned), list(windows)
    client = redis_client()
    if client is None:
        return Prefetched(versioned_get_many(versioned), {key: window_read(key) for key in windows})
    pipe = client.pipeline(transaction=False)
    for key in versioned:
        pipe.hget(cache.make_key(key), "d")
    for key in windows:
        pipe.zrange(cache.make_key(key), 0, -1, withscores=True)
    replies = pipe.execute()
    return Prefetched(
        values=_opened(zip(versioned, replies, strict=False)),
        windows={
            key: _window_items(members)
            for key, members in zip(windows, replies[len(versioned) :], strict=True)
        },
    )


@_degrade("read", dict)
def versioned_get_many(keys: Iterable[str]) -> dict[str, object]:
    """{key: value} for the keys present (and still readable)."""
    keys = list(keys)
    client = redis_client()
    if client is None:
        return _opened((key, entry[1]) for key, entry in cache.get_many(keys).items())
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.hget(cache.make_key(key), "d")
    return _opened(zip(keys, pipe.execute(), strict=True))


def _opened(pairs) -> dict[str, object]:
    """{key: value} of the (key, sealed value or None) pairs that are there and open."""
    opened = {}
    for key, sealed in pairs:
        if sealed is None:
            continue
        value = _open(key, sealed.decode() if isinstance(sealed, bytes) else sealed)
        if value is not None:
            opened[key] = value
    return opened


def versioned_get(key: str):
    return versioned_get_many([key]).get(key)


@_degrade("write", False)
def versioned_set(key: str, version: int, value, *, ttl: int) -> bool:
    """Store `value`, encrypted, unless a value of the same or a newer version is there. True if
    stored. Values are personal data (profiles, contact lists, memberships): a dump of Redis
    must not show them."""
    sealed = crypto.seal_json(value, context=_context(key))
    client = redis_client()
    if client is None:
        with _local_lock:
            current = cache.get(key)
            if current is not None and current[0] >= version:
                return False
            cache.set(key, (version, sealed), timeout=ttl)
            return True
    stored = redis_script(client, _VERSIONED_SET)(keys=[cache.make_key(key)], args=[version, sealed, ttl])
    return bool(stored)


# --- Sorted windows -----------------------------------------------------------------------


@_degrade("merge", None)
def window_merge(
    key: str, items: Iterable[tuple[int, int, str]], *, limit: int, ttl: int, complete: bool = False
) -> None:
    """Merge (seq, version, blob) items into the window at `key`, keeping the newest `limit`.

    `complete=True` says the items are the newest `limit` read from the database, so the window
    may answer reads from now on.
    """
    items = list(items)
    client = redis_client()
    if client is None:
        with _local_lock:
            entries, is_complete = cache.get(key) or ({}, False)
            for seq, version, blob in items:
                if seq not in entries or entries[seq][0] < version:
                    entries[seq] = (version, blob)
            kept = dict(sorted(entries.items())[-limit:])
            cache.set(key, (kept, is_complete or complete), timeout=ttl)
        return
    args: list = [limit, ttl, "1" if complete else "0"]
    for seq, version, blob in items:
        args += [seq, version, blob]
    redis_script(client, _WINDOW_MERGE)(keys=[cache.make_key(key)], args=args)


@_degrade("delete", None)
def cache_delete(key: str) -> None:
    client = redis_client()
    if client is None:
        cache.delete(key)
    else:
        client.delete(cache.make_key(key))


@_degrade("read", None)
def window_read(key: str) -> list[tuple[int, str]] | None:
    """The window's (seq, blob) items, oldest first; None if it is missing or not complete."""
    client = redis_client()
    if client is None:
        entries, complete = cache.get(key) or ({}, False)
        if not complete:
            return None
        return [(seq, blob) for seq, (_version, blob) in sorted(entries.items())]
    return _window_items(client.zrange(cache.make_key(key), 0, -1, withscores=True))


def _window_items(members) -> list[tuple[int, str]] | None:
    if not members or members[0][0] != SENTINEL.encode():
        return None
    return [(int(score), member.decode().split("|", 1)[1]) for member, score in members[1:]]


class SealedWindow:
    """The newest items of one sequence per owner (a chat's messages, a channel's posts), kept
    encrypted in a window (`window_merge`): items are dicts with a `seq` and a `version`.

    `size` and `ttl` name settings, read when used."""

    def __init__(self, name: str, *, size: str, ttl: str):
        self.name = name
        self._size = size
        self._ttl = ttl
        self._context = f"cache.{name}"

    @property
    def size(self) -> int:
        return getattr(settings, self._size)

    def _key(self, owner_id: int) -> str:
        return f"{self.name}:{owner_id}"

    def merge(self, owner_id: int, items: list[dict], *, complete: bool = False) -> None:
        window_merge(
            self._key(owner_id),
            [(item["seq"], item["version"], crypto.seal_json(item, context=self._context)) for item in items],
            limit=self.size,
            ttl=getattr(settings, self._ttl),
            complete=complete,
        )

    def merge_after_commit(self, owner_id: int, item: dict) -> None:
        """Merge `item` (a new, changed or erased one) once the change that made it commits:
        a rolled-back change never reaches the window."""
        documents.on_commit(lambda: self.merge(owner_id, [item]))

    def key(self, owner_id: int) -> str:
        """The window's cache key (for `read_together`)."""
        return self._key(owner_id)

    def read(self, owner_id: int, *, prefetched: Prefetched | None = None) -> list[dict] | None:
        """The window oldest first, or None when there is no complete one."""
        key = self._key(owner_id)
        window = prefetched.windows.get(key) if prefetched is not None else window_read(key)
        if window is None:
            return None
        try:
            return [crypto.open_json(blob, context=self._context) for _seq, blob in window]
        except crypto.DecryptionError:
            # Sealed under a key that was rotated away: drop it, readers rebuild it.
            cache_delete(key)
            return None

    def newest_page(
        self, owner_id: int, *, limit: int, load_newest, visible, prefetched: Prefetched | None = None
    ) -> tuple[list[dict], bool] | None:
        """(newest first page, has_more) from the window, or None when the window cannot answer
        (too few visible items in it). `load_newest(n)` gives the newest n items from the
        database, oldest first: it rebuilds a missing window (deleted items too: a window is
        shared by every reader, and `visible` filters per reader)."""
        window = self.read(owner_id, prefetched=prefetched)
        if window is None:
            window = load_newest(self.size)
            self.merge(owner_id, window, complete=True)
        shown = [item for item in reversed(window) if visible(item)]
        if not window or window[0]["seq"] == 1:  # the whole sequence is in the window
            return shown[:limit], len(shown) > limit
        if len(shown) >= limit:
            return shown[:limit], True
        return None
