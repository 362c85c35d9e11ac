"""Scheduled messages with the production roles: daphne, a Celery worker and Celery beat on a
real Redis broker. The worker holding a message's timer is killed (SIGKILL) before its time; a
new worker starts; the message is sent once, at its time or just after. The lateness is printed
(bench/scheduled.py measures it over many messages)."""

import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis

from tests.e2e.servers import Stack, api, sign_up, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def stack(tmp_path):
    broker = f"{redis_base()}/13"
    redis.Redis.from_url(broker).flushdb()
    env = {"CELERY_BROKER_URL": broker, "CELERY_TASK_ALWAYS_EAGER": "false"}
    with Stack(instances=1, tmp=tmp_path, env=env) as running:
        yield running
    redis.Redis.from_url(broker).flushdb()


def redis_base() -> str:
    import os

    return os.environ["REDIS_URL"].rsplit("/", 1)[0]


def history(web, chat_id, token):
    _, page = api(web, "GET", f"/api/v1/chats/{chat_id}/messages/", None, token)
    return page["results"]


def test_a_scheduled_message_is_sent_once_though_the_worker_holding_its_timer_dies(stack):
    (web,) = stack.servers
    worker = stack.start_worker()
    stack.start_beat()
    _, sender = sign_up(web, "sched_ann")
    peer_id, peer = sign_up(web, "sched_ben")
    _, chat = api(web, "POST", "/api/v1/chats/", {"kind": "direct", "user_id": peer_id}, sender)
    send_at = datetime.now(UTC) + timedelta(seconds=5)

    status, _ = api(
        web,
        "POST",
        f"/api/v1/chats/{chat['id']}/scheduled/",
        {"text": "wake up", "send_at": send_at.isoformat()},
        sender,
    )
    assert status == 201
    # Its timer is armed about two seconds before its time, in the worker: kill that worker then.
    time.sleep(max(0.0, (send_at - datetime.now(UTC)).total_seconds() - 1.0))
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(timeout=10)
    replacement = stack.start_worker()

    wait_until(
        lambda: history(web, chat["id"], peer), timeout=30, what="the scheduled message", log=replacement.log
    )
    time.sleep(3)  # a late duplicate would show by now (the sweep runs every second)

    messages = history(web, chat["id"], peer)
    assert [m["text"] for m in messages] == ["wake up"]
    sent_at = datetime.fromisoformat(messages[0]["created_at"])
    lateness = (sent_at - send_at).total_seconds()
    print(f"scheduled message sent {lateness:.3f} s after its time, its worker killed on the way")
    assert lateness >= 0  # never early
    _, listed = api(web, "GET", "/api/v1/scheduled/", None, sender)
    assert listed["results"] == []


def test_with_its_worker_alive_a_message_leaves_on_its_timer(stack):
    (web,) = stack.servers
    stack.start_worker()
    stack.start_beat()
    _, sender = sign_up(web, "sched_cat")
    peer_id, peer = sign_up(web, "sched_dan")
    _, chat = api(web, "POST", "/api/v1/chats/", {"kind": "direct", "user_id": peer_id}, sender)
    send_at = datetime.now(UTC) + timedelta(seconds=4)
    api(
        web,
        "POST",
        f"/api/v1/chats/{chat['id']}/scheduled/",
        {"text": "on time", "send_at": send_at.isoformat()},
        sender,
    )

    wait_until(lambda: history(web, chat["id"], peer), timeout=20, what="the scheduled message")

    sent_at = datetime.fromisoformat(history(web, chat["id"], peer)[0]["created_at"])
    lateness = (sent_at - send_at).total_seconds()
    print(f"scheduled message sent {lateness:.3f} s after its time")
    assert lateness >= 0
