"""The send's two-statement writes on PostgreSQL (apps.chats.store): the same rows as the ORM
writes, logs started for users who had none, and no deadlock or gap under concurrent senders
in chats that share members."""

import uuid

import pytest

from apps.chats import services
from apps.chats.models import Message
from apps.chats.store import two_statement_writes
from apps.updates.models import Update, UpdateState
from apps.updates.selectors import updates_since, updates_state
from tests.chats.concurrency import send_at_once

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _two_statements():
    if not two_statement_writes():
        pytest.skip("a separate document store: the ORM writes (tested everywhere else)")


def test_a_message_reads_back_as_written_with_every_members_log_entry(alice, bob, carol, group):
    client_msg_id = uuid.uuid4()
    before = {u.id: updates_state(user_id=u.id) for u in (alice, bob, carol)}

    stored, pts, created = services.message_send(
        sender=alice, chat_id=group.id, text="sealed, then stored", client_msg_id=client_msg_id
    )

    message = Message.objects.get(pk=int(stored["id"]))
    assert created
    assert (message.text, message.attachments, message.client_msg_id) == (
        "sealed, then stored",
        [],
        client_msg_id,
    )
    assert (message.seq, message.sender_id, message.deleted, message.version) == (1, alice.id, False, 1)
    assert stored["created_at"] == message.created_at.isoformat()
    for user in (alice, bob, carol):
        update = updates_since(user_id=user.id, since=before[user.id])["updates"][-1]
        assert (update["type"], update["message"]["text"]) == ("message.new", "sealed, then stored")
        assert update["pts"] == before[user.id] + 1
    assert pts == before[alice.id] + 1


def test_a_member_without_a_log_gets_one_started(alice, bob, direct):
    UpdateState.objects.filter(user_id=bob.id).delete()
    Update.objects.filter(user_id=bob.id).delete()

    services.message_send(sender=alice, chat_id=direct.id, text="first thing in your log")

    (update,) = updates_since(user_id=bob.id, since=0)["updates"]
    assert (update["pts"], update["message"]["text"]) == (1, "first thing in your log")


@pytest.mark.django_db(transaction=True)
def test_senders_in_chats_that_share_members_neither_deadlock_nor_leave_gaps(
    alice, bob, carol, direct, group
):
    start = {u.id: updates_state(user_id=u.id) for u in (alice, bob, carol)}
    plan = [(alice, direct), (bob, direct), (alice, group), (bob, group), (carol, group), (carol, group)]

    errors = send_at_once(plan, messages=15)

    assert errors == []
    assert sorted(Message.objects.filter(chat_id=direct.id).values_list("seq", flat=True)) == list(
        range(1, 31)
    )
    assert sorted(Message.objects.filter(chat_id=group.id).values_list("seq", flat=True)) == list(
        range(1, 61)
    )
    # Every member's log: one entry per message of their chats, numbered without a gap.
    for user, messages in ((alice, 90), (bob, 90), (carol, 60)):
        log = sorted(
            Update.objects.filter(user_id=user.id, pts__gt=start[user.id]).values_list("pts", flat=True)
        )
        assert log == list(range(start[user.id] + 1, start[user.id] + messages + 1))


def test_a_chat_gone_between_the_members_read_and_the_write_is_not_found(alice):
    from django.db import transaction

    from apps.chats.store import message_write
    from apps.core.errors import NotFound

    with pytest.raises(NotFound), transaction.atomic():
        message_write(
            chat_id=10**12,
            sender_member_id=10**12,
            user_ids=[alice.id],
            search_tokens=[],
            sender_id=alice.id,
            text="x",
        )
    assert not Message.objects.filter(sender_id=alice.id).exists()
