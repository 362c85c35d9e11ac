"""Pushes: who gets one for a new post or message, in batches, through fcm-django and
firebase-admin to a fake Firebase (only Firebase's HTTP side is replaced)."""

import json
import logging

import pytest
from django.utils import timezone
from fcm_django.models import FCMDevice
from prometheus_client import REGISTRY

from apps.broadcasts import services as broadcasts
from apps.chats import services as chats
from apps.core import documents, events
from apps.core.breaker import push_breaker
from apps.notifications import services as notifications
from apps.notifications.models import Mute
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_process_events")]


def device(user, token: str) -> FCMDevice:
    return notifications.device_register(user=user, registration_id=token, type="android")[0]


def metric(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def channel(db):
    owner = UserFactory(username="publisher")
    channel = broadcasts.channel_create(owner=owner, handle="daily_news", title="Daily News")
    channel.owner_user = owner
    return channel


def subscriber(channel, token: str | None = None, **kwargs):
    user = UserFactory(**kwargs)
    broadcasts.channel_subscribe(user=user, channel_id=channel.id)
    if token:
        device(user, token)
    return user


def post(channel, text="Breaking: the secret recipe"):
    created = broadcasts.post_create(user=channel.owner_user, channel_id=channel.id, text=text)
    events.outbox_wait()
    return created


def test_a_new_post_notifies_each_subscriber_who_wants_it(fcm, channel, client_for):
    subscriber(channel, "tok-ana")
    muted = subscriber(channel, "tok-muted")
    notifications.mute_set(user=muted, kind=Mute.Kind.CHANNEL, target_id=channel.id, until=None)
    switched_off = subscriber(channel, "tok-off")
    client_for(switched_off).patch("/api/v1/notification-settings/", {"enabled": False}, format="json")
    expired_mute = subscriber(channel, "tok-mute-over")
    notifications.mute_set(
        user=expired_mute,
        kind=Mute.Kind.CHANNEL,
        target_id=channel.id,
        until=timezone.now() + timezone.timedelta(seconds=1),
    )
    Mute.objects.filter(user_id=expired_mute.id).update(until=timezone.now() - timezone.timedelta(seconds=1))
    device(channel.owner_user, "tok-author")  # the author is not told of their own post
    device(UserFactory(), "tok-stranger")  # not subscribed
    before = metric("tg_pushes_sent_total", kind="channel_post")

    created = post(channel)

    assert sorted(fcm.tokens()) == ["tok-ana", "tok-mute-over"]
    message = fcm.sent[0]
    assert message["notification"] == {"title": "Daily News", "body": "New post"}
    assert message["data"] == {
        "type": "channel_post",
        "channel_id": str(channel.id),
        "post_id": str(created.id),
        "seq": "1",
    }
    assert "secret recipe" not in json.dumps(fcm.sent)  # no text through Firebase
    assert metric("tg_pushes_sent_total", kind="channel_post") - before == 2


def test_fcm_unregistered_tokens_are_deactivated_and_not_tried_again(fcm, channel):
    user = subscriber(channel, "tok-phone")
    gone = device(user, "gone-old-tablet")
    before = metric("tg_pushes_failed_total", reason="unregistered")

    post(channel)

    assert sorted(fcm.tokens()) == ["gone-old-tablet", "tok-phone"]
    gone.refresh_from_db()
    assert gone.active is False
    assert metric("tg_pushes_failed_total", reason="unregistered") - before == 1

    fcm.reset()
    post(channel, "second")
    assert fcm.tokens() == ["tok-phone"]


def test_a_passing_failure_is_retried_for_the_failed_devices_only(fcm, channel, settings):
    subscriber(channel, "tok-steady")
    subscriber(channel, "busy1-flaky")

    post(channel)

    assert sorted(fcm.tokens()) == ["busy1-flaky", "busy1-flaky", "tok-steady"]


def test_retries_stop_after_push_max_retries(fcm, channel, settings):
    settings.PUSH_MAX_RETRIES = 2
    subscriber(channel, "busy-always")
    before = metric("tg_pushes_failed_total", reason="gave_up")

    post(channel)

    assert fcm.tokens() == ["busy-always"] * 3
    assert metric("tg_pushes_failed_total", reason="gave_up") - before == 1


def test_an_open_push_breaker_keeps_batches_away_from_fcm(fcm, channel, settings, api_client):
    settings.PUSH_MAX_RETRIES = 10
    subscriber(channel, "busy-down")

    post(channel)  # every attempt fails: the breaker opens after its threshold

    assert len(fcm.tokens()) == push_breaker.threshold
    assert push_breaker.state() == "open"
    assert api_client.get("/api/health/").json()["breakers"]["push"] == "open"
    fcm.reset()
    subscriber(channel, "tok-waiting")
    post(channel, "while open")
    assert fcm.tokens() == []


def test_batches_hold_at_most_push_batch_size_devices(channel, settings, caplog):
    settings.PUSH_BATCH_SIZE = 4
    for number in range(10):
        subscriber(channel, f"tok-{number}")

    with caplog.at_level(logging.INFO, logger="apps.notifications.push"):
        post(channel)

    assert [r.devices for r in caplog.records if r.msg == "push batch"] == [4, 4, 2]


def test_a_retried_fanout_of_the_same_event_notifies_nobody_twice(fcm, channel):
    from apps.notifications.tasks import channel_post_fanout

    subscriber(channel, "tok-once")
    created = post(channel)
    event_id = events.OutboxEvent.objects.get().pk

    channel_post_fanout.delay(event_id=event_id, channel_id=channel.id, post_id=created.id)

    assert fcm.tokens() == ["tok-once"]


def test_a_post_deleted_before_its_fanout_notifies_nobody(fcm, channel):
    from apps.notifications.tasks import channel_post_fanout

    subscriber(channel, "tok-late")
    with documents.atomic():  # its event goes out after commit: after the delete
        created = broadcasts.post_create(user=channel.owner_user, channel_id=channel.id, text="oops")
        broadcasts.post_delete(user=channel.owner_user, post_id=created.id)

    assert channel_post_fanout(event_id=10**9, channel_id=channel.id, post_id=created.id) == 0
    events.outbox_wait()
    assert fcm.tokens() == []


@pytest.fixture
def direct(direct_pair):
    return direct_pair


def test_a_message_to_a_member_with_no_socket_open_is_pushed(fcm, direct):
    chat, alice, bob = direct
    device(bob, "tok-bob")
    device(alice, "tok-alice")

    stored, _pts, _created = chats.message_send(sender=alice, chat_id=chat.id, text="meet at noon")
    events.outbox_wait()

    assert fcm.tokens() == ["tok-bob"]
    (message,) = fcm.sent
    assert message["notification"] == {"title": "Alice A.", "body": "New message"}
    assert message["data"]["chat_id"] == str(chat.id)
    assert message["data"]["message_id"] == str(stored["id"])
    assert "noon" not in json.dumps(message)


def test_a_muted_chat_is_not_pushed(fcm, direct):
    chat, alice, bob = direct
    device(bob, "tok-bob")
    notifications.mute_set(user=bob, kind=Mute.Kind.CHAT, target_id=chat.id, until=None)

    chats.message_send(sender=alice, chat_id=chat.id, text="psst")
    events.outbox_wait()

    assert fcm.tokens() == []


def test_a_member_with_a_socket_open_gets_the_frame_not_a_push(fcm, direct):
    from asgiref.sync import async_to_sync

    from apps.chats.presence import presence_connected, presence_disconnected

    chat, alice, bob = direct
    device(bob, "tok-bob")
    async_to_sync(presence_connected)(
        user_id=bob.id, socket="bob-socket"
    )  # what bob's consumer does on connect
    chats.message_send(sender=alice, chat_id=chat.id, text="you there?")
    events.outbox_wait()
    assert fcm.tokens() == []
    assert not events.OutboxEvent.objects.filter(subject__endswith="chats.message.created").exists()

    async_to_sync(presence_disconnected)(user_id=bob.id, socket="bob-socket")
    chats.message_send(sender=alice, chat_id=chat.id, text="gone now")
    events.outbox_wait()
    assert fcm.tokens() == ["tok-bob"]


def test_a_bad_event_is_logged_and_dropped_not_retried(caplog):
    from apps.core.models import OutboxEvent

    with caplog.at_level(logging.ERROR, logger="apps.core.events"):
        bad = events.event_emit(name="channels.post.created", payload={"channel_id": "x"})
        events.outbox_wait()

    bad.refresh_from_db()
    assert bad.published_at is not None  # not left for the sweep to retry for ever
    assert any(r.msg == "bad event dropped" for r in caplog.records)
    assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 0


def test_planning_that_meets_a_store_outage_is_retried_and_notifies_once(fcm, channel, monkeypatch):
    """The planning task is retried (by the worker, with backoff; inline when eager) instead
    of dropped; the retry goes on from where it stopped."""
    from django.db import OperationalError

    from apps.notifications import selectors as push_selectors
    from apps.notifications.tasks import channel_post_fanout

    subscriber(channel, "tok-ana")
    created = post(channel)
    fcm.reset()
    real_pages = push_selectors.channel_push_device_ids
    calls = {"n": 0}

    def down_once(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("the database went away")
        return real_pages(**kwargs)

    monkeypatch.setattr(push_selectors, "channel_push_device_ids", down_once)
    task = {"event_id": "retry-me", "channel_id": channel.id, "post_id": documents.dump_id(created.pk)}

    result = channel_post_fanout.apply(kwargs=task, throw=False)  # eager: the retry runs inline

    assert calls["n"] > 1  # failed once, then ran again (and paged on)
    assert result.state == "SUCCESS"
    assert fcm.tokens() == ["tok-ana"]
