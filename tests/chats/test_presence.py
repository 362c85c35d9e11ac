"""Presence heals itself: a socket's lease is added and dropped atomically, renewed by its
process's heartbeat (so a wiped Redis is written back), and ends when its process dies."""

import asyncio
import threading
import time

import pytest
from django.core.cache import cache

from apps.chats import presence
from apps.chats.presence import online_among, presence_connected, presence_disconnected
from apps.core.cache import redis_client

pytestmark = pytest.mark.redis


def test_sockets_opening_while_others_close_never_lose_a_lease():
    """Old and new sockets of one user on one instance, opening and closing at once: every
    step succeeds, and the user is online exactly while one stays open."""
    errors = []

    def churn(index):
        try:
            for round_ in range(40):
                socket = f"sock-{index}-{round_}"
                presence._lease_add(7, socket)
                presence._lease_drop(7, socket)
        except Exception as exc:
            errors.append(exc)

    presence._lease_add(7, "stays-open")
    threads = [threading.Thread(target=churn, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert online_among([7]) == {7}
    assert presence._lease_drop(7, "stays-open") == 0
    assert online_among([7]) == set()


@pytest.mark.django_db(transaction=True)
def test_presence_is_written_back_after_redis_loses_it(settings):
    settings.PRESENCE_HEARTBEAT = 0.05

    async def scenario():
        await presence_connected(user_id=11, socket="sock-11")
        assert online_among([11]) == {11}
        redis_client().flushdb()  # what a Redis restart without persistence leaves
        assert online_among([11]) == set()
        for _ in range(40):
            await asyncio.sleep(0.05)
            if online_among([11]):
                break
        healed = online_among([11])
        await presence_disconnected(user_id=11, socket="sock-11")
        return healed

    assert asyncio.run(scenario()) == {11}
    assert online_among([11]) == set()


def test_a_dead_processs_sockets_stop_counting_within_the_lease(settings):
    settings.PRESENCE_TTL = 1
    # A process that opened a socket and died: nobody renews its lease, nobody drops it.
    presence._lease_add(21, "sock-of-a-dead-process")
    assert online_among([21]) == {21}

    time.sleep(1.2)

    assert online_among([21]) == set()
    assert cache.get("presence:21:last_seen") is None  # nothing else was written meanwhile
