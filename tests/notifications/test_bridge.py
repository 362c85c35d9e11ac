"""`manage.py run_nats_bridge` as a real process against the real NATS server, beside a real
daphne: a post or a message becomes a push at (fake) Firebase; bad events are acked and
counted; an event is acked only once its task is enqueued; SIGTERM stops it; a NATS restart
is waited out."""

import base64
import json
import signal
import uuid

import pytest
import redis

from tests.e2e.servers import Stack, api, scrape, sign_up, wait_until
from tests.nats_tools import PrivateNats, consumer_info, publish, stream_messages, stream_purge
from tests.services import service_url

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis, pytest.mark.nats]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, fake_fcm_server):
    env = {
        "NATS_URL": service_url("nats"),
        "PUSH_BACKEND": "fcm",
        "FCM_CREDENTIALS": str(fake_fcm_server.credentials),
        "FCM_API_URL": fake_fcm_server.send_url,
    }
    with Stack(instances=1, tmp=tmp_path_factory.mktemp("bridge"), env=env) as running:
        yield running


@pytest.fixture
def durable(stack):
    """A new durable consumer, on a stream holding no earlier test's events."""
    stream_purge(stack.env["NATS_URL"], stack.nats_stream)
    return f"bridge{uuid.uuid4().hex[:8]}"


def metric(bridge, name: str, **labels) -> float:
    return scrape(bridge).get((name, *sorted(labels.items())), 0.0)


def stop(bridge) -> int:
    bridge.process.send_signal(signal.SIGTERM)
    return bridge.process.wait(timeout=15)


def test_a_post_and_a_message_reach_firebase_through_nats_and_the_bridge(stack, fcm, durable):
    (web,) = stack.servers
    bridge = stack.start_bridge("--durable", durable)
    suffix = uuid.uuid4().hex[:6]
    _, publisher = sign_up(web, f"pub{suffix}")
    reader_id, reader = sign_up(web, f"reader{suffix}")
    token = f"tok-reader-{suffix}"
    assert (
        api(web, "POST", "/api/v1/devices/", {"registration_id": token, "type": "android"}, reader)[0] == 201
    )
    status, channel = api(
        web, "POST", "/api/v1/channels/", {"handle": f"news{suffix}", "title": "News"}, publisher
    )
    assert status == 201, channel
    assert api(web, "POST", f"/api/v1/channels/{channel['id']}/subscribe/", {}, reader)[0] in (200, 201)

    status, post = api(web, "POST", f"/api/v1/channels/{channel['id']}/posts/", {"text": "hi"}, publisher)
    assert status == 201, post
    pushed = wait_until(
        lambda: [m for m in list(fcm.sent) if m["token"] == token], what="the post's push", log=bridge.log
    )
    assert pushed[0]["data"] == {
        "type": "channel_post",
        "channel_id": str(channel["id"]),
        "post_id": str(post["id"]),
        "seq": "1",
    }

    status, chat = api(web, "POST", "/api/v1/chats/", {"kind": "direct", "user_id": reader_id}, publisher)
    assert status == 201, chat
    status, _ = api(web, "POST", f"/api/v1/chats/{chat['id']}/messages/", {"text": "psst"}, publisher)
    assert status == 201
    wait_until(
        lambda: [m for m in list(fcm.sent) if m["data"].get("chat_id") == str(chat["id"])],
        what="the message's push",
        log=bridge.log,
    )
    assert (
        metric(
            bridge, "tg_bridge_events_consumed_total", subject=f"{stack.subject_prefix}.channels.post.created"
        )
        == 1
    )
    assert stop(bridge) == 0
    assert "bridge: stopped" in bridge.log.read_text()


def test_in_production_shape_the_bridge_enqueues_and_a_real_worker_sends(stack, fcm, durable):
    """web -> outbox -> NATS -> bridge -> Redis broker -> Celery worker (threads) -> FCM."""
    (web,) = stack.servers
    broker = {"CELERY_BROKER_URL": stack.env["REDIS_URL"].rsplit("/", 1)[0] + "/14"}
    redis.Redis.from_url(broker["CELERY_BROKER_URL"]).flushdb()
    worker = stack.start_worker(env=broker)
    bridge = stack.start_bridge("--durable", durable, env={"CELERY_TASK_ALWAYS_EAGER": "false", **broker})
    suffix = uuid.uuid4().hex[:6]
    _, publisher = sign_up(web, f"wpub{suffix}")
    _, reader = sign_up(web, f"wreader{suffix}")
    token, flaky = f"tok-worker-{suffix}", f"busy1-worker-{suffix}"  # flaky: a 429 the first time
    api(web, "POST", "/api/v1/devices/", {"registration_id": token, "type": "ios"}, reader)
    api(web, "POST", "/api/v1/devices/", {"registration_id": flaky, "type": "android"}, reader)
    _, channel = api(web, "POST", "/api/v1/channels/", {"handle": f"wnews{suffix}", "title": "W"}, publisher)
    api(web, "POST", f"/api/v1/channels/{channel['id']}/subscribe/", {}, reader)

    status, _ = api(web, "POST", f"/api/v1/channels/{channel['id']}/posts/", {"text": "hi"}, publisher)

    assert status == 201
    wait_until(lambda: token in fcm.tokens(), what="the push, sent by the worker", log=worker.log)
    # The flaky device's batch is retried by the worker, later, through the broker.
    wait_until(lambda: fcm.tokens().count(flaky) == 2, what="the retried push", log=worker.log)
    wait_until(
        lambda: metric(worker, "tg_pushes_sent_total", kind="channel_post") == 2,
        what="the worker's push counter",
        log=worker.log,
    )
    assert stop(bridge) == 0
    redis.Redis.from_url(broker["CELERY_BROKER_URL"]).flushdb()


