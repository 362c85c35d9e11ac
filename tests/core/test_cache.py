import threading

import pytest
from django.core.cache import cache

from apps.core.cache import redis_client, versioned_get, versioned_set, window_merge, window_read


def test_versioned_set_keeps_the_newest_version():
    assert versioned_set("k", 2, {"name": "two"}, ttl=60)
    assert not versioned_set("k", 1, {"name": "one"}, ttl=60)
    assert not versioned_set("k", 2, {"name": "two again"}, ttl=60)
    assert versioned_set("k", 3, {"name": "three"}, ttl=60)

    assert versioned_get("k") == {"name": "three"}


def test_window_keeps_the_newest_items_and_versions_and_needs_a_complete_build():
    window_merge("w", [(5, 1, "five")], limit=3, ttl=60)
    assert window_read("w") is None  # merged into, but never built from the database

    window_merge("w", [(1, 1, "one"), (2, 1, "two"), (3, 1, "three")], limit=3, ttl=60, complete=True)
    window_merge("w", [(3, 2, "THREE"), (2, 0, "stale two")], limit=3, ttl=60)
    window_merge("w", [(4, 1, "four")], limit=3, ttl=60)

    assert window_read("w") == [(3, "THREE"), (4, "four"), (5, "five")]


@pytest.mark.redis
def test_with_redis_the_caches_are_redis_structures_shared_by_every_process():
    assert redis_client() is not None
    versioned_set("shared", 1, {"a": 1}, ttl=60)
    window_merge("shared-window", [(1, 1, "x")], limit=5, ttl=60, complete=True)

    client = redis_client()
    stored = client.hgetall(cache.make_key("shared"))
    assert stored[b"v"] == b"1"
    assert b'"a"' not in stored[b"d"]  # sealed
    assert versioned_get("shared") == {"a": 1}
    assert client.zrange(cache.make_key("shared-window"), 0, -1) == [b"!", b"1|x"]


@pytest.mark.redis
def test_concurrent_merges_lose_nothing():
    window_merge("busy", [], limit=200, ttl=60, complete=True)

    def merge(start):
        for seq in range(start, start + 50):
            window_merge("busy", [(seq, 1, f"m{seq}")], limit=200, ttl=60)

    threads = [threading.Thread(target=merge, args=(start,)) for start in (1, 51, 101, 151)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [seq for seq, _ in window_read("busy")] == list(range(1, 201))
