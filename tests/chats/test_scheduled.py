"""Scheduled messages in process: made, listed, changed, cancelled, sent now; delivered by the
sweep when due, once, however often a delivery is tried; refused when the chat says no. (With a
real worker and beat, and a worker killed on the way: tests/e2e/test_scheduled.py.)"""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.chats.models import Message, ScheduledMessage
from apps.chats.services import scheduled as scheduling

pytestmark = pytest.mark.django_db


def schedule(client, chat, text="see you at 8", seconds=3600, **extra):
    send_at = (timezone.now() + timedelta(seconds=seconds)).isoformat()
    return client.post(
        f"/api/v1/chats/{chat.id}/scheduled/", {"text": text, "send_at": send_at, **extra}, format="json"
    )


def come_due(scheduled_id):
    """The time of a scheduled message arrives (its send_at moved into the past)."""
    ScheduledMessage.objects.filter(pk=scheduled_id).update(send_at=timezone.now() - timedelta(seconds=1))


def texts(client, chat):
    return [m["text"] for m in client.get(f"/api/v1/chats/{chat.id}/messages/").json()["results"]]


def test_a_scheduled_message_waits_then_is_sent_once_by_the_sweep(
    client_for, alice, bob, direct, after_commit
):
    created = schedule(client_for(alice), direct)
    scheduled_id = created.json()["id"]

    assert created.status_code == 201
    assert created.json()["status"] == "pending"
    assert scheduling.scheduled_sweep() == 0  # not yet
    assert texts(client_for(bob), direct) == []
    come_due(scheduled_id)
    with after_commit():
        assert scheduling.scheduled_sweep() == 1
    assert scheduling.scheduled_sweep() == 0  # once

    assert texts(client_for(bob), direct) == ["see you at 8"]
    listed = client_for(alice).get("/api/v1/scheduled/").json()["results"]
    assert listed == []  # no longer waiting
    row = ScheduledMessage.objects.get(pk=scheduled_id)
    assert row.status == "sent"
    assert Message.objects.get(pk=row.message_id).client_msg_id == row.seal


def test_a_delivery_tried_again_after_a_dead_worker_sends_nothing_twice(alice, bob, direct, client_for):
    scheduled_id = schedule(client_for(alice), direct, text="once only").json()["id"]
    come_due(scheduled_id)
    assert scheduling.scheduled_deliver(scheduled_id)
    # As if the worker died after sending and before marking it sent, long enough ago.
    ScheduledMessage.objects.filter(pk=scheduled_id).update(
        status="sending", claimed_at=timezone.now() - scheduling.CLAIM_TIMEOUT - timedelta(seconds=1)
    )

    assert scheduling.scheduled_sweep() == 1  # tried again...
    assert texts(client_for(bob), direct) == ["once only"]  # ...and sent once
    assert not scheduling.scheduled_deliver(scheduled_id)  # a late timer finds it sent


def test_listed_edited_cancelled_and_sent_now_and_the_other_devices_told(client_for, alice, bob, direct):
    client = client_for(alice)
    since = client.get("/api/v1/updates/state/").json()["pts"]
    first = schedule(client, direct, text="draft one", seconds=7200).json()
    second = schedule(client, direct, text="draft two", seconds=3600).json()

    listed = client.get("/api/v1/scheduled/", {"chat_id": direct.id}).json()["results"]
    edited = client.patch(f"/api/v1/scheduled/{first['id']}/", {"text": "final one"}, format="json")
    cancelled = client.delete(f"/api/v1/scheduled/{second['id']}/")
    sent_now = client.post(f"/api/v1/scheduled/{first['id']}/send/")

    assert [s["text"] for s in listed] == ["draft two", "draft one"]  # soonest first
    assert edited.json()["text"] == "final one"
    assert cancelled.status_code == 204
    assert sent_now.json()["status"] == "sent"
    assert texts(client_for(bob), direct) == ["final one"]
    updates = client.get("/api/v1/updates/", {"since": since}).json()["updates"]
    changes = [(u["change"], u["scheduled"]["text"]) for u in updates if u["type"] == "scheduled.updated"]
    # Read now: each as it is now (the cancelled one's text is gone from the log too).
    assert changes == [
        ("created", "final one"),
        ("created", ""),
        ("edited", "final one"),
        ("cancelled", ""),
        ("sent", "final one"),
    ]
    assert [u["type"] for u in client_for(bob).get("/api/v1/updates/", {"since": 0}).json()["updates"]] == [
        "message.new"
    ]  # only the sender's devices hear of the schedule


def test_refusals(client_for, alice, bob, carol, direct):
    client = client_for(alice)
    past = schedule(client, direct, seconds=-5)
    too_far = schedule(client, direct, seconds=366 * 24 * 3600)
    stranger = schedule(client_for(carol), direct)
    mine = schedule(client, direct).json()
    not_yours = client_for(bob).patch(f"/api/v1/scheduled/{mine['id']}/", {"text": "hijack"}, format="json")
    client.post(f"/api/v1/scheduled/{mine['id']}/send/")
    after_sending = client.patch(f"/api/v1/scheduled/{mine['id']}/", {"text": "too late"}, format="json")

    assert (past.status_code, past.json()["fields"]["send_at"][0]["code"]) == (400, "send_at_invalid")
    assert (too_far.status_code, too_far.json()["fields"]["send_at"][0]["code"]) == (400, "send_at_invalid")
    assert (stranger.status_code, stranger.json()["code"]) == (404, "chat_not_found")
    assert (not_yours.status_code, not_yours.json()["code"]) == (404, "scheduled_not_found")
    assert (after_sending.status_code, after_sending.json()["code"]) == (409, "not_pending")


def test_a_message_the_chat_refuses_when_its_time_comes_fails_and_says_why(client_for, alice, bob, direct):
    scheduled_id = schedule(client_for(alice), direct, text="are you there").json()["id"]
    client_for(bob).post("/api/v1/blocks/", {"user_id": alice.id}, format="json")
    come_due(scheduled_id)

    assert scheduling.scheduled_sweep() == 0

    row = ScheduledMessage.objects.get(pk=scheduled_id)
    assert (row.status, row.failure) == ("failed", "blocked")
    assert texts(client_for(bob), direct) == []


def test_the_text_waits_encrypted(client_for, alice, direct):
    from tests.stores import raw_column

    scheduled_id = schedule(client_for(alice), direct, text="surprise party").json()["id"]

    [stored] = raw_column(ScheduledMessage, "text", id=scheduled_id)
    assert "surprise" not in stored


def test_erasing_a_person_erases_their_scheduled_messages(client_for, alice, direct):
    from apps.moderation.erasure import person_erase

    schedule(client_for(alice), direct, text="from beyond")

    erased = person_erase(user=alice)

    assert erased["scheduled messages"] == 1
    assert not ScheduledMessage.objects.filter(sender_id=alice.id).exists()