def test_bad_unknown_and_repeated_events_are_acked_and_counted_never_retried(stack, durable):
    nats_url = stack.env["NATS_URL"]
    bridge = stack.start_bridge("--durable", durable)
    prefix = stack.subject_prefix
    wait_until(lambda: scrape(bridge), what="the bridge's metrics", log=bridge.log)
    good = json.dumps({"id": 10**9, "payload": {"channel_id": 10**9, "post_id": 10**9}}).encode()

    publish(nats_url, f"{prefix}.channels.post.created", b"{not json")
    publish(
        nats_url,
        f"{prefix}.channels.post.created",
        json.dumps({"id": 7, "payload": {"channel_id": "x"}}).encode(),
    )
    publish(nats_url, f"{prefix}.nobody.listens", json.dumps({"id": 8, "payload": {}}).encode())
    publish(nats_url, f"{prefix}.channels.post.created", good)
    publish(nats_url, f"{prefix}.channels.post.created", good)  # the same event id again

    wait_until(
        lambda: metric(bridge, "tg_bridge_events_duplicate_total") == 1,
        what="the repeated event",
        log=bridge.log,
    )
    assert metric(bridge, "tg_bridge_events_failed_total", reason="bad_event") == 2
    assert metric(bridge, "tg_bridge_events_failed_total", reason="unknown_type") == 1
    assert metric(bridge, "tg_bridge_events_consumed_total", subject=f"{prefix}.channels.post.created") == 1
    info = consumer_info(nats_url, stack.nats_stream, durable)
    assert (info.num_pending, info.num_ack_pending, info.num_redelivered) == (0, 0, 0)
    parked = {
        data: (subject, headers["Tg-Dead-Reason"])
        for subject, data, headers in stream_messages(nats_url, f"{stack.nats_stream}_DEAD")
    }
    assert parked[b"{not json"] == (f"{prefix}-dead.channels.post.created", "bad_event")
    assert parked[json.dumps({"id": 7, "payload": {"channel_id": "x"}}).encode()][1] == "bad_event"
    assert parked[json.dumps({"id": 8, "payload": {}}).encode()] == (
        f"{prefix}-dead.nobody.listens",
        "unknown_type",
    )
    assert stop(bridge) == 0


def test_an_event_is_acked_only_once_its_task_is_enqueued(stack, durable):
    nats_url = stack.env["NATS_URL"]
    broker_url = stack.env["REDIS_URL"].rsplit("/", 1)[0] + "/15"
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    event = {"id": 4242, "payload": {"channel_id": 5, "post_id": 6}}
    broker_down = {"CELERY_TASK_ALWAYS_EAGER": "false", "CELERY_BROKER_URL": "redis://127.0.0.1:9/0"}
    first = stack.start_bridge("--durable", durable, env=broker_down)
    wait_until(lambda: scrape(first), what="the bridge's metrics", log=first.log)

    publish(nats_url, f"{stack.subject_prefix}.channels.post.created", json.dumps(event).encode())

    wait_until(
        lambda: metric(first, "tg_bridge_events_failed_total", reason="error") >= 2,
        what="the event to come back after the failed enqueue",
        log=first.log,
    )
    assert metric(first, "tg_bridge_events_redelivered_total") >= 1
    assert (
        metric(
            first, "tg_bridge_events_consumed_total", subject=f"{stack.subject_prefix}.channels.post.created"
        )
        == 0
    )
    assert stop(first) == 0

    second = stack.start_bridge(
        "--durable", durable, env={"CELERY_TASK_ALWAYS_EAGER": "false", "CELERY_BROKER_URL": broker_url}
    )
    wait_until(lambda: broker.llen("celery"), what="the task in the broker's queue", log=second.log)
    task = json.loads(broker.lindex("celery", 0))
    assert task["headers"]["task"] == "apps.notifications.tasks.channel_post_fanout"
    _args, kwargs, _ = json.loads(base64.b64decode(task["body"]))
    assert kwargs == {"event_id": "4242", "channel_id": 5, "post_id": "6"}  # older int ids are taken
    wait_until(
        lambda: consumer_info(nats_url, stack.nats_stream, durable).num_ack_pending == 0,
        what="the ack",
        log=second.log,
    )
    assert stop(second) == 0
    broker.flushdb()


def test_an_event_that_keeps_failing_is_parked_not_dropped(stack, durable):
    nats_url = stack.env["NATS_URL"]
    env = {
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",  # nothing there: every enqueue fails
        "NATS_BRIDGE_MAX_DELIVER": "2",
    }
    bridge = stack.start_bridge("--durable", durable, env=env)
    wait_until(lambda: scrape(bridge), what="the bridge's metrics", log=bridge.log)
    event = json.dumps({"id": 5151, "payload": {"channel_id": 5, "post_id": 6}}).encode()

    publish(nats_url, f"{stack.subject_prefix}.channels.post.created", event)

    wait_until(
        lambda: metric(bridge, "tg_bridge_events_failed_total", reason="gave_up") == 1,
        timeout=60,
        what="the bridge to give up and park the event",
        log=bridge.log,
    )
    parked = [
        (headers["Tg-Dead-Reason"], headers["Tg-Deliveries"])
        for _subject, data, headers in stream_messages(nats_url, f"{stack.nats_stream}_DEAD")
        if data == event
    ]
    assert parked == [("gave_up", "2")]
    info = consumer_info(nats_url, stack.nats_stream, durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)
    assert stop(bridge) == 0


def test_the_bridge_waits_out_a_nats_restart(stack, tmp_path, durable):
    server = PrivateNats(tmp_path / "nats").start()
    try:
        bridge = stack.start_bridge("--durable", durable, env={"NATS_URL": server.url})
        subject = f"{stack.subject_prefix}.channels.post.created"
        consumed = ("tg_bridge_events_consumed_total", ("subject", subject))

        def event(number):
            return json.dumps({"id": number, "payload": {"channel_id": 10**9, "post_id": number}}).encode()

        wait_until(lambda: "bridge consuming" in bridge.log.read_text() or scrape(bridge), what="start")
        wait_until(lambda: _stream_ready(server.url, stack.nats_stream), what="the stream", log=bridge.log)
        publish(server.url, subject, event(1))
        wait_until(lambda: scrape(bridge).get(consumed) == 1, what="the first event", log=bridge.log)

        server.stop()
        server.start()  # same port, same JetStream store

        publish(server.url, subject, event(2))
        wait_until(
            lambda: scrape(bridge).get(consumed) == 2, what="an event after the restart", log=bridge.log
        )
        assert stop(bridge) == 0
    finally:
        server.stop()


def _stream_ready(url: str, stream: str) -> bool:
    import asyncio

    import nats
    from nats.js.errors import NotFoundError

    async def check():
        client = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=1)
        try:
            await client.jetstream().stream_info(stream)
            return True
        except NotFoundError:
            return False
        finally:
            await client.close()

    return asyncio.run(check())


def test_without_nats_url_the_bridge_says_what_to_set(stack):
    bridge = stack.start_bridge(env={"NATS_URL": ""})

    assert bridge.process.wait(timeout=30) == 1
    assert "Set NATS_URL" in bridge.log.read_text()


def test_a_queued_push_survives_a_broker_restart(stack, fcm, tmp_path):
    """The broker as docker/compose.yml runs it (Redis with append-only persistence): a task
    queued before the broker dies is still there after it restarts, and a worker sends it."""
    from telegram.celery import app as celery_app
    from tests.redis_tools import PrivateRedis

    (web,) = stack.servers
    suffix = uuid.uuid4().hex[:6]
    _, reader = sign_up(web, f"durable{suffix}")
    token = f"tok-durable-{suffix}"
    status, device = api(web, "POST", "/api/v1/devices/", {"registration_id": token, "type": "ios"}, reader)
    assert status == 201
    push = {"kind": "chat_message", "title": "T", "body": "New message", "data": {"chat_id": "1"}}

    with PrivateRedis(tmp_path, appendonly=True) as broker:
        with celery_app.connection_for_write(broker.url(0)) as connection:
            celery_app.send_task(
                "apps.notifications.tasks.push_send_batch",
                kwargs={"device_ids": [device["id"]], "push": push},
                connection=connection,
            )
        assert redis.Redis.from_url(broker.url(0)).llen("celery") == 1

        broker.kill()  # SIGKILL: no shutdown, no last save
        broker.start()

        assert redis.Redis.from_url(broker.url(0)).llen("celery") == 1
        worker = stack.start_worker(env={"CELERY_BROKER_URL": broker.url(0)})
        wait_until(
            lambda: token in fcm.tokens(), timeout=30, what="the push after the restart", log=worker.log
        )
        stack.stop(worker)
